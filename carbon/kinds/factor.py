"""``factor``: a quantity of something times a library factor (``2 inhaler/month`` for ``12 month``
of ``clenil_pmdi``; a year's ``180000 inhaler`` of ``ventolin_evohaler``).

pint converts the amount to the factor's "per" unit, so ``28.968 km`` of a per-mile factor or
``500 g`` of a per-tonne factor come out right and a litre of inhalers is an error. Cost is the
amount times the factor's list price (``carbon.prices``), where it has one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon import factors as fx
from carbon import prices
from carbon.formatting import number
from carbon.kinds.base import TIDY, Context, Kind, amount, in_unit, text
from carbon.library import Library
from carbon.units import UnitError, denominator


class FactorKind(Kind):
    name = "factor"
    label = "Library factor (quantity × factor)"
    fields = ("factor", "quantity", "duration", "category")

    def parse(self, lib: Library, row: dict, ctx: Context) -> dict:
        fid = self.need_factor(row, ctx)
        if fid not in lib.factors.index:
            if lib.is_constant(fid):
                raise UnitError(f"{fid} is a constant, not an emission factor")
            raise fx.FactorNotFound(fid)
        per = denominator(lib.factors.loc[fid, "unit"])
        q = in_unit(amount(row, ctx), per, ctx, row, fid)
        typed = text(row, "quantity") + (f" for {text(row, 'duration')}" if text(row, "duration") else "")
        q_text = f"{typed} = {number(q.magnitude)} {q.units:~P}" if text(row, "duration") else typed
        return {"factor": fid, "amount": float(q.magnitude), "amount_unit": f"{per:~P}", "quantity_text": q_text,
                "category": text(row, "category")}

    def compute(self, store, lib: Library, parsed: pd.DataFrame, basis: str, ctx: Context) -> pd.DataFrame:
        table = fx.resolved(store, basis).set_index("id")
        f = table.loc[parsed["factor"]]
        amount_ = parsed["amount"].to_numpy(dtype=float)
        out = pd.DataFrame({
            "position": parsed["position"].to_numpy(),
            "category": np.where(parsed["category"] != "", parsed["category"], f["category"].to_numpy()),
            "factor_name": f["name"].to_numpy(),
            "quantity_text": parsed["quantity_text"].to_numpy(),
            "amount": amount_,
            "amount_unit": parsed["amount_unit"].to_numpy(),
            "kgCO2e": amount_ * f["kgCO2e_per"].to_numpy(),
            "kgCO2e_low": amount_ * f["kgCO2e_per_low"].to_numpy(),
            "kgCO2e_high": amount_ * f["kgCO2e_per_high"].to_numpy(),
            "gwp_basis": f["basis_used"].fillna(basis).to_numpy(),
            "factor_ids": parsed["factor"].to_numpy(),
        })
        unit_price = prices.per_unit(store, list(parsed["factor"]), list(parsed["amount_unit"]))
        out["cost_gbp"] = amount_ * unit_price.to_numpy()
        out["steps"] = (out["quantity_text"] + " × " + f["kgCO2e_per"].map(number).to_numpy() + " kgCO2e/"
                        + out["amount_unit"] + " = " + out["kgCO2e"].map(number) + " kgCO2e")
        return out[TIDY]
