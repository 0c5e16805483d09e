"""Every chart drawn as SVG (vl-convert, as the pack draws them) at 1, 2, 3, 15 and 50 rows, with
short and 80-character names: each bar its own height, every label drawn or cut with an ellipsis
(its full name in the bar's tooltip), nothing wider than the container; and the palette's contrast
against white and its colours told apart under simulated colour-vision deficiencies."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import vl_convert as vlc

from carbon import charts
from carbon.charts import palette
from tests.unit import chart_cases as cc

SIZES = (1, 2, 3, 15, 50)
WIDTH = 700  # px: Streamlit sets the spec's width to its column's width; the wide layout at 1440 px
SVG = "{http://www.w3.org/2000/svg}"


def render(chart, width: int = WIDTH) -> ET.Element:
    spec = chart.to_dict()
    spec["width"] = width
    return ET.fromstring(vlc.vegalite_to_svg(spec))


def groups(svg: ET.Element, role: str) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if f"role-{role}" in g.get("class", "")]


def y_labels(svg: ET.Element) -> list[tuple[float, float, str]]:
    """The y axis's labels: (y position, font size, text)."""
    axis = next(g for g in svg.iter(f"{SVG}g") if g.get("aria-label", "").startswith("Y-axis for a discrete"))
    out = []
    for g in groups(axis, "axis-label"):
        for t in g.iter(f"{SVG}text"):
            y = float(re.search(r"translate\([-\d.e]+,([-\d.e]+)\)", t.get("transform")).group(1))
            out.append((y, float(t.get("font-size").rstrip("px")), t.text or ""))
    return out


def bars(svg: ET.Element) -> list[tuple[float, str]]:
    """Each bar of the chart: (height in px, its accessible description, which carries its tooltip)."""
    out = []
    for g in groups(svg, "mark"):
        if "mark-rect" not in g.get("class", ""):
            continue
        for p in g.iter(f"{SVG}path"):
            if p.get("aria-roledescription") != "bar":
                continue  # a target's tick
            h = re.search(r"h-?[\d.e]+v(-?[\d.e]+)", p.get("d", ""))
            if h:
                out.append((abs(float(h.group(1))), p.get("aria-label", "")))
    return out


def all_text(svg: ET.Element) -> list[str]:
    """Every line of text drawn (a title's lines are tspans)."""
    out = []
    for t in svg.iter(f"{SVG}text"):
        spans = list(t.iter(f"{SVG}tspan"))
        out += [s.text or "" for s in spans] if spans else [t.text or ""]
    return out


def label_matches(label: str, full: str) -> bool:
    """A label is the full name, or its start cut with an ellipsis."""
    return label == full or (label.endswith("…") and full.startswith(label[:-1].rstrip()) and len(label) > 8)


#: Every size with 80-character names, and short names at two sizes.
CASES = [pytest.param(n, True, id=f"{n} rows, 80-character names") for n in SIZES] + [
    pytest.param(n, False, id=f"{n} rows, short names") for n in (3, 50)]


@pytest.mark.parametrize("n, long", CASES)
@pytest.mark.parametrize("name", list(cc.ROW_CHARTS))
def test_charts_of_rows_give_every_row_its_bar_and_label(name, n, long):
    svg = render(cc.ROW_CHARTS[name](n, long))
    assert float(svg.get("width")) <= WIDTH + 1  # never pushed off the page
    stem = {"factor_range": "Factor", "pathway_breakdown": "Stage", "pathway_totals": "Pathway",
            "pathway_difference": "Category", "swap_savings": "Swap", "ranked_bars": "NHS Board",
            "board_footprint": "Source", "agent_comparison": "Agent", "travel_by_mode": "Mode",
            "prescribing_chapters": "Chapter"}[name]
    expected = cc.names(n, long, stem)
    if name == "prescribing_chapters":
        expected = [f"{i + 1:02d} {e}" for i, e in enumerate(expected)]
    labels = sorted(y_labels(svg))
    # every row has its label, drawn whole or cut with an ellipsis; none hidden
    assert len(labels) == n
    texts = [t for _, _, t in labels]
    for full in expected:
        assert sum(label_matches(t, full) for t in texts) == 1, (full, texts)
    if long:
        assert all(t.endswith("…") for t in texts)  # 80 characters never fit: cut, not overflowing
    # legible, and never printed on top of each other
    assert min(size for _, size, _ in labels) >= 12
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(labels)]
    assert all(g >= 14 for g in gaps), gaps
    # each bar is a bar, not a strip; its tooltip (the accessible description) has the full name
    drawn = bars(svg)
    if name == "factor_range":
        points = [p for g in groups(svg, "mark") if "mark-symbol" in g.get("class", "") for p in g.iter(f"{SVG}path")]
        assert len(points) == n
        described = [p.get("aria-label", "") for p in points]
    else:
        per_row = {"board_footprint": 2, "pathway_difference": 2}.get(name, 1)
        assert len(drawn) >= n * per_row
        assert min(h for h, _ in drawn) >= 12, sorted(h for h, _ in drawn)[:3]
        described = [d for _, d in drawn]
    for full in expected:
        assert any(full in d for d in described), full
    # the chart grows with its rows: 50 rows are taller than 3, and each keeps its height
    height = float(svg.get("height"))
    assert height >= n * charts.BAR_STEP * (2 if name in ("board_footprint", "pathway_difference") else 1)


@pytest.mark.parametrize("n, long", CASES)
@pytest.mark.parametrize("name", list(cc.OTHER_CHARTS))
def test_series_and_scatter_charts_fit_and_name_every_series(name, n, long):
    chart = cc.OTHER_CHARTS[name](n, long)
    svg = render(chart)
    assert float(svg.get("width")) <= WIDTH + 1
    texts = all_text(svg)
    sizes = [float(t.get("font-size").rstrip("px")) for t in svg.iter(f"{SVG}text")]
    assert min(sizes) >= 12  # axis labels, titles, legends and keys alike
    # every axis says its unit (or what it counts)
    titles = [t.text for g in groups(svg, "axis-title") for t in g.iter(f"{SVG}text")]
    assert len(titles) == 2 and all(titles), titles
    # each series is named in the legend (or the MACC's key), whole or cut with an ellipsis
    stem = {"footprint_trend": "NHS Board", "scenario_comparison": "Scenario", "cumulative_budget": "Intervention",
            "theatre_months": "Theatre", "trajectory_by_category": "category", "macc": "Intervention"}.get(name)
    if stem:
        for full in cc.names(n, long, stem):
            shown = [t for t in texts if label_matches(t, full) or (name == "macc" and full[:20] in t)]
            assert shown, (full, texts[:40])


def test_a_legend_of_50_names_goes_under_the_chart_not_beside_it():
    svg = render(cc.cumulative_budget(50, True))
    plot = next(g for g in svg.iter(f"{SVG}path") if g.get("class") == "background")
    width = float(re.search(r"h([\d.]+)", plot.get("d")).group(1))
    assert width >= 0.8 * WIDTH  # the plot keeps the width; the legend is below


def test_macc_numbers_its_bars_and_keys_them_by_name_and_category():
    chart = cc.macc(3, False)
    texts = all_text(render(chart))
    assert {"1", "2", "3"} <= set(texts)
    assert "1. Intervention 1 (inhaler)" in texts and "3. Intervention 3 (travel)" in texts


def test_where_colour_means_something_a_second_cue_says_it_too():
    # funnel flags, milestones, SPC causes and reliever hot spots: colour and shape on the same field
    for chart in (cc.funnel_plot(5, False), cc.trajectory_vs_target(2, False), cc.spc_chart(12, False),
                  cc.reliever_quadrant(6, False), cc.pathway_difference(3, False, others=3)):
        encodings = [lyr.get("encoding", {}) for lyr in chart.to_dict()["layer"]]
        coloured = {e["color"]["field"] for e in encodings if "field" in e.get("color", {})}
        shaped = {e["shape"]["field"] for e in encodings if "field" in e.get("shape", {})}
        assert coloured and coloured <= shaped, (coloured, shaped)
    # lines of boards, scenarios and interventions: no two drawn alike in colour and dash (or shape)
    # (42: England's integrated care boards)
    for chart in (cc.footprint_trend(42, False), cc.scenario_comparison(12, False), cc.cumulative_budget(15, False)):
        spec = chart.to_dict()
        enc = spec.get("encoding") or next(lyr["encoding"] for lyr in spec["layer"] if "strokeDash" in lyr["encoding"])
        cues = [c for c in ("strokeDash", "shape") if c in enc]
        styles = list(zip(*[map(str, enc[c]["scale"]["range"]) for c in ["color", *cues]]))
        assert len(set(styles)) == len(styles) == len(enc["color"]["scale"]["domain"])
    # the year before is an outline, the year shown solid: told apart without colour
    bars = cc.board_footprint(3, False).to_dict()["layer"][0]["encoding"]
    assert bars["fill"]["scale"]["range"] == ["white", palette.PALETTE[0]]


# --- the palette ---------------------------------------------------------------------------------
def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def contrast(a: str, b: str = "#FFFFFF") -> float:
    """WCAG 2.2 contrast ratio: (L1 + 0.05) / (L2 + 0.05) of the relative luminances."""
    la, lb = sorted((float(_linear(x) @ [0.2126, 0.7152, 0.0722]) for x in (a, b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_ratio_is_wcags():
    # WCAG's own figures: black on white 21:1; #767676, the lightest grey for 4.5:1 text
    assert contrast("#000000") == pytest.approx(21.0)
    assert contrast("#767676") == pytest.approx(4.54, abs=0.01)
    # the three Okabe-Ito colours the palette dropped fail 3:1 against white
    assert {c: round(contrast(c), 2) for c in ("#F0E442", "#56B4E9", "#E69F00")} == {
        "#F0E442": 1.32, "#56B4E9": 2.31, "#E69F00": 2.25}


#: The palette's ratios against white, as computed (and quoted in carbon/palette.py's docstring).
RATIOS = {"#0072B2": 5.19, "#D55E00": 3.87, "#009E73": 3.42, "#CC79A7": 3.06, "#999933": 3.02, "#209CE2": 3.04,
          "#882255": 8.73, "#332288": 12.17, "#8C564B": 5.92, "#004488": 9.62}


def test_every_colour_of_a_chart_is_at_least_3_to_1_against_white():
    used = {*palette.PALETTE, palette.GREY, palette.BLACK, *palette.CATEGORY_COLOURS.values(),
            *charts.FLAG_COLOURS.values(), *charts.SPC_COLOURS.values()}
    for colour in used:
        assert contrast(colour) >= 3.0, colour
    assert {c: round(contrast(c), 2) for c in palette.PALETTE} == RATIOS


# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color vision
# deficiency", IEEE TVCG 15(6): the severity 1.0 matrices, applied to linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "normal vision": np.eye(3),
}


def _lab(linear: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a linear sRGB colour."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(linear, 0, 1)
    f = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(f > 0.008856, np.cbrt(f), 7.787 * f + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_palette_colours_stay_apart_with_colour_blindness():
    worst = min((float(np.linalg.norm(_lab(np.array(m) @ _linear(a)) - _lab(np.array(m) @ _linear(b)))), a, b, k)
                for a, b in itertools.combinations([*palette.PALETTE, palette.GREY], 2) for k, m in CVD.items())
    # CIELAB distance (delta E 1976) of at least 10 between every pair, in every simulation; the
    # closest pair is bluish green and grey under deuteranopia (11.2)
    assert worst[0] >= 10, worst
    # Okabe-Ito's orange darkened to 3:1 would sit on vermillion for a protanope: why it is not used
    darkened_orange = "#B86E00"
    assert contrast(darkened_orange) >= 3
    protan = np.array(CVD["protanopia"])
    assert np.linalg.norm(_lab(protan @ _linear(darkened_orange)) - _lab(protan @ _linear("#D55E00"))) < 3


def test_categories_keep_their_colours_everywhere():
    assert palette.CATEGORY_COLOURS["inhaler"] == palette.PALETTE[0]
    scale = charts.colour_scale(["waste", "inhaler", "something new"])
    assert scale.range[:2] == [palette.CATEGORY_COLOURS["waste"], palette.CATEGORY_COLOURS["inhaler"]]
    assert scale.range[2] in palette.PALETTE  # a category with no colour of its own takes one of the palette
    assert palette.text_colour_on("#332288") == "#FFFFFF" and palette.text_colour_on("#999933") == "#000000"


# --- axes ----------------------------------------------------------------------------------------
#: What an axis title names as its unit: a quantity of carbon or money, a time, or what it counts.
UNIT = re.compile(r"\b(kgCO2e|tCO2e|GBP|Year|Month|Inhalers)\b|share")


def axes(svg: ET.Element) -> list[str]:
    """Each axis as vega describes it to a screen reader: "X-axis titled '...' for a linear scale ..."."""
    return [g.get("aria-label") for g in svg.iter(f"{SVG}g") if re.match(r"[XY]-axis ", g.get("aria-label", ""))]


@pytest.mark.parametrize("n", (1, 50))
@pytest.mark.parametrize("name", [*cc.ROW_CHARTS, *cc.OTHER_CHARTS])
def test_every_axis_of_a_quantity_is_titled_with_its_unit(name, n):
    make = {**cc.ROW_CHARTS, **cc.OTHER_CHARTS}[name]
    described = axes(render(make(n, False)))
    assert len(described) == 2, described
    for axis in described:
        title = re.match(r"[XY]-axis titled '([^']+)'", axis)
        if "discrete scale" in axis and name in cc.ROW_CHARTS:
            # the axis of rows: its labels are the rows' names (a title would repeat the chart's)
            assert title is None and axis.startswith("Y-axis")
            continue
        assert title, axis
        assert UNIT.search(title.group(1)), title.group(1)
        if "share" in title.group(1):
            assert re.search(r"values from \d+% to \d+%", axis), axis  # a share's ticks are percentages
