"""The board pack: one scenario's trajectory, targets, money and sources, as HTML, PDF, CSV and Excel.

``build`` runs the engine once (``scenarios.run``, ``targets.assess``, ``finance.appraise``) and
every format is written from that one ``Pack``, so the PDF, the HTML, the spreadsheet and
``carbon scenario run`` show the same numbers. Charts are the app's own Altair charts, drawn to
PNG by vl-convert; the PDF is laid out with fpdf2 in its core fonts (text is mapped to Latin-1).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
from dataclasses import dataclass, field

import pandas as pd

from carbon import charts
from carbon import factors as fx
from carbon import finance as fin
from carbon import scenarios as sc
from carbon import targets as tg
from carbon.formatting import co2e, gbp
from carbon.formula import SELF
from carbon.reports import to_csv, to_excel

#: Years shown in the headline (those inside the scenario, plus its baseline and end years).
HEADLINE_YEARS = (2030, 2040)
CHART_WIDTH = 720


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
    abated_equivalence: str = ""
    generated: str = field(default_factory=lambda: dt.datetime.now().strftime("%d %B %Y %H:%M"))


def build(store, scenario: sc.Scenario, basis: str = fx.DEFAULT_BASIS, target_set: str | None = None,
          projection: sc.Projection | None = None) -> Pack:
    """Run ``scenario`` (or take its ``projection``) and gather what the pack shows."""
    p = projection if projection is not None else sc.run(store, scenario, basis)
    scenario = p.scenario
    target_set = target_set or scenario.target_set
    assessment = tg.assess(store, scenario, p.trajectory, target_set)
    path = assessment.path[assessment.path["applies_to"] == "total"][["year", "target_tCO2e"]]
    tot = sc.totals(p.trajectory).merge(path, on="year", how="left")
    appraisal = fin.appraise(store, p)
    head = sc.headline(p)
    from carbon import travel  # the one "= N miles in an average car" helper

    return Pack(
        scenario=scenario, basis=basis, projection=p, totals=tot, assessment=assessment,
        miss=tg.first_miss(assessment.gaps), appraisal=appraisal, macc=fin.macc(appraisal), budget=fin.budget(p),
        headline=head, money=fin.summary(appraisal), assumptions=assumptions(store, scenario, assessment),
        sources=sources(store, p, basis, target_set), equivalence=travel.car_equivalent(store, head["end_kg"], basis),
        abated_equivalence=travel.car_equivalent(store, head["abated_total_kg"], basis),
    )


def assumptions(store, scenario: sc.Scenario, assessment: tg.Assessment) -> list[str]:
    """The money assumptions, how targets are measured, and what was not assessed."""
    out = list(fin.assumptions(store, scenario))
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
    rows += [{"used_for": "price", "id": r.factor_id, "name": f"price of {r.factor_id}", "value": float(r.value),
              "unit": r.unit, "source": r.source} for r in prices.itertuples()]
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
        "Headline": headline_rows(pack).rename(columns={
            "year": "Year", "tCO2e_no_action": "No action (tCO2e)", "tCO2e": "Scenario (tCO2e)",
            "tCO2e_low": "Low (tCO2e)", "tCO2e_high": "High (tCO2e)", "target_tCO2e": "Target path (tCO2e)"}),
        "Targets": gaps[["milestone", "applies_to", "year", "reduction_pct", "target_tCO2e",
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
            "label": "Line", "kind": "Built from", "category": "Category", "tCO2e": f"{pack.scenario.baseline_year} (tCO2e)",
            "tCO2e_low": "Low (tCO2e)", "tCO2e_high": "High (tCO2e)", "detail": "How", "factor_ids": "Factors"}),
        "Assumptions": pd.DataFrame({"Assumption": pack.assumptions}),
        "Sources": pack.sources.rename(columns={
            "used_for": "Used as", "id": "Id", "name": "Name", "value": "Value", "unit": "Unit", "source": "Source id",
            "publisher": "Publisher", "title": "Title", "year": "Year", "address": "Address"}),
    }


def numbers(pack: Pack) -> pd.DataFrame:
    """Every number of the pack in one tidy frame: section, item, year, measure, value, unit."""
    frames = []
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


def to_numbers_csv(pack: Pack) -> str:
    return to_csv(numbers(pack))


def to_xlsx(pack: Pack) -> bytes:
    """A workbook: the tidy numbers, then one sheet per table of the pack."""
    return to_excel({"Numbers": numbers(pack), **tables(pack)})


# ---------------------------------------------------------------------------------------------
# Charts as images
# ---------------------------------------------------------------------------------------------
def figures(pack: Pack) -> dict:
    """The pack's charts, titled, at a fixed width (an image has no container to fill)."""
    gaps = pack.assessment.gaps
    total_gaps = gaps[gaps["applies_to"] == "total"]
    path = pack.totals[["year", "target_tCO2e"]].dropna()
    out = {
        f"Emissions against {pack.assessment.target_set}'s targets (tCO2e a year)":
            charts.trajectory_vs_target(pack.totals, path, total_gaps),
        "Emissions by category (tCO2e a year)": charts.trajectory_by_category(pack.projection.trajectory),
    }
    if len(pack.macc):
        out["Marginal abatement cost curve (cheapest per tonne first)"] = charts.macc(pack.macc)
    if len(pack.budget):
        out["Cumulative budget impact (GBP, undiscounted)"] = charts.cumulative_budget(pack.budget)
    return {k: v.properties(width=CHART_WIDTH) for k, v in out.items()}


#: A line under each chart of the pack, saying how to read it (by the start of its title).
CHART_NOTES = {
    "Emissions against": "Blue: the scenario, with its range from factor uncertainty; grey dotted: no action; "
                         "black dashed: the target path; diamonds: milestones for the total.",
    "Marginal abatement": "Width: tCO2e abated over the appraisal period; height: net present cost per tCO2e "
                          "(below zero saves money).",
    "Cumulative budget": "Thin lines: each intervention; black: all of them. Negative: a net saving.",
}


def chart_note(title: str) -> str:
    return next((v for k, v in CHART_NOTES.items() if title.startswith(k)), "")


def png(chart, scale: float = 2.0) -> bytes:
    """A chart as PNG bytes (vl-convert, no browser needed)."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart.to_dict(), scale=scale)


def images(pack: Pack) -> dict[str, bytes]:
    return {title: png(chart) for title, chart in figures(pack).items()}


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
        if "%" in col:
            return f"{v:g}"
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}"
    return str(v)


def display(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text, numbers rounded for reading (tonnes to the tonne, money as £)."""
    return pd.DataFrame({c: [_fmt_cell(c, v) for v in df[c].tolist()] for c in df.columns})


def headline_text(pack: Pack) -> list[tuple[str, str, str]]:
    """(label, big number, small print) for the headline boxes."""
    h, m = pack.headline, pack.money
    rows = headline_rows(pack).set_index("year")
    out = [(f"Emissions in {h['baseline_year']} (baseline)", co2e(h["baseline_kg"]) + " a year", "")]
    for y in [y for y in rows.index if y not in (h["baseline_year"],)]:
        r = rows.loc[y]
        equivalent = f"{pack.equivalence} a year; " if y == h["end_year"] and pack.equivalence else ""
        # the car equivalence is of the scenario's figure, so it comes first, before the range and no action
        out.append((f"Emissions in {y} with the interventions", co2e(r["tCO2e"] * 1000) + " a year",
                    f"{equivalent}range {co2e(r['tCO2e_low'] * 1000)} – {co2e(r['tCO2e_high'] * 1000)}; "
                    f"no action {co2e(r['tCO2e_no_action'] * 1000)}"))
    out.append(("Abated over the scenario", co2e(h["abated_total_kg"]), pack.abated_equivalence))
    out.append(("Net present cost of the interventions", gbp(m["npc_gbp"]),
                f"{gbp(m['cost_per_tCO2e'])} per tCO2e abated; carbon value (central) {gbp(m['carbon_value_central_gbp'])}"))
    return out


def gap_sentences(pack: Pack) -> list[str]:
    """The first miss, then each milestone's gap in one line."""
    out = [tg.describe_miss(pack.miss, pack.assessment.target_set)]
    for r in pack.assessment.gaps.itertuples():
        state = "met" if r.met else f"missed by {r.gap_tCO2e:,.0f} tCO2e a year"
        out.append(f"{r.milestone}: target {r.target_tCO2e:,.0f}, projected {r.projected_tCO2e:,.0f} tCO2e a year: "
                   f"{state} ({r.target_id}).")
    return out


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------
_CSS = """
body{font-family:Helvetica,Arial,sans-serif;margin:2em auto;max-width:1000px;color:#222}
h1{margin-bottom:0}.sub{color:#555}
.boxes{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}
.box{border:1px solid #ccc;border-radius:6px;padding:.7em 1em;min-width:200px;flex:1}
.box .n{font-size:1.8em;font-weight:bold}.box .s{font-size:.85em;color:#555}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.5em}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}
img{max-width:100%}.caveat{background:#fff7e0;padding:.5em 1em;border-left:4px solid #E69F00}
"""

#: Tables shown in the HTML and PDF (the year-by-category detail is in the CSV and Excel files).
SHOWN = ("Headline", "Targets", "Interventions", "Baseline", "Trajectory")


def to_html(pack: Pack, pictures: dict[str, bytes] | None = None) -> str:
    """A self-contained HTML page (charts embedded as PNG)."""
    pictures = images(pack) if pictures is None else pictures
    s = pack.scenario
    e = html.escape
    t = tables(pack)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Board pack: {e(s.name)}</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>Board pack: {e(s.name)}</h1>",
             f"<p class='sub'>{e(s.description)}</p>",
             f"<p class='sub'>Generated {e(pack.generated)} · GWP basis {e(pack.basis)} · baseline {s.baseline_year} · "
             f"to {s.end_year} · demand growth {s.growth_pct:g}% a year · targets: {e(pack.assessment.target_set)}</p>",
             "<div class='boxes'>"]
    parts += [f"<div class='box'><div>{e(a)}</div><div class='n'>{e(b)}</div><div class='s'>{e(c)}</div></div>"
              for a, b, c in headline_text(pack)]
    parts.append("</div><h2>Against the targets</h2><ul>")
    parts += [f"<li>{e(x)}</li>" for x in gap_sentences(pack)]
    parts.append("</ul>")
    for title, data in pictures.items():
        parts.append(f"<h2>{e(title)}</h2><img alt='{e(title)}' src='data:image/png;base64,"
                     f"{base64.b64encode(data).decode()}'><p class='sub'>{e(chart_note(title))}</p>")
    caveats = [(r.name, r.caveat) for r in pack.appraisal.itertuples() if isinstance(r.caveat, str) and r.caveat]
    if caveats:
        parts.append("<h2>Swaps only where clinically appropriate</h2><div class='caveat'><ul>")
        parts += [f"<li><b>{e(n)}</b>: {e(c)}</li>" for n, c in caveats]
        parts.append("</ul></div>")
    for name in SHOWN:
        parts.append(f"<h2>{e(name)}</h2>" + display(t[name]).to_html(index=False, escape=True, border=0))
    parts.append("<h2>Assumptions</h2><ol>" + "".join(f"<li>{e(a)}</li>" for a in pack.assumptions) + "</ol>")
    src = t["Sources"].copy()
    parts.append("<h2>Sources of every factor used</h2>" + display(src).to_html(index=False, escape=True, border=0))
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------
_LATIN1 = str.maketrans({"−": "-", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...",
                         "≤": "<=", "≥": ">=", "₂": "2", "·": "-", "→": "->", "\u00a0": " "})


def _t(text) -> str:
    """Text the PDF core fonts can draw (Latin-1)."""
    return str(text).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def to_pdf(pack: Pack, pictures: dict[str, bytes] | None = None) -> bytes:
    """A4 PDF: headline and gaps, the charts, the tables, assumptions and sources."""
    from fpdf import FPDF

    pictures = images(pack) if pictures is None else pictures
    s = pack.scenario
    t = tables(pack)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_t(f"Board pack: {s.name}"))
    pdf.set_author("Care-pathway carbon calculator")
    pdf.add_page()
    width = pdf.epw

    def heading(text, size=13):
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(width, 7, _t(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def para(text, size=9, style=""):
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(width, 4.5, _t(text), new_x="LMARGIN", new_y="NEXT")

    heading(f"Board pack: {s.name}", 18)
    para(s.description)
    para(f"Generated {pack.generated} - GWP basis {pack.basis} - baseline {s.baseline_year} to {s.end_year} - demand "
         f"growth {s.growth_pct:g}% a year - targets: {pack.assessment.target_set}", 8, "I")
    pdf.ln(3)
    for label, big, small in headline_text(pack):
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(width * 0.45, 8, _t(label))
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(width * 0.55, 8, _t(big), new_x="LMARGIN", new_y="NEXT")
        if small:
            para(small, 8, "I")
    pdf.ln(2)
    heading("Against the targets")
    for line in gap_sentences(pack):
        para("- " + line)
    for i, (title, data) in enumerate(pictures.items()):
        if i % 2 == 0:
            pdf.add_page()
        heading(title)
        pdf.image(io.BytesIO(data), w=width)
        para(chart_note(title), 8, "I")
        pdf.ln(3)
    caveats = [(r.name, r.caveat) for r in pack.appraisal.itertuples() if isinstance(r.caveat, str) and r.caveat]
    if caveats:
        pdf.ln(3)
        heading("Swaps only where clinically appropriate", 11)
        for n, c in caveats:
            para(f"{n}: {c}", 8)
    for name in SHOWN:
        wide = name in ("Interventions", "Baseline")
        if wide or name == SHOWN[0] or pdf.cur_orientation == "L":
            pdf.add_page(orientation="L" if wide else "P")
        else:
            pdf.ln(4)
        heading(name)
        _table(pdf, display(t[name]), _t)
    pdf.add_page(orientation="P")
    heading("Assumptions")
    for i, a in enumerate(pack.assumptions, 1):
        para(f"{i}. {a}")
    pdf.add_page(orientation="L")
    heading("Sources of every factor used")
    src = display(t["Sources"][["Used as", "Id", "Value", "Unit", "Publisher", "Title", "Year", "Address"]])
    _table(pdf, src, _t, font=6)
    return bytes(pdf.output())


def _table(pdf, df: pd.DataFrame, clean, font: float = 7) -> None:
    """A table that fits the page width; long text wraps inside its cell."""
    pdf.set_font("Helvetica", "", font)
    widths = _col_widths(pdf, df, clean)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=font * 0.5, width=pdf.epw,
                   first_row_as_headings=True) as table:
        head = table.row()
        for c in df.columns:
            head.cell(clean(c))
        for values in df.itertuples(index=False):
            row = table.row()
            for v in values:
                row.cell(clean(v))


def _col_widths(pdf, df: pd.DataFrame, clean) -> list[float]:
    """Column widths (mm) for ``df`` at the current font: each column at least as wide as its
    longest word (so ``2028`` and ``Reduction`` are never broken mid-word), the rest of the page
    width shared in proportion to how much longer each column's text is (cut at 60 characters)."""
    pad = 2.5  # mm: the cell's padding on both sides and its rules
    cap = pdf.epw * 0.3  # a URL is one long word: let it wrap rather than take the page

    def measure(text: str) -> tuple[float, float]:
        text = clean(text)
        words = text.split() or [""]
        return max(pdf.get_string_width(w) for w in words), pdf.get_string_width(text[:60])

    least, want = [], []
    for c in df.columns:
        sizes = [measure(str(c))] + [measure(str(v)) for v in df[c]]
        head_word = sizes[0][0] * 1.12  # headings are bold
        least.append(min(max([head_word] + [w for w, _ in sizes[1:]]) + pad, cap))
        want.append(max(f for _, f in sizes) + pad)
    spare = pdf.epw - sum(least)
    if spare <= 0:
        return [w * pdf.epw / sum(least) for w in least]
    extra = [max(w - m, 0.0) for w, m in zip(want, least)]
    room = sum(extra)
    if room <= spare:  # everything fits on one line: share what is left evenly
        return [m + e + (spare - room) / len(least) for m, e in zip(least, extra)]
    return [m + spare * e / room for m, e in zip(least, extra)]


def write(pack: Pack, path) -> str:
    """Write the pack to ``path`` in the format its suffix names (.pdf, .html, .csv, .xlsx); returns it."""
    from pathlib import Path

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        path.write_bytes(to_pdf(pack))
    elif suffix in (".html", ".htm"):
        path.write_text(to_html(pack), encoding="utf-8")
    elif suffix == ".csv":
        path.write_text(to_numbers_csv(pack), encoding="utf-8")
    elif suffix == ".xlsx":
        path.write_bytes(to_xlsx(pack))
    else:
        raise ValueError(f"{path.name}: the board pack can be written as .pdf, .html, .csv or .xlsx")
    return str(path)


def as_dict(pack: Pack) -> dict:
    """The pack's numbers as plain data (what ``carbon scenario run --format json`` prints)."""
    def records(df: pd.DataFrame) -> list[dict]:
        return df.astype(object).where(df.notna(), None).to_dict(orient="records")

    return {
        "scenario": pack.scenario.name, "gwp_basis": pack.basis, "target_set": pack.assessment.target_set,
        "baseline_year": pack.scenario.baseline_year, "end_year": pack.scenario.end_year,
        "headline": {**pack.headline, **{f"tCO2e_{int(r.year)}": float(r.tCO2e) for r in headline_rows(pack).itertuples()}},
        "first_miss": pack.miss, "finance": pack.money,
        "trajectory": records(pack.totals),
        "gaps": records(pack.assessment.gaps[["target_id", "applies_to", "year", "reduction_pct", "target_tCO2e",
                                              "projected_tCO2e", "gap_tCO2e", "met", "reference"]]),
        "interventions": records(pack.appraisal.drop(columns=["caveat"])),
        "skipped": pack.assessment.skipped,
    }
