"""What the estates kinds of line share (``energy``, ``water``, ``waste``, ``refrigerant``): a year's
quantity of one estates item, footprinted through ``carbon.estates`` with the DESNZ factors of the
line's period.

A row: ``factor`` (a scenario line's ``ref``) names the item as ``factors/estates_items.csv`` does
(``natural_gas``, ``electricity``, ``water_supply``, ``landfill``, ``r410a``; ``Natural gas`` is read
too), ``quantity`` (its ``amount``) the year's quantity with its unit (``60000000 kWh``,
``100000 L``, ``1200 tonne``, ``50 kg``; a rate such as ``5000 kWh/month`` is read over the year),
``period`` the reporting year (``2024/25``; a scenario gives every line one), and optionally
``factor_year``: a DESNZ year to use instead of the period's own (the library holds no set before
2024, so a 2023/24 line needs one, and its arithmetic says which year was used).

All rows are read at once as rows of an estates return (``estates.validate``: an unknown fuel, a
waste route with no factor, a unit that does not fit the item) and footprinted set-wise
(``estates.footprint_frame``), so a line gives what the same row of an imported return gives. A
refused row is marked alone (``kinds.checked``); the others are still computed.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pint

from carbon import desnz, estates, periods
from carbon.errors import CarbonError, Problem
from carbon.formatting import number, unit
from carbon.kinds import checked
from carbon.kinds.base import TIDY, Context, Kind, amount, join_ids, shown, text, value
from carbon.library import Library
from carbon.units import UnitError, ureg

#: What each measure is in words, for a message naming what to type.
MEASURE_WORDS = {"energy": "an energy (kWh, MWh, GJ)", "volume": "a volume (m3, litres)",
                 "mass": "a mass (kg, tonnes)"}
_CHECKED = [*estates.ACTIVITY_COLUMNS, "origin", "line"]


def period_of(row: dict) -> periods.Period:
    """The row's reporting period; empty is an error (the DESNZ year follows it)."""
    typed = text(row, "period")
    if not typed:
        raise UnitError("period is empty: give the reporting year whose DESNZ factors apply (e.g. 2024/25)")
    return periods.parse(typed, where="period")


def factor_year_of(row: dict) -> int | None:
    """An explicit DESNZ factor year (``2024``), or None to follow the period."""
    v = value(row, "factor_year")
    if v is None:
        return None
    try:
        year = float(v)
    except (TypeError, ValueError):
        raise UnitError(f"factor_year {shown(v)} is not a year; write a DESNZ year such as 2024, or leave it "
                        "empty to use the period's own") from None
    if not year.is_integer() or not periods.EARLIEST <= year <= periods.LATEST:
        raise UnitError(f"factor_year {shown(v)} is not a year; write a DESNZ year such as 2024")
    return int(year)


def in_measure(q: pint.Quantity, allowed: tuple[str, ...], row: dict, ctx: Context, example: str
               ) -> tuple[str, float]:
    """(measure, quantity in its canonical unit: kWh, m3 or kg) for a year's amount; a rate over time
    is taken over the context's period; anything else is an error naming the field."""
    what = ctx.label("quantity")
    if q.unitless:
        raise UnitError(f"{what} {shown(row.get('quantity'))} has no unit; write e.g. '{example}'")
    candidates = [q] + ([q * ureg.Quantity(ctx.period)] if ctx.period else [])
    for c in candidates:
        for measure in allowed:
            if c.check(f"[{measure}]"):
                return measure, float(c.to(estates.CANONICAL[measure]).magnitude)
    words = " or ".join(MEASURE_WORDS[m] for m in allowed)
    raise UnitError(f"{what} {shown(row.get('quantity'))} is not {words}; write e.g. '{example}'")


def held_years(store, rows: pd.DataFrame) -> None:
    """Refuse (naming each row by position) a row whose DESNZ year lacks a family its item takes."""
    known = estates.items(store)
    fams = known.assign(family=known["families"].str.split()).explode("family").dropna(subset=["family"])
    need = rows[["position", "stream", "item", "measure", "factor_year"]].merge(
        fams[["stream", "item", "measure", "family"]], on=["stream", "item", "measure"])
    ser = desnz.series(store)[["family", "year"]]
    have = need.merge(ser, left_on=["family", "factor_year"], right_on=["family", "year"], how="left")
    lacking = have[have["year"].isna()]
    if lacking.empty:
        return
    held = ser.groupby("family")["year"].agg(lambda y: ", ".join(map(str, sorted(y)))).to_dict()
    problems = []
    for (pos, fy), grp in lacking.groupby(["position", "factor_year"]):  # the few refused lines
        by_held = grp.assign(held=grp["family"].map(held).fillna("none")).groupby("held", sort=False)["family"]
        fam = "; ".join(_some(list(f)) + f" (held: {h})" for h, f in by_held)
        problems.append(Problem("", int(pos), f"no DESNZ {int(fy)} figure in the factor library for {fam}",
                                "give the line a factor_year the library holds, or load the DESNZ "
                                f"{int(fy)} flat file with `carbon factors import-desnz FILE`"))
    raise CarbonError(problems)


def _some(names: list[str], shown_: int = 3) -> str:
    """'a, b, c and 4 more' (a message stays one line)."""
    more = len(names) - shown_
    return ", ".join(names[:shown_]) + (f" and {more} more" if more > 0 else "")


def _read(store, rows: pd.DataFrame) -> pd.DataFrame:
    """``estates.validate`` of the rows (with position and factor year), then the DESNZ years held."""
    read = estates.validate(store, rows[_CHECKED])
    read["position"] = rows["position"].to_numpy()
    own = periods.lookup(read["period"])["factor_year"].astype(int).to_numpy()
    given = pd.to_numeric(rows["factor_year"], errors="coerce").to_numpy()
    read["factor_year"] = np.where(np.isnan(given), own, given).astype(int)
    read["own_year"] = own
    held_years(store, read)
    return read


def footprint_rows(store, rows: pd.DataFrame, basis: str) -> tuple[pd.DataFrame | None, dict[int, str]]:
    """Estates activity rows (``estates.ACTIVITY_COLUMNS`` + position, factor_year) footprinted
    set-wise: ``(footprint rows of the accepted ones with their position, {position: why refused})``.

    The footprint has ``estates.FOOTPRINT_COLUMNS`` plus position, own_year and the factor's
    figure (``kgCO2e_per``, ``per``) for the arithmetic.
    """
    rows = rows.assign(origin=rows["position"].astype(str), line=rows["position"])
    good, errors = checked.refused(lambda r: _read(store, r), rows)
    if good is None:
        return None, errors
    parts = [estates.footprint_frame(store, grp.drop(columns=["factor_year", "own_year"]), basis,
                                     factor_year=int(fy))
             for fy, grp in good.groupby("factor_year")]  # one call per DESNZ year used
    fp = pd.concat(parts, ignore_index=True)
    fp["position"] = fp["origin"].astype(int)
    fp = fp.merge(good[["position", "own_year"]].drop_duplicates(), on="position", how="left")
    figures = desnz.series(store, basis)[["factor_id", "kgCO2e_per", "per"]]
    return fp.merge(figures, on="factor_id", how="left"), errors


def arithmetic(fp: pd.DataFrame, by: list[str] | None = None) -> pd.Series:
    """Each line's arithmetic in words (one text per ``by``, default the position), built column-wise."""
    by = by or ["position"]
    per_unit = fp["kgCO2e_per"].astype(float)
    per = fp["per"].map(lambda u: unit(ureg.Unit(u)) if isinstance(u, str) and u else "")
    qty = np.where(per_unit > 0, fp["kgCO2e"] / per_unit.where(per_unit > 0), fp["quantity"])
    step = np.where(
        fp["factor_id"] != "",
        pd.Series(qty, index=fp.index).map(number) + " " + per + " × "
        + per_unit.map(lambda v: f"{v:,.6g}") + " kgCO2e/" + per + " (" + fp["factor_id"] + ") = "
        + fp["kgCO2e"].map(number) + " kgCO2e",
        fp["item_label"] + ": " + fp["note"])
    year = ("DESNZ " + fp["factor_year"].astype(str) + " factors"
            + np.where(fp["factor_year"] != fp["own_year"],
                       ", set on the line (the period's own year is " + fp["own_year"].astype("Int64").astype(str)
                       + ")", " (the period's own year)")
            + "; published on AR5, not re-based.")
    lines = fp[by].assign(step=step, year=year)
    return lines.groupby(by, sort=False).agg(
        steps=("step", "\n".join), year=("year", "first")).assign(
        text=lambda d: d["steps"] + "\n" + d["year"])["text"]


class EstatesLine(Kind):
    """A year's quantity of one estates item; subclasses name the stream and what it is measured in."""

    #: the estates stream (``factors/estates_items.csv``) and the category its lines take by default
    stream: ClassVar[str]
    category: ClassVar[str]
    measures: ClassVar[tuple[str, ...]]
    example: ClassVar[str]
    fields = ("factor", "quantity", "period", "factor_year", "category")
    contexts = ("year",)

    def choices(self, lib: Library) -> list[str]:
        return []  # items are estates items, not library factors: no swap in the catalogue names them

    def parse(self, lib: Library, row: dict, ctx: Context) -> dict:
        item = self.need_factor(row, ctx)
        period = period_of(row)
        measure, qty = in_measure(amount(row, ctx), self.measures, row, ctx, self.example)
        return {"item": item, "period": period.label, "measure": measure, "quantity": qty,
                "unit": estates.CANONICAL[measure], "factor_year": factor_year_of(row),
                "category": text(row, "category"), "quantity_text": f"{text(row, 'quantity')} in {period.label}"}

    def compute(self, store, lib: Library, parsed: pd.DataFrame, basis: str, ctx: Context) -> pd.DataFrame:
        p = parsed.reset_index(drop=True)
        rows = pd.DataFrame({
            "organisation_code": "scenario", "organisation_name": "", "site": estates.WHOLE, "period": p["period"],
            "stream": self.stream, "item": p["item"], "quantity": p["quantity"], "unit": p["unit"],
            "position": p["position"].astype(int), "factor_year": p["factor_year"].astype(float)})
        fp, errors = footprint_rows(store, rows, basis)
        out = None
        if fp is not None:
            by = fp.groupby("position", sort=False).agg(
                kgCO2e=("kgCO2e", "sum"), kgCO2e_low=("kgCO2e_low", "sum"), kgCO2e_high=("kgCO2e_high", "sum"),
                factor_name=("item_label", "first"), factor_ids=("factor_id", lambda s: join_ids(s, " ")))
            by["steps"] = arithmetic(fp)
            by = by.reset_index().merge(p[["position", "category", "quantity_text", "quantity", "unit"]],
                                        on="position", how="left")
            bases = lib.factors["gwp_basis"].reindex(fp["factor_id"][fp["factor_id"] != ""].unique()).dropna()
            out = by.assign(
                category=np.where(by["category"] != "", by["category"], self.category),
                amount=by["quantity"], amount_unit=by["unit"], cost_gbp=np.nan,
                gwp_basis=", ".join(sorted(set(bases))) or "AR5")
            out = out[TIDY]
        return checked.mark(out, errors, TIDY, {"category": self.category})

