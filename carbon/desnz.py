"""DESNZ conversion factors by reporting year: the families the product needs, each year's set,
and loading a new release from the DESNZ flat file.

A *family* is one DESNZ factor followed across years (``natural_gas_kwh``: natural gas, kWh,
gross CV). ``factors/desnz_families.csv`` lists them with the flat file's path to each (Level 1
to 4, Column Text, UOM). A year's figure is a factor row ``<family>_<year>`` in
``factors/desnz_<year>.csv`` (``natural_gas_kwh_2025``), so every year is an ordinary,
validated, sourced factor and a footprint names the year it used in its factor ids.

``import_flat_file`` reads a DESNZ flat file (the layout of
``greenhouse-gas-reporting-conversion-factors-YYYY`` "flat file": ``ID, Scope, Level 1 ...
GHG/Unit, GHG Conversion Factor YYYY``), picks every family, and writes
``factors/desnz_<year>.csv`` (plus the year's row in ``sources.csv``) only after the whole
library with the new file has passed ``carbon.factors.read_library``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from carbon import factors as fx
from carbon import reading
from carbon.errors import CarbonError, Problem
from carbon.store import Store

FAMILIES_FILE = "desnz_families.csv"
FLAT_COLUMNS = ["ID", "Scope", "Level 1", "Level 2", "Level 3", "Level 4", "Column Text", "UOM", "GHG/Unit"]
PATH_COLUMNS = ["level_1", "level_2", "level_3", "level_4", "column_text", "uom"]
_VALUE_COLUMN = re.compile(r"^GHG Conversion Factor (\d{4})$")
_YEAR_ID = re.compile(r"^(?P<family>[a-z][a-z0-9_]*)_(?P<year>\d{4})$")
TOTAL = "kg CO2e"  # the GHG/Unit of the total CO2e figure (the other rows split it by gas)


class DesnzImportError(CarbonError):
    headline = "nothing was written"


def table_name(year: int) -> str:
    return f"desnz_{year}.csv"


def source_id(year: int) -> str:
    return f"desnz_ghg_{year}"


def read_families(directory: Path | str | None = None) -> pd.DataFrame:
    """The family table as shipped (strings; empty path parts as ``''``)."""
    path = Path(directory or fx.factors_dir()) / FAMILIES_FILE
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def families(store: Store) -> pd.DataFrame:
    """The family table as loaded in the store (``ref_desnz_families``)."""
    df = fx.reference(store, "desnz_families")
    return df.astype(str).replace({"nan": "", "None": ""})


# ---------------------------------------------------------------------------------------------
# Each family's figure by year
# ---------------------------------------------------------------------------------------------
def series(store: Store, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Every year's figure of every family, resolved on ``basis`` (overrides applied).

    Columns: family, year, factor_id, unit, per, kgCO2e_per, kgCO2e_per_low, kgCO2e_per_high,
    scope, category, name. One row per family and year held in the library.
    """
    fam = families(store)
    res = fx.resolved(store, basis)
    parts = res["id"].str.extract(_YEAR_ID)
    res = res.assign(family=parts["family"], year=pd.to_numeric(parts["year"], errors="coerce"))
    res = res[res["family"].isin(fam["family"]) & res["source"].str.startswith("desnz_ghg_")]
    out = res.merge(fam[["family", "scope"]], on="family")
    cols = ["family", "year", "id", "unit", "per", "kgCO2e_per", "kgCO2e_per_low", "kgCO2e_per_high",
            "scope", "category", "name"]
    out = out[cols].rename(columns={"id": "factor_id"})
    out["year"] = out["year"].astype(int)
    return out.sort_values(["family", "year"]).reset_index(drop=True)


def years(store: Store) -> list[int]:
    """The DESNZ years the library holds at least one family for."""
    return sorted(series(store)["year"].unique().tolist())


def for_years(store: Store, wanted: pd.DataFrame, basis: str = fx.DEFAULT_BASIS,
              missing: str = "error") -> pd.DataFrame:
    """Pick each family's figure for a factor year, set-wise.

    ``wanted`` has columns ``family`` and ``factor_year`` (any other columns are kept). Adds
    ``year_used``, ``factor_id``, ``per``, ``kgCO2e_per`` (and low/high), ``scope``.
    ``missing="error"`` raises a ``CarbonError`` naming each family and year the library lacks;
    ``missing="nearest"`` takes the nearest year held (the earlier one on a tie) and the caller
    shows ``year_used``.
    """
    if missing not in ("error", "nearest"):
        raise ValueError("missing must be 'error' or 'nearest'")
    ser = series(store, basis)
    keys = wanted[["family", "factor_year"]].drop_duplicates()
    cand = keys.merge(ser, on="family", how="left")
    cand["distance"] = (cand["year"] - cand["factor_year"]).abs()
    if missing == "error":
        cand = cand[cand["year"] == cand["factor_year"]]
    cand = cand.dropna(subset=["year"]).sort_values(["family", "factor_year", "distance", "year"])
    best = cand.drop_duplicates(["family", "factor_year"]).rename(columns={"year": "year_used"})
    lacking = keys.merge(best[["family", "factor_year"]], how="left", indicator=True)
    lacking = lacking[lacking["_merge"] == "left_only"]
    if len(lacking):
        held = ser.groupby("family")["year"].apply(lambda y: ", ".join(map(str, sorted(y)))).to_dict()
        problems = [
            Problem(f"DESNZ {int(year)}", None,
                    f"no {int(year)} figure in the factor library for "
                    + "; ".join(f"{f} (held: {held.get(f, 'none')})" for f in grp["family"]),
                    f"load the DESNZ {int(year)} flat file (`carbon factors import-desnz FILE`), or take the "
                    "nearest year held (--nearest), or hold one factor year for every period (--factor-year)")
            for year, grp in lacking.groupby("factor_year")
        ]
        raise CarbonError(problems, headline="no footprint")
    best = best.drop(columns=["distance"])
    best["year_used"] = best["year_used"].astype(int)
    return wanted.merge(best, on=["family", "factor_year"], how="left")


# ---------------------------------------------------------------------------------------------
# Reading a DESNZ flat file
# ---------------------------------------------------------------------------------------------
@dataclass
class FlatFile:
    """The rows of a DESNZ flat file: ``rows`` (all text) with ``line`` (header is line 1)."""

    name: str
    year: int
    rows: pd.DataFrame


def read_flat_file(path: Path | str) -> FlatFile:
    """Read a DESNZ flat file with DuckDB; a wrong layout is a ``DesnzImportError``."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise DesnzImportError(Problem(name, None, "file not found", "give the path of the DESNZ flat file (.csv)"))
    # within bounds (carbon.reading: size, encoding, line length, empty files); the published flat
    # file has a few short rows, so they are padded as before
    header, rows, _ = reading.read_text(path, name, "carbon_dz_", limit=64 * 2**20, pad=True, error=DesnzImportError)
    expected = FLAT_COLUMNS + ["GHG Conversion Factor YYYY"]
    m = _VALUE_COLUMN.match(header[-1]) if header else None
    if header[:-1] != FLAT_COLUMNS or not m:
        raise DesnzImportError(Problem(
            name, 1, f"is not the DESNZ flat-file layout: the header is {', '.join(header[:12]) or '(empty)'}",
            f"the header must be {', '.join(expected)} (the 'flat file' set, not the condensed or full xlsx)"))
    rows.columns = FLAT_COLUMNS + ["value", "line"]
    rows = rows.fillna("")
    for col in FLAT_COLUMNS + ["value"]:
        rows[col] = rows[col].astype(str).str.strip()
    return FlatFile(name, int(m.group(1)), rows)


def extract(flat: FlatFile, fams: pd.DataFrame) -> pd.DataFrame:
    """Each family's total-CO2e row from ``flat``: one row per family, value a number.

    Every family is required; a family with no row, two rows, or a value that is not a number
    is a problem naming the family and the file line.
    """
    rows = flat.rows[flat.rows["GHG/Unit"] == TOTAL]
    left = fams.rename(columns=dict(zip(PATH_COLUMNS, FLAT_COLUMNS[2:8])))
    matched = left.merge(rows, on=FLAT_COLUMNS[2:8], how="left", indicator=True)
    problems: list[Problem] = []
    for r in matched[matched["_merge"] == "left_only"].to_dict("records"):
        path = " > ".join(r[c] for c in FLAT_COLUMNS[2:8] if r[c])
        problems.append(Problem(flat.name, None, f"no row for {r['family']} ({path}, {TOTAL})",
                                "the product needs this factor: check the file is a complete DESNZ release"))
    found = matched[matched["_merge"] == "both"].copy()
    dup = found[found.duplicated("family", keep=False)]
    for fam, grp in dup.groupby("family"):
        problems.append(Problem(flat.name, int(grp["line"].iloc[1]),
                                f"{fam} matches lines {', '.join(map(str, grp['line']))}: cannot tell which to use"))
    numbers = pd.to_numeric(found["value"], errors="coerce")
    bad = found[~np.isfinite(numbers.astype(float))]
    for r in bad.itertuples():
        what = "is empty" if not r.value else f"{r.value!r} is not a number"
        problems.append(Problem(flat.name, int(r.line), f"the figure for {r.family} {what}",
                                "the product needs this factor: check the file"))
    if problems:
        raise DesnzImportError(problems)
    order = {f: i for i, f in enumerate(fams["family"])}
    found = found.drop(columns=["_merge"])
    return found.assign(_o=found["family"].map(order)).sort_values("_o").drop(columns="_o").reset_index(drop=True)


def factor_rows(found: pd.DataFrame, year: int, previous: pd.DataFrame | None = None,
                gwp_basis: str = "AR5") -> pd.DataFrame:
    """The factor-table rows (``carbon.factors.FACTOR_COLUMNS``) for one year's families.

    Values are copied as published (text). ``previous`` (family -> value) adds the previous
    edition's figure to the notes, as the library's DESNZ rows do.
    """
    prev = {} if previous is None else dict(zip(previous["family"], previous["value"]))
    path = found[FLAT_COLUMNS[2:7]].apply(lambda r: " > ".join(p for p in r if p), axis=1)
    notes = ("V (DESNZ flat file " + str(year) + ", " + found["ID"] + ": " + path + ", " + found["UOM"] + "). "
             + found["notes"].where(found["notes"] == "", found["notes"] + " "))
    earlier = found["family"].map(prev)
    notes = notes + earlier.map(lambda v: f"{year - 1}: {v}." if isinstance(v, str) and v else "")
    out = pd.DataFrame({
        "id": found["family"] + f"_{year}",
        "category": found["category"],
        "name": found["name"] + f" (DESNZ {year})",
        "value": found["value"], "low": found["value"], "high": found["value"],
        "unit": found["unit"], "gwp_basis": gwp_basis, "year": str(year), "region": "UK",
        "source": source_id(year), "notes": notes.str.strip(), "formula": "",
    })
    return out[fx.FACTOR_COLUMNS]


def _previous_values(directory: Path, year: int) -> pd.DataFrame | None:
    path = directory / table_name(year - 1)
    if not path.is_file():
        return None
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    parts = df["id"].str.extract(_YEAR_ID)
    return pd.DataFrame({"family": parts["family"], "value": df["value"]})


def _csv_text(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return buf.getvalue()


def _source_line(year: int) -> str:
    return (f"{source_id(year)},Department for Energy Security and Net Zero,"
            f"Greenhouse gas reporting: conversion factors {year},{year},"
            f"https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-{year},"
            "Open Government Licence v3.0\n")


@dataclass
class DesnzImport:
    """What ``import_flat_file`` did (or, with ``dry_run``, would do)."""

    year: int
    path: Path
    rows: pd.DataFrame
    source_added: bool
    replaced: bool
    written: bool

    def summary(self) -> str:
        verb = "wrote" if self.written else "would write"
        extra = " (replacing the previous file)" if self.replaced else ""
        src = f"; added source {source_id(self.year)}" if self.source_added else ""
        return f"{verb} {len(self.rows)} DESNZ {self.year} factors to {self.path}{extra}{src}"


def import_flat_file(path: Path | str, directory: Path | str | None = None, replace: bool = False,
                     dry_run: bool = False, gwp_basis: str = "AR5") -> DesnzImport:
    """Load a DESNZ release into ``factors/desnz_<year>.csv``: all or nothing.

    The new table (and, if new, the year's row in ``sources.csv``) is first written to a copy
    of the library and the whole copy validated with ``carbon.factors.read_library``; only
    then are the files put in place. An existing year is refused unless ``replace``.
    """
    directory = Path(directory or fx.factors_dir())
    flat = read_flat_file(path)
    target = directory / table_name(flat.year)
    if target.exists() and not replace:
        raise DesnzImportError(Problem(
            flat.name, None, f"the library already holds DESNZ {flat.year} ({target.name})",
            "add --replace to load this file over it"))
    found = extract(flat, read_families(directory))
    rows = factor_rows(found, flat.year, _previous_values(directory, flat.year), gwp_basis)
    sources_path = directory / "sources.csv"
    sources_text = sources_path.read_text(encoding="utf-8")
    add_source = not re.search(rf"^{source_id(flat.year)},", sources_text, flags=re.MULTILINE)
    new_sources = sources_text + ("" if sources_text.endswith("\n") else "\n") + _source_line(flat.year)
    table_text = _csv_text(rows)
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / "factors"
        shutil.copytree(directory, trial)
        (trial / target.name).write_text(table_text, encoding="utf-8")
        if add_source:
            (trial / "sources.csv").write_text(new_sources, encoding="utf-8")
        try:
            fx.read_library(trial)
        except fx.LibraryError as exc:
            raise DesnzImportError([Problem(p.file, p.line or None, p.reason) for p in exc.problems]) from None
    result = DesnzImport(flat.year, target, rows, add_source, target.exists(), False)
    if dry_run:
        return result
    if add_source:
        _write_atomic(sources_path, new_sources)
    _write_atomic(target, table_text)
    result.written = True
    return result


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
