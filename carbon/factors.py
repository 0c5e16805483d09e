"""The emission factor library: read and validate ``factors/``, load it into the store, look up a
factor on a chosen GWP basis, and keep user overrides beside the shipped figures.

Files in ``factors/`` (see its README):

* ``sources.csv``: every publication a figure comes from;
* ``bases.csv``: the GWP bases (AR4, AR5, AR6, SA2012) and their fallbacks;
* ``constants.csv``: physical constants and quantities (densities, molar masses, MAC, bottle sizes);
* factor tables (any CSV with the factor header): one row per factor, CO2e per something;
* any other CSV is reference data (prices, targets, carbon values, ...), loaded as ``ref_<name>``.

A derived factor carries a formula (``carbon.formula``); its value on basis B is the formula
evaluated with B's GWPs, and its low/high are the published range scaled by the same ratio.
"""

from __future__ import annotations

import csv
import os
import hashlib
import math
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pint

from carbon.formula import SELF, Formula, FormulaError
from carbon.store import PROJECT_DIR, Store
from carbon.units import UnitError, convert, denominator, is_co2e_per_something, parse_unit, ureg

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
DEFAULT_BASIS = "AR5"
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_REF_NAME = re.compile(r"[^a-z0-9_]")


@dataclass(frozen=True)
class Problem:
    """One reason a file of the library cannot be used."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}" if self.line else f"{self.file}: {self.reason}"


class LibraryError(ValueError):
    """The factor library has bad rows; ``problems`` names each file, line and reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        head = "\n".join(str(p) for p in problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"the factor library has {len(problems)} problem(s):\n{head}{more}")


class FactorNotFound(KeyError):
    def __str__(self) -> str:
        return f"no factor with id {self.args[0]!r} (try `carbon factors search`)"


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
            problems.append(Problem(required, 0, "file is missing from the factor library"))
    if problems:
        raise LibraryError(problems)

    def rows_of(path: Path, columns: list[str] | None):
        header, rows = _read_csv(path)
        if columns is not None and header != columns:
            problems.append(Problem(path.name, 1, f"header must be {','.join(columns)}"))
            return []
        out = []
        for line, row in rows:
            if "__width__" in row:
                problems.append(Problem(path.name, line, f"has {row['__width__']} fields, the header has {len(header)}"))
            else:
                out.append((line, row))
        return out

    # sources
    sources = []
    for line, r in rows_of(directory / "sources.csv", SOURCE_COLUMNS):
        if not _SLUG.match(r["id"]):
            problems.append(Problem("sources.csv", line, f"id {r['id']!r} must be a lowercase slug"))
        sources.append({**r, "year": int(r["year"]) if r["year"].isdigit() else None})
    source_ids = [s["id"] for s in sources]
    for dup in {s for s in source_ids if source_ids.count(s) > 1}:
        problems.append(Problem("sources.csv", 0, f"source id {dup!r} appears more than once"))
    source_set = set(source_ids)

    def check_source(file: str, line: int, sid: str):
        if not sid:
            problems.append(Problem(file, line, "source is empty: every figure needs a source id from sources.csv"))
        elif sid not in source_set:
            problems.append(Problem(file, line, f"source {sid!r} is not in sources.csv"))

    bases = []
    for line, r in rows_of(directory / "bases.csv", BASIS_COLUMNS):
        check_source("bases.csv", line, r["source"])
        bases.append(r)
    basis_ids = {b["id"] for b in bases}
    for b in bases:
        if b["fallback"] and b["fallback"] not in basis_ids:
            problems.append(Problem("bases.csv", 0, f"fallback {b['fallback']!r} of {b['id']} is not a basis"))

    seen_ids: dict[str, str] = {}

    def check_numbers(file, line, r, kind):
        try:
            v, lo, hi = _number(r["value"]), _number(r["low"]), _number(r["high"])
        except ValueError:
            problems.append(Problem(file, line, f"{kind} {r['id']}: value, low and high must be numbers"))
            return None
        if not lo <= v <= hi:
            problems.append(Problem(file, line, f"{kind} {r['id']}: low <= value <= high fails ({lo} <= {v} <= {hi})"))
        return v, lo, hi

    def check_id(file, line, rid):
        if not _SLUG.match(rid or ""):
            problems.append(Problem(file, line, f"id {rid!r} must be a lowercase slug (a-z, 0-9, _)"))
        elif rid in seen_ids:
            problems.append(Problem(file, line, f"id {rid!r} is already used in {seen_ids[rid]}"))
        else:
            seen_ids[rid] = f"{file}"

    def check_formula(file, line, r):
        if not r.get("formula"):
            return None
        try:
            return Formula.parse(r["formula"])
        except FormulaError as exc:
            problems.append(Problem(file, line, str(exc)))
            return None

    constants = []
    formulas: dict[str, tuple[str, int, Formula]] = {}
    for line, r in rows_of(directory / "constants.csv", CONSTANT_COLUMNS):
        check_id("constants.csv", line, r["id"])
        nums = check_numbers("constants.csv", line, r, "constant")
        try:
            parse_unit(r["unit"])
        except UnitError as exc:
            problems.append(Problem("constants.csv", line, f"constant {r['id']}: {exc}"))
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
                problems.append(Problem(path.name, line, f"factor {r['id']}: category is empty"))
            if not r["name"]:
                problems.append(Problem(path.name, line, f"factor {r['id']}: name is empty"))
            try:
                if not is_co2e_per_something(r["unit"]):
                    problems.append(Problem(path.name, line, f"factor {r['id']}: unit {r['unit']!r} is not CO2e per something (e.g. kgCO2e/km)"))
            except UnitError as exc:
                problems.append(Problem(path.name, line, f"factor {r['id']}: {exc}"))
            if r["gwp_basis"] and r["gwp_basis"] not in basis_ids:
                problems.append(Problem(path.name, line, f"factor {r['id']}: gwp_basis {r['gwp_basis']!r} is not one of {sorted(basis_ids)}"))
            year = None
            if r["year"]:
                if r["year"].isdigit():
                    year = int(r["year"])
                else:
                    problems.append(Problem(path.name, line, f"factor {r['id']}: year {r['year']!r} is not a year"))
            check_source(path.name, line, r["source"])
            f = check_formula(path.name, line, r)
            if f:
                formulas[r["id"]] = (path.name, line, f)
            if nums:
                factors.append({**r, "value": nums[0], "low": nums[1], "high": nums[2], "year": year, "file": path.name, "line": line})

    known = set(seen_ids)
    for rid, (file, line, f) in formulas.items():
        for n in f.names - known - {SELF}:
            problems.append(Problem(file, line, f"{rid}: formula refers to {n!r}, which is neither a constant nor a factor"))
        for _sub, basis in f.substances:
            if basis and basis not in basis_ids:
                problems.append(Problem(file, line, f"{rid}: formula names basis {basis!r}, which is not in bases.csv"))
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
    library = Library(lib.sources, lib.bases, lib.constants, lib.factors, _no_overrides())
    for basis in lib.bases["id"]:
        for rid, (file, line, _f) in formulas.items():
            try:
                library.quantity(rid, basis)
            except (FormulaError, UnitError, FactorNotFound, pint.errors.PintError, ZeroDivisionError) as exc:
                problems.append(Problem(file, line, f"{rid} on {basis}: {exc}"))
    if problems:
        raise LibraryError(sorted(set(problems), key=lambda p: (p.file, p.line, p.reason)))
    return lib


def _reference_table(path: Path, header, problems, check_source) -> pd.DataFrame:
    """A reference CSV (prices, targets, ...): sources checked, types inferred by pandas."""
    _, rows = _read_csv(path)
    good = []
    for line, r in rows:
        if "__width__" in r:
            problems.append(Problem(path.name, line, f"has {r['__width__']} fields, the header has {len(header)}"))
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


def open_store(path: str | Path | None = None, directory: Path | str | None = None) -> Store:
    """The process-wide store with its schema migrated and the factor library loaded."""
    from carbon.store import get_store

    from carbon.seed import seed

    store = get_store(path)
    sync_library(store, directory or factors_dir())
    seed(store)
    return store


def reference(store: Store, stem: str) -> pd.DataFrame:
    """A reference table of the library (e.g. ``reference(store, "targets")``)."""
    return store.df(f"SELECT * FROM {reference_table_name(stem)}")


# ---------------------------------------------------------------------------------------------
# Resolution on a basis
# ---------------------------------------------------------------------------------------------
def _no_overrides() -> pd.DataFrame:
    return pd.DataFrame(columns=["id", "factor_id", "value", "low", "high", "reason", "who", "created_at"])


@dataclass
class Resolved:
    """A factor's figure on one basis: central, low and high in the row's unit."""

    id: str
    value: pint.Quantity
    low: pint.Quantity
    high: pint.Quantity
    basis_used: str | None
    derived: bool
    overridden: bool


class Library:
    """The library as held in the store (or freshly read), able to resolve any factor on a basis."""

    def __init__(self, sources, bases, constants, factors, overrides):
        self.sources = sources.set_index("id", drop=False)
        self.bases = bases.set_index("id", drop=False)
        self.constants = constants.set_index("id", drop=False)
        self.factors = factors.set_index("id", drop=False)
        self.overrides = overrides.set_index("factor_id", drop=False) if len(overrides) else overrides
        self._formulas: dict[str, Formula] = {}
        self._memo: dict[tuple[str, str], Resolved] = {}
        self._frames: dict[str, pd.DataFrame] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_store(cls, store: Store) -> "Library":
        return cls(
            store.df("SELECT * FROM source"),
            store.df("SELECT * FROM gwp_basis"),
            store.df("SELECT * FROM constant"),
            store.df("SELECT * FROM factor ORDER BY category, id"),
            active_overrides(store),
        )

    # -- single factors ----------------------------------------------------------------------
    def row(self, fid: str) -> pd.Series:
        if fid in self.factors.index:
            return self.factors.loc[fid]
        if fid in self.constants.index:
            return self.constants.loc[fid]
        raise FactorNotFound(fid)

    def is_constant(self, fid: str) -> bool:
        return fid in self.constants.index

    def formula(self, fid: str) -> Formula | None:
        text = self.row(fid).get("formula")
        if not isinstance(text, str) or not text.strip():
            return None
        if fid not in self._formulas:
            self._formulas[fid] = Formula.parse(text)
        return self._formulas[fid]

    def override(self, fid: str) -> pd.Series | None:
        if len(self.overrides) and fid in self.overrides.index:
            o = self.overrides.loc[fid]
            return o.iloc[-1] if isinstance(o, pd.DataFrame) else o
        return None

    def gwp_id(self, substance: str, basis: str) -> tuple[str, str]:
        """The GWP factor id for a substance on a basis, following the basis fallbacks."""
        tried = []
        b = basis
        while b and b not in tried:
            fid = f"gwp_{substance}_{b.lower()}"
            if fid in self.factors.index:
                return fid, b
            tried.append(b)
            fb = self.bases.loc[b, "fallback"] if b in self.bases.index else None
            b = fb if isinstance(fb, str) and fb else None
        raise FormulaError(f"no GWP for {substance!r} on {basis} (tried {', '.join(tried)})")

    def quantity(self, fid: str, basis: str = DEFAULT_BASIS) -> Resolved:
        """Central, low and high of a factor or constant on ``basis``, with overrides applied."""
        key = (fid, basis)
        if key in self._memo:
            return self._memo[key]
        res = self._resolve(fid, basis, ())
        self._memo[key] = res
        return res

    def _resolve(self, fid: str, basis: str, stack: tuple) -> Resolved:
        if (fid, basis) in self._memo:
            return self._memo[(fid, basis)]
        if fid in stack:
            raise FormulaError(f"formula cycle: {' -> '.join(stack + (fid,))}")
        row = self.row(fid)
        unit = parse_unit(row["unit"])
        own_basis = row.get("gwp_basis") if isinstance(row.get("gwp_basis"), str) and row.get("gwp_basis") else None
        ov = self.override(fid)
        if ov is not None:
            res = Resolved(fid, ureg.Quantity(ov["value"], unit), ureg.Quantity(ov["low"], unit),
                           ureg.Quantity(ov["high"], unit), own_basis, False, True)
        else:
            f = self.formula(fid)
            published = ureg.Quantity(float(row["value"]), unit)
            if f is None:
                res = Resolved(fid, published, ureg.Quantity(float(row["low"]), unit),
                               ureg.Quantity(float(row["high"]), unit), own_basis, False, False)
            else:
                on_basis: list[bool] = []

                def name(n):
                    if n == SELF:
                        return published
                    dep = self._resolve(n, basis, stack + (fid,))
                    on_basis.append(dep.derived and dep.basis_used == basis)
                    return dep.value

                def gwp(sub, fixed):
                    gid, b = self.gwp_id(sub, fixed or basis)
                    on_basis.append(fixed is None)
                    return self._resolve(gid, b, stack + (fid,)).value

                value = convert(f.evaluate(name, gwp), unit, f"formula of {fid}")
                ratio_lo = float(row["low"]) / float(row["value"]) if float(row["value"]) else 1.0
                ratio_hi = float(row["high"]) / float(row["value"]) if float(row["value"]) else 1.0
                basis_used = basis if any(on_basis) else own_basis
                res = Resolved(fid, value, value * ratio_lo, value * ratio_hi, basis_used, True, False)
        self._memo[(fid, basis)] = res
        return res

    # -- the whole library -------------------------------------------------------------------
    def resolve(self, basis: str = DEFAULT_BASIS) -> pd.DataFrame:
        """Every factor on ``basis``: a tidy frame for tables, joins in DuckDB and exports.

        Columns: id, category, name, value, low, high, unit, per (the denominator unit),
        kgCO2e_per / kgCO2e_per_low / kgCO2e_per_high (kgCO2e per one ``per``), gwp_basis
        (as published), basis_used, derived, overridden, source, source_title, address, year,
        region, notes, formula.

        Worked out once per basis for this library (a library is rebuilt whenever the files or an
        override change); callers get their own copy.
        """
        frame = self._frames.get(basis)
        if frame is None:
            frame = self._frames[basis] = self._resolve_all(basis)
        return frame.copy()

    def _resolve_all(self, basis: str) -> pd.DataFrame:
        out = []
        for fid, row in self.factors.iterrows():
            r = self.quantity(fid, basis)
            per = denominator(row["unit"])
            kg = lambda q: float(convert(q, ureg.kgCO2e / per, fid).magnitude)  # noqa: E731
            src = self.sources.loc[row["source"]] if row["source"] in self.sources.index else None
            out.append({
                "id": fid, "category": row["category"], "name": row["name"],
                "value": float(r.value.magnitude), "low": float(r.low.magnitude), "high": float(r.high.magnitude),
                "unit": row["unit"], "per": f"{per:~P}" if str(per) else "",
                "kgCO2e_per": kg(r.value), "kgCO2e_per_low": kg(r.low), "kgCO2e_per_high": kg(r.high),
                "gwp_basis": row["gwp_basis"], "basis_used": r.basis_used,
                "derived": r.derived, "overridden": r.overridden,
                "source": row["source"],
                "source_title": None if src is None else f"{src['publisher']}, {src['title']} ({src['year']})",
                "address": None if src is None else src["address"],
                "year": row["year"], "region": row["region"], "notes": row["notes"], "formula": row["formula"],
            })
        return pd.DataFrame(out)

    # -- how was this calculated? ------------------------------------------------------------
    def explain(self, fid: str, basis: str = DEFAULT_BASIS) -> list[str]:
        """Plain-English lines that trace a factor back to its inputs and sources."""
        row = self.row(fid)
        r = self.quantity(fid, basis)
        lines = []
        src = self._cite(row["source"])
        ov = self.override(fid)
        if ov is not None:
            lines.append(
                f"Local override: {fmt(r.value)} (range {fmt_mag(r.low)}–{fmt_mag(r.high)}), set by {ov['who']} "
                f"on {pd.Timestamp(ov['created_at']):%d %b %Y %H:%M}: “{ov['reason']}”."
            )
            lines.append(f"Shipped figure: {fmt(ureg.Quantity(float(row['value']), parse_unit(row['unit'])))} from {src}.")
            return lines
        f = self.formula(fid)
        if f is None:
            basis_txt = f" on {row['gwp_basis']}" if isinstance(row.get("gwp_basis"), str) and row.get("gwp_basis") else ""
            lines.append(f"Published figure{basis_txt}: {fmt(r.value)} (range {fmt_mag(r.low)}–{fmt_mag(r.high)}), from {src}.")
            if basis_txt and row["gwp_basis"] != basis and not self.is_constant(fid):
                lines.append(
                    f"This figure is published on {row['gwp_basis']} only and is not re-based to {basis}: "
                    "it mixes several gases, so it cannot be converted."
                )
            return lines
        lines.append(f"Derived: {fid} = {f.text}")
        lines.append(f"= {f.substituted(lambda node: self._show(node, fid, basis))}")
        lines.append(f"= {fmt(r.value)} on {basis} (range {fmt_mag(r.low)}–{fmt_mag(r.high)}, the published range scaled).")
        for n in sorted(f.names - {SELF}):
            nr = self.row(n)
            lines.append(f"where {n} = {fmt(self.quantity(n, basis).value)}: {nr['name']} ({self._cite(nr['source'])})")
        for sub, fixed in sorted(f.substances, key=lambda s: (s[0], s[1] or "")):
            gid, b = self.gwp_id(sub, fixed or basis)
            note = "" if b == (fixed or basis) else f" (no {fixed or basis} value; {b} used)"
            lines.append(f"where gwp({sub}{', ' + fixed if fixed else ''}) = {fmt(self.quantity(gid, b).value)} on {b}{note}: {self._cite(self.row(gid)['source'])}")
        pub_basis = row["gwp_basis"] if isinstance(row.get("gwp_basis"), str) and row.get("gwp_basis") else None
        pub = ureg.Quantity(float(row["value"]), parse_unit(row["unit"]))
        lines.append(f"Published/reference figure{' on ' + pub_basis if pub_basis else ''}: {fmt(pub)} ({src}).")
        return lines

    def _show(self, node, fid, basis) -> str:
        import ast

        if isinstance(node, ast.Name):
            if node.id == SELF:
                return f"{fmt(ureg.Quantity(float(self.row(fid)['value']), parse_unit(self.row(fid)['unit'])))} (published)"
            return f"{fmt(self.quantity(node.id, basis).value)}"
        if node.func.id == "q":
            return node.args[0].value
        sub = node.args[0].id
        fixed = node.args[1].id if len(node.args) == 2 else None
        gid, b = self.gwp_id(sub, fixed or basis)
        return f"{fmt(self.quantity(gid, b).value)}"

    def _cite(self, sid: str) -> str:
        if sid not in self.sources.index:
            return sid
        s = self.sources.loc[sid]
        return f"{s['publisher']}, “{s['title']}” ({s['year']})"


def fmt_mag(q: pint.Quantity) -> str:
    return f"{q.magnitude:,.4g}"


def fmt(q: pint.Quantity) -> str:
    """A quantity for people: four significant figures and short unit symbols."""
    return f"{q.magnitude:,.4g} {q.units:~P}".strip()


_cache: dict[tuple[str, str], Library] = {}
_cache_lock = threading.Lock()


def library_token(store: Store) -> str:
    """Changes whenever the shipped library or any override changes."""
    h = store.execute("SELECT value FROM library_meta WHERE key = 'hash'").fetchone()
    o = store.execute("SELECT count(*), max(id), count(reverted_at) FROM factor_override").fetchone()
    return f"{h[0] if h else ''}:{o}"


def library(store: Store) -> Library:
    """The store's library, rebuilt only when the files or overrides changed."""
    key = (str(store.path), library_token(store))
    with _cache_lock:
        lib = _cache.get(key)
        if lib is None:
            for k in [k for k in _cache if k[0] == key[0]]:
                del _cache[k]
            lib = Library.from_store(store)
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


# ---------------------------------------------------------------------------------------------
# Overrides: the shipped row is never edited
# ---------------------------------------------------------------------------------------------
class OverrideError(ValueError):
    pass


def active_overrides(store: Store) -> pd.DataFrame:
    return store.df(
        "SELECT * FROM factor_override WHERE reverted_at IS NULL ORDER BY factor_id, created_at, id"
    )


def override_history(store: Store, factor_id: str | None = None) -> pd.DataFrame:
    """Every override ever made (newest first), with who, when, why and whether it was reverted."""
    if factor_id:
        return store.df("SELECT * FROM factor_override WHERE factor_id = ? ORDER BY id DESC", [factor_id])
    return store.df("SELECT * FROM factor_override ORDER BY id DESC")


def set_override(store: Store, factor_id: str, value: float, reason: str, who: str,
                 low: float | None = None, high: float | None = None) -> int:
    """Record a local figure for a factor (in the factor's own unit); return the override id.

    The range defaults to the shipped range scaled to the new value. A previous active
    override of the same factor is superseded (marked reverted by the new one).
    """
    row = store.execute("SELECT value, low, high FROM factor WHERE id = ?", [factor_id]).fetchone()
    if row is None:
        raise OverrideError(str(FactorNotFound(factor_id)))
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise OverrideError(f"value {value!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise OverrideError("an override must be a finite number, zero or more")
    if not reason or not reason.strip():
        raise OverrideError("say why: an override needs a reason for the audit trail")
    if not who or not who.strip():
        raise OverrideError("say who is making the override")
    shipped, slo, shi = row
    if low is None:
        low = value * (slo / shipped) if shipped else value
    if high is None:
        high = value * (shi / shipped) if shipped else value
    if not low <= value <= high:
        raise OverrideError(f"low <= value <= high fails ({low} <= {value} <= {high})")
    with store.transaction(needs="admin") as cur:
        cur.execute(
            "UPDATE factor_override SET reverted_at = current_timestamp, reverted_by = ? "
            "WHERE factor_id = ? AND reverted_at IS NULL",
            [f"{who.strip()} (superseded)", factor_id],
        )
        new_id = cur.execute(
            "INSERT INTO factor_override (factor_id, value, low, high, reason, who) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [factor_id, value, low, high, reason.strip(), who.strip()],
        ).fetchone()[0]
    return int(new_id)


def revert_override(store: Store, factor_id: str, who: str) -> bool:
    """Go back to the shipped figure; the override stays in the audit trail. True if one was active."""
    with store.transaction(needs="admin") as cur:
        n = cur.execute(
            "UPDATE factor_override SET reverted_at = current_timestamp, reverted_by = ? "
            "WHERE factor_id = ? AND reverted_at IS NULL RETURNING id",
            [who.strip() or "unknown", factor_id],
        ).fetchall()
    return bool(n)


if __name__ == "__main__":  # `python -m carbon.factors`: validate the library and say what is in it
    import sys

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
