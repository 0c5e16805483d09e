"""All of prescribing's carbon, chapter by chapter of the BNF: inhalers by their product footprints,
everything else by spend.

The import keeps every chapter as spend by month x practice x chemical (``rx_chemical_month``) and
chapter 3 in detail (``rx_item``). Here the inhalers the mapping can footprint (``rows.sql``: mapped
inhalers) are counted by product (their life-cycle figures), and every other pound (the rest of
chapter 3: tablets, nebules, inhalers that could not be mapped; and chapters 1-23) by the
chapter's spend factor (``carbon.medicines``), so no pound is counted twice: the spend of the
mapped inhalers is taken out of chapter 3's spend before it is priced.

Spend is re-priced to each factor's price year with the ONS GDP deflator. A month whose year has
no deflator yet (the index is published a year behind) is priced at the latest year that has
one, and its row says so: imported data is never refused for a deflator that does not exist yet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon import factors as fx
from carbon import medicines, periods
from carbon.prescribing.mapping import BY_MONTH, ensure, rows_sql, with_factors
from carbon.store import Store

#: What ``by_chapter`` calls each way of counting.
LCA = "product footprint (inhalers)"
SPEND = "spend"
COLUMNS = ["bnf_chapter", "chapter_name", "method", "cost_gbp", "items", "kgCO2e", "kgCO2e_low", "kgCO2e_high",
           "months", "factor_ids", "note"]

_INHALERS = """,
by_group AS (
    SELECT month, board_code, coalesce(sum(cost_gbp) FILTER (WHERE mapped), 0) AS cost_gbp,
           coalesce(sum(items) FILTER (WHERE mapped), 0) AS items,
           coalesce(sum(inhalers * kg) FILTER (WHERE mapped), 0) AS kgCO2e,
           coalesce(sum(inhalers * kg_low) FILTER (WHERE mapped), 0) AS kgCO2e_low,
           coalesce(sum(inhalers * kg_high) FILTER (WHERE mapped), 0) AS kgCO2e_high,
           string_agg(DISTINCT factor_id, ' ' ORDER BY factor_id) FILTER (WHERE mapped) AS factor_ids
    FROM rx_r GROUP BY month, board_code)
SELECT * FROM by_group"""


def _spend(store: Store) -> pd.DataFrame:
    """Spend by month, board and chapter, every chapter (pounds and items)."""
    ensure(store)  # the summary is written with the map
    return store.df("SELECT month, board_code, bnf_chapter, cost_gbp, items FROM rx_sum_spend")


def board_names(store: Store) -> pd.DataFrame:
    """Every imported board code with each name its files give it (board_code, board)."""
    ensure(store)
    return store.df("SELECT DISTINCT board_code, board FROM rx_sum_spend")


def footprint_rows(store: Store, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Every month x board x chapter x method with its pounds, items and kgCO2e (central, low, high):
    the mapped inhalers by product, the rest of each chapter by spend. ``note`` says how the pounds
    were priced (and where a month's year has no deflator yet)."""
    inhalers = with_factors(store, basis, rows_sql(BY_MONTH) + _INHALERS)
    spend = _spend(store)
    if spend.empty:
        return pd.DataFrame(columns=["month", "board_code", *COLUMNS])
    keys = ["month", "board_code"]
    ch3 = spend["bnf_chapter"] == 3
    taken = spend[ch3].merge(inhalers[keys + ["cost_gbp", "items"]], on=keys, how="left", suffixes=("", "_lca"))
    spend.loc[ch3, "cost_gbp"] = (taken["cost_gbp"] - taken["cost_gbp_lca"].fillna(0)).clip(lower=0).to_numpy()
    spend.loc[ch3, "items"] = (taken["items"] - taken["items_lca"].fillna(0)).clip(lower=0).to_numpy()
    spend = spend[~ch3 | (spend["cost_gbp"] > 0) | (spend["items"] > 0)].reset_index(drop=True)  # all inhalers
    cols = ["month", "board_code", "bnf_chapter", "chapter_name", "method", "cost_gbp", "items", "kgCO2e",
            "kgCO2e_low", "kgCO2e_high", "factor_ids", "note"]
    by_spend = _priced(store, spend, basis) if len(spend) else pd.DataFrame(columns=cols)
    chapters = medicines.chapters(store, basis).set_index("bnf_chapter")["chapter_name"]
    lca = inhalers.assign(bnf_chapter=3, chapter_name=chapters.get(3, "Respiratory system"), method=LCA,
                          note="inhaler life-cycle footprints (the product each BNF code maps to)")
    out = pd.concat([lca[cols], by_spend[cols]], ignore_index=True)
    out["month"] = pd.to_datetime(out["month"]).dt.strftime("%Y-%m")
    return out


def _priced(store: Store, spend: pd.DataFrame, basis: str) -> pd.DataFrame:
    """Spend rows footprinted by their chapters' factors; a month past the last deflator is priced at it."""
    year = pd.to_datetime(spend["month"]).dt.year
    latest = int(medicines.deflators(store).index.max())
    priced = spend.assign(year=np.minimum(year, latest).astype(int))
    # priced by ``year`` (capped above), so the month rides along under another name
    out = medicines.spend_footprint(store, priced[["month", "board_code", "bnf_chapter", "cost_gbp", "items", "year"]]
                                    .rename(columns={"month": "paid_month"}), basis, where="imported spend")
    out = out.rename(columns={"paid_month": "month"})
    late = (year > latest).to_numpy()
    out["note"] = np.where(late, out["note"] + f" (no GDP deflator after {latest} yet: priced as {latest} pounds)",
                           out["note"])
    return out.assign(method=SPEND, factor_ids=out["factor_id"])


def by_chapter(store: Store, basis: str = fx.DEFAULT_BASIS, period: periods.Period | None = None,
               board: str = "") -> pd.DataFrame:
    """Prescribing carbon by BNF chapter and method (columns ``COLUMNS``), over every imported month
    or those inside ``period``, for every board or one (code or name)."""
    rows = footprint_rows(store, basis)
    if board:
        names = board_names(store)
        codes = set(names.loc[(names["board_code"] == board) | (names["board"] == board), "board_code"])
        rows = rows[rows["board_code"].isin(codes)]
    if period is not None:
        rows = rows[rows["month"].between(f"{period.start:%Y-%m}", f"{period.end:%Y-%m}")]
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    g = rows.groupby(["bnf_chapter", "chapter_name", "method"], as_index=False, sort=True).agg(
        cost_gbp=("cost_gbp", "sum"), items=("items", "sum"), kgCO2e=("kgCO2e", "sum"),
        kgCO2e_low=("kgCO2e_low", "sum"), kgCO2e_high=("kgCO2e_high", "sum"), months=("month", "nunique"),
        factor_ids=("factor_ids", lambda s: " ".join(sorted({i for v in s.dropna() for i in str(v).split()}))),
        note=("note", lambda s: "; ".join(dict.fromkeys(s.dropna()))))
    return g[COLUMNS].sort_values(["bnf_chapter", "method"], key=lambda c: c if c.name == "bnf_chapter" else
                                  c.map({LCA: 0, SPEND: 1})).reset_index(drop=True)


def summary(table: pd.DataFrame) -> dict:
    """The totals of a ``by_chapter`` table: kgCO2e (central, low, high), and the part counted by
    product footprint (inhalers) and by spend."""
    lca = table["method"] == LCA
    return {"kgCO2e": float(table["kgCO2e"].sum()), "kgCO2e_low": float(table["kgCO2e_low"].sum()),
            "kgCO2e_high": float(table["kgCO2e_high"].sum()), "product_kgCO2e": float(table.loc[lca, "kgCO2e"].sum()),
            "spend_kgCO2e": float(table.loc[~lca, "kgCO2e"].sum()), "cost_gbp": float(table["cost_gbp"].sum())}
