"""One formatter for carbon, money and quantities: every page, export and CLI table reads the same.

``co2e`` picks kgCO2e, tCO2e or ktCO2e by the size of the number, or writes the unit a view chose
(``scale`` picks kilograms or tonnes for every figure of a view from its largest); ``gbp`` writes
pounds to the penny with thousands separators; ``quantity`` writes a pint quantity to four
significant figures with short unit symbols; ``delta`` writes a difference with an ASCII sign for a
metric's delta.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the command's --help imports this module (through errors) and not pint
    import pint

KM_PER_MILE = 1.609344


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


#: The units a view can choose for its carbon: kilograms or tonnes of CO2e.
SCALES = {"kg": 1.0, "t": 1000.0}


def scale(*kg: float) -> str:
    """``"t"`` when the largest figure of a view is a tonne or more, else ``"kg"``: one unit for the
    headline, the table and the chart of that view."""
    values = [abs(float(v)) for v in kg if not _missing(v)]
    return "t" if values and max(values) >= 1000 else "kg"


def co2e(kg: float, signed: bool = False, unit: str | None = None) -> str:
    """``12.3 kgCO2e``, ``4.56 tCO2e`` or ``1.2 ktCO2e``: the unit grows with the number; or always
    in ``unit`` ("kg" or "t", the unit a view chose with ``scale``): ``242,369 kgCO2e``, ``38,117 tCO2e``."""
    if _missing(kg):
        return "–"
    sign = "+" if signed and kg > 0 else ("−" if kg < 0 else "")
    a = abs(kg)
    if unit == "t":
        t = a / 1e3
        return sign + (f"{t:,.0f} tCO2e" if t >= 1e3 else f"{t:,.2f} tCO2e" if t >= 1 else
                       f"{t:,.3g} tCO2e" if t else "0 tCO2e")
    if unit == "kg":
        return sign + (f"{a:,.1f} kgCO2e" if a >= 10 else f"{a:,.3g} kgCO2e")
    if unit is not None:
        raise ValueError(f"unit {unit!r} is not one of {', '.join(SCALES)}")
    if a >= 1e6:
        text = f"{a / 1e6:,.2f} ktCO2e"
    elif a >= 1e3:
        text = f"{a / 1e3:,.2f} tCO2e"
    elif a >= 10:
        text = f"{a:,.1f} kgCO2e"
    else:
        text = f"{a:,.3g} kgCO2e"
    return sign + text


def delta(kg: float, unit: str | None = None) -> str:
    """A difference in kgCO2e for a metric's delta (``-235.5 kgCO2e``, ``+1.23 tCO2e``).

    Starts with an ASCII minus when negative: Streamlit reads the sign from the text, and the
    typographic minus of ``co2e`` would show a saving as an increase (up arrow, red).
    """
    return co2e(kg, signed=True, unit=unit).replace("\N{MINUS SIGN}", "-", 1)


def gbp(pounds: float, signed: bool = False) -> str:
    """``£60,166.45``: pounds to the penny, with thousands separators."""
    if _missing(pounds):
        return "–"
    sign = "+" if signed and pounds > 0 else ("−" if pounds < 0 else "")
    return sign + f"£{abs(pounds):,.2f}"


def share(x: float) -> str:
    """A share (0 to 1) as a percentage: ``45%``, ``2.5%``, ``0.4%``."""
    if _missing(x):
        return "–"
    p = 100 * x
    return f"{p:,.0f}%" if abs(p) >= 10 or p == 0 else f"{p:,.1f}%"


def count(x: float) -> str:
    """A count with thousands separators: ``1,200``."""
    return "–" if _missing(x) else f"{x:,.0f}"


def plural(n: float, word: str, many: str | None = None) -> str:
    """``word`` for one, its plural for any other count: ``plural(3, "practice")`` is ``practices``."""
    return word if n == 1 else (many or word + "s")


def counted(n: float, word: str, many: str | None = None) -> str:
    """A count and its noun, as people write them: ``1 file``, ``12 files``, ``1,200 practices``."""
    return f"{count(n)} {plural(n, word, many)}"


def number(x: float) -> str:
    """A figure in the arithmetic shown to people: whole numbers from 10,000, else 4 significant figures."""
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:,.4g}"


_UNIT_FIXES = ((re.compile(r"\bml\b"), "mL"), (re.compile(r"\bl\b"), "L"))


def unit(u) -> str:
    """A unit's short symbol as people write it (litres as ``L``, millilitres as ``mL``)."""
    text = f"{u:~P}"
    for pattern, repl in _UNIT_FIXES:
        text = pattern.sub(repl, text)
    return text


def quantity(q: pint.Quantity) -> str:
    """A quantity for the arithmetic shown to people: ``number`` and ``unit`` (``50.3 g``, ``7.2 L``)."""
    return f"{number(float(q.magnitude))} {unit(q.units)}".strip()


def magnitude(q: pint.Quantity) -> str:
    """A quantity's number alone, as ``number`` writes it (for a range beside its unit): never in
    exponent form (``22,660``, not ``2.266e+04``)."""
    return number(float(q.magnitude))


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
        times = miles / 24901
        return f"= {times:,.{0 if times >= 10 else 1}f} times round the Earth in an average car"
    return f"= {miles:,.0f} miles in an average car" if miles >= 10 else f"= {miles:,.1f} miles in an average car"
