"""Medicines, dressings and appliances by spend: kgCO2e from pounds, chapter by chapter of the BNF.

Where no product footprint exists (inhalers have one), prescribing carbon is estimated from
spend with a published kgCO2e-per-pound factor. ``factors/bnf_chapters.csv`` maps each BNF
chapter to one spend factor in ``factors/medicines.csv`` (NHS SDU reporting factors, with the
spread to Defra's supply-chain factors by SIC code as the range). A factor is priced in the
pounds of its price year (the factor row's ``year``); spend of another year is first brought to
those pounds with the ONS GDP deflator (``factors/gdp_deflators.csv``), so a 2024 pound is not
priced as a 2020 one. A factor with no stated price year is applied at face value and every row
it touches says so.

The contract for callers (the prescribing import, scenario lines): a DataFrame with
``bnf_chapter`` (1-23, int or text such as ``"03"``), ``cost_gbp`` (pounds, zero or more) and
either ``month`` (a date or ``YYYY-MM``) or ``year`` (a calendar year, or a financial year such
as ``2024/25``, whose pounds are taken at the prices of the year most of it falls in). Spend
already footprinted by product (inhalers) must be left out by the caller.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon import factors as fx
from carbon import periods
from carbon.errors import CarbonError, Problem
from carbon.store import Store

METHOD = "spend"
MAX_LISTED = 20


class SpendError(CarbonError):
    headline = "no medicines footprint"


def deflators(store: Store) -> pd.Series:
    """ONS GDP deflator index by calendar year (2022 = 100)."""
    df = fx.reference(store, "gdp_deflators")
    return pd.Series(df["index"].astype(float).to_numpy(), index=df["year"].astype(int).to_numpy(), name="index")


def chapters(store: Store, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Each BNF chapter with its spend factor at the factor's own price year.

    Columns: bnf_chapter, chapter_name, factor_id, factor_name, kgCO2e_per_gbp (and _low,
    _high), factor_price_year (nullable: no price year stated), source, source_title.
    """
    chap = fx.reference(store, "bnf_chapters")
    res = fx.resolved(store, basis)
    res = res[res["category"] == "medicine"]
    out = chap.merge(res, left_on="spend_factor", right_on="id", how="left", suffixes=("", "_factor"))
    return pd.DataFrame({
        "bnf_chapter": out["bnf_chapter"].astype(int),
        "chapter_name": out["name"],
        "factor_id": out["spend_factor"],
        "factor_name": out["name_factor"],
        "kgCO2e_per_gbp": out["kgCO2e_per"].astype(float),
        "kgCO2e_per_gbp_low": out["kgCO2e_per_low"].astype(float),
        "kgCO2e_per_gbp_high": out["kgCO2e_per_high"].astype(float),
        "factor_price_year": pd.to_numeric(out["year"], errors="coerce").astype("Int64"),
        "source": out["source_factor"],
        "source_title": out["source_title"],
    })


def price_ratio(index: pd.Series, factor_year: pd.Series, spend_year: pd.Series) -> pd.Series:
    """Pounds of ``spend_year`` in pounds of ``factor_year``: deflator(factor) / deflator(spend).

    1 where the factor has no price year (no re-pricing possible); NaN where a year has no
    deflator (the caller reports it).
    """
    f = factor_year.map(index).astype(float)
    s = spend_year.map(index).astype(float)
    ratio = f / s
    return ratio.where(factor_year.notna(), 1.0)


def _problem_rows(mask: np.ndarray, what, where: str, fix: str = "", lines=None) -> tuple[list[Problem], int]:
    """Problems for the rows in ``mask``: ``where:line`` where file lines are known, else ``where N``."""
    rows = np.asarray(mask, dtype=bool).nonzero()[0]
    if lines is not None:
        return [Problem(where, int(lines[i]), what(i), fix) for i in rows[:MAX_LISTED]], len(rows)
    return [Problem(f"{where} {i + 1}", None, what(i), fix) for i in rows[:MAX_LISTED]], len(rows)


def spend_footprint(store: Store, spend: pd.DataFrame, basis: str = fx.DEFAULT_BASIS,
                    where: str = "spend row") -> pd.DataFrame:
    """kgCO2e (central, low, high) of each row of ``spend``, by its BNF chapter's spend factor.

    Returns ``spend``'s columns plus: chapter_name, price_year, factor_id, factor_price_year,
    kgCO2e, kgCO2e_low, kgCO2e_high, method (``"spend"``), repriced (bool) and note (how the
    pounds were priced). Bad rows (unknown chapter, a cost that is not a number or is negative,
    an unreadable year, a price year with no deflator) raise ``SpendError`` naming each row
    (``where`` and its file line where ``spend`` has a ``line`` column, else its 1-based number);
    nothing is computed for any row then. ``bnf_chapter`` and ``cost_gbp`` come back as numbers.
    """
    if not isinstance(spend, pd.DataFrame):
        raise SpendError(Problem(where, None, "spend must be a table (DataFrame)"))
    period_col = "month" if "month" in spend.columns else ("year" if "year" in spend.columns else None)
    missing = [c for c in ("bnf_chapter", "cost_gbp") if c not in spend.columns]
    if missing or period_col is None:
        need = missing + ([] if period_col else ["year or month"])
        raise SpendError(Problem(where, None, f"the spend table lacks {', '.join(need)}",
                                 "columns: bnf_chapter, year (or month), cost_gbp"))
    df = spend.reset_index(drop=True)
    lines = df["line"].to_numpy() if "line" in df.columns else None
    chap = chapters(store, basis)
    problems: list[Problem] = []
    total = 0

    def add(found):
        nonlocal total
        problems.extend(found[0])
        total += found[1]

    text = df["bnf_chapter"].astype("string").str.strip()
    number = pd.to_numeric(text, errors="coerce")
    known = number.isin(chap["bnf_chapter"])
    add(_problem_rows(~known.to_numpy(), lambda i: f"BNF chapter {text.iloc[i]!r} is not a chapter of NHSBSA's BNF "
                      "code list (1-15, 18-23)", where, "give the chapter number, e.g. 3 or '03'", lines))
    cost = pd.to_numeric(df["cost_gbp"], errors="coerce")
    add(_problem_rows(cost.isna().to_numpy(), lambda i: f"cost {df['cost_gbp'].iloc[i]!r} is not a number of pounds",
                      where, lines=lines))
    add(_problem_rows((cost < 0).to_numpy(), lambda i: f"cost {cost.iloc[i]:,.2f} is negative", where,
                      "give spend as pounds, zero or more", lines))
    if period_col == "month":
        stamp = pd.to_datetime(df["month"], errors="coerce")
        add(_problem_rows(stamp.isna().to_numpy(), lambda i: f"month {df['month'].iloc[i]!r} is not a month",
                          where, "give it as 2024-01", lines))
        price_year = stamp.dt.year.astype("Int64")
    else:
        read = periods.lookup(df["year"])
        add(_problem_rows(read["what"].notna().to_numpy(), lambda i: read["what"].iloc[i], where,
                          "type a calendar year (2024) or a financial year (2024/25)", lines))
        price_year = read["start_year"].astype("Int64")
    if problems:
        raise SpendError(problems[:MAX_LISTED], total=total)

    index = deflators(store)
    joined = pd.DataFrame({"bnf_chapter": number.astype(int)}).merge(chap, on="bnf_chapter", how="left")
    ratio = price_ratio(index, joined["factor_price_year"], price_year)
    no_deflator = ratio.isna().to_numpy()
    if no_deflator.any():
        have = f"{index.index.min()}-{index.index.max()}"
        listed, n = _problem_rows(no_deflator, lambda i: f"price year {price_year.iloc[i]} has no GDP deflator in "
                                  f"factors/gdp_deflators.csv (it holds {have})", where,
                                  "add the year's ONS GDP deflator to factors/gdp_deflators.csv, with its source",
                                  lines)
        raise SpendError(listed, total=n)
    repriced = joined["factor_price_year"].notna().to_numpy()
    f_year = joined["factor_price_year"]
    note = np.where(
        repriced,
        price_year.astype(str) + " pounds priced at " + f_year.astype(str) + " prices (ONS GDP deflator "
        + f_year.map(index).map("{:g}".format) + " / " + price_year.map(index).map("{:g}".format) + ")",
        "the factor states no price year, so no deflator can be applied: pounds used at face value",
    )
    out = df.copy()
    out["bnf_chapter"] = number.astype(int).to_numpy()
    out["cost_gbp"] = cost.astype(float).to_numpy()
    out["chapter_name"] = joined["chapter_name"].to_numpy()
    out["price_year"] = price_year.array
    out["factor_id"] = joined["factor_id"].to_numpy()
    out["factor_price_year"] = f_year.array
    pounds = cost.to_numpy() * ratio.to_numpy()
    out["kgCO2e"] = pounds * joined["kgCO2e_per_gbp"].to_numpy()
    out["kgCO2e_low"] = pounds * joined["kgCO2e_per_gbp_low"].to_numpy()
    out["kgCO2e_high"] = pounds * joined["kgCO2e_per_gbp_high"].to_numpy()
    out["method"] = METHOD
    out["repriced"] = repriced
    out["note"] = note
    return out


def by_chapter(result: pd.DataFrame) -> pd.DataFrame:
    """A ``spend_footprint`` result summed by chapter (one row each, method and factor kept)."""
    keys = ["bnf_chapter", "chapter_name", "factor_id", "method"]
    agg = result.groupby(keys, as_index=False).agg(
        cost_gbp=("cost_gbp", "sum"), kgCO2e=("kgCO2e", "sum"), kgCO2e_low=("kgCO2e_low", "sum"),
        kgCO2e_high=("kgCO2e_high", "sum"), repriced=("repriced", "all"))
    return agg.sort_values("bnf_chapter").reset_index(drop=True)
