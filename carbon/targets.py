"""Net-zero targets measured against a scenario's trajectory.

The targets are data: ``factors/targets.csv`` (organisation, scope, baseline year, milestone
year, % reduction, source) and ``factors/target_scopes.csv``, which groups them into the sets a
board chooses from (NHS Scotland, NHS England, Scotland statutory) and says what part of a
scenario each applies to (``total`` or a category such as ``inhaler``).

A milestone's level is ``reference x (1 - reduction_pct/100)`` in tCO2e a year, where the
reference is the scenario's emissions for that scope in the *target's* baseline year if the
user entered it (``Scenario.reference_tCO2e``), else the scenario's own baseline year (a board
rarely knows its 1990 footprint; this assumption is stated beside every gap). The target path
runs straight from the scenario's baseline-year emissions through each milestone and stays
flat after the last. The gap is projected minus target: positive means the target is missed.

Years: a milestone "by 2030" is measured in the scenario's year 2030: the calendar year 2030, or
in a financial-year scenario 2030/31, the financial year most of which falls in 2030 (the rule
DESNZ gives for choosing a year's factors, ``carbon.periods``). A target's baseline year (2019)
is read the same way (2019/20). ``measured_in`` says which period each milestone is measured in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon import factors as fx
from carbon.scenarios import Scenario, totals

GAP_COLUMNS = [
    "target_id", "organisation", "applies_to", "year", "reduction_pct", "target_baseline_year", "reference_tCO2e",
    "reference", "target_tCO2e", "projected_tCO2e", "projected_tCO2e_low", "projected_tCO2e_high", "gap_tCO2e",
    "met", "kind", "scope", "source", "notes", "milestone", "measured_in",
]


def target_sets(store) -> list[str]:
    """The sets of targets a scenario can be measured against, in file order."""
    return list(dict.fromkeys(fx.reference(store, "target_scopes")["target_set"]))


def milestones(store, target_set: str) -> pd.DataFrame:
    """The milestones of a set: targets.csv rows joined with what each applies to, by year."""
    scopes = fx.reference(store, "target_scopes")
    if target_set not in set(scopes["target_set"]):
        raise ValueError(f"unknown target set {target_set!r}; choose one of {', '.join(target_sets(store))}")
    t = fx.reference(store, "targets")
    m = scopes[scopes["target_set"] == target_set].merge(t, left_on="target_id", right_on="id", how="inner",
                                                          suffixes=("_scope", ""))
    m["baseline_year"] = pd.to_numeric(m["baseline_year"], errors="coerce")
    return m.sort_values(["year", "applies_to"]).reset_index(drop=True)


def _series(traj: pd.DataFrame, applies_to: str) -> pd.DataFrame | None:
    """The trajectory of one scope (``total`` or a category), or None if the scenario has none."""
    if applies_to == "total":
        return totals(traj)
    sel = traj[traj["category"] == applies_to]
    return None if sel.empty else sel.reset_index(drop=True)


@dataclass
class Assessment:
    """``gaps``: one row per milestone in the scenario's years (GAP_COLUMNS, tCO2e a year);
    ``path``: year, applies_to, target_tCO2e; ``skipped``: milestones not assessed and why."""

    target_set: str
    gaps: pd.DataFrame
    path: pd.DataFrame
    skipped: list[str]


def assess(store, scenario: Scenario, traj: pd.DataFrame, target_set: str | None = None) -> Assessment:
    """Each milestone of ``target_set`` (default the scenario's) against the trajectory."""
    target_set = target_set or scenario.target_set
    ms = milestones(store, target_set)
    years = scenario.years
    base_label = scenario.label(scenario.baseline_year)
    gaps, paths, skipped = [], [], []
    for applies_to, group in ms.groupby("applies_to", sort=False):
        series = _series(traj, applies_to)
        if series is None:
            skipped.extend(f"{r.target_id}: the scenario has no {applies_to} emissions" for r in group.itertuples())
            continue
        inside = group[(group["year"] > scenario.baseline_year) & (group["year"] <= scenario.end_year)]
        for r in group[~group.index.isin(inside.index)].itertuples():
            skipped.append(f"{r.target_id}: {int(r.year)} is outside the scenario's years "
                           f"{scenario.label(scenario.baseline_year + 1)} to {scenario.label(scenario.end_year)}")
        if inside.empty:
            continue
        start = float(series["tCO2e"].iloc[0])
        entered = scenario.reference_tCO2e.get(applies_to)
        tby = inside["baseline_year"]
        own_year = (tby.isna() | (tby == scenario.baseline_year)).to_numpy()
        use_entered = ~own_year & (entered is not None)
        reference = np.where(use_entered, entered if entered is not None else 0.0, start)
        label = np.select(
            [inside["reduction_pct"].to_numpy(dtype=float) >= 100, own_year, use_entered],
            ["net zero (any reference)", f"scenario baseline {base_label}", "entered footprint in the target's baseline year"],
            default=f"scenario baseline {base_label} (the target's baseline-year footprint was not entered)",
        )
        target = reference * (1 - inside["reduction_pct"].to_numpy(dtype=float) / 100)
        at = series.set_index("year").loc[inside["year"].astype(int)]
        g = pd.DataFrame({
            "target_id": inside["target_id"].to_numpy(), "organisation": inside["organisation"].to_numpy(),
            "applies_to": applies_to, "year": inside["year"].astype(int).to_numpy(),
            "reduction_pct": inside["reduction_pct"].astype(float).to_numpy(),
            "target_baseline_year": tby.to_numpy(), "reference_tCO2e": reference, "reference": label,
            "target_tCO2e": target, "projected_tCO2e": at["tCO2e"].to_numpy(),
            "projected_tCO2e_low": at["tCO2e_low"].to_numpy(), "projected_tCO2e_high": at["tCO2e_high"].to_numpy(),
            "kind": inside["kind"].to_numpy(), "scope": inside["scope"].to_numpy(),
            "source": inside["source"].to_numpy(), "notes": inside["notes_scope"].to_numpy(),
        })
        # the milestone in words, as the first-miss sentence says it: "NHS Scotland: a 70% cut in inhaler emissions by 2030"
        cut = g["reduction_pct"].map(_cut)
        scope = "total emissions" if applies_to == "total" else f"{applies_to} emissions"
        g["milestone"] = g["organisation"] + ": " + cut + f" in {scope} by " + g["year"].astype(str)
        g["measured_in"] = g["year"].map(scenario.label)
        g["gap_tCO2e"] = g["projected_tCO2e"] - g["target_tCO2e"]
        g["met"] = g["gap_tCO2e"] <= 1e-9
        gaps.append(g)
        xs = np.concatenate([[scenario.baseline_year], g["year"].to_numpy(dtype=float)])
        ys = np.concatenate([[start], target])
        paths.append(pd.DataFrame({"year": years, "applies_to": applies_to, "target_tCO2e": np.interp(years, xs, ys)}))
    gap_df = (pd.concat(gaps, ignore_index=True)[GAP_COLUMNS].sort_values(["year", "applies_to"]).reset_index(drop=True)
              if gaps else pd.DataFrame(columns=GAP_COLUMNS))
    path_df = pd.concat(paths, ignore_index=True) if paths else pd.DataFrame(columns=["year", "applies_to", "target_tCO2e"])
    return Assessment(target_set, gap_df, path_df, skipped)


def first_miss(gaps: pd.DataFrame) -> dict | None:
    """The earliest milestone missed (the largest gap if two fall in one year), or None if all are met."""
    missed = gaps[~gaps["met"].astype(bool)]
    if missed.empty:
        return None
    r = missed.sort_values(["year", "gap_tCO2e"], ascending=[True, False]).iloc[0]
    return {"target_id": r["target_id"], "organisation": r["organisation"], "applies_to": r["applies_to"],
            "year": int(r["year"]), "reduction_pct": float(r["reduction_pct"]), "gap_tCO2e": float(r["gap_tCO2e"]),
            "gap_kg": float(r["gap_tCO2e"]) * 1000, "target_tCO2e": float(r["target_tCO2e"]),
            "projected_tCO2e": float(r["projected_tCO2e"])}


def gap_at(gaps: pd.DataFrame, applies_to: str = "total") -> dict | None:
    """The final milestone of a scope (usually net zero) with its gap, for a headline."""
    sel = gaps[gaps["applies_to"] == applies_to]
    if sel.empty:
        return None
    r = sel.sort_values("year").iloc[-1]
    return {"target_id": r["target_id"], "year": int(r["year"]), "gap_tCO2e": float(r["gap_tCO2e"]),
            "gap_kg": float(r["gap_tCO2e"]) * 1000, "met": bool(r["met"]), "target_tCO2e": float(r["target_tCO2e"])}


def _cut(pct: float) -> str:
    """'net zero', 'a 70% cut', 'an 80% cut' (said 'eighty', so 'an'; likewise 8%, 11%, 18%)."""
    if pct >= 100:
        return "net zero"
    n = f"{pct:g}"
    return f"{'an' if n.startswith('8') or n.split('.')[0] in ('11', '18') else 'a'} {n}% cut"


def describe_miss(miss: dict | None, target_set: str) -> str:
    """One plain sentence for the first miss."""
    if miss is None:
        return f"Every {target_set} milestone in the scenario's years is met."
    scope = "total emissions" if miss["applies_to"] == "total" else f"{miss['applies_to']} emissions"
    what = _cut(miss["reduction_pct"])
    return (f"First missed: {miss['organisation']} {what} in {scope} by {miss['year']}, "
            f"by {miss['gap_tCO2e']:,.0f} tCO2e a year.")


def cut(pct: float) -> str:
    """A milestone's reduction in words: 'net zero', 'a 70% cut', 'an 80% cut'."""
    return _cut(pct)
