"""Every chart of the product: a tidy DataFrame in, an Altair chart out.

One palette (``carbon.charts.palette``: colour-blind safe, every colour at least 3:1 against
white), units on every axis, text of 12 px. Charts of rows (one bar per board, swap, agent ...)
give each bar its own height (``BAR_STEP``), so 1 row or 50 draw alike: the chart grows, a bar never
shrinks to a strip. A row's label is cut with an ellipsis past ``LABEL_LIMIT`` pixels, never printed
over its neighbour, and the full name is in the bar's tooltip. Where colour carries meaning, a second
cue (dash, shape, outline, position or a label) carries it too. Pages only place the charts these
functions return; ``tests/unit/test_charts.py`` draws each as SVG at 1 to 50 rows.

- ``base``: what every chart shares (sizes, text, the axis of rows, bars with whiskers);
- ``rows``: charts of rows (factors, pathways, swaps, boards, sources, agents, modes, BNF chapters);
- ``series``: prescribing and theatre charts over months and practices;
- ``plans``: scenarios and finance (trajectories, categories, MACC, budget).
"""

from carbon.charts.base import BAR_STEP, FONT_SIZE, LABEL_LIMIT, colour_scale
from carbon.charts.palette import BLACK, CATEGORY_COLOURS, GREY, PALETTE
from carbon.charts.plans import (KEY_LIMIT, cumulative_budget, macc, macc_key, scenario_comparison,
                                 trajectory_by_category, trajectory_vs_target)
from carbon.charts.rows import (agent_comparison, board_footprint, factor_range, pathway_breakdown,
                                pathway_difference, pathway_totals, prescribing_chapters, ranked_bars,
                                swap_savings, travel_by_mode)
from carbon.charts.series import (FLAG_COLOURS, FLAG_SHAPES, SPC_COLOURS, SPC_SHAPES, footprint_trend,
                                  funnel_plot, reliever_quadrant, spc_chart, theatre_months)

__all__ = [
    "BAR_STEP", "BLACK", "CATEGORY_COLOURS", "FLAG_COLOURS", "FLAG_SHAPES", "FONT_SIZE", "GREY", "KEY_LIMIT",
    "LABEL_LIMIT", "PALETTE", "SPC_COLOURS", "SPC_SHAPES", "agent_comparison", "board_footprint",
    "colour_scale", "cumulative_budget", "factor_range", "footprint_trend", "funnel_plot", "macc",
    "macc_key", "pathway_breakdown", "pathway_difference", "pathway_totals", "prescribing_chapters",
    "ranked_bars", "reliever_quadrant", "scenario_comparison", "spc_chart", "swap_savings", "theatre_months",
    "trajectory_by_category", "trajectory_vs_target", "travel_by_mode",
]
