"""``manual``: a published or reported footprint typed in (``5200 tCO2e`` a year for a board's
building energy; ``12 kgCO2e`` per patient from a life-cycle study), with an optional low and high.

A bare number is tonnes a year in a scenario and kilograms per patient in a pathway. The line's
category says where it belongs (energy, waste, inhaler, ...), since no factor says it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon import bounds
from carbon.formatting import number
from carbon.kinds.base import TIDY, Context, Kind, text
from carbon.library import Library
from carbon.units import UnitError, parse, ureg

#: The unit a bare number is read in, by context.
DEFAULT_UNIT = {"year": "tCO2e", "patient": "kgCO2e"}


def kg(value, what: str, ctx: Context) -> float:
    """A CO2e amount (``5200 tCO2e``, ``12 kgCO2e``, or one a year) in kgCO2e."""
    default = DEFAULT_UNIT.get(ctx.name, "kgCO2e")
    q = parse(value, default)
    if q.dimensionality == ureg.kgCO2e.dimensionality:
        out = float(q.to("kgCO2e").magnitude)
    elif q.dimensionality == (ureg.kgCO2e / ureg.year).dimensionality:
        out = float(q.to("kgCO2e/year").magnitude)
    else:
        raise UnitError(f"{what}: {value!r} is not an amount of CO2e (write e.g. '5200 {default}')")
    bounds.check("quantity", out, what, shown=value)
    return out


class ManualKind(Kind):
    name = "manual"
    label = "A reported figure (tCO2e a year, or kgCO2e per patient)"
    fields = ("quantity", "low", "high", "category")
    contexts = ("year",)

    def parse(self, lib: Library, row: dict, ctx: Context) -> dict:
        category = text(row, "category")
        if not category:
            raise UnitError("a reported figure needs a category (e.g. energy, waste, inhaler)")
        what = ctx.label("quantity")
        if not text(row, "quantity"):
            raise UnitError(f"{what} is empty")
        central = kg(text(row, "quantity"), what, ctx)
        low = kg(text(row, "low"), "low", ctx) if text(row, "low") else central
        high = kg(text(row, "high"), "high", ctx) if text(row, "high") else central
        if not low <= central <= high:
            unit = DEFAULT_UNIT.get(ctx.name, "kgCO2e")
            scale = 1000 if unit == "tCO2e" else 1
            raise UnitError(f"low <= {what} <= high fails ({low / scale:g} <= {central / scale:g} <= "
                            f"{high / scale:g} {unit})")
        return {"kg": central, "kg_low": low, "kg_high": high, "category": category,
                "quantity_text": f"entered: {text(row, 'quantity')} {ctx.words}"}

    def compute(self, store, lib: Library, parsed: pd.DataFrame, basis: str, ctx: Context) -> pd.DataFrame:
        out = pd.DataFrame({
            "position": parsed["position"].to_numpy(), "category": parsed["category"].to_numpy(),
            "factor_name": "reported figure", "quantity_text": parsed["quantity_text"].to_numpy(),
            "amount": parsed["kg"].to_numpy(dtype=float), "amount_unit": "kgCO2e",
            "kgCO2e": parsed["kg"].to_numpy(dtype=float), "kgCO2e_low": parsed["kg_low"].to_numpy(dtype=float),
            "kgCO2e_high": parsed["kg_high"].to_numpy(dtype=float), "cost_gbp": np.nan, "gwp_basis": "",
            "factor_ids": "",
        })
        out["steps"] = "Entered figure: " + out["kgCO2e"].map(number) + " kgCO2e (no factor)."
        return out[TIDY]
