"""``pathway``: a saved care pathway times the patients who follow it (``ref`` = its name,
``amount`` = patients a year): the pathway's per-patient footprint, one row per category.

Used by scenarios, to build a board's baseline from its pathways. The pathway must compute whole:
a row in error makes the line an error naming it, never a smaller number.
"""

from __future__ import annotations

import pandas as pd

from carbon import pathways
from carbon.kinds.base import KG, TIDY, Context, Kind, in_unit, join_ids, read, text
from carbon.library import Library
from carbon.units import UnitError, ureg


class PathwayKind(Kind):
    name = "pathway"
    label = "A saved care pathway × patients"
    fields = ("factor", "quantity", "category")
    picks = "pathway"
    contexts = ("year",)

    def parse(self, lib: Library, row: dict, ctx: Context) -> dict:
        name = self.need_factor(row, ctx)
        q = read(row.get("quantity", ""), ctx.label("quantity"))
        if q.dimensionless:
            q = ureg.Quantity(q.magnitude, "patient")
        patients = float(in_unit(q, ureg.patient, ctx, row, f"the {name} pathway").magnitude)
        if patients < 0:
            raise UnitError(f"{ctx.label('quantity')} {text(row, 'quantity')!r} cannot be negative")
        return {"pathway": name, "patients": patients, "category": text(row, "category"),
                "quantity_text": f"{patients:,.6g} patients {ctx.words} x the {name} pathway"}

    def compute(self, store, lib: Library, parsed: pd.DataFrame, basis: str, ctx: Context) -> pd.DataFrame:
        per_patient = []
        for name in parsed["pathway"].unique():  # the few distinct pathways a scenario names
            fp = pathways.footprint(store, pathways.load(store, name), basis)
            bad = pathways.errors(fp)
            if bad:
                raise UnitError(f"the {name} pathway has rows that cannot be computed: {'; '.join(bad)}")
            by = fp.groupby("category", sort=True).agg(
                kgCO2e=("kgCO2e", "sum"), kgCO2e_low=("kgCO2e_low", "sum"), kgCO2e_high=("kgCO2e_high", "sum"),
                cost_gbp=("cost_gbp", lambda s: s.sum(min_count=1)),
                factor_ids=("factor_ids", join_ids),
            ).reset_index()
            per_patient.append(by.assign(pathway=name))
        table = pd.concat(per_patient, ignore_index=True)
        out = parsed[["position", "pathway", "patients", "category", "quantity_text"]].rename(
            columns={"category": "own_category"}).merge(table, on="pathway", how="left")
        for col in KG + ["cost_gbp"]:
            out[col] = out[col] * out["patients"]
        out["category"] = out["own_category"].where(out["own_category"] != "", out["category"])
        out = out.assign(factor_name=out["pathway"], amount=out["patients"], amount_unit="patient",
                         gwp_basis=basis, steps=out["quantity_text"] + " (" + out["category"] + ")")
        return out[TIDY]
