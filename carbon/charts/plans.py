"""Scenario and finance charts: trajectories against targets, categories, scenarios compared, the
MACC and the cumulative budget."""

from __future__ import annotations

import altair as alt
import pandas as pd

from carbon.charts.base import BELOW, LABEL_LIMIT, colour_scale, finish, series_scale, tip
from carbon.charts.palette import BLACK, DASHES, GREY, PALETTE, text_colour_on


def trajectory_vs_target(totals: pd.DataFrame, path: pd.DataFrame | None = None,
                         milestones: pd.DataFrame | None = None, title: str = "") -> alt.Chart:
    """A scenario's total emissions a year with its low-high band (blue), the no-action line (grey,
    dotted), the target path (black, dashed) and its milestones (green circles met, vermillion
    crosses missed).

    ``totals``: year, tCO2e, tCO2e_low, tCO2e_high, tCO2e_no_action; ``path``: year,
    target_tCO2e; ``milestones``: year, target_tCO2e, met (+ milestone, its name in words).
    """
    y_title = "tCO2e a year"
    x = alt.X("year:Q", title="Year", axis=alt.Axis(format="d"))
    base = alt.Chart(totals)
    band = base.mark_area(opacity=0.2, color=PALETTE[0]).encode(
        x=x, y=alt.Y("tCO2e_low:Q", title=y_title), y2="tCO2e_high:Q")
    no_action = base.mark_line(color=GREY, strokeDash=[2, 2], strokeWidth=2).encode(
        x=x, y="tCO2e_no_action:Q", tooltip=[alt.Tooltip("year:Q", format="d", title="Year"),
                                              tip("tCO2e_no_action", ",.0f", "no action, tCO2e")])
    line = base.mark_line(color=PALETTE[0], strokeWidth=3).encode(
        x=x, y="tCO2e:Q",
        tooltip=[alt.Tooltip("year:Q", format="d", title="Year"), tip("tCO2e", ",.0f", "scenario, tCO2e"),
                 tip("tCO2e_low", ",.0f", "low"), tip("tCO2e_high", ",.0f", "high")])
    layers = [band, no_action, line]
    if path is not None and len(path):
        layers.append(alt.Chart(path).mark_line(color=BLACK, strokeDash=[6, 4], strokeWidth=2).encode(
            x=x, y="target_tCO2e:Q",
            tooltip=[alt.Tooltip("year:Q", format="d", title="Year"), tip("target_tCO2e", ",.0f", "target path, tCO2e")]))
    if milestones is not None and len(milestones):
        ms = milestones.assign(state=milestones["met"].map({True: "met", False: "missed"}).fillna("missed"))
        legend = alt.Legend(title="Milestone")
        name = [alt.Tooltip("milestone:N", title="Milestone")] if "milestone" in ms.columns else []
        layers.append(alt.Chart(ms).mark_point(size=110, filled=True, opacity=1, strokeWidth=3).encode(
            x=x, y="target_tCO2e:Q",
            color=alt.Color("state:N", scale=alt.Scale(domain=["met", "missed"], range=[PALETTE[2], PALETTE[1]]),
                            legend=legend),
            shape=alt.Shape("state:N", scale=alt.Scale(domain=["met", "missed"], range=["circle", "cross"]),
                            legend=legend),
            tooltip=name + [alt.Tooltip("year:Q", format="d", title="Year"),
                            tip("target_tCO2e", ",.0f", "target, tCO2e"), alt.Tooltip("state:N", title="Met?")]))
    chart = alt.layer(*layers).properties(width="container", height=360)
    return finish(chart.properties(title=title) if title else chart)


def trajectory_by_category(traj: pd.DataFrame) -> alt.Chart:
    """Stacked areas of a scenario's emissions by category (``traj``: year, category, tCO2e), each
    in its category's colour and, where its band is thick enough, named on the band."""
    cats = sorted(traj["category"].astype(str).unique())
    data = traj.assign(category=traj["category"].astype(str), order=traj["category"].astype(str).map(
        {c: i for i, c in enumerate(cats)}))
    x = alt.X("year:Q", title="Year", axis=alt.Axis(format="d"))
    scale = colour_scale(cats[::-1])  # the legend, top to bottom, as the bands are stacked
    areas = alt.Chart(data).mark_area(stroke="white", strokeWidth=0.5).encode(
        x=x, y=alt.Y("tCO2e:Q", title="tCO2e a year", stack="zero"), order=alt.Order("order:Q"),
        color=alt.Color("category:N", title="Category", scale=scale, legend=alt.Legend(**BELOW)),
        tooltip=[alt.Tooltip("year:Q", format="d", title="Year"), alt.Tooltip("category:N", title="Category"),
                 tip("tCO2e", ",.0f", "tCO2e a year")])
    layers = [areas]
    if len(data):
        first = data[data["year"] == data["year"].min()].sort_values("order")
        top = first["tCO2e"].cumsum()
        total = data.groupby("year")["tCO2e"].sum().max()
        labels = first.assign(mid=top - first["tCO2e"] / 2,
                              ink=first["category"].map(lambda c: text_colour_on(scale.range[scale.domain.index(c)])))
        labels = labels[labels["tCO2e"] >= 0.06 * total] if total > 0 else labels.iloc[0:0]
        layers.append(alt.Chart(labels).mark_text(align="left", dx=6, fontWeight="bold", limit=LABEL_LIMIT).encode(
            x=x, y="mid:Q", text="category:N", color=alt.Color("ink:N", scale=None)))
    return finish(alt.layer(*layers).properties(width="container", height=320))


def scenario_comparison(df: pd.DataFrame, path: pd.DataFrame | None = None) -> alt.Chart:
    """Two or more scenarios' totals on one chart (``df``: scenario, year, tCO2e, tCO2e_low,
    tCO2e_high), each with its band, colour and dash, and an optional target path (year, target_tCO2e)."""
    names = list(dict.fromkeys(df["scenario"]))
    cs, _, _ = series_scale(names)
    dashes = alt.Scale(domain=names, range=[DASHES[i % len(DASHES)] for i in range(len(names))])
    legend = alt.Legend(title="Scenario", symbolType="stroke", symbolStrokeWidth=3, **BELOW)
    x = alt.X("year:Q", title="Year", axis=alt.Axis(format="d"))
    base = alt.Chart(df)
    band = base.mark_area(opacity=0.12).encode(x=x, y=alt.Y("tCO2e_low:Q", title="tCO2e a year"), y2="tCO2e_high:Q",
                                               color=alt.Color("scenario:N", scale=cs, legend=legend))
    line = base.mark_line(strokeWidth=3).encode(
        x=x, y="tCO2e:Q", color=alt.Color("scenario:N", scale=cs, legend=legend),
        strokeDash=alt.StrokeDash("scenario:N", scale=dashes, legend=legend),
        tooltip=[alt.Tooltip("scenario:N", title="Scenario"), alt.Tooltip("year:Q", format="d", title="Year"),
                 tip("tCO2e", ",.0f", "tCO2e a year")])
    layers = [band, line]
    if path is not None and len(path):
        layers.append(alt.Chart(path).mark_line(color=BLACK, strokeDash=[6, 4], strokeWidth=2).encode(
            x=x, y="target_tCO2e:Q", tooltip=[tip("target_tCO2e", ",.0f", "target path, tCO2e")]))
    return finish(alt.layer(*layers).properties(width="container", height=360))


#: Characters of an intervention's name in the MACC's key (the full name is in the bar's tooltip).
KEY_LIMIT = 60


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def macc_key(df: pd.DataFrame) -> list[str]:
    """The key under the MACC: each bar's number, the intervention and its category."""
    return [f"{i}. {_cut(str(n), KEY_LIMIT)} ({c})" for i, (n, c) in enumerate(zip(df["name"], df["category"]), 1)]


def macc(df: pd.DataFrame) -> alt.Chart:
    """Marginal abatement cost curve: one bar per intervention, cheapest per tonne first; width =
    tCO2e abated over the appraisal period (``x0``..``x1``), height = GBP per tCO2e
    (``cost_per_tCO2e``; below zero saves money). Colour = category; each bar is numbered, and the
    key under the chart names its intervention and category."""
    data = df.reset_index(drop=True)
    cats = sorted(data["category"].astype(str).unique()) if len(data) else []
    data = data.assign(number=[str(i) for i in range(1, len(data) + 1)], mid=(data["x0"] + data["x1"]) / 2,
                       above=data["cost_per_tCO2e"].clip(lower=0), below=data["cost_per_tCO2e"].clip(upper=0))
    tips = [alt.Tooltip("number:N", title="Bar"), alt.Tooltip("name:N", title="Intervention"),
            alt.Tooltip("category:N", title="Category"), tip("abated_tCO2e", ",.0f", "tCO2e abated"),
            tip("cost_per_tCO2e", ",.0f", "GBP per tCO2e"), tip("npc_gbp", ",.0f", "net present cost, GBP")]
    bars = alt.Chart(data).mark_rect(stroke="white", strokeWidth=1).encode(
        x=alt.X("x0:Q", title="tCO2e abated over the appraisal period (cumulative)"),
        x2="x1:Q",
        y=alt.Y("cost_per_tCO2e:Q", title="GBP per tCO2e abated (net present cost)", scale=alt.Scale(padding=24)),
        y2=alt.datum(0),
        color=alt.Color("category:N", title="Category", scale=colour_scale(cats)),
        tooltip=tips)
    up = alt.Chart(data[data["cost_per_tCO2e"] >= 0]).mark_text(baseline="bottom", dy=-3).encode(
        x="mid:Q", y="above:Q", text="number:N", tooltip=tips)
    down = alt.Chart(data[data["cost_per_tCO2e"] < 0]).mark_text(baseline="top", dy=3).encode(
        x="mid:Q", y="below:Q", text="number:N", tooltip=tips)
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color=BLACK).encode(y="y:Q")
    key = macc_key(data)
    chart = alt.layer(bars, zero, up, down).properties(width="container", height=340)
    if key:
        chart = chart.properties(title=alt.TitleParams(text="Bars, cheapest per tonne first", subtitle=key, orient="bottom", anchor="start",
                                                       subtitleLineHeight=16, offset=8))
    return finish(chart)


def cumulative_budget(df: pd.DataFrame) -> alt.Chart:
    """Cumulative spend (negative = saving) by year: one line per intervention, each with its own
    colour and dash, and the total in black (``df``: year, name, cumulative_gbp,
    total_cumulative_gbp; GBP, undiscounted)."""
    names = list(dict.fromkeys(df["name"]))
    x = alt.X("year:Q", title="Year", axis=alt.Axis(format="d"))
    cs, _, _ = series_scale(names)
    dashes = alt.Scale(domain=names, range=[DASHES[i % len(DASHES)] for i in range(len(names))])
    legend = alt.Legend(title="Intervention", symbolType="stroke", symbolStrokeWidth=2.5, **BELOW)
    lines = alt.Chart(df).mark_line(strokeWidth=2).encode(
        x=x, y=alt.Y("cumulative_gbp:Q", title="GBP, cumulative (undiscounted)"),
        color=alt.Color("name:N", scale=cs, legend=legend),
        strokeDash=alt.StrokeDash("name:N", scale=dashes, legend=legend),
        tooltip=[alt.Tooltip("name:N", title="Intervention"), alt.Tooltip("year:Q", format="d", title="Year"),
                 tip("cumulative_gbp", ",.0f", "GBP, cumulative")])
    total = alt.Chart(df.drop_duplicates("year")).mark_line(color=BLACK, strokeWidth=4).encode(
        x=x, y="total_cumulative_gbp:Q",
        tooltip=[alt.Tooltip("year:Q", format="d", title="Year"), tip("total_cumulative_gbp", ",.0f", "all, GBP")])
    return finish(alt.layer(lines, total).properties(width="container", height=320))
