"""The board pack: what one scenario's pack says: its board footprint, trajectory, targets, money,
sources and text.

``build`` runs the engine once (``scenarios.run``, ``targets.assess``, ``board.view``,
``finance.appraise``) and every format is written from that one ``Pack`` by ``carbon.pack_files``
(PDF, HTML, CSV, Excel), so the files and ``carbon scenario run`` show the same numbers. The pack
starts with the board footprint of a reporting year (the baseline year unless another is asked
for): the table by source beside the year before, and a verdict against each target in words.
The charts are the app's own.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from carbon import board, charts, equivalence
from carbon import factors as fx
from carbon import finance as fin
from carbon import periods
from carbon import scenarios as sc
from carbon import targets as tg
from carbon.formatting import co2e, gbp
from carbon.formula import SELF

#: Years shown in the headline (those inside the scenario, plus its baseline and end years).
HEADLINE_YEARS = (2030, 2040)
#: Pixels across a chart of the pack: on A4 (180 mm of text) 12 px text prints at about 9.5 pt.
CHART_WIDTH = 640


@dataclass
class Pack:
    """Everything a board pack shows, computed once (tonnes tCO2e a year, money GBP)."""

    scenario: sc.Scenario
    basis: str
    projection: sc.Projection
    totals: pd.DataFrame
    assessment: tg.Assessment
    miss: dict | None
    appraisal: pd.DataFrame
    macc: pd.DataFrame
    budget: pd.DataFrame
    headline: dict
    money: dict
    assumptions: list[str]
    sources: pd.DataFrame
    equivalence: str
    board: board.BoardView | None = None
    abated_equivalence: str = ""
    baseline_equivalence: str = ""
    generated: str = field(default_factory=lambda: dt.datetime.now().strftime("%d %B %Y %H:%M"))


def build(store, scenario: sc.Scenario, basis: str = fx.DEFAULT_BASIS, target_set: str | None = None,
          projection: sc.Projection | None = None, year=None) -> Pack:
    """Run ``scenario`` (or take its ``projection``) and gather what the pack shows; ``year`` is the
    reporting year of its board footprint (a period the scenario's lines record; default the baseline)."""
    p = projection if projection is not None else sc.run(store, scenario, basis)
    scenario = p.scenario
    target_set = target_set or scenario.target_set
    assessment = tg.assess(store, scenario, p.trajectory, target_set)
    footprint = board.view(store, scenario, year, basis, assessment)
    path = assessment.path[assessment.path["applies_to"] == "total"][["year", "target_tCO2e"]]
    tot = sc.totals(p.trajectory).merge(path, on="year", how="left")
    appraisal = fin.appraise(store, p)
    head = sc.headline(p)

    return Pack(
        scenario=scenario, basis=basis, projection=p, totals=tot, assessment=assessment,
        miss=tg.first_miss(assessment.gaps), appraisal=appraisal, macc=fin.macc(appraisal), budget=fin.budget(p),
        headline=head, money=fin.summary(appraisal), assumptions=assumptions(store, scenario, assessment),
        sources=sources(store, p, basis, target_set), equivalence=equivalence.car(store, head["end_kg"], basis),
        abated_equivalence=equivalence.car(store, head["abated_total_kg"], basis), board=footprint,
        baseline_equivalence=equivalence.car(store, head["baseline_kg"], basis),
    )


def assumptions(store, scenario: sc.Scenario, assessment: tg.Assessment) -> list[str]:
    """The money assumptions, how targets are measured, and what was not assessed."""
    out = [scenario.years_note(), *fin.assumptions(store, scenario)]
    out.append(
        "Targets: each milestone's level is the reference emissions x (1 - the published reduction). Where the "
        "target's own baseline-year footprint was not entered, the scenario's baseline year is used as the "
        "reference (stated beside each milestone). The target path runs straight between milestones.")
    out.extend(f"Not assessed: {s}." for s in assessment.skipped)
    out.append("Swaps are only ever proposed where clinically appropriate, after a shared decision with the "
               "person cared for; each swap's caveat is listed with the interventions.")
    return out


# ---------------------------------------------------------------------------------------------
# Sources: every factor used, and what it is derived from
# ---------------------------------------------------------------------------------------------
def _used_ids(lib: fx.Library, ids: set[str], basis: str) -> set[str]:
    """``ids`` and every factor, constant or GWP their formulas use, on ``basis``."""
    seen: set[str] = set()
    todo = [i for i in ids if i]
    while todo:
        fid = todo.pop()
        if fid in seen:
            continue
        try:
            lib.row(fid)
        except KeyError:
            continue
        seen.add(fid)
        f = lib.formula(fid)
        if f is not None:
            todo.extend(n for n in f.names if n != SELF)
            for sub, fixed in f.substances:
                try:
                    todo.append(lib.gwp_id(sub, fixed or basis)[0])
                except ValueError:
                    continue
    return seen


def _name(lib: fx.Library, fid: str) -> str:
    """A factor's name in the library (its id if the library has no such factor)."""
    try:
        return str(lib.row(fid)["name"])
    except KeyError:
        return fid


SOURCE_COLUMNS = ["used_for", "id", "name", "value", "unit", "source", "publisher", "title", "year", "address"]


def sources(store, projection: sc.Projection, basis: str = fx.DEFAULT_BASIS, target_set: str | None = None) -> pd.DataFrame:
    """Every factor the scenario used (with the constants and GWPs derived ones rest on), the targets,
    the carbon values, the discount rate and the prices, each with its published source."""
    lib = fx.library(store)
    ids = {i for s in pd.concat([projection.baseline["factor_ids"], projection.interventions["factor_ids"]])
           for i in str(s).split(",") if i}
    used = sorted(_used_ids(lib, ids, basis))
    rows = []
    for fid in used:
        row = lib.row(fid)
        r = lib.quantity(fid, basis)
        kind = "constant" if lib.is_constant(fid) else ("GWP" if fid.startswith("gwp_") else "emission factor")
        rows.append({"used_for": kind, "id": fid, "name": row["name"], "value": float(r.value.magnitude),
                     "unit": row["unit"], "source": row["source"]})
    ms = tg.milestones(store, target_set or projection.scenario.target_set)
    rows += [{"used_for": "target", "id": m.target_id, "name": f"{m.organisation}: {m.reduction_pct:g}% by {int(m.year)}",
              "value": float(m.reduction_pct), "unit": "percent", "source": m.source} for m in ms.itertuples()]
    cv = fx.reference(store, "carbon_values")
    rows += [{"used_for": "carbon value", "id": f"carbon_value_{int(y)}", "name": f"UK government carbon value {int(y)}",
              "value": float(c), "unit": u, "source": s} for y, c, u, s in cv[["year", "central", "unit", "source"]].itertuples(index=False)]
    rows += [{"used_for": "discount rate", "id": r.id, "name": r.name, "value": float(r.value), "unit": "percent per year",
              "source": r.source} for r in fin.discount_schedule(store).itertuples()]
    swapped = {i for s in projection.interventions["factor_ids"] for i in str(s).split(",") if i}
    prices = fx.reference(store, "prices")
    prices = prices[prices["factor_id"].isin(swapped)]
    rows += [{"used_for": "price", "id": r.factor_id, "name": f"Price of {_name(lib, r.factor_id)}",
              "value": float(r.value), "unit": r.unit, "source": r.source} for r in prices.itertuples()]
    df = pd.DataFrame(rows, columns=SOURCE_COLUMNS[:6])
    src = lib.sources[["publisher", "title", "year", "address"]]
    return df.merge(src, left_on="source", right_index=True, how="left")[SOURCE_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Tables (one set for every format)
# ---------------------------------------------------------------------------------------------
def headline_rows(pack: Pack) -> pd.DataFrame:
    """Total emissions in the baseline year, 2030, 2040 and the end year (tCO2e a year, with range)."""
    sc_ = pack.scenario
    years = sorted({sc_.baseline_year, *[y for y in HEADLINE_YEARS if sc_.baseline_year < y < sc_.end_year], sc_.end_year})
    t = pack.totals.set_index("year").loc[years].reset_index()
    return t[["year", "tCO2e_no_action", "tCO2e", "tCO2e_low", "tCO2e_high", "target_tCO2e"]]


def tables(pack: Pack) -> dict[str, pd.DataFrame]:
    """The pack's tables with plain column names (units in the names), in reading order."""
    gaps = pack.assessment.gaps
    a = pack.appraisal
    cats = pack.projection.trajectory
    base = pack.projection.baseline
    return {
        "Board footprint": board.display_table(pack.board),
        "Headline": headline_rows(pack).rename(columns={
            "year": "Year", "tCO2e_no_action": "No action (tCO2e)", "tCO2e": "Scenario (tCO2e)",
            "tCO2e_low": "Low (tCO2e)", "tCO2e_high": "High (tCO2e)", "target_tCO2e": "Target path (tCO2e)"}),
        "Targets": gaps.assign(applies_to=gaps["applies_to"].map(applies_to))[["milestone", "applies_to", "year", "reduction_pct", "target_tCO2e",
                         "projected_tCO2e", "gap_tCO2e", "met", "reference", "target_id"]].rename(columns={
            "milestone": "Milestone", "target_id": "Id", "applies_to": "Applies to", "year": "Year",
            "reduction_pct": "Reduction (%)", "target_tCO2e": "Target (tCO2e)", "projected_tCO2e": "Projected (tCO2e)",
            "gap_tCO2e": "Gap (tCO2e)", "met": "Met", "reference": "Measured against"}),
        "Trajectory": pack.totals.rename(columns={
            "year": "Year", "tCO2e_no_action": "No action (tCO2e)", "abated_tCO2e": "Abated (tCO2e)",
            "tCO2e": "Scenario (tCO2e)", "tCO2e_low": "Low (tCO2e)", "tCO2e_high": "High (tCO2e)",
            "target_tCO2e": "Target path (tCO2e)"}),
        "By category": cats[["year", "category", "tCO2e_no_action", "abated_tCO2e", "tCO2e", "tCO2e_low", "tCO2e_high",
                             "factor_ids"]].rename(columns={
            "year": "Year", "category": "Category", "tCO2e_no_action": "No action (tCO2e)", "abated_tCO2e": "Abated (tCO2e)",
            "tCO2e": "Scenario (tCO2e)", "tCO2e_low": "Low (tCO2e)", "tCO2e_high": "High (tCO2e)",
            "factor_ids": "Factors"}),
        "Interventions": a[["name", "kind", "category", "start_year", "end_year", "target_pct", "abated_tCO2e",
                            "npc_gbp", "cost_per_tCO2e", "carbon_value_central_gbp", "npv_central_gbp", "caveat"]].rename(columns={
            "name": "Intervention", "kind": "Kind", "category": "Category", "start_year": "Start", "end_year": "Full by",
            "target_pct": "Uptake (%)", "abated_tCO2e": "Abated over appraisal (tCO2e)", "npc_gbp": "Net present cost (GBP)",
            "cost_per_tCO2e": "Cost per tCO2e (GBP)", "carbon_value_central_gbp": "Carbon value, central (GBP)",
            "npv_central_gbp": "Net present value, central (GBP)", "caveat": "Caveat"}),
        "MACC": pack.macc[["name", "category", "abated_tCO2e", "cost_per_tCO2e", "x0", "x1"]].rename(columns={
            "name": "Intervention", "category": "Category", "abated_tCO2e": "Width: tCO2e abated",
            "cost_per_tCO2e": "Height: GBP per tCO2e", "x0": "From (tCO2e)", "x1": "To (tCO2e)"}),
        "Budget": pack.budget[["year", "name", "cost_gbp", "cumulative_gbp", "total_cumulative_gbp"]].rename(columns={
            "year": "Year", "name": "Intervention", "cost_gbp": "Cost that year (GBP)",
            "cumulative_gbp": "Cumulative (GBP)", "total_cumulative_gbp": "All interventions, cumulative (GBP)"}),
        "Baseline": base[["label", "kind", "category", "tCO2e", "tCO2e_low", "tCO2e_high", "detail", "factor_ids"]].rename(columns={
            "label": "Line", "kind": "Built from", "category": "Category",
            "tCO2e": f"{pack.scenario.baseline_period.label} (tCO2e)",
            "tCO2e_low": "Low (tCO2e)", "tCO2e_high": "High (tCO2e)", "detail": "How", "factor_ids": "Factors"}),
        "Assumptions": pd.DataFrame({"Assumption": pack.assumptions}),
        "Sources": pack.sources.rename(columns={
            "used_for": "Used as", "id": "Id", "name": "Name", "value": "Value", "unit": "Unit", "source": "Source id",
            "publisher": "Publisher", "title": "Title", "year": "Year", "address": "Address"}),
    }


def numbers(pack: Pack) -> pd.DataFrame:
    """Every number of the pack in one tidy frame: section, item, year, measure, value, unit."""
    frames = [board_numbers(pack.board)]
    t = pack.totals.melt(id_vars="year", var_name="measure", value_name="value")
    frames.append(t.assign(section="trajectory", item="total", unit="tCO2e/year"))
    c = pack.projection.trajectory.drop(columns="factor_ids").melt(id_vars=["year", "category"], var_name="measure",
                                                                    value_name="value")
    frames.append(c.rename(columns={"category": "item"}).assign(section="by category", unit="tCO2e/year"))
    g = pack.assessment.gaps[["target_id", "year", "target_tCO2e", "projected_tCO2e", "gap_tCO2e"]]
    frames.append(g.melt(id_vars=["target_id", "year"], var_name="measure", value_name="value")
                  .rename(columns={"target_id": "item"}).assign(section="targets", unit="tCO2e/year"))
    money = ["abated_tCO2e", "npc_gbp", "cost_per_tCO2e", "carbon_value_low_gbp", "carbon_value_central_gbp",
             "carbon_value_high_gbp", "npv_central_gbp"]
    a = pack.appraisal[["name", *money]].melt(id_vars="name", var_name="measure", value_name="value")
    a["unit"] = a["measure"].map(lambda m: "tCO2e" if m == "abated_tCO2e" else ("GBP/tCO2e" if m == "cost_per_tCO2e" else "GBP"))
    frames.append(a.rename(columns={"name": "item"}).assign(section="interventions", year=pd.NA))
    b = pack.budget[["year", "name", "cost_gbp", "cumulative_gbp"]].melt(id_vars=["year", "name"], var_name="measure",
                                                                          value_name="value")
    frames.append(b.rename(columns={"name": "item"}).assign(section="budget", unit="GBP"))
    out = pd.concat(frames, ignore_index=True)[["section", "item", "year", "measure", "value", "unit"]]
    out["year"] = out["year"].astype("Int64")
    return out



def board_numbers(bv: board.BoardView) -> pd.DataFrame:
    """The board footprint as tidy numbers: section ``board footprint``, item = the source in words,
    year = the start year of the period each figure is for."""
    t = bv.table
    now, before = periods.parse(bv.year).start_year, periods.parse(bv.previous).start_year
    parts = [pd.DataFrame({"item": t["label"], "year": now, "measure": m, "value": t[c], "unit": u})
             for m, c, u in (("tCO2e", "tCO2e", "tCO2e/year"), ("tCO2e_low", "tCO2e_low", "tCO2e/year"),
                             ("tCO2e_high", "tCO2e_high", "tCO2e/year"), ("change_pct", "change_pct", "%"),
                             ("target_tCO2e", "target_tCO2e", "tCO2e/year"), ("gap_tCO2e", "gap_tCO2e", "tCO2e/year"))]
    parts.append(pd.DataFrame({"item": t["label"], "year": before, "measure": "tCO2e", "value": t["previous_tCO2e"],
                               "unit": "tCO2e/year"}))
    return pd.concat(parts, ignore_index=True).assign(section="board footprint")


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------
def board_title(bv: board.BoardView) -> str:
    return f"Footprint by source, {bv.year} beside {bv.previous} (tCO2e a year)"


def figures(pack: Pack) -> dict:
    """The pack's charts, titled, at a fixed width (an image has no container to fill)."""
    gaps = pack.assessment.gaps
    total_gaps = gaps[gaps["applies_to"] == "total"]
    path = pack.totals[["year", "target_tCO2e"]].dropna()
    bv = pack.board
    out = {
        # two charts to a printed page: the board's bars a little thinner than on screen
        board_title(bv): charts.board_footprint(bv.table[bv.table["source"] != board.TOTAL], bv.year, bv.previous)
        .properties(height=alt.Step(15, **{"for": "offset"})),
        f"Emissions against {pack.assessment.target_set}'s targets (tCO2e a year)":
            charts.trajectory_vs_target(pack.totals, path, total_gaps).properties(height=270),
        "Emissions by category (tCO2e a year)": charts.trajectory_by_category(pack.projection.trajectory),
    }
    if len(pack.macc):
        out["Marginal abatement cost curve (cheapest per tonne first)"] = charts.macc(pack.macc)
    if len(pack.budget):
        out["Cumulative budget impact (GBP, undiscounted)"] = charts.cumulative_budget(pack.budget)
    return {k: v.properties(width=CHART_WIDTH) for k, v in out.items()}


#: A line under each chart of the pack, saying how to read it (by the start of its title).
CHART_NOTES = {
    "Footprint by source": "Solid blue: the year shown; grey outline: the year before; black ticks: each source's "
                           "target level (its next milestone), where it has a target.",
    "Emissions against": "Blue: the scenario, with its range from factor uncertainty; grey dotted: no action; "
                         "black dashed: the target path; milestones for the total: green circles met, "
                         "vermillion crosses missed.",
    "Emissions by category": "Each category in its own colour, named on its band where the band is wide enough; "
                             "the legend lists them top to bottom as they are stacked.",
    "Marginal abatement": "Width: tCO2e abated over the appraisal period; height: net present cost per tCO2e "
                          "(below zero saves money). Bars are numbered cheapest first; the key names each.",
    "Cumulative budget": "Thin lines: each intervention, each with its own colour and dash; thick black: all of "
                         "them. Negative: a net saving.",
}


def chart_note(title: str) -> str:
    return next((v for k, v in CHART_NOTES.items() if title.startswith(k)), "")


# ---------------------------------------------------------------------------------------------
# Formatting shared by HTML and PDF
# ---------------------------------------------------------------------------------------------
_WHOLE = ("Year", "Start", "Full by")


def _fmt_cell(col: str, v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)) and col in _WHOLE:
        return str(int(v))
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if "GBP" in col:
            return gbp(v)
        if col.startswith("Change"):
            return f"{v:+.1f}".replace("-", "−")
        if "%" in col:
            return f"{v:g}"
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}"
    return str(v)


def display(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text, numbers rounded for reading (tonnes to the tonne, money as £)."""
    return pd.DataFrame({c: [_fmt_cell(c, v) for v in df[c].tolist()] for c in df.columns})


def tonnes(t: float) -> str:
    """``38,117 tCO2e``: whole tonnes, as the pack's tables give them."""
    return co2e(t * 1000) if not t == t or abs(t) < 10 else f"{'−' if t < 0 else ''}{abs(t):,.0f} tCO2e"


def headline_text(pack: Pack) -> list[tuple[str, str, str]]:
    """(label, big number, small print) for the headline boxes."""
    h, m = pack.headline, pack.money
    rows = headline_rows(pack).set_index("year")
    label = pack.scenario.label
    # in tonnes, as every table of the pack is (never ktCO2e over a table of tCO2e)
    out = [(f"Emissions in {label(h['baseline_year'])} (baseline)", tonnes(h["baseline_kg"] / 1000) + " a year",
            f"{pack.baseline_equivalence} a year" if pack.baseline_equivalence else "")]
    for y in [y for y in rows.index if y not in (h["baseline_year"],)]:
        r = rows.loc[y]
        equivalent = f"{pack.equivalence} a year; " if y == h["end_year"] and pack.equivalence else ""
        # the car equivalence is of the scenario's figure, so it comes first, before the range and no action
        out.append((f"Emissions in {label(y)} with the interventions", tonnes(r["tCO2e"]) + " a year",
                    f"{equivalent}range {tonnes(r['tCO2e_low'])} – {tonnes(r['tCO2e_high'])}; "
                    f"no action {tonnes(r['tCO2e_no_action'])}"))
    out.append(("Abated over the scenario", tonnes(h["abated_total_kg"] / 1000), pack.abated_equivalence))
    out.append(("Net present cost of the interventions", gbp(m["npc_gbp"]),
                f"{gbp(m['cost_per_tCO2e'])} per tCO2e abated; carbon value (central) {gbp(m['carbon_value_central_gbp'])}"))
    return out


def gap_sentences(pack: Pack, ids: bool = True) -> list[str]:
    """The first miss, then each milestone's gap in one line; ``ids=False`` (the pack's documents)
    names each target in words only, without its library id in brackets (the terminal keeps them)."""
    miss, target_set = pack.miss, pack.assessment.target_set
    if ids or miss is None:
        first = tg.describe_miss(miss, target_set)
    else:
        first = (f"First missed: {miss['organisation']} {tg.cut(miss['reduction_pct'])} in "
                 f"{applies_to(miss['applies_to']).lower()} by {miss['year']}, by {miss['gap_tCO2e']:,.0f} tCO2e a year.")
    out = [first]
    for r in pack.assessment.gaps.itertuples():
        state = "met" if r.met else f"missed by {r.gap_tCO2e:,.0f} tCO2e a year"
        # in words, the milestone names what it applies to as the board footprint does ("building energy")
        milestone = r.milestone if ids else (f"{r.organisation}: {tg.cut(r.reduction_pct)} in "
                                             f"{applies_to(r.applies_to).lower()} by {r.year}")
        out.append(f"{milestone}: target {r.target_tCO2e:,.0f}, projected {r.projected_tCO2e:,.0f} tCO2e a year: "
                   f"{state}" + (f" ({r.target_id})." if ids else "."))
    return out


def applies_to(category: str) -> str:
    """What a milestone applies to, in the board footprint's words ("energy" is building energy)."""
    if category == board.TOTAL:
        return "Total emissions"
    return board.LABELS[board.source_of(pd.Series([category])).iloc[0]]


def as_dict(pack: Pack) -> dict:
    """The pack's numbers as plain data (what ``carbon scenario run --format json`` prints)."""
    def records(df: pd.DataFrame) -> list[dict]:
        return df.astype(object).where(df.notna(), None).to_dict(orient="records")

    return {
        "scenario": pack.scenario.name, "gwp_basis": pack.basis, "target_set": pack.assessment.target_set,
        "baseline_year": pack.scenario.baseline_year, "end_year": pack.scenario.end_year,
        "baseline_period": pack.scenario.baseline_period.label,
        "headline": {**pack.headline, **{f"tCO2e_{int(r.year)}": float(r.tCO2e) for r in headline_rows(pack).itertuples()}},
        "period_kind": pack.scenario.period_kind,
        "board": {"year": pack.board.year, "previous_year": pack.board.previous,
                  "rows": board.records(pack.board), "verdicts": board.verdicts(pack.board),
                  "notes": pack.board.notes},
        "first_miss": pack.miss, "finance": pack.money,
        "trajectory": records(pack.totals),
        "gaps": records(pack.assessment.gaps[["target_id", "applies_to", "year", "reduction_pct", "target_tCO2e",
                                              "projected_tCO2e", "gap_tCO2e", "met", "reference"]]),
        "interventions": records(pack.appraisal.drop(columns=["caveat"])),
        "skipped": pack.assessment.skipped,
    }
