"""``prescribing``: a year of imported prescribing for one board (``ref`` = its code or name), or
for every board if ``ref`` is empty. Each board is scaled to twelve months over the months it has
data for (an English ICB's one EPD month beside a Scottish board's year of PHS files is x 12 and
x 1, not both x 12 / 13). Used by scenarios, in the year context only.
"""

from __future__ import annotations

import pandas as pd

from carbon import prescribing
from carbon.kinds.base import TIDY, Context, Kind, join_ids, text
from carbon.library import Library
from carbon.units import UnitError


class PrescribingKind(Kind):
    name = "prescribing"
    label = "Imported prescribing (a board's year, or every board's)"
    fields = ("factor", "category")
    picks = "board"
    contexts = ("year",)

    def parse(self, lib: Library, row: dict, ctx: Context) -> dict:
        return {"board": text(row, "factor"), "category": text(row, "category")}

    def compute(self, store, lib: Library, parsed: pd.DataFrame, basis: str, ctx: Context) -> pd.DataFrame:
        if not prescribing.has_data(store):
            raise UnitError("no prescribing data has been imported yet (see the Prescribing page)")
        df = prescribing.footprint(store, by=["board", "month"], basis=basis)
        rows = []
        for r in parsed.itertuples(index=False):  # a scenario's one or two prescribing lines
            sel = df[(df["board_code"].astype(str) == r.board) | (df["board"].astype(str) == r.board)] if r.board else df
            if sel.empty:
                raise UnitError(f"no imported prescribing for board {r.board!r}")
            boards = sel.groupby("board_code", dropna=False).agg(
                kg=("kgCO2e", "sum"), low=("kgCO2e_low", "sum"), high=("kgCO2e_high", "sum"),
                cost=("cost_gbp", "sum"), months=("month", "nunique"))
            scale = 12 / boards["months"]
            months = sorted(set(boards["months"]))
            span = f"{months[0]} month(s)" if len(months) == 1 else f"{months[0]}-{months[-1]} months by board"
            detail = f"imported prescribing{' for ' + r.board if r.board else ''}, {span} scaled to a year"
            rows.append({"position": r.position, "category": r.category or "inhaler",
                         "factor_name": r.board or "every board", "quantity_text": detail,
                         "amount": float(sel["items"].sum()), "amount_unit": "item",
                         "kgCO2e": float((boards["kg"] * scale).sum()), "kgCO2e_low": float((boards["low"] * scale).sum()),
                         "kgCO2e_high": float((boards["high"] * scale).sum()),
                         "cost_gbp": float((boards["cost"] * scale).sum()), "gwp_basis": basis,
                         "factor_ids": join_ids(sel["factor_ids"]),
                         "steps": detail})
        return pd.DataFrame(rows, columns=TIDY)
