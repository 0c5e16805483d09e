"""The one price look-up: list prices of things that have a factor (``factors/prices.csv``), in pounds.

A price row is pounds per its own unit (``GBP/inhaler``, ``GBP/bottle``); ``per_unit`` converts it
to pounds per whatever unit a caller counts in, so an inhaler priced per inhaler and counted per
inhaler, or a gas priced per litre and counted per cylinder litre, both come out right, and a
price whose unit cannot be converted is unknown (NaN), never a wrong number.
"""

from __future__ import annotations

import math

import pandas as pd
import pint

from carbon import factors as fx
from carbon.units import ureg


def table(store) -> pd.DataFrame:
    """One price per factor: factor, price (pounds per ``unit``), unit (e.g. ``GBP/inhaler``).

    Empty when the library has no ``prices.csv`` (a fixture library): costs are then unknown.
    """
    try:
        prices = fx.reference(store, "prices")
    except Exception:  # duckdb.CatalogException: no ref_prices table in this library
        return pd.DataFrame(columns=["factor", "price", "unit"])
    return pd.DataFrame({"factor": prices["factor_id"].astype(str), "price": prices["value"].astype(float),
                         "unit": prices["unit"].astype(str)}).drop_duplicates("factor").reset_index(drop=True)


def per_unit(store, factors, units) -> pd.Series:
    """Pounds per one of ``units`` (pint units or unit text, one per factor) for each of ``factors``;
    NaN where the factor has no price or its price is not per something that converts.

    Worked out once per distinct (factor, unit) pair, then mapped back to every row.
    """
    pairs = pd.DataFrame({"factor": list(factors), "unit": [str(u) for u in units]})
    prices = table(store).set_index("factor")
    distinct = pairs.drop_duplicates().reset_index(drop=True)
    values = []
    for fid, unit in distinct.itertuples(index=False):  # a handful of distinct pairs, not data rows
        if fid not in prices.index or unit in ("", "None", "nan"):
            values.append(math.nan)
            continue
        p = prices.loc[fid]
        try:
            q = ureg.Quantity(float(p["price"]), p["unit"]).to(ureg.GBP / ureg.Quantity(1, unit).units)
            values.append(float(q.magnitude))
        except (pint.errors.PintError, ValueError):
            values.append(math.nan)
    distinct["gbp"] = values
    return pairs.merge(distinct, on=["factor", "unit"], how="left")["gbp"].astype(float)


def one(store, factor: str, unit) -> float:
    """Pounds per one ``unit`` of ``factor`` (NaN if not priced)."""
    return float(per_unit(store, [factor], [unit]).iloc[0])
