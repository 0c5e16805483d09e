"""``energy``: a year's fuel or electricity by the estates item (``natural_gas`` ``60000000 kWh``;
``gas_oil`` ``100000 L``; ``coal`` ``20 tonne``), with the DESNZ factors of the line's period:
electricity is the grid's generation plus transmission and distribution losses (location-based),
district heat its generation plus the 5 % distribution loss. See ``kinds.estates_line``.
"""

from __future__ import annotations

from carbon.kinds.estates_line import EstatesLine


class EnergyKind(EstatesLine):
    name = "energy"
    label = "Building energy: a year's kWh (or litres, m3, tonnes) of a fuel or electricity"
    picks = "fuel"
    stream = "energy"
    category = "energy"
    measures = ("energy", "volume", "mass")
    example = "60000000 kWh"
