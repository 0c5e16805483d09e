"""Scenarios to net zero: a baseline year's emissions by category, demand growth, background
change in factors, and interventions whose uptake ramps over the years, projected to 2045.

A scenario is a plain document (saved in DuckDB, exported as TOML or JSON):

* **baseline lines**, each giving tCO2e a year in the baseline year, built from
  ``manual`` (a published footprint: ``amount = "5200 tCO2e"``, optional ``low``/``high``),
  ``factor`` (a library factor x a yearly activity: ``ref = "desflurane_bottle"``,
  ``amount = "300 bottle"``), ``anaesthetic`` (``ref`` = agent, ``amount`` bought a year, through
  ``carbon.anaesthetics.purchased``), ``travel`` (``ref`` = travel factor, ``amount`` = distance a
  year, through ``carbon.travel.journey``), ``pathway`` (``ref`` = pathway name, ``amount`` =
  patients a year, through ``carbon.pathways``) and ``prescribing`` (``ref`` = board, or empty for
  every board: a year of imported prescribing through ``carbon.prescribing``);
* **demand growth** in % a year, compounding from the baseline year (the premise that demand
  for care keeps rising);
* **background change**: per category, multipliers of that category's factors relative to the
  baseline year at given years (e.g. the grid decarbonising), linear between the points and
  flat after the last;
* **interventions**: a ``swap`` (from one factor to another, e.g. from the alternatives
  catalogue, for ``volume`` units a year of the old product) or a ``reduction`` (a share of a
  category's or a baseline line's emissions), with an uptake that ramps linearly from
  ``start_year`` to ``target_pct`` by ``end_year`` and costs in pounds (one-off in the start year,
  and yearly once fully in place, ramping with uptake).

The arithmetic, year ``y`` from the baseline year ``b`` (all quantities tCO2e a year)::

    growth(y)      = (1 + growth_pct/100) ** (y - b)
    ramp_i(y)      = clip((y - start_i + 1) / (end_i - start_i + 1), 0, 1)     (0 before start_i)
    share_i(y)     = target_pct_i / 100 * ramp_i(y)
    no_action(c,y) = baseline(c) * growth(y) * background(c,y)
    abated_i(y)    = full_i * share_i(y) * growth(y) * background(c_i,y)
    trajectory(c,y)= max(no_action(c,y) - sum of abated_i in c, 0)

where ``full_i`` is the abatement at 100 % uptake in the baseline year: ``volume x (from - to)``
for a swap, the category's (or line's) baseline for a reduction. The range comes from factor
uncertainty: the same arithmetic with every factor at the low (high) end of its published range;
interventions are taken as independent (their abatement adds up).

Everything is vectorised over years with numpy; resolving the baseline (factor look-ups,
pathway footprints) is the slow part and is separate, so a page can cache it while sliders move.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import json
import math
import re
import threading
import tomllib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pint
import tomli_w

from carbon import factors as fx
from carbon.units import UnitError, denominator, parse, ureg

END_YEAR = 2045
LINE_KINDS = ("manual", "factor", "anaesthetic", "travel", "pathway", "prescribing")
INTERVENTION_KINDS = ("swap", "reduction")
DEMO_WHO = "demo (shipped with the app)"
_T = ureg.tCO2e
_T_PER_YEAR = ureg.tCO2e / ureg.year


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` names each bad line, intervention or field."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------
@dataclass
class Line:
    """One source of baseline emissions (see the module docstring for each ``kind``)."""

    kind: str
    label: str
    category: str = ""
    amount: str = ""
    low: str = ""
    high: str = ""
    ref: str = ""
    return_trip: bool = False
    occupancy: float = 1.0
    note: str = ""


@dataclass
class Intervention:
    """A change with its uptake ramp and its costs (pounds, negative for a saving)."""

    name: str
    kind: str
    start_year: int
    end_year: int
    target_pct: float
    category: str = ""
    line: str = ""
    alternative: str = ""
    from_factor: str = ""
    to_factor: str = ""
    volume: str = ""
    one_off_gbp: float = 0.0
    yearly_gbp: float = 0.0
    use_prices: bool = True
    caveat: str = ""
    note: str = ""


@dataclass
class Background:
    """A category's factors relative to the baseline year (1.0) at ``year``."""

    category: str
    year: int
    multiplier: float
    note: str = ""


@dataclass
class Scenario:
    """A baseline, growth, background change and interventions; see the module docstring."""

    name: str
    baseline_year: int
    description: str = ""
    end_year: int = END_YEAR
    growth_pct: float = 0.0
    target_set: str = "NHS Scotland"
    #: emissions (tCO2e) in a target's own baseline year, by scope ("total", "inhaler", ...);
    #: where missing, targets are measured against this scenario's baseline year.
    reference_tCO2e: dict[str, float] = field(default_factory=dict)
    #: a flat discount rate in % a year; None = the Green Book schedule (factors/appraisal.csv)
    discount_pct: float | None = None
    #: first year of the appraisal (discounting year 0); None = the year after the baseline
    appraisal_start: int | None = None
    lines: list[Line] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    background: list[Background] = field(default_factory=list)

    # -- documents ----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """A plain dict (no None values, so it is valid TOML)."""

        def clean(d: dict) -> dict:
            return {k: v for k, v in d.items() if v is not None and v != {} and v != []}

        out = clean({k: v for k, v in dataclasses.asdict(self).items() if k not in ("lines", "interventions", "background")})
        out["lines"] = [clean(dataclasses.asdict(x)) for x in self.lines]
        out["interventions"] = [clean(dataclasses.asdict(x)) for x in self.interventions]
        if self.background:
            out["background"] = [clean(dataclasses.asdict(x)) for x in self.background]
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict) -> "Scenario":
        """Build and validate; every problem is collected and raised together (nothing half-read)."""
        problems: list[str] = []
        if not isinstance(data, dict):
            raise ScenarioError("a scenario must be a table of fields")
        top = {f.name for f in dataclasses.fields(cls)}
        for key in data:
            if key not in top:
                problems.append(f"unknown field {key!r}")
        lines = _records(data.get("lines", []), Line, "baseline line", problems)
        interventions = _records(data.get("interventions", []), Intervention, "intervention", problems)
        background = _records(data.get("background", []), Background, "background change", problems)
        kwargs = {k: v for k, v in data.items() if k in top and k not in ("lines", "interventions", "background")}
        for req in ("name", "baseline_year"):
            if req not in kwargs:
                problems.append(f"{req} is missing")
        if problems:
            raise ScenarioError(problems)
        sc = cls(**kwargs, lines=lines, interventions=interventions, background=background)
        sc.validate()
        return sc

    @classmethod
    def from_json(cls, text: str) -> "Scenario":
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"not valid JSON: {exc}") from None

    @classmethod
    def from_toml(cls, text: str) -> "Scenario":
        try:
            return cls.from_dict(tomllib.loads(text))
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"not valid TOML: {exc}") from None

    def validate(self) -> None:
        """Check types, years and ranges; raise ScenarioError naming every bad field."""
        p: list[str] = []
        self.name = str(self.name).strip()
        if not self.name:
            p.append("name is empty")
        self.baseline_year = _int(self.baseline_year, "baseline_year", p)
        self.end_year = _int(self.end_year, "end_year", p)
        if isinstance(self.baseline_year, int) and isinstance(self.end_year, int):
            if not 1990 <= self.baseline_year <= 2100:
                p.append(f"baseline_year {self.baseline_year} is not a plausible year")
            if self.end_year <= self.baseline_year:
                p.append(f"end_year {self.end_year} must be after baseline_year {self.baseline_year}")
        self.growth_pct = _float(self.growth_pct, "growth_pct", p)
        if isinstance(self.growth_pct, float) and not -50 <= self.growth_pct <= 50:
            p.append(f"growth_pct {self.growth_pct} must be between -50 and 50 (% a year)")
        if self.discount_pct is not None:
            self.discount_pct = _float(self.discount_pct, "discount_pct", p)
            if isinstance(self.discount_pct, float) and not 0 <= self.discount_pct <= 20:
                p.append(f"discount_pct {self.discount_pct} must be between 0 and 20 (% a year)")
        if self.appraisal_start is not None:
            self.appraisal_start = _int(self.appraisal_start, "appraisal_start", p)
        if not isinstance(self.reference_tCO2e, dict):
            p.append("reference_tCO2e must be a table of scope = tCO2e")
        labels = set()
        for i, ln in enumerate(self.lines, 1):
            where = f"baseline line {i} ({ln.label or 'no label'})"
            ln.kind = str(ln.kind).strip().lower()
            ln.label = str(ln.label).strip()
            ln.category = str(ln.category or "").strip().lower()
            if ln.kind not in LINE_KINDS:
                p.append(f"{where}: kind {ln.kind!r} must be one of {', '.join(LINE_KINDS)}")
            if not ln.label:
                p.append(f"{where}: label is empty")
            elif ln.label in labels:
                p.append(f"{where}: label {ln.label!r} is used twice")
            labels.add(ln.label)
            if ln.kind == "manual" and not ln.category:
                p.append(f"{where}: a manual line needs a category (e.g. energy, waste, inhaler)")
            if ln.kind in ("manual", "factor", "anaesthetic", "travel", "pathway") and not str(ln.amount).strip():
                p.append(f"{where}: amount is empty")
            if ln.kind in ("factor", "anaesthetic", "travel", "pathway") and not str(ln.ref).strip():
                p.append(f"{where}: ref is empty (the factor, agent, travel mode or pathway)")
            ln.occupancy = _float(ln.occupancy, f"{where}: occupancy", p)
            ln.return_trip = bool(ln.return_trip)
        names = set()
        for i, iv in enumerate(self.interventions, 1):
            where = f"intervention {i} ({iv.name or 'no name'})"
            iv.name = str(iv.name).strip()
            iv.kind = str(iv.kind).strip().lower()
            iv.category = str(iv.category or "").strip().lower()
            if not iv.name:
                p.append(f"{where}: name is empty")
            elif iv.name in names:
                p.append(f"{where}: name {iv.name!r} is used twice")
            names.add(iv.name)
            if iv.kind not in INTERVENTION_KINDS:
                p.append(f"{where}: kind {iv.kind!r} must be swap or reduction")
            iv.start_year = _int(iv.start_year, f"{where}: start_year", p)
            iv.end_year = _int(iv.end_year, f"{where}: end_year", p)
            iv.target_pct = _float(iv.target_pct, f"{where}: target_pct", p)
            iv.one_off_gbp = _float(iv.one_off_gbp, f"{where}: one_off_gbp", p)
            iv.yearly_gbp = _float(iv.yearly_gbp, f"{where}: yearly_gbp", p)
            iv.use_prices = bool(iv.use_prices)
            if isinstance(iv.start_year, int) and isinstance(iv.end_year, int):
                if iv.end_year < iv.start_year:
                    p.append(f"{where}: end_year {iv.end_year} is before start_year {iv.start_year}")
                if isinstance(self.baseline_year, int) and iv.start_year <= self.baseline_year:
                    # the baseline year is as measured; a change starts after it (and inside the appraisal)
                    p.append(f"{where}: start_year {iv.start_year} must be after the baseline year {self.baseline_year}")
            if isinstance(iv.target_pct, float) and not 0 <= iv.target_pct <= 100:
                p.append(f"{where}: target_pct {iv.target_pct} must be between 0 and 100")
            if iv.kind == "swap":
                if not iv.alternative and not (iv.from_factor and iv.to_factor):
                    p.append(f"{where}: a swap needs an alternative from the catalogue, or from_factor and to_factor")
                if not str(iv.volume).strip():
                    p.append(f"{where}: a swap needs the volume a year of the product switched from (e.g. '40000 inhaler')")
            if iv.kind == "reduction":
                if bool(iv.category) == bool(iv.line):
                    p.append(f"{where}: a reduction needs either a category or a baseline line label (one of them)")
                elif iv.line and iv.line not in labels:
                    p.append(f"{where}: no baseline line is labelled {iv.line!r}")
        for i, bg in enumerate(self.background, 1):
            where = f"background change {i} ({bg.category})"
            bg.category = str(bg.category).strip().lower()
            bg.year = _int(bg.year, f"{where}: year", p)
            bg.multiplier = _float(bg.multiplier, f"{where}: multiplier", p)
            if isinstance(bg.multiplier, float) and bg.multiplier < 0:
                p.append(f"{where}: multiplier must be zero or more (1 = as in the baseline year)")
            if isinstance(bg.year, int) and isinstance(self.baseline_year, int) and bg.year <= self.baseline_year:
                p.append(f"{where}: year {bg.year} must be after the baseline year {self.baseline_year}")
        if p:
            raise ScenarioError(p)

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.baseline_year, self.end_year + 1)

    @property
    def first_appraisal_year(self) -> int:
        return self.appraisal_start if self.appraisal_start is not None else self.baseline_year + 1


def _records(items, cls, what: str, problems: list[str]) -> list:
    names = {f.name for f in dataclasses.fields(cls)}
    out = []
    if not isinstance(items, list):
        problems.append(f"{what}s must be a list")
        return out
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(f"{what} {i}: must be a table of fields")
            continue
        unknown = [k for k in item if k not in names]
        if unknown:
            problems.append(f"{what} {i}: unknown field(s) {', '.join(map(repr, unknown))}")
            continue
        try:
            out.append(cls(**{k: v for k, v in item.items() if v is not None}))
        except TypeError as exc:
            problems.append(f"{what} {i}: {str(exc).split('__init__() ')[-1]}")
    return out


def _int(v, what: str, p: list[str]):
    try:
        f = float(v)
        if f != int(f):
            raise ValueError
        return int(f)
    except (TypeError, ValueError, OverflowError):
        p.append(f"{what}: {v!r} is not a whole number")
        return v


def _float(v, what: str, p: list[str]):
    try:
        f = float(v)
        if not math.isfinite(f):
            raise ValueError
        return f
    except (TypeError, ValueError):
        p.append(f"{what}: {v!r} is not a number")
        return v


def read_file(text: str, file_name: str = "scenario.toml") -> Scenario:
    """A scenario from an exported file (``.toml`` or ``.json``); raises ScenarioError."""
    if file_name.lower().endswith(".json"):
        return Scenario.from_json(text)
    if file_name.lower().endswith(".toml"):
        return Scenario.from_toml(text)
    raise ScenarioError(f"{file_name}: a scenario file must end in .toml or .json")


def export(scenario: Scenario, fmt: str = "toml") -> str:
    """The scenario as a file people can keep, mail and import again."""
    if fmt == "json":
        return json.dumps(scenario.to_dict(), indent=2)
    return scenario.to_toml()


#: Columns of the three tables people edit on the Scenarios page, in the order shown.
EDIT_COLUMNS = {
    "lines": ["kind", "label", "category", "ref", "amount", "low", "high", "return_trip", "occupancy", "note"],
    "interventions": ["name", "kind", "alternative", "from_factor", "to_factor", "volume", "category", "line",
                      "start_year", "end_year", "target_pct", "one_off_gbp", "yearly_gbp", "use_prices", "caveat", "note"],
    "background": ["category", "year", "multiplier", "note"],
}
META_FIELDS = ["name", "description", "baseline_year", "end_year", "growth_pct", "target_set", "discount_pct",
               "appraisal_start", "reference_tCO2e"]


def edit_tables(scenario: Scenario) -> dict[str, pd.DataFrame]:
    """The scenario's lines, interventions and background change as editable tables."""
    items = {"lines": scenario.lines, "interventions": scenario.interventions, "background": scenario.background}
    return {k: pd.DataFrame([dataclasses.asdict(x) for x in v], columns=EDIT_COLUMNS[k]).reindex(columns=EDIT_COLUMNS[k])
            for k, v in items.items()}


def _records_of(df: pd.DataFrame | None) -> list[dict]:
    """Rows of an edited table as plain dicts: blank cells left out (so defaults apply), blank rows dropped."""
    if df is None or len(df) == 0:
        return []
    out = []
    for rec in df.astype(object).where(df.notna(), None).to_dict(orient="records"):
        rec = {k: (v.strip() if isinstance(v, str) else v) for k, v in rec.items()}
        rec = {k: v for k, v in rec.items() if v is not None and v != ""}
        if rec:
            out.append(rec)
    return out


def from_edit(meta: dict, lines: pd.DataFrame | None, interventions: pd.DataFrame | None,
              background: pd.DataFrame | None = None) -> Scenario:
    """A scenario from the page's fields and tables; ScenarioError names every bad cell's row and field."""
    data = {k: v for k, v in meta.items() if k in META_FIELDS and v is not None and v != ""}
    data["lines"] = _records_of(lines)
    data["interventions"] = _records_of(interventions)
    data["background"] = _records_of(background)
    return Scenario.from_dict(data)


def new(name: str = "New scenario", baseline_year: int = 2024) -> Scenario:
    """An empty scenario to start from (one manual line, so it runs)."""
    return Scenario(name=name, baseline_year=baseline_year, lines=[
        Line(kind="manual", label="Building energy", category="energy", amount="1000 tCO2e",
             note="replace with your board's figure")])


# ---------------------------------------------------------------------------------------------
# Resolving the baseline and the interventions (the slow part: cache it)
# ---------------------------------------------------------------------------------------------
BASELINE_COLUMNS = ["line", "label", "kind", "category", "tCO2e", "tCO2e_low", "tCO2e_high", "factor_ids", "detail"]


def baseline(store, scenario: Scenario, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """The baseline year's emissions, one row per line and category (tCO2e a year).

    A scenario holds a handful of lines, so each is resolved in turn; a bad line is a
    ScenarioError naming it (and every other bad line), never a wrong number.
    """
    if not scenario.lines:
        raise ScenarioError("the baseline has no lines: add at least one (e.g. a manual line of your board's reported tCO2e)")
    lib = fx.library(store)
    rows: list[dict] = []
    problems: list[str] = []
    for i, ln in enumerate(scenario.lines, 1):
        try:
            resolved = _resolve_line(store, lib, ln, basis)
            if any(r["tCO2e"] < 0 or r["tCO2e_low"] < 0 for r in resolved):
                # a year's emissions or activity is never below zero ('-5 inhaler' is a typing error)
                raise ScenarioError(f"amount {ln.amount!r} gives negative emissions; enter a year's "
                                    "activity or emissions as zero or more")
            for r in resolved:
                rows.append({"line": i, "label": ln.label, "kind": ln.kind, **r})
        except (ValueError, KeyError, pint.errors.PintError) as exc:
            problems.append(f"baseline line {i} ({ln.label}): {_msg(exc)}")
    if problems:
        raise ScenarioError(problems)
    return pd.DataFrame(rows, columns=BASELINE_COLUMNS)


def _msg(exc: Exception) -> str:
    if isinstance(exc, KeyError) and not isinstance(exc, fx.FactorNotFound):
        return f"not found: {exc.args[0]!r}"
    return str(exc)


def _yearly(q: pint.Quantity, per, what: str) -> float:
    """Magnitude of ``q`` in ``per`` a year (``300 bottle`` or ``25 bottle/month`` -> bottles a year)."""
    per_q = ureg.Quantity(1, per)
    if q.dimensionality == per_q.dimensionality:
        return float(q.to(per).magnitude)
    if q.dimensionality == (per_q / ureg.year).dimensionality:
        return float(q.to(per_q.units / ureg.year).magnitude)
    raise UnitError(f"{what}: {q:~P} cannot be converted to {per:~P} (or {per:~P} a year)")


def _tonnes(text: str, what: str) -> float:
    q = parse(text, "tCO2e")
    if q.dimensionality == _T.dimensionality:
        return float(q.to(_T).magnitude)
    if q.dimensionality == _T_PER_YEAR.dimensionality:
        return float(q.to(_T_PER_YEAR).magnitude)
    raise UnitError(f"{what}: {text!r} is not an amount of CO2e (write e.g. '5200 tCO2e')")


def _without_year(text: str) -> pint.Quantity:
    """``"120000 mile/year"`` -> 120000 mile; a plain amount is already a year's."""
    q = parse(text)
    if q.dimensionality.get("[time]", 0) == -1:
        q = (q * ureg.Quantity(1, "year")).to_reduced_units()
    return q


def _year_km(text: str, what: str) -> float:
    """A year's distance (``"25000000 mile"`` or ``"120000 mile/year"``) in km; a bare number, a
    quantity that is not a distance or a negative one is a clear error."""
    q = _without_year(text)
    if q.unitless:
        raise UnitError(f"{what}: {text!r} has no unit; write e.g. '120000 mile' or '200000 km'")
    if q.dimensionality != ureg.km.dimensionality:
        raise UnitError(f"{what}: {text!r} is not a distance (a year's miles or km)")
    km = float(q.to("km").magnitude)
    if km < 0:
        raise UnitError(f"{what}: {text!r} cannot be negative")
    return km


def _resolve_line(store, lib: fx.Library, ln: Line, basis: str) -> list[dict]:
    if ln.kind == "manual":
        t = _tonnes(ln.amount, "amount")
        lo = _tonnes(ln.low, "low") if str(ln.low).strip() else t
        hi = _tonnes(ln.high, "high") if str(ln.high).strip() else t
        if not lo <= t <= hi:
            raise ScenarioError(f"low <= amount <= high fails ({lo:g} <= {t:g} <= {hi:g} tCO2e)")
        return [{"category": ln.category, "tCO2e": t, "tCO2e_low": lo, "tCO2e_high": hi,
                 "factor_ids": "", "detail": f"entered: {t:,.6g} tCO2e a year" + (f" ({ln.note})" if ln.note else "")}]
    if ln.kind == "factor":
        fid = str(ln.ref).strip()
        row = lib.row(fid)
        if lib.is_constant(fid):
            raise ScenarioError(f"{fid} is a constant, not an emission factor")
        per = denominator(row["unit"])
        n = _yearly(parse(ln.amount), per, f"amount for {fid}")
        r = lib.quantity(fid, basis)
        to_t = lambda q: float((q * ureg.Quantity(n, per)).to(_T).magnitude)  # noqa: E731
        return [{"category": ln.category or str(row["category"]), "tCO2e": to_t(r.value), "tCO2e_low": to_t(r.low),
                 "tCO2e_high": to_t(r.high), "factor_ids": fid, "detail": f"{n:,.6g} {per:~P} a year x {fid}"}]
    if ln.kind == "anaesthetic":
        from carbon import anaesthetics

        res = anaesthetics.purchased(store, ln.ref, ln.amount, basis)
        return [{"category": ln.category or "anaesthetic", "tCO2e": res.kgCO2e / 1000, "tCO2e_low": res.kgCO2e_low / 1000,
                 "tCO2e_high": res.kgCO2e_high / 1000, "factor_ids": ",".join(res.factor_ids),
                 "detail": f"{ln.amount} of {res.agent_name} bought a year"}]
    if ln.kind == "travel":
        from carbon import travel

        km = _year_km(ln.amount, f"distance by {ln.ref}") * (2 if ln.return_trip else 1)
        # a year's distance is far more than one journey (travel.journey refuses more than once round the
        # Earth): take the mode's kgCO2e per km, with its occupancy rules, from one km and scale it
        res = travel.journey(store, ln.ref, "1 km", False, ln.occupancy, basis)
        return [{"category": ln.category or "travel", "tCO2e": res.kgCO2e * km / 1000,
                 "tCO2e_low": res.kgCO2e_low * km / 1000, "tCO2e_high": res.kgCO2e_high * km / 1000,
                 "factor_ids": ",".join(res.factor_ids), "detail": f"{km:,.0f} km a year by {res.mode_name}"}]
    if ln.kind == "pathway":
        return _pathway_line(store, ln, basis)
    if ln.kind == "prescribing":
        return _prescribing_line(store, ln, basis)
    raise ScenarioError(f"kind {ln.kind!r} is not one of {', '.join(LINE_KINDS)}")


def _pathway_line(store, ln: Line, basis: str) -> list[dict]:
    """A pathway's per-patient footprint x patients a year, one row per category."""
    from carbon import pathways

    q = parse(ln.amount, "patient")
    if q.dimensionless:
        q = ureg.Quantity(q.magnitude, "patient")
    patients = _yearly(q, ureg.patient, "patients a year")
    fp = pathways.footprint(store, pathways.load(store, ln.ref), basis)
    bad = pathways.errors(fp)
    if bad:
        raise ScenarioError(f"the {ln.ref} pathway has rows that cannot be computed: {'; '.join(bad)}")
    fp = fp.assign(factor_ids=fp["factor_ids"].map(_ids_text))
    by = fp.groupby("category", sort=True).agg(
        kg=("kgCO2e", "sum"), lo=("kgCO2e_low", "sum"), hi=("kgCO2e_high", "sum"), ids=("factor_ids", _join_ids),
    ).reset_index()
    scale = patients / 1000
    return [{"category": ln.category or str(c), "tCO2e": kg * scale, "tCO2e_low": lo * scale, "tCO2e_high": hi * scale,
             "factor_ids": ids, "detail": f"{patients:,.6g} patients a year x the {ln.ref} pathway"}
            for c, kg, lo, hi, ids in by.itertuples(index=False)]


def _prescribing_line(store, ln: Line, basis: str) -> list[dict]:
    """A year of imported prescribing for one board (``ref``: its code or name), or every board if
    ``ref`` is empty; a part year is scaled to twelve months."""
    from carbon import prescribing

    if not prescribing.has_data(store):
        raise ScenarioError("no prescribing data has been imported yet (see the Prescribing page)")
    df = prescribing.footprint(store, by=["board", "month"], basis=basis)
    ref = str(ln.ref).strip()
    if ref:
        df = df[(df["board_code"].astype(str) == ref) | (df["board"].astype(str) == ref)]
        if df.empty:
            raise ScenarioError(f"no imported prescribing for board {ref!r}")
    # each board over the months it has data for: an English ICB's one EPD month beside a Scottish board's
    # year of PHS files is x 12, the year x 1 (not both x 12 / 13)
    boards = df.groupby("board_code", dropna=False).agg(
        kg=("kgCO2e", "sum"), low=("kgCO2e_low", "sum"), high=("kgCO2e_high", "sum"), months=("month", "nunique"))
    scale = 12 / boards["months"] / 1000
    months = sorted(set(boards["months"]))
    span = (f"{months[0]} month(s)" if len(months) == 1 else f"{months[0]}-{months[-1]} months by board")
    return [{"category": ln.category or "inhaler", "tCO2e": float((boards["kg"] * scale).sum()),
             "tCO2e_low": float((boards["low"] * scale).sum()), "tCO2e_high": float((boards["high"] * scale).sum()),
             "factor_ids": _join_ids(df["factor_ids"]),
             "detail": f"imported prescribing{' for ' + ref if ref else ''}, {span} scaled to a year"}]


def _ids_text(v) -> str:
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return ",".join(str(x) for x in v)


def _join_ids(values) -> str:
    """Factor ids from cells holding them separated by commas or spaces, as one sorted list."""
    return ",".join(sorted({i for v in values for i in re.split(r"[,\s]+", _ids_text(v)) if i}))


INTERVENTION_COLUMNS = [
    "intervention", "name", "kind", "category", "full_tCO2e", "full_tCO2e_low", "full_tCO2e_high",
    "price_gbp_full", "caveat", "factor_ids", "detail",
]


def interventions(store, scenario: Scenario, base: pd.DataFrame, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Each intervention's abatement at 100 % uptake in the baseline year (tCO2e a year), split by
    category (``full_tCO2e_low``/``_high``: every factor at the low/high end of its range, so a
    swap's "low" end can exceed its central figure), with the yearly price difference at 100 % uptake (pounds, from factors/prices.csv
    where both products are priced), caveat and factors.

    Uptake, years and costs are not used here, so sliders that move them need not redo this.
    """
    lib = fx.library(store)
    rows: list[dict] = []
    problems: list[str] = []
    catalogue = None
    for i, iv in enumerate(scenario.interventions, 1):
        try:
            if iv.kind == "swap":
                if iv.alternative and catalogue is None:
                    catalogue = _catalogue(store)
                rows.append({"intervention": i, "name": iv.name, "kind": iv.kind,
                             **_swap(store, lib, iv, basis, catalogue)})
            else:
                sel = base[base["label"] == iv.line] if iv.line else base[base["category"] == iv.category]
                if sel.empty:
                    raise ScenarioError(f"the baseline has no {'line ' + repr(iv.line) if iv.line else 'emissions in category ' + repr(iv.category)}")
                by = sel.groupby("category", sort=True)[["tCO2e", "tCO2e_low", "tCO2e_high"]].sum().reset_index()
                ids = _join_ids(sel["factor_ids"])
                for c, t, lo, hi in by.itertuples(index=False):
                    rows.append({"intervention": i, "name": iv.name, "kind": iv.kind, "category": c,
                                 "full_tCO2e": t, "full_tCO2e_low": lo, "full_tCO2e_high": hi, "price_gbp_full": 0.0,
                                 "caveat": iv.caveat, "factor_ids": ids,
                                 "detail": f"cut of {iv.line or iv.category} emissions"})
        except (ValueError, KeyError, pint.errors.PintError) as exc:
            problems.append(f"intervention {i} ({iv.name}): {_msg(exc)}")
    if problems:
        raise ScenarioError(problems)
    return pd.DataFrame(rows, columns=INTERVENTION_COLUMNS)


def _catalogue(store) -> pd.DataFrame:
    from carbon import alternatives

    return alternatives.catalogue(store).set_index("id", drop=False)


def swap_choices(store) -> pd.DataFrame:
    """The catalogue's swaps a scenario can use: from one factor (or travel mode) to another, or
    to nothing (``remove``). Agent-to-agent anaesthetic swaps and swaps with a new quantity text
    (a video call for a journey) belong to pathways; in a scenario use a reduction instead."""
    cat = _catalogue(store)
    ok = (cat["from_kind"].isin(["factor", "travel"]) & cat["to_kind"].isin(["factor", "travel", "remove"])
          & (cat["to_quantity"] == "") & (cat["to_duration"] == ""))
    return cat[ok].reset_index(drop=True)


def _from_catalogue(iv: Intervention, alt: pd.Series) -> tuple[str, str, float]:
    """(from factor, to factor or "" for removal, new quantity per old) for a catalogue swap."""
    if alt["from_kind"] not in ("factor", "travel") or alt["to_kind"] not in ("factor", "travel", "remove") \
            or alt["to_quantity"] or alt["to_duration"]:
        raise ScenarioError(f"the catalogue swap {alt['id']!r} changes a pathway's activity ({alt['from_kind']} to "
                            f"{alt['to_kind']}); in a scenario, model it as a reduction of the baseline line")
    patterns = [x.strip() for x in str(alt["from_factor"]).split("|") if x.strip()]
    frm = iv.from_factor
    if frm:
        if not any(fnmatch.fnmatchcase(frm, pat) for pat in patterns):
            raise ScenarioError(f"the catalogue swap {alt['id']!r} applies to {' | '.join(patterns)}, not {frm!r}")
    elif len(patterns) == 1 and not any(c in patterns[0] for c in "*?["):
        frm = patterns[0]
    else:
        raise ScenarioError(f"the catalogue swap {alt['id']!r} applies to several products ({' | '.join(patterns)}): "
                            "set from_factor to the one switched from")
    to = "" if alt["to_kind"] == "remove" else (iv.to_factor or str(alt["to_factor"]))
    return frm, to, float(alt["quantity_ratio"])


def _swap(store, lib: fx.Library, iv: Intervention, basis: str, catalogue) -> dict:
    """A swap's abatement at 100 % uptake: volume x (from - ratio x to), and the price difference."""
    frm, to, ratio, caveat = iv.from_factor, iv.to_factor, 1.0, iv.caveat
    if iv.alternative:
        if iv.alternative not in catalogue.index:
            raise ScenarioError(f"no alternative {iv.alternative!r} in the catalogue")
        alt = catalogue.loc[iv.alternative]
        frm, to, ratio = _from_catalogue(iv, alt)
        caveat = caveat or str(alt.get("caveat") or "")
    f_row = lib.row(frm)
    per = denominator(f_row["unit"])
    n = _yearly(parse(iv.volume), per, f"volume of {frm}")
    rf = lib.quantity(frm, basis)
    amount = ureg.Quantity(n, per)
    tonnes = lambda q: float((q * amount).to(_T).magnitude)  # noqa: E731
    if to:
        t_row = lib.row(to)
        if denominator(t_row["unit"]).dimensionality != ureg.Quantity(1, per).dimensionality:
            raise UnitError(f"{frm} is per {per:~P} but {to} is per {denominator(t_row['unit']):~P}: "
                            "a swap compares like with like")
        rt = lib.quantity(to, basis)
        full, lo, hi = (tonnes(rf.value - ratio * rt.value), tonnes(rf.low - ratio * rt.low),
                        tonnes(rf.high - ratio * rt.high))
        what = f"to {to}" + (f" ({ratio:g} per one switched)" if ratio != 1 else "")
    else:
        full, lo, hi = tonnes(rf.value), tonnes(rf.low), tonnes(rf.high)
        what = "to none (removed)"
    price = _price_difference(store, frm, to, per, ratio) * n if iv.use_prices and to else 0.0
    return {"category": str(f_row["category"]), "full_tCO2e": full, "full_tCO2e_low": lo,
            "full_tCO2e_high": hi, "price_gbp_full": price, "caveat": caveat,
            "factor_ids": ",".join(x for x in (frm, to) if x), "detail": f"{n:,.6g} {per:~P} a year from {frm} {what}"}


def _price_difference(store, frm: str, to: str, per, ratio: float = 1.0) -> float:
    """Pounds per unit switched (``ratio`` x price of ``to`` minus price of ``frm``); 0 unless both
    are priced in factors/prices.csv in units that convert to pounds per ``per``."""
    prices = fx.reference(store, "prices")
    got = prices[prices["factor_id"].isin([frm, to])].drop_duplicates("factor_id").set_index("factor_id")
    if frm not in got.index or to not in got.index:
        return 0.0
    unit = ureg.GBP / ureg.Quantity(1, per).units
    try:
        p_from = float(ureg.Quantity(float(got.loc[frm, "value"]), got.loc[frm, "unit"]).to(unit).magnitude)
        p_to = float(ureg.Quantity(float(got.loc[to, "value"]), got.loc[to, "unit"]).to(unit).magnitude)
    except (pint.errors.PintError, ValueError):
        return 0.0
    return ratio * p_to - p_from


# ---------------------------------------------------------------------------------------------
# Projection: pure, vectorised over years
# ---------------------------------------------------------------------------------------------
@dataclass
class Projection:
    """A scenario projected year by year.

    ``trajectory``: year, category, tCO2e_no_action, abated_tCO2e, tCO2e, tCO2e_low, tCO2e_high,
    factor_ids. ``by_intervention``: year, intervention, name, share (0-1), abated_tCO2e (with
    low/high), one_off_gbp, yearly_gbp, cost_gbp (pounds that year, undiscounted).
    ``overlap``: categories where the interventions abate more than there is to abate.
    """

    scenario: Scenario
    baseline: pd.DataFrame
    interventions: pd.DataFrame
    trajectory: pd.DataFrame
    by_intervention: pd.DataFrame
    overlap: list[str]


def ramp(years: np.ndarray, start: int, end: int) -> np.ndarray:
    """Fraction of the target uptake reached each year: 1/n in the start year, 1 by the end year
    (n = end - start + 1), 0 before the start."""
    return np.clip((years - start + 1) / (end - start + 1), 0.0, 1.0)


def growth(years: np.ndarray, baseline_year: int, pct: float) -> np.ndarray:
    """Demand relative to the baseline year, compounding at ``pct`` % a year."""
    return (1 + pct / 100.0) ** (years - baseline_year)


def background_matrix(scenario: Scenario, categories: list[str], years: np.ndarray) -> np.ndarray:
    """Multiplier of each category's factors each year: 1 in the baseline year, linear between the
    points given, flat after the last (categories without points stay at 1)."""
    m = np.ones((len(categories), len(years)))
    if not scenario.background:
        return m
    bg = pd.DataFrame([dataclasses.asdict(b) for b in scenario.background]).sort_values(["category", "year"])
    for c, pts in bg.groupby("category"):
        if c in categories:
            xs = np.concatenate([[scenario.baseline_year], pts["year"].to_numpy(dtype=float)])
            ys = np.concatenate([[1.0], pts["multiplier"].to_numpy(dtype=float)])
            m[categories.index(c)] = np.interp(years, xs, ys)
    return m


def project(scenario: Scenario, base: pd.DataFrame, pieces: pd.DataFrame) -> Projection:
    """The trajectory from a resolved baseline and resolved interventions (no store needed)."""
    years = scenario.years
    g = growth(years, scenario.baseline_year, scenario.growth_pct)
    cats = sorted(set(base["category"]) | set(pieces["category"]))
    bsum = base.groupby("category")[["tCO2e", "tCO2e_low", "tCO2e_high"]].sum().reindex(cats, fill_value=0.0)
    bg = background_matrix(scenario, cats, years)
    scale = g[None, :] * bg                                               # (C, Y)
    no_action = {k: bsum[k].to_numpy()[:, None] * scale for k in ("tCO2e", "tCO2e_low", "tCO2e_high")}

    ivs = scenario.interventions
    r = np.array([ramp(years, iv.start_year, iv.end_year) for iv in ivs]).reshape(len(ivs), len(years))
    share = r * np.array([iv.target_pct / 100.0 for iv in ivs]).reshape(-1, 1)   # (I, Y)
    ci = np.array([cats.index(c) for c in pieces["category"]], dtype=int)
    ii = pieces["intervention"].to_numpy(dtype=int) - 1
    onehot = np.zeros((len(cats), len(pieces)))
    onehot[ci, np.arange(len(pieces))] = 1.0
    abated = {}
    for k, col in (("tCO2e", "full_tCO2e"), ("tCO2e_low", "full_tCO2e_low"), ("tCO2e_high", "full_tCO2e_high")):
        per_piece = pieces[col].to_numpy(dtype=float)[:, None] * share[ii] * scale[ci]   # (K, Y)
        abated[k] = per_piece
    cat_abated = {k: onehot @ v for k, v in abated.items()}
    with_ = {k: np.maximum(no_action[k] - cat_abated[k], 0.0) for k in no_action}
    overlap = [cats[j] for j in np.where((no_action["tCO2e"] - cat_abated["tCO2e"] < -1e-9).any(axis=1))[0]]
    lows = np.minimum.reduce([with_["tCO2e"], with_["tCO2e_low"], with_["tCO2e_high"]])
    highs = np.maximum.reduce([with_["tCO2e"], with_["tCO2e_low"], with_["tCO2e_high"]])

    ids = pd.concat([base[["category", "factor_ids"]], pieces[["category", "factor_ids"]]])
    ids_by_cat = ids.groupby("category")["factor_ids"].agg(_join_ids).reindex(cats, fill_value="")
    n_c, n_y = len(cats), len(years)
    traj = pd.DataFrame({
        "year": np.tile(years, n_c),
        "category": np.repeat(cats, n_y),
        "tCO2e_no_action": no_action["tCO2e"].ravel(),
        "abated_tCO2e": (no_action["tCO2e"] - with_["tCO2e"]).ravel(),
        "tCO2e": with_["tCO2e"].ravel(),
        "tCO2e_low": lows.ravel(),
        "tCO2e_high": highs.ravel(),
        "factor_ids": np.repeat(ids_by_cat.to_numpy(), n_y),
    })

    # per intervention: abatement summed over its pieces, and costs
    piece_to_iv = np.zeros((len(ivs), len(pieces)))
    piece_to_iv[ii, np.arange(len(pieces))] = 1.0
    iv_ab = {k: piece_to_iv @ v for k, v in abated.items()}                      # (I, Y)
    price_full = piece_to_iv @ pieces["price_gbp_full"].to_numpy(dtype=float)     # (I,)
    one_off = np.array([[iv.one_off_gbp if y == iv.start_year else 0.0 for y in years] for iv in ivs]).reshape(len(ivs), n_y)
    yearly = np.array([iv.yearly_gbp for iv in ivs]).reshape(-1, 1) * r + price_full[:, None] * share * g[None, :]
    n_i = len(ivs)
    by_iv = pd.DataFrame({
        "year": np.tile(years, n_i),
        "intervention": np.repeat(np.arange(1, n_i + 1), n_y),
        "name": np.repeat([iv.name for iv in ivs], n_y),
        "share": share.ravel(),
        "abated_tCO2e": iv_ab["tCO2e"].ravel(),
        "abated_tCO2e_low": np.minimum.reduce(list(iv_ab.values())).ravel(),
        "abated_tCO2e_high": np.maximum.reduce(list(iv_ab.values())).ravel(),
        "one_off_gbp": one_off.ravel(),
        "yearly_gbp": yearly.ravel(),
        "cost_gbp": (one_off + yearly).ravel(),
    })
    return Projection(scenario, base, pieces, traj, by_iv, overlap)


def run(store, scenario: Scenario, basis: str = fx.DEFAULT_BASIS) -> Projection:
    """Resolve and project a scenario (the whole engine in one call)."""
    base = baseline(store, scenario, basis)
    return project(scenario, base, interventions(store, scenario, base, basis))


_RESOLVED: OrderedDict = OrderedDict()
_RESOLVED_LOCK = threading.Lock()
_RESOLVED_MAX = 32
_RESOLUTION_FIELDS = ("name", "kind", "alternative", "from_factor", "to_factor", "volume", "category", "line",
                      "use_prices", "caveat")


def _data_token(store, scenario: Scenario) -> str:
    """Changes when anything the baseline reads changes: the library and overrides, saved pathways
    (for pathway lines), imported prescribing (for prescribing lines)."""
    parts = [fx.library_token(store)]
    kinds = {ln.kind for ln in scenario.lines}
    if "pathway" in kinds:
        parts.append(str(store.execute("SELECT count(*), max(updated_at) FROM pathway").fetchone()))
    if "prescribing" in kinds:
        parts.append(str(store.execute("SELECT count(*), max(id) FROM rx_import").fetchone()))
    return "|".join(parts)


def resolve(store, scenario: Scenario, basis: str = fx.DEFAULT_BASIS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(baseline, interventions)`` for ``scenario``, remembered while the data they read is unchanged.

    The key leaves out uptake, years, costs and growth, so moving a workshop slider only
    re-projects (``project``, a few milliseconds) and never looks a factor up again.
    """
    what = json.dumps({"lines": [dataclasses.asdict(x) for x in scenario.lines],
                       "interventions": [{k: getattr(iv, k) for k in _RESOLUTION_FIELDS} for iv in scenario.interventions]},
                      sort_keys=True)
    key = (str(getattr(store, "path", id(store))), basis, _data_token(store, scenario), what)
    with _RESOLVED_LOCK:
        if key in _RESOLVED:
            _RESOLVED.move_to_end(key)
            return _RESOLVED[key]
    base = baseline(store, scenario, basis)
    found = (base, interventions(store, scenario, base, basis))
    with _RESOLVED_LOCK:
        _RESOLVED[key] = found
        while len(_RESOLVED) > _RESOLVED_MAX:
            _RESOLVED.popitem(last=False)
    return found


def trajectory(store, scenario: Scenario, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Year by year to the end year, by category, with the range from factor uncertainty (tCO2e)."""
    return run(store, scenario, basis).trajectory


def totals(traj: pd.DataFrame) -> pd.DataFrame:
    """The trajectory summed over categories: year, tCO2e_no_action, abated_tCO2e, tCO2e, low, high."""
    cols = ["tCO2e_no_action", "abated_tCO2e", "tCO2e", "tCO2e_low", "tCO2e_high"]
    return traj.groupby("year", as_index=False)[cols].sum()


def headline(projection: Projection) -> dict:
    """Big numbers for a presenter (kgCO2e, for ``formatting.co2e``): the baseline year, the final
    year with and without the interventions, and the total abated over the scenario."""
    tot = totals(projection.trajectory)
    first, last = tot.iloc[0], tot.iloc[-1]
    return {
        "baseline_year": int(first["year"]),
        "end_year": int(last["year"]),
        "baseline_kg": float(first["tCO2e"]) * 1000,
        "end_kg": float(last["tCO2e"]) * 1000,
        "end_low_kg": float(last["tCO2e_low"]) * 1000,
        "end_high_kg": float(last["tCO2e_high"]) * 1000,
        "end_no_action_kg": float(last["tCO2e_no_action"]) * 1000,
        "abated_total_kg": float(tot["abated_tCO2e"].sum()) * 1000,
        "change_pct": (float(last["tCO2e"]) / float(first["tCO2e"]) - 1) * 100 if float(first["tCO2e"]) else float("nan"),
    }


def with_settings(scenario: Scenario, growth_pct: float | None = None, uptake: dict[str, float] | None = None,
                  target_set: str | None = None) -> Scenario:
    """A copy with demand growth, interventions' target uptake (% by name) and/or the target set
    changed: what the workshop's sliders and target choice do, so its settings file gives its pack.
    Costs are taken as entered for the entered uptake, so they scale in proportion to the new
    uptake (half the uptake, half the one-off and yearly costs); an intervention entered at 0 %
    keeps its costs."""
    sc = dataclasses.replace(scenario, interventions=[dataclasses.replace(iv) for iv in scenario.interventions])
    if growth_pct is not None:
        sc.growth_pct = float(growth_pct)
    if target_set is not None:
        sc.target_set = target_set
    for iv in sc.interventions:
        if uptake and iv.name in uptake:
            new_pct = float(uptake[iv.name])
            if iv.target_pct > 0:
                iv.one_off_gbp = iv.one_off_gbp * new_pct / iv.target_pct
                iv.yearly_gbp = iv.yearly_gbp * new_pct / iv.target_pct
            iv.target_pct = new_pct
    return sc


def compare(projections: dict[str, Projection]) -> pd.DataFrame:
    """Several scenarios' totals in one tidy frame (scenario, year, tCO2e, low, high, ...)."""
    frames = [totals(p.trajectory).assign(scenario=name) for name, p in projections.items()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["year", "tCO2e_no_action", "abated_tCO2e", "tCO2e", "tCO2e_low", "tCO2e_high", "scenario"])


def compare_at(compared: pd.DataFrame, years) -> pd.DataFrame:
    """Each scenario's total tCO2e a year at ``years`` (from ``compare``): one row per scenario,
    one column per year that the scenarios reach, named ``"2030 (tCO2e)"``."""
    sel = compared[compared["year"].isin(list(years))]
    wide = sel.pivot_table(index="scenario", columns="year", values="tCO2e", sort=False)
    wide.columns = [f"{int(y)} (tCO2e)" for y in wide.columns]
    return wide.reset_index()


# ---------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------
def _latest_sql(where: str) -> str:
    return (
        "SELECT s.id, s.name, s.origin, s.created_by, s.created_at, v.body, v.saved_by, v.saved_at, v.id AS version_id, "
        " (SELECT count(*) FROM scenario_version w WHERE w.scenario_id = s.id) AS versions "
        "FROM scenario s JOIN scenario_version v ON v.scenario_id = s.id "
        "AND v.id = (SELECT max(id) FROM scenario_version u WHERE u.scenario_id = s.id) " + where
    )


def save(store, scenario: Scenario, who: str, origin: str = "user") -> int:
    """Save a new version of ``scenario`` under its name (created if new); return the version id.

    Every save is kept as a version, so two sessions saving the same scenario at once lose
    nothing; the newest is the one loaded.
    """
    who = (who or "").strip()
    if not who:
        raise ScenarioError("say who is saving (your name in the sidebar)")
    scenario.validate()
    body = scenario.to_json()
    with store.transaction() as cur:
        row = cur.execute("SELECT id FROM scenario WHERE name = ?", [scenario.name]).fetchone()
        if row is None:
            sid = cur.execute("INSERT INTO scenario (name, origin, created_by) VALUES (?, ?, ?) RETURNING id",
                              [scenario.name, origin, who]).fetchone()[0]
        else:
            sid = row[0]
        vid = cur.execute("INSERT INTO scenario_version (scenario_id, body, saved_by) VALUES (?, ?, ?) RETURNING id",
                          [sid, body, who]).fetchone()[0]
    return int(vid)


def list_scenarios(store) -> pd.DataFrame:
    """Saved scenarios, newest save first: name, origin, baseline_year, description, saved_by,
    saved_at, versions."""
    df = store.df(_latest_sql("ORDER BY v.saved_at DESC, s.name"))
    if df.empty:
        return pd.DataFrame(columns=["name", "origin", "baseline_year", "description", "saved_by", "saved_at", "versions"])
    docs = df["body"].map(json.loads)
    df["baseline_year"] = docs.map(lambda d: d.get("baseline_year"))
    df["description"] = docs.map(lambda d: d.get("description", ""))
    return df[["name", "origin", "baseline_year", "description", "saved_by", "saved_at", "versions"]]


def load(store, name: str) -> Scenario:
    """The newest saved version of the scenario called ``name``."""
    row = store.execute(_latest_sql("WHERE s.name = ?"), [name]).fetchone()
    if row is None:
        raise ScenarioError(f"no saved scenario called {name!r} (see `carbon scenario list`)")
    sc = Scenario.from_json(row[5])
    sc.name = row[1]
    return sc


def history(store, name: str) -> pd.DataFrame:
    """Every saved version of a scenario, newest first (who and when)."""
    return store.df(
        "SELECT v.id AS version_id, v.saved_by, v.saved_at FROM scenario_version v JOIN scenario s ON s.id = v.scenario_id "
        "WHERE s.name = ? ORDER BY v.id DESC", [name])


def exists(store, name: str) -> bool:
    return store.execute("SELECT 1 FROM scenario WHERE name = ?", [name]).fetchone() is not None


def duplicate(store, name: str, new_name: str, who: str) -> Scenario:
    """Save a copy of ``name`` as ``new_name`` (which must be free)."""
    new_name = (new_name or "").strip()
    if not new_name:
        raise ScenarioError("the copy needs a name")
    if exists(store, new_name):
        raise ScenarioError(f"a scenario called {new_name!r} already exists")
    sc = load(store, name)
    sc.name = new_name
    save(store, sc, who)
    return sc


def rename(store, name: str, new_name: str) -> None:
    """Give a saved scenario another name (its versions move with it)."""
    new_name = (new_name or "").strip()
    if not new_name:
        raise ScenarioError("the new name is empty")
    with store.transaction() as cur:
        if cur.execute("SELECT 1 FROM scenario WHERE name = ?", [new_name]).fetchone():
            raise ScenarioError(f"a scenario called {new_name!r} already exists")
        if not cur.execute("UPDATE scenario SET name = ? WHERE name = ? RETURNING id", [new_name, name]).fetchall():
            raise ScenarioError(f"no saved scenario called {name!r}")


def delete(store, name: str) -> bool:
    """Delete a scenario and all its versions; True if there was one."""
    with store.transaction(needs="admin") as cur:
        row = cur.execute("SELECT id FROM scenario WHERE name = ?", [name]).fetchone()
        if row is None:
            return False
        cur.execute("DELETE FROM scenario_version WHERE scenario_id = ?", [row[0]])
        cur.execute("DELETE FROM scenario WHERE id = ?", [row[0]])
    return True


# ---------------------------------------------------------------------------------------------
# The demo scenario
# ---------------------------------------------------------------------------------------------
def demo_dir() -> Path:
    return fx.factors_dir() / "scenarios"


def seed_demo(store) -> None:
    """Seed the shipped scenarios in ``factors/scenarios/*.toml``.

    One query per file when nothing changed (its content hash is recorded). A changed file
    updates the demo only if nobody has saved over it since; a user's own scenario of the same
    name, or a demo someone deleted, is left alone.
    """
    for path in sorted(demo_dir().glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(text.encode()).hexdigest()
        seen = store.execute("SELECT hash FROM scenario_seed WHERE file = ?", [path.name]).fetchone()
        if seen and seen[0] == digest:
            continue
        sc = Scenario.from_toml(text)
        row = store.execute(_latest_sql("WHERE s.name = ?"), [sc.name]).fetchone()
        if seen is None and row is None or (row is not None and row[2] == "demo" and row[6] == DEMO_WHO):
            save(store, sc, DEMO_WHO, origin="demo")
        with store.transaction() as cur:
            cur.execute("INSERT OR REPLACE INTO scenario_seed (file, hash) VALUES (?, ?)", [path.name, digest])


def demo_name() -> str | None:
    """The name of the first shipped scenario (the one the Workshop opens on)."""
    files = sorted(demo_dir().glob("*.toml"))
    return tomllib.loads(files[0].read_text(encoding="utf-8")).get("name") if files else None
