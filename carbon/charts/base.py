"""What every chart shares: sizes, text, the axis of a chart of rows, tooltips and the bars with
low-high whiskers."""

from __future__ import annotations

import itertools

import altair as alt
import pandas as pd

from carbon.charts.palette import BLACK, CATEGORY_COLOURS, DASHES, PALETTE, SHAPES, series_colour

#: Pixels of height per bar (its band: the bar and the gap to the next).
BAR_STEP = 28
#: Row labels longer than this (pixels) are cut with an ellipsis; the full name is in the tooltip.
LABEL_LIMIT = 280
FONT_SIZE = 12
#: Fill the container's width (Streamlit's column, or the pack's fixed width); height from the rows.
AUTOSIZE = alt.AutoSizeParams(type="fit-x", contains="padding")


def colour_scale(domain: list[str]) -> alt.Scale:
    """A colour scale for ``domain`` that keeps known categories on their fixed colours."""
    domain = [str(d) for d in domain]
    spare = itertools.chain([c for c in PALETTE if c not in CATEGORY_COLOURS.values()], itertools.cycle(PALETTE))
    colours = [CATEGORY_COLOURS.get(d.lower()) or next(spare) for d in domain]
    return alt.Scale(domain=domain, range=colours)


def series_scale(names: list[str], offset: int = 0) -> tuple[alt.Scale, alt.Scale, alt.Scale]:
    """Colour, dash and shape scales giving each of ``names`` its own combination (``offset``: start
    further along the palette, e.g. past the reference pathway)."""
    idx = range(offset, offset + len(names))
    return (alt.Scale(domain=names, range=[series_colour(i) for i in idx]),
            alt.Scale(domain=names, range=[DASHES[(i // len(PALETTE)) % len(DASHES)] for i in idx]),
            alt.Scale(domain=names, range=[SHAPES[i % len(SHAPES)] for i in idx]))


def finish(chart, rows: bool = False):
    """What every chart shares: the container's width, legible text, and for charts of rows a
    height of ``BAR_STEP`` per row (the axes, titles and legend come on top of it)."""
    chart = chart.properties(autosize=AUTOSIZE)
    if rows:
        chart = chart.properties(height=alt.Step(BAR_STEP))
    return (chart.configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, titleFontWeight="normal",
                                 labelColor=BLACK, titleColor=BLACK)
            .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=LABEL_LIMIT,
                              titleLimit=LABEL_LIMIT)
            .configure_title(fontSize=FONT_SIZE + 1, subtitleFontSize=FONT_SIZE, anchor="start")
            .configure_text(fontSize=FONT_SIZE)
            .configure_view(stroke=None))


#: A legend of long names goes under the chart, one name a line, so it never squeezes the plot.
BELOW = {"orient": "bottom", "direction": "vertical", "symbolLimit": 0}


def unique(labels: pd.Series) -> pd.Series:
    """Row labels made unique (a second "Car" becomes "Car (2)"), so two rows never share a band."""
    labels = labels.astype(str).reset_index(drop=True)
    n = labels.groupby(labels).cumcount()
    return labels.where(n == 0, labels + " (" + (n + 1).astype(str) + ")")


def rows_axis(field: str, order: list[str]) -> alt.Y:
    """The y axis of a chart of rows: every label drawn (never hidden for overlap), cut past
    ``LABEL_LIMIT`` pixels with an ellipsis."""
    return alt.Y(f"{field}:N", title=None, sort=order,
                 axis=alt.Axis(labelLimit=LABEL_LIMIT, labelOverlap=False, labelPadding=6))


def ranked(df: pd.DataFrame, label: str, value: str) -> tuple[pd.DataFrame, list[str]]:
    """``df`` with unique labels, and the labels largest ``value`` first."""
    data = df.reset_index(drop=True).assign(**{label: lambda d: unique(d[label])})
    return data, list(data.sort_values(value, ascending=False, kind="stable")[label])


def month_axis(months: int) -> alt.Axis:
    """A time axis of months: one tick a month, or every few months past a year (never a month twice)."""
    return alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": max(1, months // 12)}, labelOverlap=True)


def tip(col: str, fmt: str = ",.4g", title: str | None = None) -> alt.Tooltip:
    return alt.Tooltip(f"{col}:Q", format=fmt, title=title or col)


def whiskers(base: alt.Chart, low: str, high: str) -> alt.Chart:
    """Low-high range as a black rule across each bar."""
    return base.mark_rule(color=BLACK, strokeWidth=1.5).encode(x=f"{low}:Q", x2=f"{high}:Q")


def bars_with_range(data: pd.DataFrame, label: str, order: list[str], value: str, unit: str, colour,
                     tips: list, extra: tuple = ()) -> alt.LayerChart:
    """Bars of ``value`` per ``label`` row (``colour``: one colour, or a colour encoding), with the
    low-high whiskers where ``data`` has ``{value}_low``/``{value}_high``, then the ``extra`` layers."""
    base = alt.Chart(data).encode(y=rows_axis(label, order))
    x = alt.X(f"{value}:Q", title=unit)
    if isinstance(colour, str):
        bars = base.mark_bar(color=colour, height={"band": 0.72}).encode(x=x, tooltip=tips)
    else:
        bars = base.mark_bar(height={"band": 0.72}).encode(x=x, color=colour, tooltip=tips)
    layers = [bars]
    if f"{value}_low" in data.columns and f"{value}_high" in data.columns:
        layers.append(whiskers(base, f"{value}_low", f"{value}_high"))
    return alt.layer(*layers, *extra).properties(width="container")
