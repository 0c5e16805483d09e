"""The emission factor library in the store: read and validate ``factors/``, load it into DuckDB,
and give each store its ``Library`` (resolved on a GWP basis, with local overrides applied).

Files in ``factors/`` (see its README):

* ``sources.csv``: every publication a figure comes from;
* ``bases.csv``: the GWP bases (AR4, AR5, AR6, SA2012) and their fallbacks;
* ``constants.csv``: physical constants and quantities (densities, molar masses, MAC, bottle sizes);
* factor tables (any CSV with the factor header): one row per factor, CO2e per something;
* any other CSV is reference data (prices, targets, carbon values, ...), loaded as ``ref_<name>``.

Resolution on a basis and the arithmetic of derived factors are ``carbon.library``; overrides are
``carbon.overrides``. Both are re-exported here, so callers need one import (``factors as fx``).
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pint

from carbon.errors import CarbonError, Problem
from carbon.formula import SELF, Formula, FormulaError
from carbon.library import DEFAULT_BASIS, FactorNotFound, Library, Resolved
from carbon.overrides import (OverrideError, active_overrides, override_history, revert_override,
                              set_override)
from carbon.store import PROJECT_DIR, Store
from carbon.units import UnitError, is_co2e_per_something, parse_unit

__all__ = [
    "DEFAULT_BASIS", "FACTORS_DIR", "FactorNotFound", "Library", "LibraryError", "OverrideError", "Resolved",
    "active_overrides", "bases", "categories", "factors_dir", "library", "library_token", "override_history",
    "read_library", "reference", "resolved", "revert_override", "search", "set_override", "sync_library",
]

FACTORS_DIR = PROJECT_DIR / "factors"
FACTORS_ENV = "CARBON_FACTORS_DIR"


def factors_dir() -> Path:
    """The library folder: ``$CARBON_FACTORS_DIR`` if set (tests, local forks), else ``factors/``."""
    env = os.environ.get(FACTORS_ENV, "").strip()
    return Path(env) if env else FACTORS_DIR


FACTOR_COLUMNS = [
    "id", "category", "name", "value", "low", "high", "unit", "gwp_basis",
    "year", "region", "source", "notes", "formula",
]
CONSTANT_COLUMNS = ["id", "name", "value", "low", "high", "unit", "source", "notes", "formula"]
SOURCE_COLUMNS = ["id", "publisher", "title", "year", "address", "licence"]
BASIS_COLUMNS = ["id", "label", "fallback", "source", "notes"]
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_REF_NAME = re.compile(r"[^a-z0-9_]")


class LibraryError(CarbonError):
    """The factor library has bad rows; ``problems`` names each file, line and reason."""

    headline = "the factor library has problems"


def _problem(file: str, line: int, reason: str) -> Problem:
    return Problem(file, line or None, reason)


# ---------------------------------------------------------------------------------------------
# Reading and validating the files
# ---------------------------------------------------------------------------------------------
@dataclass
class LibraryFiles:
    """The validated contents of ``factors/`` as DataFrames, plus their content hash."""

    sources: pd.DataFrame
    bases: pd.DataFrame
    constants: pd.DataFrame
    factors: pd.DataFrame
    references: dict[str, pd.DataFrame] = field(default_factory=dict)
    digest: str = ""


def content_hash(directory: Path = FACTORS_DIR) -> str:
    """SHA-256 over every file's relative path and bytes: the store reloads when it changes."""
    h = hashlib.sha256()
    for path in sorted(p for p in Path(directory).rglob("*") if p.is_file()):
        h.update(str(path.relative_to(directory)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    """Rows with the line each starts on (quoted newlines kept honest by csv.reader)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            return [], []
        rows = []
        line = reader.line_num + 1
        for values in reader:
            if any(v.strip() for v in values):
                if len(values) != len(header):
                    rows.append((line, {"__width__": len(values)}))
                else:
                    rows.append((line, {h: v.strip() for h, v in zip(header, values)}))
            line = reader.line_num + 1
    return header, rows


def _number(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise ValueError
    return v


def read_library(directory: Path | str = FACTORS_DIR) -> LibraryFiles:
    """Read and validate every file of the library; raise LibraryError listing every bad row."""
    directory = Path(directory)
    problems: list[Problem] = []
    files = sorted(directory.glob("*.csv"))
    names = {p.name for p in files}
    for required in ("sources.csv", "bases.csv", "constants.csv"):
        if required not in names:
            problems.append(_problem(required, 0, "file is missing from the factor library"))
    if problems:
        raise LibraryError(problems)

    def rows_of(path: Path, columns: list[str] | None):
        header, rows = _read_csv(path)
        if columns is not None and header != columns:
            problems.append(_problem(path.name, 1, f"header must be {','.join(columns)}"))
            return []
        out = []
        for line, row in rows:
            if "__width__" in row:
                problems.append(_problem(path.name, line, f"has {row['__width__']} fields, the header has {len(header)}"))
            else:
                out.append((line, row))
        return out

    # sources
    sources = []
    for line, r in rows_of(directory / "sources.csv", SOURCE_COLUMNS):
        if not _SLUG.match(r["id"]):
            problems.append(_problem("sources.csv", line, f"id {r['id']!r} must be a lowercase slug"))
        sources.append({**r, "year": int(r["year"]) if r["year"].isdigit() else None})
    source_ids = [s["id"] for s in sources]
    for dup in {s for s in source_ids if source_ids.count(s) > 1}:
        problems.append(_problem("sources.csv", 0, f"source id {dup!r} appears more than once"))
    source_set = set(source_ids)

    def check_source(file: str, line: int, sid: str):
        if not sid:
            problems.append(_problem(file, line, "source is empty: every figure needs a source id from sources.csv"))
        elif sid not in source_set:
            problems.append(_problem(file, line, f"source {sid!r} is not in sources.csv"))

    bases = []
    for line, r in rows_of(directory / "bases.csv", BASIS_COLUMNS):
        check_source("bases.csv", line, r["source"])
        bases.append(r)
    basis_ids = {b["id"] for b in bases}
    for b in bases:
        if b["fallback"] and b["fallback"] not in basis_ids:
            problems.append(_problem("bases.csv", 0, f"fallback {b['fallback']!r} of {b['id']} is not a basis"))

    seen_ids: dict[str, str] = {}

    def check_numbers(file, line, r, kind):
        try:
            v, lo, hi = _number(r["value"]), _number(r["low"]), _number(r["high"])
        except ValueError:
            problems.append(_problem(file, line, f"{kind} {r['id']}: value, low and high must be numbers"))
            return None
        if not lo <= v <= hi:
            problems.append(_problem(file, line, f"{kind} {r['id']}: low <= value <= high fails ({lo} <= {v} <= {hi})"))
        return v, lo, hi

    def check_id(file, line, rid):
        if not _SLUG.match(rid or ""):
            problems.append(_problem(file, line, f"id {rid!r} must be a lowercase slug (a-z, 0-9, _)"))
        elif rid in seen_ids:
            problems.append(_problem(file, line, f"id {rid!r} is already used in {seen_ids[rid]}"))
        else:
            seen_ids[rid] = f"{file}"

    def check_formula(file, line, r):
        if not r.get("formula"):
            return None
        try:
            return Formula.parse(r["formula"])
        except FormulaError as exc:
            problems.append(_problem(file, line, str(exc)))
            return None

    constants = []
    formulas: dict[str, tuple[str, int, Formula]] = {}
    for line, r in rows_of(directory / "constants.csv", CONSTANT_COLUMNS):
        check_id("constants.csv", line, r["id"])
        nums = check_numbers("constants.csv", line, r, "constant")
        try:
            parse_unit(r["unit"])
        except UnitError as exc:
            problems.append(_problem("constants.csv", line, f"constant {r['id']}: {exc}"))
        check_source("constants.csv", line, r["source"])
        f = check_formula("constants.csv", line, r)
        if f:
            formulas[r["id"]] = ("constants.csv", line, f)
        if nums:
            constants.append({**r, "value": nums[0], "low": nums[1], "high": nums[2], "file": "constants.csv", "line": line})

    factors = []
    references: dict[str, pd.DataFrame] = {}
    for path in files:
        if path.name in ("sources.csv", "bases.csv", "constants.csv"):
            continue
        header, _ = _read_csv(path)
        if header != FACTOR_COLUMNS:
            references[path.stem] = _reference_table(path, header, problems, check_source)
            continue
        for line, r in rows_of(path, FACTOR_COLUMNS):
            check_id(path.name, line, r["id"])
            nums = check_numbers(path.name, line, r, "factor")
            if not r["category"]:
                problems.append(_problem(path.name, line, f"factor {r['id']}: category is empty"))
            if not r["name"]:
                problems.append(_problem(path.name, line, f"factor {r['id']}: name is empty"))
            try:
                if not is_co2e_per_something(r["unit"]):
                    problems.append(_problem(path.name, line, f"factor {r['id']}: unit {r['unit']!r} is not CO2e per something (e.g. kgCO2e/km)"))
            except UnitError as exc:
                problems.append(_problem(path.name, line, f"factor {r['id']}: {exc}"))
            if r["gwp_basis"] and r["gwp_basis"] not in basis_ids:
                problems.append(_problem(path.name, line, f"factor {r['id']}: gwp_basis {r['gwp_basis']!r} is not one of {sorted(basis_ids)}"))
            year = None
            if r["year"]:
                if r["year"].isdigit():
                    year = int(r["year"])
                else:
                    problems.append(_problem(path.name, line, f"factor {r['id']}: year {r['year']!r} is not a year"))
            check_source(path.name, line, r["source"])
            f = check_formula(path.name, line, r)
            if f:
                formulas[r["id"]] = (path.name, line, f)
            if nums:
                factors.append({**r, "value": nums[0], "low": nums[1], "high": nums[2], "year": year, "file": path.name, "line": line})

    known = set(seen_ids)
    for rid, (file, line, f) in formulas.items():
        for n in f.names - known - {SELF}:
            problems.append(_problem(file, line, f"{rid}: formula refers to {n!r}, which is neither a constant nor a factor"))
        for _sub, basis in f.substances:
            if basis and basis not in basis_ids:
                problems.append(_problem(file, line, f"{rid}: formula names basis {basis!r}, which is not in bases.csv"))
    if problems:
        raise LibraryError(problems)

    lib = LibraryFiles(
        sources=pd.DataFrame(sources, columns=SOURCE_COLUMNS),
        bases=pd.DataFrame(bases, columns=BASIS_COLUMNS),
        constants=pd.DataFrame(constants, columns=CONSTANT_COLUMNS + ["file", "line"]),
        factors=pd.DataFrame(factors, columns=FACTOR_COLUMNS + ["file", "line"]),
        references=references,
        digest=content_hash(directory),
    )
    # Evaluate every derived row on every basis: a formula whose result cannot become its
    # unit, or a gwp() with no value on any basis, fails here with file and line.
    library = Library(lib.sources, lib.bases, lib.constants, lib.factors)
    for basis in lib.bases["id"]:
        for rid, (file, line, _f) in formulas.items():
            try:
                library.quantity(rid, basis)
            except (FormulaError, UnitError, FactorNotFound, pint.errors.PintError, ZeroDivisionError) as exc:
                problems.append(_problem(file, line, f"{rid} on {basis}: {exc}"))
    if problems:
        raise LibraryError(sorted(set(problems), key=lambda p: (p.where, p.line or 0, p.what)))
    return lib


def _reference_table(path: Path, header, problems, check_source) -> pd.DataFrame:
    """A reference CSV (prices, targets, ...): sources checked, types inferred by pandas."""
    _, rows = _read_csv(path)
    good = []
    for line, r in rows:
        if "__width__" in r:
            problems.append(_problem(path.name, line, f"has {r['__width__']} fields, the header has {len(header)}"))
            continue
        if "source" in r:
            check_source(path.name, line, r["source"])
        good.append(r)
    df = pd.DataFrame(good, columns=header)
    for col in df.columns:
        converted = pd.to_numeric(df[col], errors="coerce")
        if len(df) and converted.notna().all():
            df[col] = converted
    return df


def reference_table_name(stem: str) -> str:
    return "ref_" + _REF_NAME.sub("_", stem.lower())


# ---------------------------------------------------------------------------------------------
# The store copy of the library
# ---------------------------------------------------------------------------------------------
def sync_library(store: Store, directory: Path | str = FACTORS_DIR, force: bool = False) -> bool:
    """Load ``factors/`` into the store if its content hash changed; return True if it loaded.

    The shipped tables are replaced whole in one transaction; overrides are left alone.
    """
    directory = Path(directory)
    digest = content_hash(directory)
    row = store.execute("SELECT value FROM library_meta WHERE key = 'hash'").fetchone()
    if row and row[0] == digest and not force:
        return False
    lib = read_library(directory)
    with store.transaction() as cur:
        for table, frame in (("source", lib.sources), ("gwp_basis", lib.bases),
                             ("constant", lib.constants), ("factor", lib.factors)):
            cur.execute(f"DELETE FROM {table}")
            cur.register("incoming", frame)
            cols = ", ".join(frame.columns)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM incoming")
            cur.unregister("incoming")
        old = {r[0] for r in cur.execute("SELECT value FROM library_meta WHERE key LIKE 'ref:%'").fetchall()}
        for stem, frame in lib.references.items():
            name = reference_table_name(stem)
            cur.register("incoming", frame)
            cur.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM incoming")
            cur.unregister("incoming")
            old.discard(name)
            cur.execute("INSERT OR REPLACE INTO library_meta VALUES (?, ?)", [f"ref:{stem}", name])
        for name in old:
            cur.execute(f"DROP TABLE IF EXISTS {name}")
            cur.execute("DELETE FROM library_meta WHERE value = ?", [name])
        cur.execute("INSERT OR REPLACE INTO library_meta VALUES ('hash', ?)", [digest])
    _cache.clear()
    return True


def reference(store: Store, stem: str) -> pd.DataFrame:
    """A reference table of the library (e.g. ``reference(store, "targets")``)."""
    return store.df(f"SELECT * FROM {reference_table_name(stem)}")




_cache: dict[tuple[str, str], Library] = {}
_cache_lock = threading.Lock()


def library_token(store: Store) -> str:
    """Changes whenever the shipped library or any override changes."""
    h = store.execute("SELECT value FROM library_meta WHERE key = 'hash'").fetchone()
    o = store.execute("SELECT count(*), max(id), count(reverted_at) FROM factor_override").fetchone()
    return f"{h[0] if h else ''}:{o}"


def _load(store: Store) -> Library:
    return Library(
        store.df("SELECT * FROM source"),
        store.df("SELECT * FROM gwp_basis"),
        store.df("SELECT * FROM constant"),
        store.df("SELECT * FROM factor ORDER BY category, id"),
        active_overrides(store),
    )


def library(store: Store) -> Library:
    """The store's library, rebuilt only when the files or overrides changed."""
    key = (str(store.path), library_token(store))
    with _cache_lock:
        lib = _cache.get(key)
        if lib is None:
            for k in [k for k in _cache if k[0] == key[0]]:
                del _cache[k]
            lib = _load(store)
            _cache[key] = lib
        return lib


def resolved(store: Store, basis: str = DEFAULT_BASIS) -> pd.DataFrame:
    """Every factor on ``basis`` (see ``Library.resolve``)."""
    return library(store).resolve(basis)


def search(store: Store, text: str = "", category: str | None = None, basis: str = DEFAULT_BASIS) -> pd.DataFrame:
    """Factors whose id, name, notes or source match ``text`` (case-insensitive), optionally in a category."""
    df = resolved(store, basis)
    if category:
        df = df[df["category"] == category]
    if text.strip():
        needle = text.strip().lower()
        hay = (df["id"] + " " + df["name"] + " " + df["notes"].fillna("") + " " + df["source"] + " "
               + df["source_title"].fillna("") + " " + df["category"]).str.lower()
        df = df[hay.str.contains(needle, regex=False)]
    return df.reset_index(drop=True)


def categories(store: Store) -> list[str]:
    return [r[0] for r in store.execute("SELECT DISTINCT category FROM factor ORDER BY 1").fetchall()]


def bases(store: Store) -> pd.DataFrame:
    return store.df("SELECT id, label, fallback FROM gwp_basis ORDER BY id")



if __name__ == "__main__":  # `python -m carbon.factors`: validate the library and say what is in it

    try:
        lib = read_library(FACTORS_DIR)
    except LibraryError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    counts = lib.factors.groupby("category").size()
    print(f"OK: {len(lib.factors)} factors, {len(lib.constants)} constants, {len(lib.sources)} sources, "
          f"reference tables: {', '.join(sorted(lib.references)) or 'none'}")
    for cat, n in counts.items():
        print(f"  {cat}: {n}")
