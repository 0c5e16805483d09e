"""Equivalences a person can picture beside a big number, picked to fit its size.

Each comes from ``factors/equivalences.csv`` (one row per picture, with its source): the footprint of
one of something (a mile in an average car, a return flight London to New York, a home's gas and
electricity for a year) worked out from the library's own factors on the chosen GWP basis, so an
equivalence follows a local override or a basis switch like every figure. A row covers a band of
sizes (``from_kgCO2e`` up to ``to_kgCO2e``), so the count it gives stays between about one and a
thousand: "= 372 miles in an average car", "= 14 return flights London to New York, one passenger
each", "= 14,600 homes' gas and electricity for a year", never "56,695.5 times round the Earth".

``car`` (miles in an average car, whatever the size) stays for the board pack, which says miles.
"""

from __future__ import annotations

import math

import pandas as pd

from carbon import factors as fx
from carbon import formatting
from carbon.units import parse, ureg

#: The factor used for "= N miles in an average car" (DESNZ average car, unknown fuel).
CAR_FACTOR = "car_unknown_average"


def car_kg_per_km(store, basis: str = fx.DEFAULT_BASIS) -> float:
    """kgCO2e per km of the average car on ``basis``."""
    r = fx.library(store).quantity(CAR_FACTOR, basis)
    return float(r.value.to(ureg.kgCO2e / ureg.km).magnitude)


def car(store, kg: float, basis: str = fx.DEFAULT_BASIS) -> str:
    """``= 120 miles in an average car`` for ``kg`` kgCO2e."""
    return formatting.car_equivalence(kg, car_kg_per_km(store, basis))


def table(store, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """The equivalences with the kgCO2e of one of each on ``basis`` (``kg_each``), smallest band first."""
    lib = fx.library(store)
    rows = fx.reference(store, "equivalences")
    each = []
    for r in rows.itertuples(index=False):  # three or four reviewed rows
        kg = 0.0
        for factor, amount in ((r.factor, r.amount), (r.factor_2, r.amount_2)):
            if isinstance(factor, str) and factor.strip():
                q = lib.quantity(factor.strip(), basis).value * parse(str(amount))
                kg += float(q.to(ureg.kgCO2e).magnitude)
        each.append(kg)
    out = rows.assign(kg_each=each, from_kgCO2e=pd.to_numeric(rows["from_kgCO2e"], errors="coerce").fillna(0.0),
                      to_kgCO2e=pd.to_numeric(rows["to_kgCO2e"], errors="coerce").fillna(math.inf))
    return out.sort_values("from_kgCO2e").reset_index(drop=True)


def _count(n: float) -> str:
    if n >= 100:
        return f"{n:,.0f}"
    if n >= 10:
        return f"{n:,.0f}"
    return f"{n:,.1f}".rstrip("0").rstrip(".") if n >= 1 else f"{n:.2g}"


def fit(store, kg: float, basis: str = fx.DEFAULT_BASIS, a_year: bool = False) -> str:
    """``= 14 return flights London to New York, one passenger each``: the equivalence whose band
    holds ``kg`` (a saving's size for a negative figure); "" for no figure or nothing at all.
    ``a_year``: ``kg`` is a year's, so the picture is a year's too ("... a year"; a home's energy
    "for a year" already is)."""
    if kg is None or not math.isfinite(kg) or kg == 0:
        return ""
    size = abs(kg)
    rows = table(store, basis)
    band = rows[(rows["from_kgCO2e"] <= size) & (size < rows["to_kgCO2e"])]
    r = (band if len(band) else rows.tail(1)).iloc[0]
    n = size / r["kg_each"]
    words = r["one"] if _count(n) == "1" else r["many"]
    words = str(words)
    if a_year and not words.endswith("for a year"):  # "... New York a year, one passenger each"
        head, comma, tail = words.partition(",")
        words = f"{head} a year{comma}{tail}"
    return f"= {_count(n)} {words}"
