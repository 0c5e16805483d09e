"""``prescribing``: a year of imported prescribing for one board (``ref`` = its code or name), or
for every board if ``ref`` is empty: the inhalers by their product footprints (category
``inhaler``) and every other pound of prescribing by its BNF chapter's spend factor (category
``medicine``, "other medicines"), never both for the same pound (``prescribing.chapters``).

Only the months inside the line's period (its own, or the scenario's baseline year) are used, and
each board is scaled to twelve months over the months it has data for (an English ICB's one EPD
month beside a Scottish board's year of PHS files is x 12 and x 1, not both x 12 / 13). Used by
scenarios, in the year context only.
"""

from __future__ import annotations

import pandas as pd

from carbon import periods, prescribing
from carbon.formatting import plural
from carbon.kinds.base import TIDY, Context, Kind, join_ids, text
from carbon.library import Library
from carbon.prescribing import chapters
from carbon.units import UnitError

#: The category each way of counting lands in.
CATEGORY = {chapters.LCA: "inhaler", chapters.SPEND: "medicine"}


class PrescribingKind(Kind):
    name = "prescribing"
    label = "Imported prescribing (a board's year, or every board's)"
    fields = ("factor", "category")
    picks = "board"
    contexts = ("year",)

    def parse(self, lib: Library, row: dict, ctx: Context) -> dict:
        period = periods.parse(text(row, "period"), where="period") if text(row, "period") else None
        return {"board": text(row, "factor"), "category": text(row, "category"), "period": period}

    def compute(self, store, lib: Library, parsed: pd.DataFrame, basis: str, ctx: Context) -> pd.DataFrame:
        if not prescribing.has_data(store):
            raise UnitError("no prescribing data has been imported yet (see the Prescribing page)")
        every = chapters.footprint_rows(store, basis)
        names = chapters.board_names(store)
        rows = []
        for r in parsed.itertuples(index=False):  # a scenario's one or two prescribing lines
            sel = every
            if r.board:
                codes = set(names.loc[(names["board_code"] == r.board) | (names["board"] == r.board), "board_code"])
                sel = sel[sel["board_code"].isin(codes)]
                if sel.empty:
                    raise UnitError(f"no imported prescribing for board {r.board!r}")
            if r.period is not None:
                inside = sel[sel["month"].between(f"{r.period.start:%Y-%m}", f"{r.period.end:%Y-%m}")]
                if inside.empty:
                    raise UnitError(f"no imported prescribing month falls in {r.period.label} (the months imported "
                                    f"run {sel['month'].min()} to {sel['month'].max()}): give the line the period of "
                                    "its data, or import that year's files")
                sel = inside
            months = sel.groupby("board_code")["month"].nunique()
            scale = sel["board_code"].map(12 / months)
            spans = sorted(set(months))
            span = f"{spans[0]} {plural(spans[0], 'month')}" if len(spans) == 1 else f"{spans[0]}-{spans[-1]} months by board"
            during = f" in {r.period.label}" if r.period is not None else ""
            for method in (chapters.LCA, chapters.SPEND):  # inhalers first, then the rest by spend
                part = sel[sel["method"] == method]
                if method == chapters.SPEND and not (part["cost_gbp"] > 0).any():
                    continue
                k = scale[part.index]
                what = "inhalers by product footprint" if method == chapters.LCA else "other medicines by spend"
                detail = (f"imported prescribing{' for ' + r.board if r.board else ''}{during}, {what}, "
                          f"{span} scaled to a year")
                rows.append({"position": r.position, "category": r.category or CATEGORY[method],
                             "factor_name": r.board or "every board", "quantity_text": detail,
                             "amount": float(part["items"].sum()), "amount_unit": "item",
                             "kgCO2e": float((part["kgCO2e"] * k).sum()),
                             "kgCO2e_low": float((part["kgCO2e_low"] * k).sum()),
                             "kgCO2e_high": float((part["kgCO2e_high"] * k).sum()),
                             "cost_gbp": float((part["cost_gbp"] * k).sum()), "gwp_basis": basis,
                             "factor_ids": join_ids(part["factor_ids"]), "steps": detail})
        return pd.DataFrame(rows, columns=TIDY)
