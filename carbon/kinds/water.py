"""``water``: a year's cubic metres of water supplied (``water_supply``) or returned to the sewer for
treatment (``water_treatment``), with the DESNZ factors of the line's period. A board that knows
only the volume supplied gives it twice, as ERIC does. See ``kinds.estates_line``.
"""

from __future__ import annotations

from carbon.kinds.estates_line import EstatesLine


class WaterKind(EstatesLine):
    name = "water"
    label = "Water: a year's m3 supplied or treated"
    picks = "water item"
    stream = "water"
    category = "water"
    measures = ("volume",)
    example = "300000 m3"
