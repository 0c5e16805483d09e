"""``medicine_spend``: a year's spend on medicines, dressings or appliances in one BNF chapter (``ref``
= the chapter, ``4`` or ``04``; ``amount`` = pounds, ``£20,000,000`` or ``20000000 GBP``), footprinted
by the chapter's spend factor (``carbon.medicines``): the pounds of the line's period are first
re-priced to the factor's price year with the ONS GDP deflator (a 2024/25 pound is a 2024 pound,
DESNZ's majority rule), so a period whose year has no deflator yet is an error naming the line.

Inhalers have product footprints (``factor`` lines, or imported prescribing): a chapter 3 line
must leave their spend out, or they are counted twice; its arithmetic says so.

``spend_rows`` is the same footprint for any frame of spend by chapter (``bnf_chapter``,
``cost_gbp``, ``year`` or ``month``, optional ``position`` and ``line``): the function the
prescribing kind calls for the chapters it has no product footprint for. It returns the tidy
rows (``kinds.base.TIDY``), one per position and chapter.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from carbon import bounds, medicines
from carbon import factors as fx
from carbon.formatting import counted, gbp, number
from carbon.kinds import checked
from carbon.kinds.base import TIDY, Context, Kind, shown, text
from carbon.kinds.estates_line import period_of
from carbon.library import Library
from carbon.units import UnitError, parse, ureg

_CHAPTER = re.compile(r"^(?:BNF\s*)?(?:chapter\s*)?(\d{1,2})$", re.IGNORECASE)
#: The chapter whose product footprints (inhalers) must not also be counted by spend.
INHALER_CHAPTER = 3
INHALER_NOTE = ("Chapter 3 spend must leave out inhalers: they have product footprints and are counted by "
                "product (factor lines or imported prescribing), never twice.")


def pounds(row: dict, ctx: Context) -> float:
    """A year's spend in pounds: ``£20,000,000``, ``20000000 GBP``, a bare number, or a rate a month."""
    what = ctx.label("quantity")
    typed = text(row, "quantity")
    if not typed:
        raise UnitError(f"{what} is empty: give the year's spend in pounds, e.g. '£250,000'")
    cleaned = typed.replace("£", "").replace(",", "").strip()
    q = parse(cleaned, "GBP")
    if ctx.period and not q.check("[currency]") and (q * ureg.Quantity(ctx.period)).check("[currency]"):
        q = q * ureg.Quantity(ctx.period)
    if not q.check("[currency]"):
        raise UnitError(f"{what} {shown(typed)} is not an amount of money; write the year's spend, e.g. '£250,000'")
    bounds.check("quantity", float(q.to("GBP").magnitude), what, shown=typed)
    return float(q.to("GBP").magnitude)


def chapter(row: dict, ctx: Context) -> int:
    typed = text(row, "factor")
    m = _CHAPTER.match(typed)
    if not m:
        raise UnitError(f"{ctx.label('factor')} {shown(typed)} is not a BNF chapter number; write the chapter "
                        "of the spend, e.g. 4 or 04 (chapters 1-15 and 18-23)")
    return int(m.group(1))


def _tidy(fp: pd.DataFrame, texts: pd.Series | None = None) -> pd.DataFrame:
    """``medicines.spend_footprint`` rows (with ``position``) as tidy rows, one per position and chapter."""
    keys = ["position", "bnf_chapter"]
    by = fp.groupby(keys, sort=True).agg(
        cost_gbp=("cost_gbp", "sum"), kgCO2e=("kgCO2e", "sum"), kgCO2e_low=("kgCO2e_low", "sum"),
        kgCO2e_high=("kgCO2e_high", "sum"), chapter_name=("chapter_name", "first"), factor_ids=("factor_id", "first"),
        note=("note", lambda s: "; ".join(dict.fromkeys(s))), rows=("cost_gbp", "size")).reset_index()
    rate = by["kgCO2e"] / by["cost_gbp"].where(by["cost_gbp"] > 0)
    spent = by["cost_gbp"].map(gbp)
    steps = (spent + " × " + rate.map(lambda v: "–" if pd.isna(v) else f"{v:.6g}") + " kgCO2e per pound ("
             + by["factor_ids"] + ", " + by["note"] + ") = " + by["kgCO2e"].map(number) + " kgCO2e. Spend-based "
             "(input-output) factor: use it only where no product footprint exists.")
    steps = steps + np.where(by["bnf_chapter"] == INHALER_CHAPTER, " " + INHALER_NOTE, "")
    if texts is not None:
        quantity_text = by["position"].map(texts)
    else:
        quantity_text = spent + " over " + by["rows"].map(lambda n: counted(n, "row")) + " of spend"
    out = by.assign(
        category="medicine", factor_name=by["chapter_name"] + " (BNF chapter " + by["bnf_chapter"].astype(str) + ")",
        quantity_text=quantity_text, amount=by["cost_gbp"], amount_unit="GBP", gwp_basis="", steps=steps)
    return out[TIDY]


def spend_rows(store, spend: pd.DataFrame, basis: str = fx.DEFAULT_BASIS, where: str = "spend row") -> pd.DataFrame:
    """Spend by BNF chapter in (``bnf_chapter``, ``cost_gbp``, ``year`` or ``month``; ``position``
    optional, default 1; ``line`` optional, naming rows in errors), tidy rows out (``TIDY``, category
    ``medicine``), one per position and chapter. Bad rows raise ``medicines.SpendError`` naming each.
    The caller leaves out spend it footprints by product (inhalers)."""
    frame = spend if "position" in spend.columns else spend.assign(position=1)
    return _tidy(medicines.spend_footprint(store, frame, basis, where=where))


class MedicineSpendKind(Kind):
    name = "medicine_spend"
    label = "Medicines, dressings or appliances by spend (a BNF chapter's pounds a year)"
    fields = ("factor", "quantity", "period", "category")
    picks = "BNF chapter"
    contexts = ("year",)

    def choices(self, lib: Library) -> list[str]:
        return []

    def parse(self, lib: Library, row: dict, ctx: Context) -> dict:
        n = chapter(row, ctx)
        cost = pounds(row, ctx)
        period = period_of(row)
        return {"bnf_chapter": n, "cost_gbp": cost, "year": period.label, "category": text(row, "category"),
                "quantity_text": f"{gbp(cost)} of spend in {period.label}"}

    def compute(self, store, lib: Library, parsed: pd.DataFrame, basis: str, ctx: Context) -> pd.DataFrame:
        p = parsed.reset_index(drop=True).assign(position=lambda d: d["position"].astype(int))
        rows = p[["position", "bnf_chapter", "cost_gbp", "year"]].assign(line=p["position"])
        fp, errors = checked.refused(lambda r: medicines.spend_footprint(store, r, basis, where=""), rows)
        out = None
        if fp is not None:
            out = _tidy(fp, p.set_index("position")["quantity_text"])
            own = p.set_index("position")["category"]
            out["category"] = out["position"].map(own).where(lambda c: c != "", "medicine").fillna("medicine")
        return checked.mark(out, errors, TIDY, {"category": "medicine"})
