"""Every chart of the product: a tidy DataFrame in, an Altair chart out.

One colour-blind-safe palette (Okabe & Ito, 2008) is used everywhere, and every axis says its
unit. Pages only place the charts these functions return.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

#: Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]
GREY = "#999999"
#: Fixed colours for categories that recur across pages, so "inhaler" is always the same blue.
CATEGORY_COLOURS = {
    "inhaler": PALETTE[0],
    "anaesthetic": PALETTE[1],
    "travel": PALETTE[2],
    "medicine": PALETTE[3],
    "waste": PALETTE[4],
    "consumable": PALETTE[5],
    "energy": PALETTE[6],
    "other": GREY,
}


def colour_scale(domain: list[str]) -> alt.Scale:
    """A colour scale for ``domain`` that keeps known categories on their fixed colours."""
    domain = [str(d) for d in domain]
    spare = iter([c for c in PALETTE if c not in CATEGORY_COLOURS.values()] + PALETTE)
    colours = [CATEGORY_COLOURS.get(d) or next(spare) for d in domain]
    return alt.Scale(domain=domain, range=colours)


def _base(df: pd.DataFrame) -> alt.Chart:
    return alt.Chart(df).properties(width="container")


# --- factors -------------------------------------------------------------------------------------
def factor_range(df: pd.DataFrame, unit: str) -> alt.Chart:
    """Central value with low-high whiskers for a set of factors sharing ``unit``.

    Columns: name, value, low, high.
    """
    base = _base(df).encode(y=alt.Y("name:N", title=None, sort="-x"))
    rule = base.mark_rule(color=GREY).encode(x=alt.X("low:Q", title=unit), x2="high:Q")
    point = base.mark_point(filled=True, size=60, color=PALETTE[0]).encode(
        x="value:Q", tooltip=["name", "value", "low", "high"]
    )
    return (rule + point).properties(height=max(120, 22 * len(df)))


# --- pathways ------------------------------------------------------------------------------------
def pathway_breakdown(df: pd.DataFrame, by: str = "category", unit: str = "kgCO2e per patient") -> alt.Chart:
    """A pathway's footprint by ``by`` (category or stage): bars with low-high whiskers.

    Columns: ``by``, kgCO2e, kgCO2e_low, kgCO2e_high (from ``pathways.breakdown``).
    """
    groups = [str(g) for g in df[by]]
    base = _base(df).encode(y=alt.Y(f"{by}:N", title=None, sort="-x"))
    bars = base.mark_bar().encode(
        x=alt.X("kgCO2e:Q", title=unit),
        color=alt.Color(f"{by}:N", legend=None, scale=colour_scale(groups)),
        tooltip=[by, alt.Tooltip("kgCO2e:Q", format=",.4g"), alt.Tooltip("kgCO2e_low:Q", format=",.4g"),
                 alt.Tooltip("kgCO2e_high:Q", format=",.4g")],
    )
    whiskers = base.mark_rule(color=PALETTE[7]).encode(x="kgCO2e_low:Q", x2="kgCO2e_high:Q")
    return (bars + whiskers).properties(height=max(120, 32 * len(df)))


def pathway_totals(df: pd.DataFrame, value: str = "kgCO2e", unit: str = "kgCO2e per patient") -> alt.Chart:
    """Two to four pathways' totals side by side with low-high whiskers (``df`` from
    ``pathways.compare``; ``value`` is ``kgCO2e`` or ``cohort_kgCO2e``)."""
    names = list(dict.fromkeys(df["pathway"]))
    base = _base(df).encode(y=alt.Y("pathway:N", title=None, sort=names, axis=alt.Axis(labelLimit=320)))
    bars = base.mark_bar().encode(
        x=alt.X(f"{value}:Q", title=unit),
        color=alt.Color("pathway:N", legend=None, scale=alt.Scale(domain=names, range=PALETTE[: len(names)])),
        tooltip=["pathway", alt.Tooltip(f"{value}:Q", format=",.4g"), alt.Tooltip(f"{value}_low:Q", format=",.4g"),
                 alt.Tooltip(f"{value}_high:Q", format=",.4g")],
    )
    whiskers = base.mark_rule(color=PALETTE[7]).encode(x=f"{value}_low:Q", x2=f"{value}_high:Q")
    return (bars + whiskers).properties(height=max(120, 40 * len(df)))


def pathway_difference(df: pd.DataFrame, by: str = "category", value: str = "difference_kgCO2e",
                       unit: str = "kgCO2e per patient, difference from the first pathway") -> alt.Chart:
    """What drives the gap: each group's difference from the first pathway, one row of bars per
    other pathway (``df`` from ``pathways.compare_breakdown``); below zero = lower."""
    groups = sorted(str(g) for g in df[by].unique())
    bars = alt.Chart(df).mark_bar().encode(
        x=alt.X(f"{value}:Q", title=unit),
        y=alt.Y(f"{by}:N", title=None),
        color=alt.Color(f"{by}:N", title=by.capitalize(), scale=colour_scale(groups)),
        row=alt.Row("pathway:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=["pathway", by, alt.Tooltip(f"{value}:Q", format=",.4g")],
    )
    return bars.properties(width=520)


def swap_savings(df: pd.DataFrame, unit: str = "kgCO2e saved per patient") -> alt.Chart:
    """The swaps that fit a pathway, largest saving first, with low-high whiskers (``df`` from
    ``alternatives.applicable``)."""
    base = _base(df).encode(y=alt.Y("name:N", title=None, sort="-x", axis=alt.Axis(labelLimit=320)))
    bars = base.mark_bar(color=PALETTE[2]).encode(
        x=alt.X("saving_kgCO2e:Q", title=unit),
        tooltip=["name", alt.Tooltip("saving_kgCO2e:Q", format=",.4g"),
                 alt.Tooltip("saving_kgCO2e_low:Q", format=",.4g"), alt.Tooltip("saving_kgCO2e_high:Q", format=",.4g")],
    )
    whiskers = base.mark_rule(color=PALETTE[7]).encode(x="saving_kgCO2e_low:Q", x2="saving_kgCO2e_high:Q")
    return (bars + whiskers).properties(height=max(120, 30 * len(df)))


# --- prescribing ---------------------------------------------------------------------------------
FLAG_COLOURS = {
    "within limits": GREY,
    "above 95% limit": PALETTE[1],
    "above 99.8% limit": PALETTE[5],
    "below 95% limit": PALETTE[4],
    "below 99.8% limit": PALETTE[0],
}


def funnel_plot(points: pd.DataFrame, curve: pd.DataFrame, target: float, value_title: str,
                volume_title: str, percent: bool = False) -> alt.Chart:
    """Practices on a funnel plot: volume (x, log scale) against the indicator (y), the target
    (black rule) and the 95 % (dashed) and 99.8 % (solid) control limits; points coloured by flag.

    ``points``: practice, volume, value, flag (+ optional practice_name, board, z);
    ``curve``: n, lower95, upper95, lower998, upper998 (from ``carbon.variation.curve``).
    """
    fmt = ".0%" if percent else ",.4g"
    x = alt.X("n:Q", title=volume_title, scale=alt.Scale(type="log"))
    lines = curve.melt("n", ["lower95", "upper95", "lower998", "upper998"], "limit", "y")
    lines["level"] = lines["limit"].str.endswith("95").map({True: "95% limits", False: "99.8% limits"})
    limit = alt.Chart(lines).mark_line(color=PALETTE[7]).encode(
        x=x, y=alt.Y("y:Q", title=value_title, axis=alt.Axis(format=fmt)), detail="limit:N",
        strokeDash=alt.StrokeDash("level:N", title="Control limits",
                                  scale=alt.Scale(domain=["95% limits", "99.8% limits"], range=[[5, 4], [1, 0]])))
    centre = alt.Chart(pd.DataFrame({"y": [target]})).mark_rule(color=PALETTE[2], strokeWidth=2).encode(
        y="y:Q", tooltip=[alt.Tooltip("y:Q", title="overall (target)", format=fmt)])
    flags = list(FLAG_COLOURS)
    tips = [c for c in ("practice", "practice_name", "board") if c in points.columns]
    dots = alt.Chart(points.rename(columns={"volume": "n"})).mark_circle(size=70, opacity=0.85).encode(
        x=x, y="value:Q",
        color=alt.Color("flag:N", title="Practice", scale=alt.Scale(domain=flags, range=list(FLAG_COLOURS.values()))),
        tooltip=tips + [alt.Tooltip("n:Q", title=volume_title, format=",.0f"),
                        alt.Tooltip("value:Q", title=value_title, format=fmt), "flag"])
    return alt.layer(limit, centre, dots).properties(width="container", height=420)


def footprint_trend(df: pd.DataFrame, colour: str = "board") -> alt.Chart:
    """kgCO2e a month, one line per ``colour`` group (``df``: month 'YYYY-MM', kgCO2e, colour col)."""
    names = sorted(df[colour].dropna().astype(str).unique()) if colour in df.columns else []
    enc = dict(
        x=alt.X("month:T", title="Month (paid)", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("kgCO2e:Q", title="kgCO2e a month (inhalers)"),
        tooltip=[alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("kgCO2e:Q", format=",.0f"),
                 alt.Tooltip("inhalers:Q", format=",.0f")] + ([colour] if names else []),
    )
    if names:
        # 14 Scottish boards, 42 ICBs: past eight the colours repeat, so each round of them has its own dash
        dashes = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2]]
        legend = alt.Legend(labelLimit=260, symbolLimit=0, symbolType="stroke", symbolStrokeWidth=2.5,
                            columns=1 if len(names) <= 20 else 2)
        enc["color"] = alt.Color(f"{colour}:N", title=colour.capitalize(), legend=legend,
                                 scale=alt.Scale(domain=names, range=[PALETTE[i % 8] for i in range(len(names))]))
        enc["strokeDash"] = alt.StrokeDash(f"{colour}:N", title=colour.capitalize(), legend=legend, scale=alt.Scale(
            domain=names, range=[dashes[(i // 8) % len(dashes)] for i in range(len(names))]))
    # tall enough for every board in the legend
    return _base(df).mark_line(point=True).encode(**enc).properties(height=max(320, 22 * min(len(names), 20)))


def ranked_bars(df: pd.DataFrame, label: str, value: str = "kgCO2e", title: str = "kgCO2e (inhalers)",
                top: int = 25) -> alt.Chart:
    """The ``top`` groups by ``value``, largest first, with low-high whiskers where the frame has
    ``{value}_low``/``{value}_high``; ``label`` names the column shown on the y axis."""
    data = df.nlargest(top, value)
    base = _base(data).encode(y=alt.Y(f"{label}:N", title=None, sort="-x", axis=alt.Axis(labelLimit=320)))
    bars = base.mark_bar(color=CATEGORY_COLOURS["inhaler"]).encode(
        x=alt.X(f"{value}:Q", title=title),
        tooltip=[label, alt.Tooltip(f"{value}:Q", format=",.4g")])
    layers = [bars]
    if f"{value}_low" in data.columns and f"{value}_high" in data.columns:
        layers.append(base.mark_rule(color=PALETTE[7]).encode(x=f"{value}_low:Q", x2=f"{value}_high:Q"))
    return alt.layer(*layers).properties(height=max(80, 26 * len(data)))




# --- scenarios and finance -----------------------------------------------------------------------
def trajectory_vs_target(totals: pd.DataFrame, path: pd.DataFrame | None = None,
                         milestones: pd.DataFrame | None = None, title: str = "") -> alt.Chart:
    """A scenario's total emissions a year with its low-high band, the no-action line and the
    target path (dashed black) with its milestones.

    ``totals``: year, tCO2e, tCO2e_low, tCO2e_high, tCO2e_no_action; ``path``: year,
    target_tCO2e; ``milestones``: year, target_tCO2e, target_id, met.
    """
    y_title = "tCO2e per year"
    x = alt.X("year:Q", title="Year", axis=alt.Axis(format="d"))
    base = alt.Chart(totals)
    band = base.mark_area(opacity=0.25, color=PALETTE[0]).encode(
        x=x, y=alt.Y("tCO2e_low:Q", title=y_title), y2="tCO2e_high:Q")
    no_action = base.mark_line(color=GREY, strokeDash=[2, 2]).encode(
        x=x, y="tCO2e_no_action:Q", tooltip=[alt.Tooltip("year:Q", format="d"),
                                              alt.Tooltip("tCO2e_no_action:Q", title="no action, tCO2e", format=",.0f")])
    line = base.mark_line(color=PALETTE[0], strokeWidth=3).encode(
        x=x, y="tCO2e:Q",
        tooltip=[alt.Tooltip("year:Q", format="d"), alt.Tooltip("tCO2e:Q", title="scenario, tCO2e", format=",.0f"),
                 alt.Tooltip("tCO2e_low:Q", title="low", format=",.0f"),
                 alt.Tooltip("tCO2e_high:Q", title="high", format=",.0f")])
    layers = [band, no_action, line]
    if path is not None and len(path):
        layers.append(alt.Chart(path).mark_line(color=PALETTE[7], strokeDash=[6, 4]).encode(
            x=x, y="target_tCO2e:Q",
            tooltip=[alt.Tooltip("year:Q", format="d"), alt.Tooltip("target_tCO2e:Q", title="target path, tCO2e",
                                                                   format=",.0f")]))
    if milestones is not None and len(milestones):
        layers.append(alt.Chart(milestones).mark_point(size=90, filled=True, shape="diamond").encode(
            x=x, y="target_tCO2e:Q",
            color=alt.Color("met:N", title="Milestone",
                            scale=alt.Scale(domain=[True, False], range=[PALETTE[2], PALETTE[5]]),
                            legend=alt.Legend(labelExpr="datum.label == 'true' ? 'met' : 'missed'")),
            tooltip=["target_id", alt.Tooltip("year:Q", format="d"),
                     alt.Tooltip("target_tCO2e:Q", title="target, tCO2e", format=",.0f"), "met"]))
    chart = alt.layer(*layers).properties(width="container", height=360)
    return chart.properties(title=title) if title else chart


def trajectory_by_category(traj: pd.DataFrame) -> alt.Chart:
    """Stacked areas of a scenario's emissions by category (``traj``: year, category, tCO2e)."""
    cats = sorted(traj["category"].unique())
    return _base(traj).mark_area().encode(
        x=alt.X("year:Q", title="Year", axis=alt.Axis(format="d")),
        y=alt.Y("tCO2e:Q", title="tCO2e per year", stack=True),
        color=alt.Color("category:N", title="Category", scale=colour_scale(cats)),
        tooltip=[alt.Tooltip("year:Q", format="d"), "category", alt.Tooltip("tCO2e:Q", format=",.0f")],
    ).properties(height=320)


def scenario_comparison(df: pd.DataFrame, path: pd.DataFrame | None = None) -> alt.Chart:
    """Two or more scenarios' totals on one chart (``df``: scenario, year, tCO2e, tCO2e_low,
    tCO2e_high), each with its band, and an optional target path (year, target_tCO2e)."""
    names = list(dict.fromkeys(df["scenario"]))
    colour = alt.Color("scenario:N", title="Scenario", legend=alt.Legend(labelLimit=300),
                       scale=alt.Scale(domain=names, range=[PALETTE[i % 7] for i in range(len(names))]))
    x = alt.X("year:Q", title="Year", axis=alt.Axis(format="d"))
    base = alt.Chart(df)
    band = base.mark_area(opacity=0.15).encode(x=x, y=alt.Y("tCO2e_low:Q", title="tCO2e per year"),
                                               y2="tCO2e_high:Q", color=colour)
    line = base.mark_line(strokeWidth=3).encode(
        x=x, y="tCO2e:Q", color=colour,
        tooltip=["scenario", alt.Tooltip("year:Q", format="d"), alt.Tooltip("tCO2e:Q", format=",.0f")])
    layers = [band, line]
    if path is not None and len(path):
        layers.append(alt.Chart(path).mark_line(color=PALETTE[7], strokeDash=[6, 4]).encode(
            x=x, y="target_tCO2e:Q", tooltip=[alt.Tooltip("target_tCO2e:Q", title="target path, tCO2e", format=",.0f")]))
    return alt.layer(*layers).properties(width="container", height=360)


def macc(df: pd.DataFrame) -> alt.Chart:
    """Marginal abatement cost curve: one bar per intervention, cheapest per tonne first; width =
    tCO2e abated over the appraisal period (``x0``..``x1``), height = GBP per tCO2e
    (``cost_per_tCO2e``; below zero saves money). Colour = category."""
    cats = sorted(df["category"].unique()) if len(df) else []
    bars = alt.Chart(df).mark_rect(stroke="white", strokeWidth=1).encode(
        x=alt.X("x0:Q", title="tCO2e abated over the appraisal period (cumulative)"),
        x2="x1:Q",
        y=alt.Y("cost_per_tCO2e:Q", title="GBP per tCO2e abated (net present cost)"),
        y2=alt.datum(0),
        color=alt.Color("category:N", title="Category", scale=colour_scale(cats)),
        tooltip=["name", "category", alt.Tooltip("abated_tCO2e:Q", title="tCO2e abated", format=",.0f"),
                 alt.Tooltip("cost_per_tCO2e:Q", title="GBP per tCO2e", format=",.0f"),
                 alt.Tooltip("npc_gbp:Q", title="net present cost, GBP", format=",.0f")],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color=GREY).encode(y="y:Q")
    return alt.layer(bars, zero).properties(width="container", height=340)


def cumulative_budget(df: pd.DataFrame) -> alt.Chart:
    """Cumulative spend (negative = saving) by year: one line per intervention and the total
    in black (``df``: year, name, cumulative_gbp, total_cumulative_gbp; GBP, undiscounted)."""
    names = list(dict.fromkeys(df["name"]))
    x = alt.X("year:Q", title="Year", axis=alt.Axis(format="d"))
    # seven colours (black is the total): the eighth line on repeats a colour, so it is dashed
    dashes = [[1, 0], [6, 3], [2, 2]]
    lines = alt.Chart(df).mark_line().encode(
        x=x, y=alt.Y("cumulative_gbp:Q", title="GBP, cumulative (undiscounted)"),
        color=alt.Color("name:N", title="Intervention", legend=alt.Legend(labelLimit=260),
                        scale=alt.Scale(domain=names, range=[PALETTE[i % 7] for i in range(len(names))])),
        strokeDash=alt.StrokeDash("name:N", title="Intervention", legend=alt.Legend(labelLimit=260), scale=alt.Scale(
            domain=names, range=[dashes[(i // 7) % 3] for i in range(len(names))])),
        tooltip=["name", alt.Tooltip("year:Q", format="d"), alt.Tooltip("cumulative_gbp:Q", format=",.0f")])
    total = alt.Chart(df.drop_duplicates("year")).mark_line(color=PALETTE[7], strokeWidth=3).encode(
        x=x, y="total_cumulative_gbp:Q",
        tooltip=[alt.Tooltip("year:Q", format="d"), alt.Tooltip("total_cumulative_gbp:Q", title="all, GBP", format=",.0f")])
    return alt.layer(lines, total).properties(width="container", height=320)



def board_footprint(table: pd.DataFrame, year: str, previous: str) -> alt.Chart:
    """A board's footprint by source: the year shown (blue) and the year before (grey) side by side,
    with each source's target level as a black tick where it has one.

    ``table``: label, tCO2e, previous_tCO2e, target_tCO2e, target (``board.view``'s table, without
    the total, which would dwarf the sources).
    """
    order = list(table["label"])
    long = pd.concat([table.assign(year=previous, value=table["previous_tCO2e"]),
                      table.assign(year=year, value=table["tCO2e"])], ignore_index=True).dropna(subset=["value"])
    y = alt.Y("label:N", title=None, sort=order, axis=_ROW_LABELS)
    bars = alt.Chart(long).mark_bar().encode(
        x=alt.X("value:Q", title="tCO2e a year"), y=y,
        yOffset=alt.YOffset("year:N", sort=[previous, year]),
        color=alt.Color("year:N", title="Year", scale=alt.Scale(domain=[previous, year], range=[GREY, PALETTE[0]])),
        tooltip=["label", "year", alt.Tooltip("value:Q", title="tCO2e", format=",.0f")])
    targets = table.dropna(subset=["target_tCO2e"])
    ticks = alt.Chart(targets).mark_tick(color=PALETTE[7], thickness=3, size=30).encode(
        x="target_tCO2e:Q", y=y,
        tooltip=["label", "target", alt.Tooltip("target_tCO2e:Q", title="target level, tCO2e", format=",.0f")])
    return alt.layer(bars, ticks).properties(width="container", height=70 + 44 * max(len(order), 2))


# --- calculators ---------------------------------------------------------------------------------
#: Row labels of the calculators' bar charts: whole names ("Regional anaesthesia (spinal, ...)"),
#: never hidden when rows are close.
_ROW_LABELS = alt.Axis(labelLimit=360, labelOverlap=False)


def _rows_height(rows: int) -> int:
    """Chart height in pixels for ``rows`` bars: Streamlit counts the axis in the height, so each
    bar gets 34 px after 70 px of axis and title."""
    return 70 + 34 * max(rows, 2)


def agent_comparison(df: pd.DataFrame, unit: str = "kgCO2e per anaesthetic") -> alt.Chart:
    """The same anaesthetic with each agent (and TIVA/regional at zero): bars with low-high whiskers.

    Columns: name, kgCO2e, kgCO2e_low, kgCO2e_high (from ``anaesthetics.compare_agents``).
    """
    base = _base(df).encode(y=alt.Y("name:N", title=None, sort=None, axis=_ROW_LABELS))
    bars = base.mark_bar(color=CATEGORY_COLOURS["anaesthetic"]).encode(
        x=alt.X("kgCO2e:Q", title=f"{unit} (agent vented)"),
        tooltip=["name", alt.Tooltip("kgCO2e:Q", format=",.3g"), alt.Tooltip("kgCO2e_low:Q", format=",.3g"),
                 alt.Tooltip("kgCO2e_high:Q", format=",.3g")],
    )
    whiskers = base.mark_rule(color=PALETTE[7]).encode(x="kgCO2e_low:Q", x2="kgCO2e_high:Q")
    labels = base.mark_text(align="left", dx=4).encode(x="kgCO2e_high:Q", text=alt.Text("kgCO2e:Q", format=",.3g"))
    return (bars + whiskers + labels).properties(height=_rows_height(len(df)))


def travel_by_mode(df: pd.DataFrame, unit: str = "kgCO2e a year") -> alt.Chart:
    """A service's travel by mode, with the virtual-consultation saving as a negative bar.

    Columns: name, kind ('travel' or 'virtual saving'), kgCO2e, kgCO2e_low, kgCO2e_high
    (from ``travel.service``).
    """
    base = _base(df).encode(y=alt.Y("name:N", title=None, sort=None, axis=_ROW_LABELS))
    bars = base.mark_bar().encode(
        x=alt.X("kgCO2e:Q", title=unit),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=["travel", "virtual saving"],
                                                              range=[CATEGORY_COLOURS["travel"], PALETTE[4]])),
        tooltip=["name", alt.Tooltip("kgCO2e:Q", format=",.4g"), alt.Tooltip("distance_km:Q", format=",.0f")],
    )
    whiskers = base.mark_rule(color=PALETTE[7]).encode(x="kgCO2e_low:Q", x2="kgCO2e_high:Q")
    return (bars + whiskers).properties(height=_rows_height(len(df)))


def theatre_months(df: pd.DataFrame, colour: str = "theatre") -> alt.Chart:
    """Anaesthetic-gas kgCO2e a month, stacked by theatre (or agent): ``df`` has month 'YYYY-MM', kgCO2e
    and the ``colour`` column (``theatre.summary(store, "theatre_month")``)."""
    names = sorted(df[colour].dropna().astype(str).unique())
    title = "Theatre" if colour == "theatre" else "Agent"
    return _base(df).mark_bar().encode(
        x=alt.X("month:O", title="Month of the case", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(kgCO2e):Q", title="kgCO2e a month (anaesthetic gases)", stack="zero"),
        color=alt.Color(f"{colour}:N", title=title, legend=alt.Legend(labelLimit=260),
                        scale=alt.Scale(domain=names, range=[PALETTE[i % 8] for i in range(len(names))])),
        tooltip=["month:O", f"{colour}:N", alt.Tooltip("sum(kgCO2e):Q", title="kgCO2e", format=",.4g"),
                 alt.Tooltip("sum(cases):Q", title="cases")],
    ).properties(height=320)


# --- prescribing: SPC and quality --------------------------------------------------------------
SPC_COLOURS = {"common cause": PALETTE[0], "special cause": PALETTE[1]}


def spc_chart(df: pd.DataFrame, title: str = "kgCO2e a month (inhalers)") -> alt.Chart:
    """One board's months as an XmR chart (NHS England Making Data Count): the monthly values, the mean
    (solid) and the process limits (dashed); a point with a special cause is orange, its rule in the
    tooltip. ``df``: month 'YYYY-MM', kgCO2e, mean, lower, upper, special_cause (``prescribing.trend``)."""
    data = df.assign(kind=df["special_cause"].where(df["special_cause"] == "common cause", "special cause"),
                     lower=df["lower"].clip(lower=0))
    x = alt.X("month:T", title="Month (paid)",
              axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": max(1, len(data) // 12)}))
    lines = data.melt(["month"], ["mean", "lower", "upper"], "limit", "y")
    lines["line"] = lines["limit"].map({"mean": "mean", "lower": "process limits", "upper": "process limits"})
    limits = alt.Chart(lines).mark_line(color=GREY).encode(
        x=x, y=alt.Y("y:Q", title=title), detail="limit:N",
        strokeDash=alt.StrokeDash("line:N", title="XmR", scale=alt.Scale(domain=["mean", "process limits"],
                                                                          range=[[1, 0], [6, 4]])))
    values = _base(data).mark_line(color=PALETTE[0]).encode(x=x, y="kgCO2e:Q")
    dots = _base(data).mark_circle(size=80).encode(
        x=x, y="kgCO2e:Q",
        color=alt.Color("kind:N", title="Variation",
                        scale=alt.Scale(domain=list(SPC_COLOURS), range=list(SPC_COLOURS.values()))),
        tooltip=[alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("kgCO2e:Q", format=",.0f", title=title),
                 alt.Tooltip("special_cause:N", title="Rule")])
    return alt.layer(limits, values, dots).properties(width="container", height=320)


def reliever_quadrant(df: pd.DataFrame, carbon_title: str) -> alt.Chart:
    """Practices by reliever share (x, %) and carbon (y, ``carbon_title`` says the unit), with the pooled
    values as rules: the top-right quadrant is where high carbon and heavy reliever use coincide.
    ``df``: practice, reliever_share, carbon, pooled_reliever_share, pooled_carbon, hot_spot, inhalers."""
    data = df.assign(where=df["hot_spot"].map({True: "high carbon and high reliever use", False: "other practices"}))
    tips = [c for c in ("practice", "practice_name", "board") if c in data.columns]
    dots = _base(data).mark_circle(opacity=0.8).encode(
        x=alt.X("reliever_share:Q", title="Reliever (SABA) share of inhalers", axis=alt.Axis(format=".0%")),
        y=alt.Y("carbon:Q", title=carbon_title),
        size=alt.Size("inhalers:Q", title="Inhalers", legend=None),
        color=alt.Color("where:N", title="Practice", legend=alt.Legend(labelLimit=320), scale=alt.Scale(
            domain=["high carbon and high reliever use", "other practices"], range=[PALETTE[5], PALETTE[4]])),
        tooltip=tips + [alt.Tooltip("reliever_share:Q", format=".0%", title="Reliever share"),
                        alt.Tooltip("carbon:Q", format=",.1f", title=carbon_title)])
    pooled = data.iloc[:1] if len(data) else data
    vline = alt.Chart(pooled).mark_rule(color=GREY, strokeDash=[4, 3]).encode(x="pooled_reliever_share:Q")
    hline = alt.Chart(pooled).mark_rule(color=GREY, strokeDash=[4, 3]).encode(y="pooled_carbon:Q")
    return alt.layer(dots, vline, hline).properties(width="container", height=380)


def prescribing_chapters(df: pd.DataFrame) -> alt.Chart:
    """All of prescribing's carbon by BNF chapter, each bar split by how it was counted: inhalers by
    product footprint (blue), the rest by spend (purple). ``df``: ``prescribing.chapters.by_chapter``."""
    data = df.assign(chapter=df["bnf_chapter"].map(lambda c: f"{int(c):02d}") + " " + df["chapter_name"].astype(str))
    order = list(data.groupby("chapter", sort=False)["kgCO2e"].sum().sort_values(ascending=False).index)
    methods = list(dict.fromkeys(data["method"]))
    colours = [CATEGORY_COLOURS["inhaler"] if "product" in m else CATEGORY_COLOURS["medicine"] for m in methods]
    return _base(data).mark_bar().encode(
        x=alt.X("sum(kgCO2e):Q", title="kgCO2e (imported months)", stack="zero"),
        y=alt.Y("chapter:N", title=None, sort=order, axis=_ROW_LABELS),
        color=alt.Color("method:N", title="Counted by", scale=alt.Scale(domain=methods, range=colours),
                        legend=alt.Legend(orient="bottom", labelLimit=300)),
        tooltip=[alt.Tooltip("chapter:N", title="BNF chapter"), alt.Tooltip("method:N", title="Counted by"),
                 alt.Tooltip("sum(kgCO2e):Q", title="kgCO2e", format=",.4g"),
                 alt.Tooltip("sum(cost_gbp):Q", title="Cost (£)", format=",.2f")],
    ).properties(height=_rows_height(len(order)))
