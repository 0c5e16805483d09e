"""What every kind of activity line shares: the row it reads, the context it is read in, the tidy
frame it returns, and the readers of the quantities people type.

A *row* is a plain dict of text fields (a pathway activity, a scenario baseline line, an imported
record): ``kind``, ``factor`` (a factor id, an agent, a travel mode, a pathway, a board),
``quantity``, ``duration``, ``distance``, ``return_trip``, ``occupancy``, ``fgf``,
``concentration``, ``cylinder``, ``low``, ``high``, ``category``. Each kind reads the fields it needs.

A kind does two things:

* ``parse(lib, row, ctx)``: read one row's text through pint and check it against the library and
  ``factors/bounds.csv``; return plain numbers in fixed units, or raise an error that names the
  field and says what to type (people type rows one by one, so this is per row);
* ``compute(store, lib, parsed, basis, ctx)``: the footprint of many parsed rows at once, column-wise
  (no Python loop over rows), as the tidy columns ``TIDY`` with one row per input ``position`` (a
  pathway line may give one row per category).

The *context* says what a row is per: a pathway's activities are per patient (a rate needs a
duration), a scenario's baseline lines are a year's activity (a rate per month is read over a year).
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import ClassVar

import pandas as pd
import pint

from carbon import bounds
from carbon.library import Library
from carbon.units import COUNTABLES, UnitError, convert, parse, ureg

#: The tidy columns every kind's ``compute`` returns (``position`` first, ``error`` added by the registry).
TIDY = ["position", "category", "factor_name", "quantity_text", "amount", "amount_unit", "kgCO2e", "kgCO2e_low",
        "kgCO2e_high", "cost_gbp", "gwp_basis", "factor_ids", "steps"]
KG = ["kgCO2e", "kgCO2e_low", "kgCO2e_high"]
#: Every field a row may carry; missing ones read as empty.
FIELDS = ("kind", "factor", "quantity", "duration", "distance", "return_trip", "occupancy", "fgf", "concentration",
          "cylinder", "low", "high", "category")


@dataclass(frozen=True)
class Context:
    """What a row is per, and what its fields are called where it was typed."""

    name: str
    words: str
    #: a rate over time with no duration is taken over this period (None: a rate needs a duration)
    period: str | None = None
    #: the words people see for each field (a scenario line's ``quantity`` is its ``amount``)
    names: dict = field(default_factory=dict)

    def label(self, fld: str) -> str:
        return self.names.get(fld, fld)


PER_PATIENT = Context("patient", "per patient")
PER_YEAR = Context("year", "a year", period="1 year", names={"quantity": "amount", "factor": "ref"})


def blank(v) -> bool:
    """True for a field left empty: missing, None, NaN or only spaces."""
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def value(row: dict, fld: str):
    """A field as given (text, number or pint quantity), or None when it is blank."""
    v = row.get(fld)
    return None if blank(v) else v


def text(row: dict, fld: str) -> str:
    """A field as stripped text ('' when blank)."""
    v = value(row, fld)
    return "" if v is None else (f"{v:~P}" if isinstance(v, pint.Quantity) else str(v).strip())


def truthy(v) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "yes", "y", "1", "return")
    return False if blank(v) else bool(v)


def read(value, what: str) -> pint.Quantity:
    """A quantity people typed (text, a number or a pint quantity); an empty field is named."""
    if isinstance(value, pint.Quantity):
        return value
    if isinstance(value, str) and not value.strip():
        raise UnitError(f"{what} is empty")
    return parse(value)


def amount(row: dict, ctx: Context) -> pint.Quantity:
    """The row's total: ``quantity``, times ``duration`` when one is given; finite and not negative."""
    qname = ctx.label("quantity")
    q = read(value(row, "quantity") or "", qname)
    dur = text(row, "duration")
    if dur:
        q = q * read(dur, "duration (or count)")
    if not math.isfinite(q.magnitude):
        for_duration = f" for {dur!r}" if dur else ""
        raise UnitError(f"{qname} {shown(row.get('quantity'))}{for_duration} is not a finite number")
    bounds.check("quantity", q.magnitude, qname, shown=_plain(row.get("quantity")))
    return q


def shown(v) -> str:
    """A typed value as it is quoted in a message: ``'3 kg'``."""
    return repr(_plain(v))


def _plain(v) -> str:
    return f"{v:~P}" if isinstance(v, pint.Quantity) else str(v).strip()


def in_unit(q: pint.Quantity, per, ctx: Context, row: dict, what: str) -> pint.Quantity:
    """``q`` in ``per``; in a context with a period (a year), a rate per time is taken over it.

    The message says what to write: ``3 inhaler``, or a rate with a duration (per patient) or a rate
    a year (a scenario line).
    """
    try:
        out = convert(q, per, "quantity")
    except UnitError:
        out = None
        if ctx.period:
            try:
                out = convert(q * ureg.Quantity(ctx.period), per, "quantity")
            except UnitError:
                pass
    if out is not None:
        return within(out, row, ctx)
    unit = f"{per:~P}"
    qname = ctx.label("quantity")
    dur = text(row, "duration")
    rate = (f"or a rate such as '2 {unit}/month' with a duration of '12 month'" if not ctx.period
            else f"or a rate such as '25 {unit}/month' (read over {ctx.period})")
    raise UnitError(f"{qname} {shown(row.get('quantity'))}{' for ' + repr(dur) if dur else ''} cannot be converted "
                    f"to {unit}: {what} is kgCO2e per {unit}; write e.g. '3 {unit}', {rate}") from None


def within(q: pint.Quantity, row: dict, ctx: Context) -> pint.Quantity:
    """``q`` (in the unit a kind counts in) if it is a plausible amount per patient or a year
    (``quantity_per_patient``, ``quantity_per_year`` in ``factors/bounds.csv``)."""
    field_ = f"quantity_per_{ctx.name}"
    if field_ in bounds.table():
        bounds.check(field_, q.magnitude, ctx.label("quantity"), shown=_plain(row.get("quantity")),
                     per=f"{q.units:~P} {ctx.words}")
    return q


def count(q: pint.Quantity, what: str = "journeys") -> float:
    """A number of things (``3``, ``3 appointment``, ``1 journey/month`` × ``12 month``)."""
    if q.dimensionless:
        return float(q.to("dimensionless").magnitude)
    dims = dict(q.dimensionality)
    if len(dims) == 1 and next(iter(dims.values())) == 1 and next(iter(dims)).strip("[]") in COUNTABLES:
        return float(q.to_base_units().magnitude)
    raise UnitError(f"{q:~P} is not a number of {what}: write e.g. '3 appointment' or '3 journey'")


class Kind(ABC):
    """One kind of line; subclasses set ``name``, ``label`` and ``fields`` and implement parse and compute."""

    name: ClassVar[str]
    label: ClassVar[str]
    #: the row fields this kind reads, besides ``kind`` (shown in editors and the README)
    fields: ClassVar[tuple[str, ...]] = ()
    #: what its ``factor`` field names, in words (for "no ... given")
    picks: ClassVar[str] = "factor"
    #: where it can be used: per patient (pathway activities), a year (scenario baseline lines)
    contexts: ClassVar[tuple[str, ...]] = ("patient", "year")

    @abstractmethod
    def parse(self, lib: Library, row: dict, ctx: Context) -> dict:
        """One row's text as plain numbers in fixed units; raises naming the field and what to type."""

    @abstractmethod
    def compute(self, store, lib: Library, parsed: pd.DataFrame, basis: str, ctx: Context) -> pd.DataFrame:
        """The footprint of many parsed rows at once (columns ``TIDY``), column-wise."""

    def choices(self, lib: Library) -> list[str]:
        """What the ``factor`` field can name (the swap catalogue checks its patterns against these)."""
        return list(lib.factors.index)

    def ref(self, text_: str) -> str:
        """The ``factor`` field as the catalogue's patterns match it."""
        return text_

    def adopt(self, lib: Library, old, new):
        """``new`` (a dataclass of row fields, ``old`` swapped into this kind) with the fields this kind
        does not read cleared, so a journey's distance does not follow it into an inhaler."""
        return replace(new, distance="", return_trip=False, occupancy="")

    def need_factor(self, row: dict, ctx: Context) -> str:
        ref = text(row, "factor")
        if not ref:
            raise UnitError(f"no {self.picks} given ({ctx.label('factor')} is empty)")
        return ref


def empty() -> pd.DataFrame:
    return pd.DataFrame(columns=TIDY)


def join_ids(values, sep: str = ", ") -> str:
    """Factor ids from cells that each hold one or more (separated by commas or spaces), as one sorted
    text without repeats."""
    return sep.join(sorted({i for v in values if isinstance(v, str) for i in re.split(r"[,\s]+", v) if i}))
