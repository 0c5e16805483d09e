"""The one pint registry of the product.

Every quantity that enters the engine is parsed here, so `18 mile` and `28.968 km` of the same
travel factor give the same kgCO2e and a litre where a distance belongs is a clear error.

CO2e is its own dimension (``[co2e]``) so that kilograms of gas and kilograms of CO2-equivalent
cannot be added by mistake: a GWP is ``kgCO2e/kg``. Countable things (inhalers, bottles,
appointments, ...) are dimensions of their own too, so a per-inhaler factor refuses a bottle.
Passenger- and vehicle-kilometres are lengths: who travels is the factor's business, and the
activity's distance in miles or km converts to it.
"""

from __future__ import annotations

import difflib
import functools

import pint

from carbon.errors import CarbonError

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
Q_ = ureg.Quantity

_DEFINITIONS = """
gCO2e = [co2e]
kgCO2e = 1000 * gCO2e
tCO2e = 1000 * kgCO2e
ktCO2e = 1000 * tCO2e
MtCO2e = 1000 * ktCO2e
passenger_km = kilometer
vehicle_km = kilometer
passenger_mile = mile
vehicle_mile = mile
GBP = [currency] = pound_sterling
pence = GBP / 100 = p_GBP
m3 = meter ** 3
"""

#: Countable units, each a dimension of its own: a per-inhaler factor only takes inhalers.
COUNTABLES = (
    "inhaler",
    "dose",
    "actuation",
    "item",
    "pack",
    "bottle",
    "cylinder",
    "appointment",
    "consultation",
    "patient",
    "procedure",
    "use",
    "journey",
    "episode",
    "prescription",
)

for _line in _DEFINITIONS.strip().splitlines():
    ureg.define(_line)
for _name in COUNTABLES:
    ureg.define(f"{_name} = [{_name}]")

CO2E = ureg.kgCO2e
CO2E_DIM = ureg.kgCO2e.dimensionality


class UnitError(CarbonError):
    """A quantity or unit that cannot be read, or cannot become the unit it must."""


def parse(text: str | float | int, default_unit: str | None = None) -> pint.Quantity:
    """Read ``'18 mile'``, ``'2 inhaler/month'`` or a bare number (with ``default_unit``).

    Raises UnitError with the offending text, never pint's own exceptions.
    """
    if isinstance(text, pint.Quantity):
        return text
    if isinstance(text, (int, float)):
        if default_unit is None:
            return Q_(text, "dimensionless")
        return Q_(text, default_unit)
    s = str(text).strip()
    if not s:
        raise UnitError("empty quantity")
    try:
        q = ureg.Quantity(s)
    except Exception as exc:  # pint raises several types; the user needs one message
        raise UnitError(f"cannot read {s!r} as a quantity: {_reason(exc)}") from None
    if not isinstance(q, pint.Quantity):  # a bare number
        q = Q_(q, default_unit or "dimensionless")
    elif q.dimensionless and default_unit and q.units == ureg.dimensionless:
        q = Q_(q.magnitude, default_unit)
    return q


def parse_unit(text: str) -> pint.Unit:
    """Read a unit string such as ``'kgCO2e/passenger_km'``."""
    return _unit(str(text).strip())


@functools.lru_cache(maxsize=2048)
def _unit(s: str) -> pint.Unit:
    """A unit read once per spelling (the library's 342 factors use a few dozen); a bad one raises each time."""
    if not s:
        raise UnitError("empty unit")
    try:
        return ureg.Unit(s)
    except Exception as exc:
        raise UnitError(f"unknown unit {s!r}: {_reason(exc)}") from None


def convert(q: pint.Quantity, unit: str | pint.Unit, what: str = "quantity") -> pint.Quantity:
    """Convert ``q`` to ``unit`` or raise UnitError naming ``what`` and both dimensions."""
    try:
        return q.to(unit)
    except pint.DimensionalityError:
        target = ureg.Unit(unit) if isinstance(unit, str) else unit
        raise UnitError(
            f"{what}: {q:~P} cannot be converted to {target:~P} "
            f"({_dim(q.dimensionality)} is not {_dim(target.dimensionality)})"
        ) from None


def is_co2e_per_something(unit: str | pint.Unit) -> bool:
    """True when ``unit`` is a CO2e mass divided by something (the shape of every factor).

    Judged on the units as written, not only their dimensions, so ``kgCO2e/kWh`` is a factor
    (kWh has positive base dimensions) while ``kgCO2e*km`` is not.
    """
    u = parse_unit(unit) if isinstance(unit, str) else unit
    if dict(u.dimensionality).get("[co2e]") != 1:
        return False
    written = dict(u._units)  # unit name -> exponent, e.g. {'kgCO2e': 1, 'kilowatt_hour': -1}
    co2e = [n for n in written if "[co2e]" in dict(ureg.Unit(n).dimensionality)]
    rest = {n: e for n, e in written.items() if n not in co2e}
    return len(co2e) == 1 and written[co2e[0]] == 1 and bool(rest) and all(e < 0 for e in rest.values())


def denominator(unit: str | pint.Unit) -> pint.Unit:
    """The 'per what' of a factor unit: ``kgCO2e/passenger_km`` -> ``passenger_km``."""
    return _denominator(parse_unit(unit) if isinstance(unit, str) else unit)


@functools.lru_cache(maxsize=2048)
def _denominator(u: pint.Unit) -> pint.Unit:
    return (Q_(1, CO2E) / Q_(1, u)).to_reduced_units().units


def kg(q: pint.Quantity) -> float:
    """Magnitude in kgCO2e, the unit every result column carries."""
    return float(convert(q, CO2E, "footprint").magnitude)


def _dim(d) -> str:
    s = str(d)
    return "a plain number" if s == "dimensionless" else s


def _reason(exc: Exception) -> str:
    if isinstance(exc, pint.UndefinedUnitError):
        return "; ".join(_unknown(name) for name in exc.unit_names)
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return msg[:160]


def _unknown(name: str) -> str:
    """'inhalr' is not a unit this calculator knows (did you mean 'inhaler'?)."""
    near = difflib.get_close_matches(name, list(ureg._units), n=1, cutoff=0.75)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return f"{name!r} is not a unit this calculator knows{hint}"
