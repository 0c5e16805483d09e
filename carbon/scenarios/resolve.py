"""Resolving a scenario: its baseline lines and its interventions as tonnes a year (the slow part,
remembered while the data it reads is unchanged, so sliders only re-project).

Baseline lines go through the registry of kinds (``carbon.kinds``) in the year context: the same
arithmetic, units and bounds as a pathway's activities. Every line is footprinted with its own
period (``recorded``: the baseline year and the reported years before it, each line's DESNZ factors
following its period); the projection starts from the baseline year's lines (``baseline``). Swap
interventions go through the one swap engine (``carbon.alternatives.volume_saving``); a reduction
cuts a share of a category or of a baseline-year line.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import OrderedDict

import pandas as pd
import pint

from carbon import alternatives, kinds
from carbon import factors as fx
from carbon.errors import CarbonError
from carbon.kinds.base import join_ids
from carbon.scenarios.model import Scenario, ScenarioError
from carbon.scenarios.project import Projection, project

BASELINE_COLUMNS = ["line", "label", "kind", "category", "tCO2e", "tCO2e_low", "tCO2e_high", "factor_ids", "detail",
                    "period", "steps"]
INTERVENTION_COLUMNS = [
    "intervention", "name", "kind", "category", "full_tCO2e", "full_tCO2e_low", "full_tCO2e_high",
    "price_gbp_full", "caveat", "factor_ids", "detail",
]


def recorded(store, scenario: Scenario, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Every line's emissions in the period it records, one row per line and category (tCO2e a year;
    ``BASELINE_COLUMNS``: ``period`` is the line's period label, ``steps`` its arithmetic).

    A bad line of any year is a ScenarioError naming it (and every other bad line), never a wrong number.
    """
    if not scenario.lines:
        raise ScenarioError("the baseline has no lines: add at least one (e.g. a manual line of your board's "
                            "reported tCO2e)")
    base_label = scenario.baseline_period.label
    rows = [{**ln.row(base_label), "position": i} for i, ln in enumerate(scenario.lines, 1)]
    try:
        fp = kinds.footprint(store, rows, basis, kinds.PER_YEAR)
    except CarbonError as exc:
        raise ScenarioError(exc.problems) from None
    problems = []
    for i, ln in enumerate(scenario.lines, 1):
        mine = fp[fp["position"] == i]
        errors = [e for e in mine["error"] if e]
        if errors:
            problems.append(f"baseline line {i} ({ln.label}): {errors[0]}")
        elif ((mine["kgCO2e"] < 0) | (mine["kgCO2e_low"] < 0)).any():
            # a year's emissions or activity is never below zero ('-5 inhaler' is a typing error)
            problems.append(f"baseline line {i} ({ln.label}): amount {ln.amount!r} gives negative emissions; "
                            "enter a year's activity or emissions as zero or more")
    if problems:
        raise ScenarioError(problems)
    labels = {i: ln.label for i, ln in enumerate(scenario.lines, 1)}
    own = {i: scenario.line_period(ln) for i, ln in enumerate(scenario.lines, 1)}
    return pd.DataFrame({
        "line": fp["position"].astype(int), "label": fp["position"].map(labels), "kind": fp["kind"],
        "category": fp["category"], "tCO2e": fp["kgCO2e"] / 1000, "tCO2e_low": fp["kgCO2e_low"] / 1000,
        "tCO2e_high": fp["kgCO2e_high"] / 1000,
        "factor_ids": fp["factor_ids"].fillna("").str.replace(r"[,\s]+", ",", regex=True),
        "detail": fp["quantity_text"], "period": fp["position"].map(own), "steps": fp["steps"].fillna(""),
    }, columns=BASELINE_COLUMNS)


def baseline(store, scenario: Scenario, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """The baseline year's emissions, one row per line and category (tCO2e a year): the lines whose
    period is the baseline year (``recorded`` checks the lines of every year)."""
    every = recorded(store, scenario, basis)
    base = every[every["period"] == scenario.baseline_period.label].reset_index(drop=True)
    if base.empty:
        raise ScenarioError(f"the baseline year {scenario.baseline_period.label} has no lines (the lines record "
                            f"{', '.join(scenario.recorded_periods())}): give the baseline year's lines no period, "
                            "or that period")
    return base


def _message(exc: Exception) -> str:
    if isinstance(exc, KeyError) and not isinstance(exc, CarbonError):
        return f"not found: {exc.args[0]!r}"
    return str(exc)


def interventions(store, scenario: Scenario, base: pd.DataFrame, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Each intervention's abatement at 100 % uptake in the baseline year (tCO2e a year), split by
    category (``full_tCO2e_low``/``_high``: every factor at the low/high end of its range, so a
    swap's "low" end can exceed its central figure), with the yearly price difference at 100 % uptake
    (pounds, from factors/prices.csv where both products are priced), caveat and factors.

    Uptake, years and costs are not used here, so sliders that move them need not redo this.
    """
    rows: list[dict] = []
    problems: list[str] = []
    catalogue = None
    for i, iv in enumerate(scenario.interventions, 1):  # a scenario's handful of interventions
        try:
            if iv.kind == "swap":
                if iv.alternative and catalogue is None:
                    catalogue = alternatives.catalogue(store).set_index("id", drop=False)
                s = alternatives.volume_saving(store, iv.volume, iv.alternative, iv.from_factor, iv.to_factor,
                                               basis, catalogue)
                rows.append({"intervention": i, "name": iv.name, "kind": iv.kind, "category": s["category"],
                             "full_tCO2e": s["saving_kgCO2e"] / 1000, "full_tCO2e_low": s["saving_kgCO2e_low"] / 1000,
                             "full_tCO2e_high": s["saving_kgCO2e_high"] / 1000,
                             "price_gbp_full": s["cost_change_gbp"] if iv.use_prices else 0.0,
                             "caveat": iv.caveat or s["caveat"], "factor_ids": s["factor_ids"], "detail": s["detail"]})
            else:
                sel = base[base["label"] == iv.line] if iv.line else base[base["category"] == iv.category]
                if sel.empty:
                    raise ScenarioError(f"the baseline year {scenario.baseline_period.label} has no "
                                        f"{'line ' + repr(iv.line) if iv.line else 'emissions in category ' + repr(iv.category)}")
                by = sel.groupby("category", sort=True)[["tCO2e", "tCO2e_low", "tCO2e_high"]].sum().reset_index()
                ids = join_ids(sel["factor_ids"], ",")
                for c, t, lo, hi in by.itertuples(index=False):
                    rows.append({"intervention": i, "name": iv.name, "kind": iv.kind, "category": c,
                                 "full_tCO2e": t, "full_tCO2e_low": lo, "full_tCO2e_high": hi, "price_gbp_full": 0.0,
                                 "caveat": iv.caveat, "factor_ids": ids,
                                 "detail": f"cut of {iv.line or iv.category} emissions"})
        except (ValueError, KeyError, pint.errors.PintError) as exc:
            problems.append(f"intervention {i} ({iv.name}): {_message(exc)}")
    if problems:
        raise ScenarioError(problems)
    return pd.DataFrame(rows, columns=INTERVENTION_COLUMNS)


_RESOLVED: OrderedDict = OrderedDict()
_RESOLVED_LOCK = threading.Lock()
_RESOLVED_MAX = 32
_RESOLUTION_FIELDS = ("name", "kind", "alternative", "from_factor", "to_factor", "volume", "category", "line",
                      "use_prices", "caveat")


def _data_token(store, scenario: Scenario) -> str:
    """Changes when anything the baseline reads changes: the library and overrides, saved pathways
    (for pathway lines), imported prescribing (for prescribing lines)."""
    parts = [fx.library_token(store)]
    used = {ln.kind for ln in scenario.lines}
    if "pathway" in used:
        parts.append(str(store.execute("SELECT count(*), max(updated_at) FROM pathway").fetchone()))
    if "prescribing" in used:
        parts.append(str(store.execute("SELECT count(*), max(id) FROM rx_import").fetchone()))
    if "estates" in used:
        parts.append(str(store.execute("SELECT count(*), max(id) FROM estates_import").fetchone()))
    return "|".join(parts)


def _lines_key(scenario: Scenario) -> str:
    """What the lines' footprint depends on in the document: the lines and the baseline period."""
    return json.dumps({"lines": [dataclasses.asdict(x) for x in scenario.lines],
                       "baseline": scenario.baseline_period.label}, sort_keys=True)


def resolve(store, scenario: Scenario, basis: str = fx.DEFAULT_BASIS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(baseline, interventions)`` for ``scenario``, remembered while the data they read is unchanged.

    The key leaves out uptake, years, costs and growth, so moving a workshop slider only
    re-projects (``project``, a few milliseconds) and never looks a factor up again.
    """
    what = json.dumps({"lines": _lines_key(scenario),
                       "interventions": [{k: getattr(iv, k) for k in _RESOLUTION_FIELDS} for iv in scenario.interventions]},
                      sort_keys=True)
    key = ("resolve", str(getattr(store, "path", id(store))), basis, _data_token(store, scenario), what)
    return _remembered(key, lambda: _resolve_now(store, scenario, basis))


def recorded_cached(store, scenario: Scenario, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """``recorded``, remembered while the lines and the data they read are unchanged (the board
    footprint of a page that reruns on every edit)."""
    key = ("recorded", str(getattr(store, "path", id(store))), basis, _data_token(store, scenario),
           _lines_key(scenario))
    return _remembered(key, lambda: recorded(store, scenario, basis))


def _resolve_now(store, scenario: Scenario, basis: str):
    base = baseline(store, scenario, basis)
    return base, interventions(store, scenario, base, basis)


def _remembered(key, compute):
    with _RESOLVED_LOCK:
        if key in _RESOLVED:
            _RESOLVED.move_to_end(key)
            return _RESOLVED[key]
    found = compute()
    with _RESOLVED_LOCK:
        _RESOLVED[key] = found
        while len(_RESOLVED) > _RESOLVED_MAX:
            _RESOLVED.popitem(last=False)
    return found


def run(store, scenario: Scenario, basis: str = fx.DEFAULT_BASIS) -> Projection:
    """Resolve and project a scenario (the whole engine in one call)."""
    base = baseline(store, scenario, basis)
    return project(scenario, base, interventions(store, scenario, base, basis))


def trajectory(store, scenario: Scenario, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Year by year to the end year, by category, with the range from factor uncertainty (tCO2e)."""
    return run(store, scenario, basis).trajectory
