"""Prescribing and theatre charts over months or practices: trends, funnels, SPC, reliever use,
theatre gases."""

from __future__ import annotations

import altair as alt
import pandas as pd

from carbon.charts.base import BELOW, finish, month_axis, series_scale, tip
from carbon.charts.palette import BLACK, CATEGORY_COLOURS, GREY, PALETTE

#: Funnel flags: colour and shape (up above the limits, down below, a circle within).
FLAG_COLOURS = {
    "within limits": GREY,
    "above 95% limit": PALETTE[1],
    "above 99.8% limit": CATEGORY_COLOURS["procurement"],
    "below 95% limit": CATEGORY_COLOURS["water"],
    "below 99.8% limit": CATEGORY_COLOURS["refrigerant"],
}
FLAG_SHAPES = {"within limits": "circle", "above 95% limit": "triangle-up", "above 99.8% limit": "diamond",
               "below 95% limit": "triangle-down", "below 99.8% limit": "square"}


def funnel_plot(points: pd.DataFrame, curve: pd.DataFrame, target: float, value_title: str,
                volume_title: str, percent: bool = False) -> alt.Chart:
    """Practices on a funnel plot: volume (x, log scale) against the indicator (y), the target
    (green rule) and the 95 % (dashed) and 99.8 % (solid) control limits; points coloured and
    shaped by flag.

    ``points``: practice, volume, value, flag (+ optional practice_name, board, z);
    ``curve``: n, lower95, upper95, lower998, upper998 (from ``carbon.variation.curve``).
    """
    fmt = ".0%" if percent else ",.4g"
    x = alt.X("n:Q", title=volume_title, scale=alt.Scale(type="log"))
    lines = curve.melt("n", ["lower95", "upper95", "lower998", "upper998"], "limit", "y")
    lines["level"] = lines["limit"].str.endswith("95").map({True: "95% limits", False: "99.8% limits"})
    limit = alt.Chart(lines).mark_line(color=BLACK).encode(
        x=x, y=alt.Y("y:Q", title=value_title, axis=alt.Axis(format=fmt)), detail="limit:N",
        strokeDash=alt.StrokeDash("level:N", title="Control limits",
                                  scale=alt.Scale(domain=["95% limits", "99.8% limits"], range=[[5, 4], [1, 0]])))
    centre = alt.Chart(pd.DataFrame({"y": [target]})).mark_rule(color=PALETTE[2], strokeWidth=2).encode(
        y="y:Q", tooltip=[alt.Tooltip("y:Q", title="overall (target)", format=fmt)])
    flags = list(FLAG_COLOURS)
    tips = [c for c in ("practice", "practice_name", "board") if c in points.columns]
    dots = alt.Chart(points.rename(columns={"volume": "n"})).mark_point(size=70, filled=True, opacity=0.9).encode(
        x=x, y="value:Q",
        color=alt.Color("flag:N", title="Practice", scale=alt.Scale(domain=flags, range=list(FLAG_COLOURS.values()))),
        shape=alt.Shape("flag:N", title="Practice", scale=alt.Scale(domain=flags, range=list(FLAG_SHAPES.values()))),
        tooltip=tips + [alt.Tooltip("n:Q", title=volume_title, format=",.0f"),
                        alt.Tooltip("value:Q", title=value_title, format=fmt), "flag"])
    return finish(alt.layer(limit, centre, dots).properties(width="container", height=420))


def footprint_trend(df: pd.DataFrame, colour: str = "board") -> alt.Chart:
    """kgCO2e a month, one line per ``colour`` group (``df``: month 'YYYY-MM', kgCO2e, colour col);
    each group has its own colour, point shape and, past the palette's length, dash."""
    names = sorted(df[colour].dropna().astype(str).unique()) if colour in df.columns else []
    enc = {
        "x": alt.X("month:T", title="Month (paid)", axis=month_axis(df["month"].nunique() if len(df) else 1)),
        "y": alt.Y("kgCO2e:Q", title="kgCO2e a month (inhalers)"),
        "tooltip": [alt.Tooltip("month:T", format="%b %Y", title="Month"), tip("kgCO2e", ",.0f", "kgCO2e"),
                 tip("inhalers", ",.0f", "Inhalers")] + ([alt.Tooltip(f"{colour}:N", title=colour.capitalize())]
                                                          if names else []),
    }
    if names:
        legend = alt.Legend(symbolLimit=0, orient="bottom", columns=1 if len(names) <= 10 else 2)
        cs, ds, ss = series_scale(names)
        title = colour.capitalize()
        enc["color"] = alt.Color(f"{colour}:N", title=title, legend=legend, scale=cs)
        enc["strokeDash"] = alt.StrokeDash(f"{colour}:N", title=title, legend=legend, scale=ds)
        enc["shape"] = alt.Shape(f"{colour}:N", title=title, legend=legend, scale=ss)
    # tall enough for every board in the legend
    chart = alt.Chart(df).mark_line(point=alt.OverlayMarkDef(filled=True, size=50)).encode(**enc)
    return finish(chart.properties(width="container", height=max(320, 22 * min(len(names), 20))))


def theatre_months(df: pd.DataFrame, colour: str = "theatre") -> alt.Chart:
    """Anaesthetic-gas kgCO2e a month, stacked by theatre (or agent): ``df`` has month 'YYYY-MM', kgCO2e
    and the ``colour`` column (``theatre.summary(store, "theatre_month")``). The legend lists the
    groups in the order they are stacked, top first."""
    names = sorted(df[colour].dropna().astype(str).unique())
    title = "Theatre" if colour == "theatre" else "Agent"
    data = df.assign(stack=df[colour].astype(str).map({n: i for i, n in enumerate(names)}))
    return finish(alt.Chart(data).mark_bar(stroke="white", strokeWidth=0.5).encode(
        x=alt.X("month:O", title="Month of the case", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(kgCO2e):Q", title="kgCO2e a month (anaesthetic gases)", stack="zero"),
        order=alt.Order("stack:Q", sort="descending"),
        color=alt.Color(f"{colour}:N", title=title, sort=names, scale=series_scale(names)[0],
                        legend=alt.Legend(**BELOW)),
        tooltip=[alt.Tooltip("month:O", title="Month"), alt.Tooltip(f"{colour}:N", title=title),
                 tip("sum(kgCO2e)", ",.4g", "kgCO2e"), alt.Tooltip("sum(cases):Q", title="cases")],
    ).properties(width="container", height=320))


SPC_COLOURS = {"common cause": PALETTE[0], "special cause": PALETTE[1]}
SPC_SHAPES = {"common cause": "circle", "special cause": "diamond"}


def spc_chart(df: pd.DataFrame, title: str = "kgCO2e a month (inhalers)") -> alt.Chart:
    """One board's months as an XmR chart (NHS England Making Data Count): the monthly values, the mean
    (solid) and the process limits (dashed); a point with a special cause is a vermillion diamond, its
    rule in the tooltip. ``df``: month 'YYYY-MM', kgCO2e, mean, lower, upper, special_cause
    (``prescribing.trend``)."""
    data = df.assign(kind=df["special_cause"].where(df["special_cause"] == "common cause", "special cause"),
                     lower=df["lower"].clip(lower=0))
    x = alt.X("month:T", title="Month (paid)", axis=month_axis(len(data)))
    lines = data.melt(["month"], ["mean", "lower", "upper"], "limit", "y")
    lines["line"] = lines["limit"].map({"mean": "mean", "lower": "process limits", "upper": "process limits"})
    limits = alt.Chart(lines).mark_line(color=GREY).encode(
        x=x, y=alt.Y("y:Q", title=title), detail="limit:N",
        strokeDash=alt.StrokeDash("line:N", title="XmR", scale=alt.Scale(domain=["mean", "process limits"],
                                                                          range=[[1, 0], [6, 4]])))
    values = alt.Chart(data).mark_line(color=PALETTE[0]).encode(x=x, y="kgCO2e:Q")
    kinds = list(SPC_COLOURS)
    dots = alt.Chart(data).mark_point(size=80, filled=True, opacity=1).encode(
        x=x, y="kgCO2e:Q",
        color=alt.Color("kind:N", title="Variation", scale=alt.Scale(domain=kinds, range=list(SPC_COLOURS.values()))),
        shape=alt.Shape("kind:N", title="Variation", scale=alt.Scale(domain=kinds, range=list(SPC_SHAPES.values()))),
        tooltip=[alt.Tooltip("month:T", format="%b %Y", title="Month"), tip("kgCO2e", ",.0f", title),
                 alt.Tooltip("special_cause:N", title="Rule")])
    return finish(alt.layer(limits, values, dots).properties(width="container", height=320))


def reliever_quadrant(df: pd.DataFrame, carbon_title: str) -> alt.Chart:
    """Practices by reliever share (x, %) and carbon (y, ``carbon_title`` says the unit), with the pooled
    values as rules: the top-right quadrant is where high carbon and heavy reliever use coincide
    (vermillion triangles; other practices blue circles).
    ``df``: practice, reliever_share, carbon, pooled_reliever_share, pooled_carbon, hot_spot, inhalers."""
    data = df.assign(where=df["hot_spot"].map({True: "high carbon and high reliever use", False: "other practices"}))
    tips = [c for c in ("practice", "practice_name", "board") if c in data.columns]
    domain = ["high carbon and high reliever use", "other practices"]
    dots = alt.Chart(data).mark_point(filled=True, opacity=0.85).encode(
        x=alt.X("reliever_share:Q", title="Reliever (SABA) share of inhalers", axis=alt.Axis(format=".0%")),
        y=alt.Y("carbon:Q", title=carbon_title),
        size=alt.Size("inhalers:Q", title="Inhalers", legend=None),
        color=alt.Color("where:N", title="Practice", scale=alt.Scale(domain=domain, range=[PALETTE[1], PALETTE[0]])),
        shape=alt.Shape("where:N", title="Practice", scale=alt.Scale(domain=domain, range=["triangle-up", "circle"])),
        tooltip=tips + [alt.Tooltip("reliever_share:Q", format=".0%", title="Reliever share"),
                        tip("carbon", ",.1f", carbon_title)])
    pooled = data.iloc[:1] if len(data) else data
    vline = alt.Chart(pooled).mark_rule(color=GREY, strokeDash=[4, 3]).encode(x="pooled_reliever_share:Q")
    hline = alt.Chart(pooled).mark_rule(color=GREY, strokeDash=[4, 3]).encode(y="pooled_carbon:Q")
    return finish(alt.layer(dots, vline, hline).properties(width="container", height=380))
