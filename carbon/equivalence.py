"""The one equivalence a person can picture beside a big number: miles in an average car.

The car is the library's DESNZ average car (unknown fuel, ``car_unknown_average``), taken on the
chosen GWP basis, so the equivalence follows a local override or a basis switch like every figure.
"""

from __future__ import annotations

from carbon import factors as fx
from carbon import formatting
from carbon.units import ureg

#: The factor used for "= N miles in an average car" (DESNZ average car, unknown fuel).
CAR_FACTOR = "car_unknown_average"


def car_kg_per_km(store, basis: str = fx.DEFAULT_BASIS) -> float:
    """kgCO2e per km of the average car on ``basis``."""
    r = fx.library(store).quantity(CAR_FACTOR, basis)
    return float(r.value.to(ureg.kgCO2e / ureg.km).magnitude)


def car(store, kg: float, basis: str = fx.DEFAULT_BASIS) -> str:
    """``= 120 miles in an average car`` for ``kg`` kgCO2e."""
    return formatting.car_equivalence(kg, car_kg_per_km(store, basis))
