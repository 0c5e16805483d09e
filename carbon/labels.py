"""One vocabulary for every column a person sees: its heading, its unit and how its numbers read.

``carbon/labels.csv`` holds one row per column name of the engine's tidy frames (``kgCO2e``,
``cost_gbp``, ``reliever_share``, ...): the plain-English ``label``, the ``unit`` shown in brackets
after it, the ``format`` of its values and, for pages, a column ``width`` and a ``help`` tooltip.
Pages (through ``carbon.ui``), CSV and Excel downloads and the board pack all read it, so a column
is called the same thing everywhere and never reaches a person as ``cohort_difference_kgCO2e``.

Formats: ``text``; ``co2e`` (kilograms of CO2e, shown in tonnes in a view that chose tonnes: see
``in_tonnes``); ``t`` (already tonnes); ``gbp`` (pounds to the penny); ``count`` (whole numbers);
``number`` (four significant figures); ``share`` (a fraction shown as a percentage); ``pct``
(already a percentage); ``year``; ``date``; ``flag`` (yes or no); ``link``; ``id`` (the library's
ids: hidden on pages, kept in downloads for tracing a figure to its factors); ``hidden`` (working
columns: hidden on pages, kept in downloads).

Columns already headed in words (the board pack's tables: ``Target level (tCO2e)``) are left as
they are.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from carbon import factors as fx

VOCABULARY = Path(__file__).with_name("labels.csv")
FORMATS = ("text", "co2e", "t", "gbp", "count", "number", "share", "pct", "year", "date", "flag", "link", "id",
           "hidden")
#: Formats never shown as a column on a page (kept in downloads).
HIDDEN = ("id", "hidden")
_KG = re.compile(r"kgCO2e")


@dataclass(frozen=True)
class Label:
    column: str
    label: str
    unit: str = ""
    format: str = "text"
    width: str = ""
    help: str = ""

    def heading(self, unit: str | None = None) -> str:
        """``Carbon a year (kgCO2e)``; in a view in tonnes (``unit="t"``) a carbon column says tCO2e."""
        u = self.unit
        if self.format == "co2e" and unit == "t":
            u = _KG.sub("tCO2e", u)
        return f"{self.label} ({u})" if u else self.label


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Label]:
    """Every labelled column, read once from ``labels.csv`` (checked: a known format, one row a column)."""
    out: dict[str, Label] = {}
    with VOCABULARY.open(encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            fmt = row["format"].strip()
            if fmt not in FORMATS:
                raise ValueError(f"{VOCABULARY.name}:{line}: format {fmt!r} is not one of {', '.join(FORMATS)}")
            if row["column"] in out:
                raise ValueError(f"{VOCABULARY.name}:{line}: column {row['column']!r} appears twice")
            out[row["column"]] = Label(row["column"], row["label"].strip(), row["unit"].strip(), fmt,
                                       row["width"].strip(), row["help"].strip())
    return out


def is_plain(column: str) -> bool:
    """A heading already in words (``Gap (tCO2e)``, ``2024/25 (tCO2e)``) rather than a column name."""
    c = str(column)
    return " " in c or c[:1].isupper() or c[:1].isdigit()


def spec(column: str) -> Label | None:
    """The label of ``column``; a tonnes column made by ``in_tonnes`` (``cohort_tCO2e``) takes its
    kilogram column's label in tonnes. None for a column the vocabulary does not know."""
    words = vocabulary()
    c = str(column)
    if c in words:
        return words[c]
    kg = words.get(c.replace("tCO2e", "kgCO2e"))
    if kg is not None and kg.format == "co2e":
        return Label(c, kg.label, _KG.sub("tCO2e", kg.unit), "t", kg.width, kg.help)
    return None


def heading(column: str, unit: str | None = None) -> str:
    """The heading of ``column`` as people read it (unknown names in words: ``list size`` -> ``List size``)."""
    if is_plain(column):
        return str(column)
    s = spec(column)
    if s is not None:
        return s.heading(unit)
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def unknown(columns) -> list[str]:
    """Column names the vocabulary has no label for (a test keeps this empty for every page)."""
    return [c for c in columns if not is_plain(c) and spec(c) is None]


def in_tonnes(df: pd.DataFrame) -> pd.DataFrame:
    """A copy for a view in tonnes: every kilogram carbon column divided by 1,000 and renamed
    (``cohort_kgCO2e`` -> ``cohort_tCO2e``), so its heading and its figures agree."""
    out = df.copy()
    renames = {}
    for c in df.columns:
        s = spec(c)
        if s is not None and s.format == "co2e" and "kgCO2e" in str(c):
            out[c] = pd.to_numeric(df[c], errors="coerce") / 1000
            renames[c] = str(c).replace("kgCO2e", "tCO2e")
    return out.rename(columns=renames)


#: The factor library's categories (factors/*.csv ``category``) as a person reads them.
CATEGORIES = {"anaesthetic": "Anaesthetic gases", "consumable": "Consumables", "energy": "Energy",
              "gwp": "Warming potentials", "inhaler": "Inhalers", "medicine": "Medicines",
              "procurement": "Purchases", "refrigerant": "Refrigerants", "travel": "Travel", "waste": "Waste",
              "water": "Water"}


def named(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with its ``category`` column in words (``inhaler`` -> ``Inhalers``); a category the
    library does not know yet is kept as it is."""
    if "category" not in df.columns:
        return df
    return df.assign(category=df["category"].map(lambda c: CATEGORIES.get(c, c) if isinstance(c, str) else c))


def factor_names(store, ids) -> str:
    """The library's names of factor ids (``"desflurane, sevoflurane_gwp"`` or a list), for text a person
    reads: ``Desflurane emitted, per kg of agent; GWP of sevoflurane (AR5)``."""
    if isinstance(ids, str):
        ids = [i for i in re.split(r"[,\s]+", ids) if i]
    lib = fx.library(store)
    out = []
    for fid in dict.fromkeys(ids):
        try:
            out.append(str(lib.row(fid)["name"]))
        except KeyError:
            out.append(fid)
    return "; ".join(out)


def _significant(x: pd.Series, digits: int) -> pd.Series:
    """``x`` rounded to ``digits`` significant figures, column-wise."""
    v = pd.to_numeric(x, errors="coerce").astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where((v == 0) | ~np.isfinite(v), 0, np.floor(np.log10(np.abs(v))))
        factor = 10.0 ** (digits - 1 - mag)
        out = np.where(np.isfinite(v), np.round(v * factor) / factor, v)
    return pd.Series(out, index=x.index)


def _rounded(col: pd.Series, fmt: str) -> pd.Series:
    if fmt in ("co2e", "t", "gbp", "share", "pct", "count", "number", "year") and col.dtype.kind not in "if":
        numeric = pd.to_numeric(col, errors="coerce")
        if numeric.notna().sum() < col.notna().sum():  # text in a number's column: leave it as it is
            return col
        col = numeric
    if fmt == "co2e" or fmt == "t":
        return col.round(3)
    if fmt == "gbp":
        return col.round(2)
    if fmt == "share":
        return col.round(4)
    if fmt == "pct":
        return col.round(2)
    if fmt in ("count", "year"):
        whole = col.dropna()
        return col.round(0).astype("Int64") if (whole == whole.round(0)).all() else col.round(2)
    if fmt == "number":
        return _significant(col, 4)
    if fmt == "flag":
        return col.map(lambda v: "" if pd.isna(v) else ("yes" if bool(v) else "no"))
    return col


def export(df: pd.DataFrame, unit: str | None = None) -> pd.DataFrame:
    """A frame as a download: plain headings with their units, figures at a sensible precision
    (carbon to the gram of a kilogram figure, pounds to the penny, shares to 0.01 %, other figures
    to four significant figures, counts whole), yes or no for flags, a blank for nothing."""
    out = {}
    for c in df.columns:
        s = spec(c) if not is_plain(c) else None
        col = df[c]
        if s is not None:
            col = _rounded(col, s.format)
        name = heading(c, unit)
        out[name if name not in out else f"{name}, {c}"] = col
    return pd.DataFrame(out, index=df.index)
