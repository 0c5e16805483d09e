"""One formatter for tonnes, pounds and the equivalence a person can picture.

Every page and export formats carbon and money through here, so "1.2 tCO2e" and "£3,400"
read the same everywhere.
"""

from __future__ import annotations

import math

#: The factor used for "= N miles in an average car" (DESNZ average car, unknown fuel).
EQUIVALENCE_FACTOR = "car_unknown_average"
KM_PER_MILE = 1.609344


def co2e(kg: float, signed: bool = False) -> str:
    """``12.3 kgCO2e``, ``4.56 tCO2e`` or ``1.2 ktCO2e``: the unit grows with the number."""
    if kg is None or (isinstance(kg, float) and math.isnan(kg)):
        return "–"
    sign = "+" if signed and kg > 0 else ("−" if kg < 0 else "")
    a = abs(kg)
    if a >= 1e6:
        text = f"{a / 1e6:,.2f} ktCO2e"
    elif a >= 1e3:
        text = f"{a / 1e3:,.2f} tCO2e"
    elif a >= 10:
        text = f"{a:,.1f} kgCO2e"
    else:
        text = f"{a:,.3g} kgCO2e"
    return sign + text


def gbp(pounds: float, signed: bool = False) -> str:
    """``£1,234`` (pence shown below £100)."""
    if pounds is None or (isinstance(pounds, float) and math.isnan(pounds)):
        return "–"
    sign = "+" if signed and pounds > 0 else ("−" if pounds < 0 else "")
    a = abs(pounds)
    return sign + (f"£{a:,.2f}" if a < 100 else f"£{a:,.0f}")


def car_miles(kg: float, car_kg_per_km: float) -> float:
    """Miles in an average car that emit ``kg`` kgCO2e."""
    if not car_kg_per_km:
        return float("nan")
    return kg / car_kg_per_km / KM_PER_MILE


def car_equivalence(kg: float, car_kg_per_km: float) -> str:
    """``= 120 miles in an average car`` for a footprint in kgCO2e."""
    miles = car_miles(kg, car_kg_per_km)
    if math.isnan(miles):
        return ""
    if miles >= 24901:  # once round the Earth
        return f"= {miles / 24901:,.1f} times round the Earth in an average car"
    return f"= {miles:,.0f} miles in an average car" if miles >= 10 else f"= {miles:,.1f} miles in an average car"
