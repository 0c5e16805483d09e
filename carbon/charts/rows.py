"""Charts of rows: one bar per factor, category, pathway, swap, board, source, agent, mode or BNF
chapter, each ``BAR_STEP`` pixels high with its label on the y axis."""

from __future__ import annotations

import altair as alt
import pandas as pd

from carbon.charts.base import (
    BAR_STEP,
    BELOW,
    bars_with_range,
    colour_scale,
    finish,
    ranked,
    rows_axis,
    series_scale,
    tip,
    unique,
)
from carbon.charts.palette import BLACK, CATEGORY_COLOURS, GREY, PALETTE


def factor_range(df: pd.DataFrame, unit: str) -> alt.Chart:
    """Central value with low-high whiskers for a set of factors sharing ``unit``.

    Columns: name, value, low, high.
    """
    data, order = ranked(df, "name", "value")
    base = alt.Chart(data).encode(y=rows_axis("name", order))
    rule = base.mark_rule(color=GREY, strokeWidth=2).encode(x=alt.X("low:Q", title=unit), x2="high:Q")
    point = base.mark_point(filled=True, size=70, color=PALETTE[0]).encode(
        x="value:Q", tooltip=["name", tip("value"), tip("low"), tip("high")])
    return finish(alt.layer(rule, point).properties(width="container"), rows=True)


def pathway_breakdown(df: pd.DataFrame, by: str = "category", unit: str = "kgCO2e per patient") -> alt.Chart:
    """A pathway's footprint by ``by`` (category or stage): bars with low-high whiskers; the row
    label names each bar, so its colour (the category's own) is never the only cue.

    Columns: ``by``, kgCO2e, kgCO2e_low, kgCO2e_high (from ``pathways.breakdown``).
    """
    data, order = ranked(df, by, "kgCO2e")
    colour = alt.Color(f"{by}:N", legend=None, scale=colour_scale(order))
    tips = [alt.Tooltip(f"{by}:N", title=by.capitalize()), tip("kgCO2e", title=unit), tip("kgCO2e_low", title="low"),
            tip("kgCO2e_high", title="high")]
    return finish(bars_with_range(data, by, order, "kgCO2e", unit, colour, tips), rows=True)


def pathway_totals(df: pd.DataFrame, value: str = "kgCO2e", unit: str = "kgCO2e per patient") -> alt.Chart:
    """Two to four pathways' totals side by side with low-high whiskers (``df`` from
    ``pathways.compare``; ``value`` is ``kgCO2e`` or ``cohort_kgCO2e``). Each pathway keeps its
    colour in ``pathway_difference``."""
    data = df.reset_index(drop=True).assign(pathway=lambda d: unique(d["pathway"]))
    names = list(data["pathway"])
    colour = alt.Color("pathway:N", legend=None, scale=series_scale(names)[0])
    tips = [alt.Tooltip("pathway:N", title="Pathway"), tip(value, title=unit), tip(f"{value}_low", title="low"),
            tip(f"{value}_high", title="high")]
    return finish(bars_with_range(data, "pathway", names, value, unit, colour, tips), rows=True)


def pathway_difference(df: pd.DataFrame, by: str = "category", value: str = "difference_kgCO2e",
                       unit: str = "kgCO2e per patient, difference from the first pathway") -> alt.Chart:
    """What drives the gap: each group's difference from the first pathway (below zero = lower),
    one bar per other pathway in each group (``df`` from ``pathways.compare_breakdown``, without
    the first pathway). A pathway has its colour of ``pathway_totals`` and a shape at its bar's end."""
    names = list(dict.fromkeys(df["pathway"].astype(str)))
    groups = sorted(str(g) for g in df[by].unique())
    colour, _, shape = series_scale(names, offset=1)
    legend = alt.Legend(title="Pathway", **BELOW)
    base = alt.Chart(df).encode(
        y=rows_axis(by, groups), yOffset=alt.YOffset("pathway:N", sort=names),
        tooltip=[alt.Tooltip("pathway:N", title="Pathway"), alt.Tooltip(f"{by}:N", title=by.capitalize()),
                 tip(value, title=unit)])
    bars = base.mark_bar().encode(x=alt.X(f"{value}:Q", title=unit),
                                  color=alt.Color("pathway:N", scale=colour, legend=legend))
    ends = base.mark_point(filled=True, size=60, opacity=1, color=BLACK).encode(
        x=f"{value}:Q", shape=alt.Shape("pathway:N", scale=shape, legend=legend))
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color=BLACK).encode(x="x:Q")
    return finish(alt.layer(bars, ends, zero).properties(width="container"), rows=True)


def swap_savings(df: pd.DataFrame, unit: str = "kgCO2e saved per patient") -> alt.Chart:
    """The swaps that fit a pathway, largest saving first, with low-high whiskers (``df`` from
    ``alternatives.applicable``)."""
    data, order = ranked(df, "name", "saving_kgCO2e")
    tips = [alt.Tooltip("name:N", title="Swap"), tip("saving_kgCO2e", title=unit),
            tip("saving_kgCO2e_low", title="low"), tip("saving_kgCO2e_high", title="high")]
    return finish(bars_with_range(data, "name", order, "saving_kgCO2e", unit, CATEGORY_COLOURS["travel"], tips),
                   rows=True)


def ranked_bars(df: pd.DataFrame, label: str, value: str = "kgCO2e", title: str = "kgCO2e (inhalers)",
                top: int = 25) -> alt.Chart:
    """The ``top`` groups by ``value``, largest first, with low-high whiskers where the frame has
    ``{value}_low``/``{value}_high``; ``label`` names the column shown on the y axis."""
    data, order = ranked(df.nlargest(top, value), label, value)
    tips = [alt.Tooltip(f"{label}:N", title=label.capitalize()), tip(value, title=title)]
    return finish(bars_with_range(data, label, order, value, title, CATEGORY_COLOURS["inhaler"], tips), rows=True)


def board_footprint(table: pd.DataFrame, year: str, previous: str) -> alt.Chart:
    """A board's footprint by source: the year shown (solid blue) and the year before (grey outline)
    side by side, with each source's target level as a black tick where it has one.

    ``table``: label, tCO2e, previous_tCO2e, target_tCO2e, target (``board.view``'s table, without
    the total, which would dwarf the sources).
    """
    order = list(unique(table["label"]))
    table = table.reset_index(drop=True).assign(label=order)
    long = pd.concat([table.assign(year=previous, value=table["previous_tCO2e"]),
                      table.assign(year=year, value=table["tCO2e"])], ignore_index=True).dropna(subset=["value"])
    y = rows_axis("label", order)
    legend = alt.Legend(title="Year", orient="top", symbolStrokeWidth=1.5)
    bars = alt.Chart(long).mark_bar(strokeWidth=1.5).encode(
        x=alt.X("value:Q", title="tCO2e a year"), y=y,
        yOffset=alt.YOffset("year:N", sort=[previous, year]),
        fill=alt.Fill("year:N", scale=alt.Scale(domain=[previous, year], range=["white", PALETTE[0]]), legend=legend),
        stroke=alt.Stroke("year:N", scale=alt.Scale(domain=[previous, year], range=[GREY, PALETTE[0]]), legend=legend),
        tooltip=[alt.Tooltip("label:N", title="Source"), alt.Tooltip("year:N", title="Year"),
                 tip("value", ",.0f", "tCO2e")])
    targets = table.dropna(subset=["target_tCO2e"])
    ticks = alt.Chart(targets).mark_tick(color=BLACK, thickness=3, size=BAR_STEP * 2 - 6).encode(
        x="target_tCO2e:Q", y=y,
        tooltip=[alt.Tooltip("label:N", title="Source"), alt.Tooltip("target:N", title="Target"),
                 tip("target_tCO2e", ",.0f", "target level, tCO2e")])
    chart = alt.layer(bars, ticks).properties(width="container", height=alt.Step(BAR_STEP, **{"for": "offset"}))
    return finish(chart)


def agent_comparison(df: pd.DataFrame, unit: str = "kgCO2e per anaesthetic") -> alt.Chart:
    """The same anaesthetic with each agent (and TIVA/regional at zero): bars with low-high
    whiskers and the central figure printed at the end of each.

    Columns: name, kgCO2e, kgCO2e_low, kgCO2e_high (from ``anaesthetics.compare_agents``).
    """
    data = df.reset_index(drop=True).assign(name=lambda d: unique(d["name"]))
    order = list(data["name"])
    tips = [alt.Tooltip("name:N", title="Anaesthetic"), tip("kgCO2e", ",.3g", unit), tip("kgCO2e_low", ",.3g", "low"),
            tip("kgCO2e_high", ",.3g", "high")]
    labels = alt.Chart(data).mark_text(align="left", dx=4).encode(
        y=rows_axis("name", order), x="kgCO2e_high:Q", text=alt.Text("kgCO2e:Q", format=",.3g"))
    return finish(bars_with_range(data, "name", order, "kgCO2e", f"{unit} (agent vented)",
                                    CATEGORY_COLOURS["anaesthetic"], tips, (labels,)), rows=True)


def travel_by_mode(df: pd.DataFrame, unit: str = "kgCO2e a year") -> alt.Chart:
    """A service's travel by mode, with the virtual-consultation saving as a negative bar (left of
    zero, and named so).

    Columns: name, kind ('travel' or 'virtual saving'), kgCO2e, kgCO2e_low, kgCO2e_high
    (from ``travel.service``).
    """
    data = df.reset_index(drop=True).assign(name=lambda d: unique(d["name"]))
    order = list(data["name"])
    colour = alt.Color("kind:N", title=None, scale=alt.Scale(domain=["travel", "virtual saving"],
                                                             range=[CATEGORY_COLOURS["travel"], PALETTE[1]]),
                       legend=alt.Legend(orient="bottom"))
    tips = [alt.Tooltip("name:N", title="Mode"), tip("kgCO2e", title=unit), tip("distance_km", ",.0f", "km")]
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color=BLACK).encode(x="x:Q")
    return finish(bars_with_range(data, "name", order, "kgCO2e", unit, colour, tips, (zero,)), rows=True)


def prescribing_chapters(df: pd.DataFrame) -> alt.Chart:
    """All of prescribing's carbon by BNF chapter, each bar split by how it was counted: inhalers by
    product footprint (blue, left), the rest by spend (purple). ``df``: ``prescribing.chapters.by_chapter``."""
    data = df.assign(chapter=df["bnf_chapter"].map(lambda c: f"{int(c):02d}") + " " + df["chapter_name"].astype(str))
    order = list(data.groupby("chapter", sort=False)["kgCO2e"].sum().sort_values(ascending=False).index)
    methods = list(dict.fromkeys(data["method"]))
    colours = [CATEGORY_COLOURS["inhaler"] if "product" in m else CATEGORY_COLOURS["medicine"] for m in methods]
    data = data.assign(stack=data["method"].map({m: i for i, m in enumerate(methods)}))
    chart = alt.Chart(data).mark_bar(stroke="white", strokeWidth=1).encode(
        x=alt.X("sum(kgCO2e):Q", title="kgCO2e (imported months)", stack="zero"),
        y=rows_axis("chapter", order), order=alt.Order("stack:Q"),
        color=alt.Color("method:N", title="Counted by", scale=alt.Scale(domain=methods, range=colours),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("chapter:N", title="BNF chapter"), alt.Tooltip("method:N", title="Counted by"),
                 tip("sum(kgCO2e)", ",.4g", "kgCO2e"), tip("sum(cost_gbp)", ",.2f", "Cost (£)")],
    )
    return finish(chart.properties(width="container"), rows=True)
