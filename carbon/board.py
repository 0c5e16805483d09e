"""The board's footprint: the table a board reports each year, by source, for one reporting year of a
scenario, with the previous year beside it, the change, the target for each source and the gap.

The figures are the scenario's lines of those two years (``scenarios.recorded``: each line in its
own period, with that period's DESNZ factors), grouped by source through each line's category
(``SOURCES``: energy is building energy, medicine is other medicines, every category not named is
other procurement). The target of a source is the next milestone after the year shown of the
scenario's target set that applies to the source's category (``factors/target_scopes.csv``); the
total has the set's total target. A source no milestone applies to says "no target for this
source": the total's target is never shared out among sources.

* target level (tCO2e a year) = the milestone's level, as ``targets.assess`` measures it
  (reference x (1 - reduction));
* gap = this year's emissions - the target level: what is still to be cut by the target year;
* projected = the scenario's trajectory in the milestone's year, and whether it meets the level.

Clinical waste: a board view counts clinical waste burnt at high temperature with the process
footprint of the library (``waste_hti_clinical``, 1,074 kgCO2e a tonne, Rizan et al. 2021), not
DESNZ's incineration figure, which counts the transport of the waste only (6.4 kgCO2e a tonne in
2024): the board's own choices (segregation, alternative treatment) change the process footprint
and leave the transport figure almost where it is. The demo gives clinical waste as a factor line of
that process factor and the DESNZ waste routes for the rest (see ``kinds.waste``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbon import desnz, estates, periods
from carbon import factors as fx
from carbon import scenarios as sc
from carbon import targets as tg
from carbon.errors import CarbonError, Problem

#: The board's sources, in the order of the table: key, label, the scenario categories they hold.
SOURCES = [
    ("building_energy", "Building energy", ("energy",)),
    ("water", "Water", ("water",)),
    ("waste", "Waste", ("waste",)),
    ("refrigerants", "Refrigerant and SF6 leaks", ("refrigerant",)),
    ("travel", "Travel", ("travel",)),
    ("anaesthetic", "Anaesthetic gases", ("anaesthetic",)),
    ("inhalers", "Inhalers", ("inhaler",)),
    ("medicines", "Other medicines", ("medicine",)),
    ("procurement", "Other procurement", ()),
]
#: Where a category no source names goes (consumables, procurement, anything new).
OTHER = "procurement"
TOTAL = "total"
NO_TARGET = "no target for this source"
LABELS = {k: label for k, label, _ in SOURCES} | {TOTAL: "Total"}
_BY_CATEGORY = {c: k for k, _, cats in SOURCES for c in cats}
COLUMNS = ["source", "label", "previous_tCO2e", "tCO2e", "tCO2e_low", "tCO2e_high", "change_pct", "target",
           "target_year", "target_tCO2e", "gap_tCO2e", "projected_tCO2e", "met", "factor_ids"]


class BoardError(CarbonError):
    headline = "no board footprint"


@dataclass
class BoardView:
    """One reporting year of a scenario by source (``COLUMNS``, tCO2e a year; the last row the total)."""

    scenario: sc.Scenario
    year: str
    previous: str
    table: pd.DataFrame
    target_set: str
    notes: list[str] = field(default_factory=list)


def source_of(categories: pd.Series) -> pd.Series:
    """The board source of each scenario category (other procurement for any category not named)."""
    return categories.astype(str).str.lower().map(_BY_CATEGORY).fillna(OTHER)


def _period(scenario: sc.Scenario, year) -> periods.Period:
    """The reporting year asked for, of the scenario's kind and recorded by its lines."""
    recorded = scenario.recorded_periods()
    if year is None or (isinstance(year, str) and not year.strip()):
        return scenario.baseline_period
    asked = periods.parse(year, where="year")
    if asked.kind != scenario.period_kind:
        other = periods.Period(asked.start_year, scenario.financial).label
        raise BoardError(Problem("year", None, f"{asked.label} is a {asked.kind} year but the scenario's years are "
                                 f"{scenario.period_kind} years", f"ask for {other}"))
    if asked.label not in recorded:
        raise BoardError(Problem("year", None, f"the scenario records no lines for {asked.label}",
                                 f"choose one of the years it records: {', '.join(recorded)}"))
    return asked


def _targets(assessment: tg.Assessment, year: periods.Period) -> pd.DataFrame:
    """For each source (and the total), the next milestone after ``year`` that applies to it."""
    gaps = assessment.gaps
    if gaps.empty:
        return pd.DataFrame(columns=["source", "milestone_row"])
    g = gaps.assign(source=np.where(gaps["applies_to"] == TOTAL, TOTAL, source_of(gaps["applies_to"])))
    g["after"] = g["year"].astype(int) > year.start_year
    # the first milestone after the year shown; if all are earlier, the last of them
    g = g.sort_values(["source", "after", "year"], ascending=[True, False, True])
    return g.drop_duplicates("source")


def _words(r) -> str:
    cut = tg.cut(float(r.reduction_pct))
    return f"{cut[0].upper()}{cut[1:]} by {int(r.year)} ({r.organisation})"


def view(store, scenario: sc.Scenario, year=None, basis: str = fx.DEFAULT_BASIS,
         assessment: tg.Assessment | None = None, target_set: str | None = None) -> BoardView:
    """The board footprint of ``scenario`` for ``year`` (a period it records; default its baseline
    year) and the year before. ``assessment`` (``targets.assess`` of the scenario's projection) is
    computed when not given."""
    now = _period(scenario, year)
    before = now.previous
    lines = sc.recorded_cached(store, scenario, basis)
    lines = lines[lines["period"].isin([now.label, before.label])]
    by = lines.assign(source=source_of(lines["category"])).groupby(["source", "period"]).agg(
        tCO2e=("tCO2e", "sum"), tCO2e_low=("tCO2e_low", "sum"), tCO2e_high=("tCO2e_high", "sum"),
        factor_ids=("factor_ids", lambda s: ",".join(sorted({i for v in s for i in str(v).split(",") if i}))))
    by = by.reset_index()
    cur = by[by["period"] == now.label].set_index("source")
    prev = by[by["period"] == before.label].set_index("source")
    has_previous = before.label in set(lines["period"])
    keys = [k for k, _, _ in SOURCES]
    table = pd.DataFrame({"source": keys, "label": [LABELS[k] for k in keys]}).set_index("source")
    for col in ("tCO2e", "tCO2e_low", "tCO2e_high", "factor_ids"):
        table[col] = cur[col].reindex(keys)
    table["previous_tCO2e"] = prev["tCO2e"].reindex(keys)
    if has_previous:  # a source recorded in one year only was zero in the other
        both = table["tCO2e"].notna() | table["previous_tCO2e"].notna()
        table.loc[both, ["tCO2e", "tCO2e_low", "tCO2e_high", "previous_tCO2e"]] = table.loc[
            both, ["tCO2e", "tCO2e_low", "tCO2e_high", "previous_tCO2e"]].fillna(0.0)
    total = pd.DataFrame({"label": ["Total"], "tCO2e": [cur["tCO2e"].sum()], "tCO2e_low": [cur["tCO2e_low"].sum()],
                          "tCO2e_high": [cur["tCO2e_high"].sum()],
                          "previous_tCO2e": [prev["tCO2e"].sum() if has_previous else np.nan],
                          "factor_ids": [",".join(sorted({i for v in cur["factor_ids"] for i in v.split(",") if i}))]},
                         index=pd.Index([TOTAL], name="source"))
    table = pd.concat([table, total])
    table["change_pct"] = (table["tCO2e"] / table["previous_tCO2e"].where(table["previous_tCO2e"] > 0) - 1) * 100

    if assessment is None:
        projection = sc.project(scenario, *sc.resolve(store, scenario, basis))
        assessment = tg.assess(store, scenario, projection.trajectory, target_set)
    chosen = _targets(assessment, now).set_index("source") if len(assessment.gaps) else pd.DataFrame()
    table["target"] = NO_TARGET
    for col in ("target_year", "target_tCO2e", "projected_tCO2e"):
        table[col] = np.nan
    table["target_year"] = table["target_year"].astype(object)
    table["met"] = pd.array([pd.NA] * len(table), dtype="boolean")
    for src, r in chosen.iterrows():  # one milestone per source: a handful of rows
        if src not in table.index:
            continue
        table.loc[src, "target"] = _words(r)
        table.loc[src, "target_year"] = r["measured_in"]
        table.loc[src, "target_tCO2e"] = float(r["target_tCO2e"])
        table.loc[src, "projected_tCO2e"] = float(r["projected_tCO2e"])
        table.loc[src, "met"] = bool(r["met"])
    table["gap_tCO2e"] = table["tCO2e"] - table["target_tCO2e"]
    table = table.reset_index()[COLUMNS]
    return BoardView(scenario, now.label, before.label, table, assessment.target_set,
                     _notes(store, scenario, lines, now, before, has_previous, chosen))


def _notes(store, scenario: sc.Scenario, lines: pd.DataFrame, now, before, has_previous: bool,
           chosen: pd.DataFrame) -> list[str]:
    """How to read the table: which years and factors, what the targets are measured against."""
    out = [f"Tonnes CO2e a year. {scenario.years_note()}"]
    if not has_previous:
        out.append(f"The scenario records no lines for {before.label}, so there is no change to show.")
    held = set(desnz.years(store))
    for label in (before.label, now.label):
        own = periods.parse(label).factor_year
        fixed = [ln for ln in scenario.lines if scenario.line_period(ln) == label and ln.factor_year is not None
                 and ln.factor_year != own]
        if fixed:
            years = ", ".join(str(y) for y in sorted({ln.factor_year for ln in fixed}))
            why = f" (the library holds no DESNZ {own} set)" if own not in held else ""
            use = "1 line uses" if len(fixed) == 1 else f"{len(fixed)} lines use"
            out.append(f"{label}: {use} DESNZ {years} factors, set on the line instead of "
                       f"{label}'s own {own}{why}.")
    kinds_used = set(lines["kind"])
    if kinds_used & {"energy", "water", "waste", "refrigerant", "estates"} and kinds_used - {
            "energy", "water", "waste", "refrigerant", "estates", "manual", "medicine_spend"}:
        out.append("Estates lines take each year's DESNZ factors; inhalers, anaesthetic gases, travel and other "
                   "library factors have one figure for every year, so their change is a change in activity.")
    if "waste_hti_clinical" in ",".join(lines["factor_ids"]):
        out.append("Waste: clinical waste burnt at high temperature is counted with its process footprint (1,074 "
                   "kgCO2e a tonne, Rizan et al. 2021), not DESNZ's incineration figure, which counts only the "
                   "transport of the waste; the other waste routes use DESNZ's figures.")
    if len(chosen):
        cuts = chosen[chosen["reduction_pct"].astype(float) < 100]
        for src, r in cuts.iterrows():  # the few targets that are cuts, not net zero
            own = r["target_baseline_year"]
            if "not entered" in str(r["reference"]):
                out.append(f"{LABELS.get(src, src)}: the target's own baseline is {int(own)}; no footprint for it "
                           f"was entered, so the cut is measured against the scenario's baseline year "
                           f"{scenario.baseline_period.label}.")
            elif "entered" in str(r["reference"]):
                out.append(f"{LABELS.get(src, src)}: the cut is measured against the footprint entered for "
                           f"{int(own)}.")
            else:
                out.append(f"{LABELS.get(src, src)}: the cut is measured against the scenario's baseline year "
                           f"{scenario.baseline_period.label}.")
        out.append("Target level: the milestone's level in tCO2e a year; gap: this year's emissions minus it, what "
                   "is still to be cut by then; projected: the scenario's figure in the milestone's year.")
    if TOTAL in chosen.index:
        out.append("The total's target applies to the whole footprint shown; a source's own target is never a share "
                   "of it.")
    return out


# ---------------------------------------------------------------------------------------------
# Words and tables for pages and the pack
# ---------------------------------------------------------------------------------------------
def tonnes(t: float) -> str:
    """``1,234 tonnes CO2e`` (one decimal below ten tonnes)."""
    if t is None or pd.isna(t):
        return "–"
    if abs(t) < 0.05:
        return "0 tonnes CO2e"
    return f"{t:,.0f} tonnes CO2e" if abs(t) >= 10 else f"{t:,.1f} tonnes CO2e"


def verdicts(bv: BoardView) -> list[str]:
    """One plain sentence for each target in the table (no ids): this year, the change, the target,
    and whether the scenario meets it."""
    out = []
    for r in bv.table[bv.table["target"] != NO_TARGET].itertuples():
        change = ""
        if not pd.isna(r.change_pct):
            word = "less" if r.change_pct < 0 else "more"
            change = f", {abs(r.change_pct):.0f}% {word} than in {bv.previous}"
        target = r.target[0].lower() + r.target[1:]
        if r.target_tCO2e > 0:
            to_cut = (f"{tonnes(r.gap_tCO2e)} less than this year" if r.gap_tCO2e > 0
                      else "already more than this year's figure")
            target += f": {tonnes(r.target_tCO2e)} a year, {to_cut}"
        outcome = ("on track: it meets the target" if r.met else
                   f"the target is missed by {tonnes(r.projected_tCO2e - r.target_tCO2e)} a year")
        out.append(f"{r.label}: {tonnes(r.tCO2e)} in {bv.year}{change}. The target is {target}. With the planned "
                   f"changes, {r.target_year} is projected at {tonnes(r.projected_tCO2e)}: {outcome}.")
    return out


def display_table(bv: BoardView) -> pd.DataFrame:
    """The table with plain headings (years in them), for pages, the pack and its files."""
    t = bv.table
    return pd.DataFrame({
        "Source": t["label"],
        f"{bv.previous} (tCO2e)": t["previous_tCO2e"],
        f"{bv.year} (tCO2e)": t["tCO2e"],
        "Change (%)": t["change_pct"],
        "Target": t["target"],
        "Target level (tCO2e)": t["target_tCO2e"],
        "Gap (tCO2e)": t["gap_tCO2e"],
    })


def estates_return(store, organisation: str, period: str, basis: str = fx.DEFAULT_BASIS,
                   factor_year: int | None = None) -> pd.DataFrame:
    """An imported estates return by source in tonnes (``Source``, ``tCO2e``, ``DESNZ year``,
    ``Factors``), for the Scenarios page: the figures an ``estates`` line of that organisation and
    period gives. The period's own DESNZ year unless ``factor_year``; a year the library lacks is a
    ``CarbonError`` naming it and the ways out."""
    fp = estates.footprint(store, [organisation], [period], basis, factor_year=factor_year)
    if fp.empty:
        raise BoardError(Problem("estates", None, f"no imported estates return for {organisation} in {period}"))
    by = estates.by_source(fp, ("source",))
    return pd.DataFrame({"Source": by["source_label"], "tCO2e": by["kgCO2e"] / 1000,
                         "DESNZ year": by["factor_years"], "Factors": by["factor_ids"]})


def records(bv: BoardView) -> list[dict]:
    """The table as plain data (JSON)."""
    df = bv.table.drop(columns=["factor_ids"]).assign(year=bv.year, previous_year=bv.previous)
    return df.astype(object).where(df.notna(), None).to_dict(orient="records")
