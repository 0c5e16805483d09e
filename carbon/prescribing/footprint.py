"""The inhaler footprint of imported prescribing: by board, practice, month and product, totals and
coverage (how much of it the mapping could price).

Footprints are kgCO2e (central, low, high) from the factor library on a GWP basis, computed in
DuckDB from the rows ``mapping.rows_sql`` joins to their factors: the footprint summaries written
with each import (``mapping.SUMMARIES``), or rx_item itself for a grouping by practice and month.
"""

from __future__ import annotations

import math
from typing import Sequence

import pandas as pd

from carbon import factors as fx
from carbon.prescribing.mapping import BY_MONTH, BY_PRACTICE, reference, rows_sql, with_factors
from carbon.prescribing.sqlfiles import sql
from carbon.store import Store

GROUPS = ("board", "practice", "month", "product")
#: Columns a footprint by practice or board has only when list sizes are loaded.
PATIENT_COLUMNS = ("patients", "list_size_month", "kgCO2e_per_1000_patients_year", "relievers_per_1000_patients_year")
#: Per group: the GROUP BY keys and the columns it adds to the result.
GROUP_COLUMNS = {
    "board": (["board_code"], ["board_code", "max(board) AS board"]),
    "practice": (["practice"], ["practice", "max(practice_name) AS practice_name", "max(board) AS board"]),
    "month": (["month"], ["month"]),
    "product": (["coalesce(product, '(not mapped)')", "device"],
                ["coalesce(product, '(not mapped)') AS product", "device"]),
}


#: Which footprint summary (mapping.SUMMARIES) a grouping reads, and how it counts each group's months of
#: data; a grouping by practice and month together reads rx_item itself.
_BY_MONTH_AND_BOARD = (BY_MONTH, "count(DISTINCT month)")
_BY_PRACTICE = (BY_PRACTICE, "any_value(practice_months)")
_ROWS = ("rx_item", "count(DISTINCT month)")


def source(groups: Sequence[str]) -> tuple[str, str]:
    """The relation a footprint grouped by ``groups`` is summed from, and its months expression."""
    if "practice" not in groups:
        return _BY_MONTH_AND_BOARD
    return _BY_PRACTICE if "month" not in groups else _ROWS


def aggregate_sql(groups: Sequence[str], items: str = "rx_item", months: str = "count(DISTINCT month)") -> str:
    """rows.sql over ``items`` and footprint_aggregate.sql grouped by ``groups`` (the WITH list, table ``agg``)."""
    keys = [k for g in groups for k in GROUP_COLUMNS[g][0]]
    cols = [c for g in groups for c in GROUP_COLUMNS[g][1]]
    return f"{rows_sql(items)},\n{sql('footprint_aggregate', groups=', '.join(cols), keys=', '.join(keys), months=months)}"


def _by(by: str | Sequence[str]) -> list[str]:
    groups = [by] if isinstance(by, str) else list(by)
    bad = [g for g in groups if g not in GROUPS]
    if not groups or bad:
        raise ValueError(f"group by one or more of {', '.join(GROUPS)}, not {', '.join(bad) or 'nothing'}")
    return groups


def data_token(store: Store) -> str:
    """Changes whenever a result here could: the database file, the imports, the list sizes and the
    factor library (with its overrides). A page caches results keyed by it."""
    row = store.execute("""SELECT (SELECT coalesce(max(id), 0) FROM rx_import), (SELECT count(*) FROM rx_item),
                                  (SELECT count(*) FROM rx_list_size), (SELECT sum(patients) FROM rx_list_size),
                                  (SELECT max(loaded_at) FROM rx_list_size)""").fetchall()[0]
    return f"{store.path}|{'|'.join(map(str, row))}|{fx.library_token(store)}"


def has_data(store: Store) -> bool:
    """True once any prescribing file has been imported."""
    return bool(store.execute("SELECT count(*) FROM rx_item").fetchall()[0][0])


def has_list_sizes(store: Store) -> bool:
    return bool(store.execute("SELECT count(*) FROM rx_list_size").fetchall()[0][0])


#: Footprints already worked out, by (data_token, basis, groups): the page's funnel, hot spots and
#: table by practice are one footprint, read three times.
_KEPT: dict = {}


def footprint(store: Store, by: str | Sequence[str], basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Inhaler footprint grouped by board, practice, month and/or product.

    Columns: the group column(s); ``items`` (inhaler items, mapped or not), ``inhalers``
    (mapped inhalers), ``kgCO2e``/``kgCO2e_low``/``kgCO2e_high``, ``low_carbon_share`` (DPI and
    soft-mist inhalers over all mapped inhalers, 0..1), ``cost_gbp`` (PHS gross ingredient cost,
    EPD net ingredient cost, pounds), ``unmapped_items``, ``factor_ids`` (traceability); and
    ``reliever_inhalers`` and ``reliever_share`` (salbutamol and terbutaline inhalers, the SABAs,
    and their share of all mapped inhalers), ``months`` (of data behind the group); and where list
    sizes are loaded and the grouping is by practice or board, ``patients``, ``list_size_month``,
    ``kgCO2e_per_1000_patients_year`` and ``relievers_per_1000_patients_year`` (the footprint over
    the group's months of data scaled to twelve months).
    """
    groups = _by(by)
    key = (data_token(store), basis, tuple(groups))
    kept = _KEPT.get(key)
    if kept is not None:
        return kept.copy()
    cols = [c for g in groups for c in GROUP_COLUMNS[g][1]]
    items, months = source(groups)
    query = aggregate_sql(groups, items, months)
    sizes = has_list_sizes(store)
    if groups == ["practice"] or ("practice" in groups and sizes):
        query += "\n" + sql("footprint_practice_patients")
    elif groups == ["board"] and sizes:  # each practice's months in the board, from its summary
        query += ",\n" + rows_sql(BY_PRACTICE, name="rx_p", first=False)
        query += ",\n" + sql("footprint_board_patients", practice_rows="rx_p_r", months="any_value(months_in_board)")
    else:
        query += "\nSELECT * FROM agg"
    df = with_factors(store, basis, query + f"\nORDER BY {', '.join(c.split(' AS ')[-1] for c in cols)}")
    if "month" in df.columns:
        df["month"] = pd.to_datetime(df["month"]).dt.strftime("%Y-%m")
    if "list_size_month" in df.columns:
        df["list_size_month"] = pd.to_datetime(df["list_size_month"]).dt.strftime("%Y-%m")
    if not sizes:
        df = df.drop(columns=[c for c in PATIENT_COLUMNS if c in df.columns])
    if len(_KEPT) > 64:
        _KEPT.clear()
    _KEPT[key] = df
    return df.copy()


def totals(store: Store, basis: str = fx.DEFAULT_BASIS) -> dict:
    """Everything imported in one line: kgCO2e (central, low, high), items, inhalers, low-carbon
    share (0..1), cost (pounds), unmapped items, and how many boards, practices and months."""
    row = with_factors(store, basis, f"{rows_sql(BY_MONTH)}\n{sql('totals')}").iloc[0]
    out = {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}
    for k in ("boards", "practices", "months"):
        out[k] = int(out[k] or 0)
    out["tCO2e"] = out["kgCO2e"] / 1000.0
    return out


def unmapped_codes(store: Store) -> pd.DataFrame:
    """Inhaler codes whose items have no footprint, with why: no mapping, or quantity not convertible."""
    return with_factors(store, fx.DEFAULT_BASIS, f"{rows_sql(BY_MONTH)}\n{sql('unmapped')}")


def coverage(store: Store) -> dict:
    """Share of inhaler items and of inhaler cost mapped to a factor (0..1), how codes matched, and
    the shipped NHSBSA list's own coverage: how many of its BNF 3.1/3.2 inhaler presentations have
    a device and a factor."""
    row = with_factors(store, fx.DEFAULT_BASIS, f"{rows_sql(BY_MONTH)}\n{sql('coverage')}").iloc[0].tolist()
    items, items_m, cost, cost_m, codes, codes_un, practices, first, last = row
    by_match = store.df("SELECT m.matched_by, count(*) AS codes FROM rx_code_map m JOIN rx_code c USING (bnf_code) "
                        "GROUP BY ALL ORDER BY 1")
    ref = reference(store)
    inhalers = ref[ref["form"].isin(["pmdi", "bai", "dpi", "smi"])]
    return {
        "inhaler_items": float(items), "mapped_items": float(items_m),
        "items_share": float(items_m) / float(items) if items else math.nan,
        "inhaler_cost_gbp": float(cost), "mapped_cost_gbp": float(cost_m),
        "cost_share": float(cost_m) / float(cost) if cost else math.nan,
        "codes": int(codes), "unmapped_codes": int(codes_un), "practices": int(practices),
        "first_month": None if pd.isna(first) else pd.Timestamp(first).strftime("%Y-%m"),
        "last_month": None if pd.isna(last) else pd.Timestamp(last).strftime("%Y-%m"),
        "codes_by_match": dict(zip(by_match["matched_by"], by_match["codes"].astype(int))),
        "list_presentations": int(len(ref)),
        "list_unknown_device": int((ref["form"] == "unknown").sum()),
        "list_inhalers": int(len(inhalers)),
        "list_inhalers_with_factor": int(inhalers["factor_id"].notna().sum()),
    }


