"""``refrigerant``: the kilograms of a refrigerant (``r410a``, ``r32``, ``r404a``, ``r407c``,
``r134a``) or of SF6 (``sf6``, switchgear) topped up in the year, taken as the mass that leaked,
with the DESNZ factors of the line's period (AR5 GWPs, as DESNZ publishes them). See
``kinds.estates_line``.
"""

from __future__ import annotations

from carbon.kinds.estates_line import EstatesLine


class RefrigerantKind(EstatesLine):
    name = "refrigerant"
    label = "Refrigerant or SF6 topped up: a year's kg (taken as leaked)"
    picks = "refrigerant"
    stream = "refrigerant"
    category = "refrigerant"
    measures = ("mass",)
    example = "50 kg"
