"""The product's one palette: colour-blind safe, and every colour at least 3:1 against white.

WCAG 2.2 (success criterion 1.4.11, non-text contrast) asks 3:1 for the parts of a graphic needed
to understand it. Five of Okabe & Ito's (2008) eight colours pass (blue 5.2:1, vermillion 3.9,
bluish green 3.4, reddish purple 3.1, black); their orange (2.2), sky blue (2.3) and yellow (1.3)
do not, and darkening them makes them look like vermillion or blue to people with a red-green
deficiency. So the palette keeps the four Okabe-Ito colours that pass and adds six from Paul Tol's
schemes (olive, wine, indigo and the high-contrast blue; https://personal.sron.nl/~pault/), Tableau's
brown and a sky blue darkened to 3:1. Every pair stays apart under simulated protanopia,
deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009): ``tests/unit/test_charts.py``
computes the contrast ratios and the distances.

Black is kept for reference lines (targets, totals, whiskers), grey (#767676, 4.5:1) for "other"
and for what a chart sets in the background (the year before, no action).
"""

from __future__ import annotations

#: Series colours, in the order they are handed out (a board, a pathway, a scenario ...).
PALETTE = [
    "#0072B2",  # blue (Okabe-Ito)
    "#D55E00",  # vermillion (Okabe-Ito)
    "#009E73",  # bluish green (Okabe-Ito)
    "#CC79A7",  # reddish purple (Okabe-Ito)
    "#999933",  # olive (Tol)
    "#209CE2",  # sky blue, darkened to 3:1
    "#882255",  # wine (Tol)
    "#332288",  # indigo (Tol)
    "#8C564B",  # brown (Tableau 10)
    "#004488",  # dark blue (Tol, high contrast)
]
BLACK = "#000000"
GREY = "#767676"

#: Fixed colours of the categories that recur across pages and the pack, so "inhaler" is always blue.
CATEGORY_COLOURS = {
    "inhaler": PALETTE[0],
    "anaesthetic": PALETTE[1],
    "travel": PALETTE[2],
    "medicine": PALETTE[3],
    "energy": PALETTE[4],
    "water": PALETTE[5],
    "procurement": PALETTE[6],
    "consumable": PALETTE[7],
    "waste": PALETTE[8],
    "refrigerant": PALETTE[9],
    "other": GREY,
}

#: Second cues for series: dash patterns (one per round of the palette) and point shapes. Seven
#: shapes against ten colours: the first 70 series each have their own colour and shape.
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3]]
SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-right"]


def series_colour(i: int) -> str:
    """The colour of the ``i``-th series (the palette repeats past its ten colours)."""
    return PALETTE[i % len(PALETTE)]


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of an sRGB colour ``#RRGGBB``."""
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    h = hex_colour.lstrip("#")
    r, g, b = (channel(int(h[i:i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour_on(hex_colour: str) -> str:
    """Black or white, whichever reads better on ``hex_colour`` (a label printed on a band)."""
    lum = _luminance(hex_colour)
    return BLACK if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"
