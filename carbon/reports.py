"""Exports people take away: CSV (safe to open in a spreadsheet), Excel, HTML and PDF.

Every text cell that a spreadsheet would read as a formula (starting ``= + - @``, or a tab or
carriage return) is prefixed with an apostrophe, so an imported name cannot run in Excel.
"""

from __future__ import annotations

import io

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot be taken for spreadsheet formulas."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            )
    return out


def to_csv(df: pd.DataFrame) -> str:
    """CSV text of ``df`` with formula-like text neutralised."""
    return neutralise(df).to_csv(index=False)


def to_excel(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per frame (names cut to Excel's 31 characters)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            neutralise(frame).to_excel(xl, sheet_name=name[:31], index=False)
    return buf.getvalue()
