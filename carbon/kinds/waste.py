"""``waste``: a year's tonnes of waste by route (``landfill``, ``recycling``, ``energy_recovery``,
``incineration``, ``composting``, ...), with the DESNZ factors of the line's period.

DESNZ's company-reporting factors count, for incineration and recycling, only the transport of the
waste (the burn or the reprocessing belongs to the plant's own report): 6.4 kgCO2e a tonne in
2024, against 1,074 for clinical waste burnt at high temperature in a process study
(``waste_hti_clinical``). Clinical waste is therefore best entered as a ``factor`` line of that
process factor, as the demo does; see the README. See ``kinds.estates_line``.
"""

from __future__ import annotations

from carbon.kinds.estates_line import EstatesLine


class WasteKind(EstatesLine):
    name = "waste"
    label = "Waste: a year's tonnes by route (DESNZ routes)"
    picks = "waste route"
    stream = "waste"
    category = "waste"
    measures = ("mass",)
    example = "400 tonne"
