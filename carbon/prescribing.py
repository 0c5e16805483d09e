"""Real prescribing data at national scale: import, BNF -> inhaler mapping, footprint, variation.

Two public formats are read straight from CSV, gzip CSV or Parquet by DuckDB:

* Public Health Scotland, *Prescriptions in the Community* (one row per practice x BNF item x
  paid month): ``HBT, GPPractice, BNFItemCode, BNFItemDescription, NumberOfPaidItems,
  PaidQuantity, GrossIngredientCost, PaidDateMonth`` (plus ``ClassOfPreparationCode`` or
  ``DMDCode``/``PrescribedType`` depending on the year);
* NHS England, *English Prescribing Dataset* (EPD; one row per practice x BNF presentation x
  quantity per item): ``YEAR_MONTH, REGIONAL_OFFICE_NAME, ICB_NAME/ICB_CODE`` (older files
  ``STP_*``/``PCO_*``), ``PRACTICE_NAME, PRACTICE_CODE, BNF_CODE, BNF_DESCRIPTION,
  CHEMICAL_SUBSTANCE_BNF, ITEMS, QUANTITY, TOTAL_QUANTITY, NIC, ACTUAL_COST, ...``.

An import reads each file once (one ``CREATE TEMP TABLE ... AS SELECT ... FROM read_csv``
with explicit types), keeps BNF sections 3.1 and 3.2 (bronchodilators, inhaled
corticosteroids), checks every row set-wise, and writes all files in one transaction: any bad
row and nothing is imported. Re-importing a month replaces it.

Inhalers are counted from the quantity: a quantity of more than 9 units per item is in doses
(divide by the doses per inhaler), otherwise it counts inhalers (the rule of OpenPrescribing's
environmental inhalers measure). A code whose quantity cannot be converted is *unmapped*, never
zero. Footprints are kgCO2e (central, low, high) from the factor library on a GWP basis.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pandas as pd

from carbon import factors as fx
from carbon import uploads
from carbon import variation
from carbon.store import Store
from carbon.units import UnitError, convert, parse

Progress = Callable[[float, str], None]

#: Problems listed one by one before the rest are only counted.
MAX_PROBLEMS = 20
#: More than this many units per item means the quantity is in doses (OpenPrescribing's rule).
DOSES_THRESHOLD = 9
DEVICES = {
    "pmdi_hfa134a": "pMDI (HFA-134a)",
    "pmdi_hfa227ea": "pMDI (HFA-227ea)",
    "bai": "breath-actuated MDI",
    "dpi": "dry-powder inhaler (DPI)",
    "smi": "soft-mist inhaler",
    "nebuliser_other": "nebuliser / other (not an inhaler)",
}
PROPELLANT_DEVICES = ("pmdi_hfa134a", "pmdi_hfa227ea", "bai")
LOW_CARBON_DEVICES = ("dpi", "smi")
GROUPS = ("board", "practice", "month", "product")
METRICS = {
    "low_carbon_share": "Low-carbon share of inhalers (DPI and soft mist)",
    "kgCO2e_per_1000_patients": "kgCO2e per 1,000 patients",
}
SWITCH_CAVEAT = (
    "a switch from a propellant inhaler to a dry-powder or soft-mist inhaler is a shared decision with the "
    "patient at a review: some people (young children, the frail, anyone who cannot inhale fast and deep "
    "enough) need a pMDI with a spacer. These figures size the opportunity; they are not a prescribing target."
)
_KEPT = "(bnf_code LIKE '0301%' OR bnf_code LIKE '0302%')"
_CODE_RE = "[0-9]{7}[0-9A-Z]{8}"


class PrescribingImportError(ValueError):
    """A file cannot be imported; ``problems`` lists (file, row, reason), first N then a count.

    ``row`` is the line in the file (the header is line 1), or 0 for a whole-file problem.
    """

    def __init__(self, problems: list[tuple[str, int, str]], total: int | None = None):
        self.problems = problems
        self.total = total if total is not None else len(problems)
        lines = [f"{f}:{r}: {why}" if r else f"{f}: {why}" for f, r, why in problems]
        more = self.total - len(problems)
        tail = f"\n... and {more} more problem(s)" if more > 0 else ""
        super().__init__(
            f"nothing was imported: {self.total} problem(s)\n" + "\n".join(lines) + tail
        )


def problems_frame(exc: PrescribingImportError) -> pd.DataFrame:
    """An import's problems as a table (file, row, reason), with a last line counting the rest."""
    df = pd.DataFrame(exc.problems, columns=["file", "row", "reason"])
    more = exc.total - len(exc.problems)
    if more > 0:
        df.loc[len(df)] = ["", None, f"... and {more:,} more problem(s)"]
    return df


@dataclass
class ImportReport:
    """What an import did: per file, the months loaded and which of them replaced earlier data."""

    files: list[dict] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    rows_kept: int = 0
    items: float = 0.0
    seconds: float = 0.0
    store: Store | None = field(default=None, repr=False)
    _unmapped: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def unmapped(self) -> pd.DataFrame:
        """Inhaler codes in the store that have no footprint, and why (``unmapped_codes``), worked
        out when first asked for: a summary, not part of the import's own work."""
        if self._unmapped is None:
            self._unmapped = unmapped_codes(self.store) if self.store is not None else pd.DataFrame()
        return self._unmapped

    def summary(self) -> str:
        months = ", ".join(self.months)
        again = f" (replacing {', '.join(self.replaced)})" if self.replaced else ""
        return (f"imported {len(self.files)} file(s): {self.rows_kept:,} respiratory rows, "
                f"{self.items:,.0f} items, months {months}{again}; "
                f"{len(self.unmapped)} BNF code(s) not mapped to an inhaler factor")


# ---------------------------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Format:
    """Which header columns play which role; the first name found wins."""

    name: str
    label: str
    roles: dict
    required: tuple
    numbers: tuple = ("items", "quantity", "cost")


PHS = Format(
    "phs", "Public Health Scotland, Prescriptions in the Community",
    roles={
        "month": ("PaidDateMonth",),
        "board_code": ("HBT", "HBT2014", "HBT2019"),
        "practice": ("GPPractice",),
        "bnf_code": ("BNFItemCode",),
        "description": ("BNFItemDescription",),
        "items": ("NumberOfPaidItems",),
        "quantity": ("PaidQuantity",),
        "cost": ("GrossIngredientCost",),
    },
    required=("month", "board_code", "practice", "bnf_code", "items", "quantity", "cost"),
)
EPD = Format(
    "epd", "NHS England, English Prescribing Dataset",
    roles={
        "month": ("YEAR_MONTH",),
        "board_code": ("ICB_CODE", "STP_CODE", "PCO_CODE"),
        "board": ("ICB_NAME", "STP_NAME", "PCO_NAME"),
        "practice": ("PRACTICE_CODE",),
        "practice_name": ("PRACTICE_NAME",),
        "bnf_code": ("BNF_CODE",),
        "description": ("BNF_DESCRIPTION",),
        "items": ("ITEMS",),
        "quantity": ("TOTAL_QUANTITY",),
        "per_item": ("QUANTITY",),
        "cost": ("NIC", "ACTUAL_COST"),
    },
    required=("month", "board_code", "practice", "bnf_code", "items", "quantity", "cost"),
)
FORMATS = {"phs": PHS, "epd": EPD}


def _q(name: str) -> str:
    """A header name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def _header(cur, path: Path) -> list[str]:
    if _is_parquet(path):
        rows = cur.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    else:
        rows = cur.execute(
            "DESCRIBE SELECT * FROM read_csv(?, header = true, all_varchar = true, sample_size = 2048)",
            [str(path)],
        ).fetchall()
    return [r[0] for r in rows]


def detect_format(columns: Sequence[str]) -> str | None:
    """``"phs"`` or ``"epd"`` from a header, or None if it is neither."""
    lower = {c.lower() for c in columns}
    if {"bnfitemcode", "gppractice"} & lower:
        return "phs"
    if {"bnf_code", "practice_code"} & lower:
        return "epd"
    return None


def _resolve_columns(fmt: Format, columns: Sequence[str]) -> tuple[dict, list[str]]:
    """Role -> actual header name, and the required columns that are missing."""
    by_lower = {c.lower(): c for c in columns}
    found, missing = {}, []
    for role, names in fmt.roles.items():
        hit = next((by_lower[n.lower()] for n in names if n.lower() in by_lower), None)
        if hit:
            found[role] = hit
        elif role in fmt.required:
            missing.append(" or ".join(names))
    return found, missing


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------
@dataclass
class _Staged:
    path: Path
    fmt: Format
    cols: dict
    table: str
    months: list = field(default_factory=list)
    rows: int = 0
    items: float = 0.0


def _source_sql(path: Path, fmt: Format, cols: dict, varchar: bool) -> str:
    """The table function reading ``path`` (bound as ``?``) with explicit column types."""
    if _is_parquet(path):
        return "read_parquet(?)"
    if varchar:
        return "read_csv(?, header = true, all_varchar = true)"
    types = {cols[r]: "DOUBLE" for r in fmt.numbers + ("per_item",) if r in cols}
    # Months are YYYYMM numbers in both formats; text there is rejected like text in a number
    # column, and the failure-only pass (_diagnose) names it as "not a month".
    types[cols["month"]] = "INTEGER"
    for role in ("board_code", "board", "practice", "practice_name", "bnf_code", "description"):
        if role in cols:
            types[cols[role]] = "VARCHAR"
    struct = "{" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in types.items()) + "}"
    return (f"read_csv(?, header = true, types = {struct}, store_rejects = true, "
            "rejects_table = 'rx_rejects', rejects_scan = 'rx_reject_scans')")


def _projection(cols: dict, cast_numbers: bool) -> str:
    """Columns of the staging table, in the product's names."""
    def col(role, kind="VARCHAR"):
        if role not in cols:
            return "NULL"
        c = _q(cols[role])
        if kind == "DOUBLE":
            return f"TRY_CAST({c} AS DOUBLE)" if cast_numbers else c
        return f"trim(CAST({c} AS VARCHAR))"

    return f"""
        {col('month')} AS month_text,
        TRY_CAST({col('month')} AS INTEGER) AS ym,
        {col('board_code')} AS board_code,
        {col('board')} AS board,
        {col('practice')} AS practice,
        {col('practice_name')} AS practice_name,
        upper({col('bnf_code')}) AS bnf_code,
        {col('description')} AS description,
        {col('items', 'DOUBLE')} AS items,
        {col('quantity', 'DOUBLE')} AS quantity,
        {col('cost', 'DOUBLE')} AS cost,
        {col('per_item', 'DOUBLE')} AS per_item"""


_BAD_ROW = f"""(ym IS NULL OR ym % 100 NOT BETWEEN 1 AND 12 OR ym < 190001 OR ym > 299912
    OR practice IS NULL OR practice = '' OR bnf_code IS NULL
    OR NOT regexp_full_match(bnf_code, '{_CODE_RE}')
    OR items IS NULL OR quantity IS NULL OR cost IS NULL OR items < 0 OR quantity < 0)"""


def _run_with_progress(cur, sql: str, params: list, report: Callable[[float], None] | None):
    """Run one statement; while it runs, report DuckDB's own progress (0..1) from this thread."""
    if report is None:
        return cur.execute(sql, params)
    cur.execute("SET enable_progress_bar = true")
    cur.execute("SET enable_progress_bar_print = false")
    outcome: dict = {}

    def work():
        try:
            outcome["result"] = cur.execute(sql, params)
        except BaseException as exc:  # re-raised in the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.05)
        pct = cur.query_progress()
        if pct is not None and pct >= 0:
            report(min(pct, 100.0) / 100.0)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _raw_suspect(cols: dict) -> str:
    """A cheap test on the columns as read, true for every row that is respiratory or might break
    a rule. Rows it passes over (most of a national file) are well formed and not inhalers, so they
    skip the trimming, upper-casing and casting of the full check: it keeps the import near the
    cost of reading the file (bench/README.md). An empty number is NULL, and NOT (NULL AND ...)
    is NULL, not true: the coalesce keeps such a row suspect so the full check refuses it."""
    code, month, practice = (_q(cols[r]) for r in ("bnf_code", "month", "practice"))
    n = {r: _q(cols[r]) for r in ("items", "quantity", "cost")}
    return f"""(starts_with({code}, '0301') OR starts_with({code}, '0302')
        OR {code} IS NULL OR NOT regexp_full_match({code}, '{_CODE_RE}')
        OR TRY_CAST({month} AS INTEGER) IS NULL OR TRY_CAST({month} AS INTEGER) % 100 NOT BETWEEN 1 AND 12
        OR TRY_CAST({month} AS INTEGER) NOT BETWEEN 190001 AND 299912
        OR {practice} IS NULL OR trim(CAST({practice} AS VARCHAR)) = ''
        OR NOT coalesce(TRY_CAST({n['items']} AS DOUBLE) >= 0 AND TRY_CAST({n['quantity']} AS DOUBLE) >= 0
                        AND TRY_CAST({n['cost']} AS DOUBLE) IS NOT NULL, false))"""


def _stage(cur, path: Path, fmt: Format, cols: dict, table: str, report) -> None:
    """One pass over the file: keep the respiratory rows and any row that breaks a rule."""
    cur.execute("DROP TABLE IF EXISTS rx_rejects")
    cur.execute("DROP TABLE IF EXISTS rx_reject_scans")
    src = _source_sql(path, fmt, cols, varchar=False)
    sql = f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT * FROM (SELECT {_projection(cols, _is_parquet(path))}
                       FROM (SELECT * FROM {src} WHERE {_raw_suspect(cols)}))
        WHERE {_KEPT} OR {_BAD_ROW}"""
    _run_with_progress(cur, sql, [str(path)], report)


def _problems(cur, st: _Staged) -> tuple[list[tuple[str, int, str]], int]:
    """Every broken rule in one file, with its line: rejected text, bad rows, duplicates."""
    name = st.path.name
    rejects: list[tuple[int, str]] = []
    if not _is_parquet(st.path):
        for line, column, etype, message in cur.execute(
            "SELECT line, column_name, error_type, error_message FROM rx_rejects ORDER BY line"
        ).fetchall():
            if etype == "CAST":
                raw = message.split('"')[3] if message.count('"') >= 4 else ""
                rejects.append((int(line), f"{column} is {raw!r}, not a number"))
            else:
                rejects.append((int(line), f"{etype.lower().replace('_', ' ')}: {message.splitlines()[0]}"))
    n_bad = cur.execute(f"SELECT count(*) FROM {st.table} WHERE {_BAD_ROW}").fetchone()[0]
    key = "ym, practice, bnf_code, per_item"
    n_dup = cur.execute(
        f"SELECT count(*) FROM (SELECT {key} FROM {st.table} WHERE {_KEPT} AND NOT {_BAD_ROW} "
        f"GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()[0]
    if not rejects and not n_bad and not n_dup:
        return [], 0
    structural = [r for r in rejects if "not a number" not in r[1]]
    if structural:  # line numbers of a second pass would be off: report these first
        found = [(name, line, why) for line, why in structural]
        return found[:MAX_PROBLEMS], len(found)
    return _diagnose(cur, st)


def _diagnose(cur, st: _Staged) -> tuple[list[tuple[str, int, str]], int]:
    """The slow, failure-only pass: re-read as text with row numbers and name each problem."""
    c = st.cols
    src = _source_sql(st.path, st.fmt, c, varchar=True)
    offset = 1 if _is_parquet(st.path) else 2  # parquet rows count from 1; CSV lines from the header
    checks = [f"CASE WHEN month_text IS NULL OR ym IS NULL OR ym % 100 NOT BETWEEN 1 AND 12 "
              f"OR ym < 190001 OR ym > 299912 THEN {_lit(c['month'])} || ' is ' || "
              "coalesce('''' || month_text || '''', 'empty') || ', not a month (YYYYMM)' END",
              f"CASE WHEN practice IS NULL OR practice = '' THEN {_lit(c['practice'] + ' is empty')} END",
              f"CASE WHEN bnf_code IS NULL OR bnf_code = '' THEN {_lit(c['bnf_code'] + ' is empty')} "
              f"WHEN NOT regexp_full_match(bnf_code, '{_CODE_RE}') THEN {_lit(c['bnf_code'])} || ' ''' "
              "|| bnf_code || ''' is not a 15-character BNF code' END"]
    for role in ("items", "quantity", "cost"):
        col = c[role]
        raw = f"raw_{role}"
        checks.append(
            f"CASE WHEN {raw} IS NULL OR {raw} = '' THEN {_lit(col + ' is empty')} "
            f"WHEN {role} IS NULL THEN {_lit(col)} || ' is ''' || {raw} || ''', not a number' "
            + (f"WHEN {role} < 0 THEN {_lit(col)} || ' is negative (' || {raw} || ')' " if role != "cost" else "")
            + "END")
    raws = ", ".join(f"trim(CAST({_q(c[r])} AS VARCHAR)) AS raw_{r}" for r in ("items", "quantity", "cost"))
    sql = f"""
        WITH t AS (
            SELECT row_number() OVER () + {offset - 1} AS line, {_projection(c, True)}, {raws}
            FROM {src}),
        d AS (
            SELECT line, ym, practice, bnf_code,
                   CASE WHEN {_KEPT} AND count(*) OVER (PARTITION BY ym, practice, bnf_code, per_item) > 1
                        THEN 'month ' || month_text || ', practice ' || practice || ', code ' || bnf_code
                             || ' appears ' || count(*) OVER (PARTITION BY ym, practice, bnf_code, per_item)
                             || ' times in this file' END AS dup,
                   list_value({', '.join(checks)}) AS why
            FROM t),
        p AS (
            SELECT line, reason
            FROM d, unnest(list_filter(list_append(why, dup), lambda x: x IS NOT NULL)) AS u(reason))
        SELECT line, reason, count(*) OVER () AS total FROM p ORDER BY line, reason LIMIT {MAX_PROBLEMS}"""
    rows = cur.execute(sql, [str(st.path)]).fetchall()
    if not rows:
        return [(st.path.name, 0, "the file could not be read consistently; check its format")], 1
    return [(st.path.name, int(line), reason) for line, reason, _ in rows], int(rows[0][2])


def import_files(store: Store, paths: Iterable[str | Path], fmt: str = "auto",
                 progress: Progress | None = None, who: str = "") -> ImportReport:
    """Import prescribing files (CSV, .csv.gz, Parquet) all-or-nothing, in one transaction.

    ``fmt`` is ``"auto"`` (from the header), ``"phs"`` or ``"epd"``. ``progress(fraction,
    message)`` is called from this thread as the files are read. Raises
    ``PrescribingImportError`` (nothing imported) if any file has a missing column, text in a
    number column, a negative quantity or item count, a malformed BNF code, a bad month or a
    duplicated month/practice/code row. Codes that are well formed but not in the mapping are
    imported and reported as unmapped. Months already in the store (same format) are replaced.
    ``who`` (the signed-in address, or the local account) is recorded with each file in ``rx_import``.
    """
    started = time.perf_counter()
    paths = [Path(p) for p in paths]
    if not paths:
        raise PrescribingImportError([("(no file)", 0, "choose at least one file to import")])
    if fmt not in ("auto", *FORMATS):
        raise PrescribingImportError([("(format)", 0, f"format must be auto, phs or epd, not {fmt!r}")])
    say = progress or (lambda f, m: None)
    cur = store.cursor()
    problems: list[tuple[str, int, str]] = []
    total_problems = 0
    staged: list[_Staged] = []
    sizes = [max(p.stat().st_size, 1) if p.exists() else 1 for p in paths]
    done = 0.0
    try:
        for i, path in enumerate(paths):
            share = 0.9 * sizes[i] / sum(sizes)
            if not path.exists():
                problems.append((path.name, 0, "file not found"))
                total_problems += 1
                continue
            try:
                header = _header(cur, path)
            except Exception as exc:  # duckdb.Error: unreadable, empty, not CSV/Parquet
                problems.append((path.name, 0, f"cannot be read as CSV or Parquet: {str(exc).splitlines()[0]}"))
                total_problems += 1
                continue
            name = detect_format(header) if fmt == "auto" else fmt
            if name is None:
                problems.append((path.name, 1, "is neither a PHS Prescriptions in the Community file "
                                 "(GPPractice, BNFItemCode, ...) nor an NHS England EPD file "
                                 "(PRACTICE_CODE, BNF_CODE, ...)"))
                total_problems += 1
                continue
            form = FORMATS[name]
            cols, missing = _resolve_columns(form, header)
            if missing:
                problems.append((path.name, 1, f"missing column(s) {', '.join(missing)} "
                                 f"(a {form.label} file needs {', '.join(form.roles[r][0] for r in form.required)})"))
                total_problems += 1
                continue
            st = _Staged(path, form, cols, f"rx_stage_{i}")
            base = done
            _stage(cur, path, form, cols, st.table,
                   lambda f, base=base, share=share, n=path.name: say(base + share * f, f"Reading {n}"))
            found, count = _problems(cur, st)
            problems += found
            total_problems += count
            done += share
            say(done, f"Checked {path.name}")
            if not count:
                st.months = [r[0] for r in cur.execute(
                    f"SELECT DISTINCT ym FROM {st.table} WHERE {_KEPT} ORDER BY ym").fetchall()]
                st.rows, st.items = cur.execute(
                    f"SELECT count(*), coalesce(sum(items), 0) FROM {st.table} WHERE {_KEPT}").fetchone()
                staged.append(st)
        seen: dict = {}
        for st in staged:
            for m in st.months:
                other = seen.setdefault((st.fmt.name, m), st.path.name)
                if other != st.path.name:
                    problems.append((st.path.name, 0, f"month {m} is also in {other}; import each month once"))
                    total_problems += 1
        if total_problems:
            raise PrescribingImportError(problems[:MAX_PROBLEMS], total_problems)
        say(0.92, "Saving")
        report = _write(store, staged, who)
    finally:
        for i in range(len(paths)):
            cur.execute(f"DROP TABLE IF EXISTS rx_stage_{i}")
    report.store = store
    report.seconds = time.perf_counter() - started
    say(1.0, "Done")
    return report


def import_uploads(store: Store, files: Sequence[tuple[str, bytes]], fmt: str = "auto",
                   progress: Progress | None = None, who: str = "") -> ImportReport:
    """``import_files`` for files given as (name, content), as a browser upload gives them.

    Each file is written under its own name to a private temporary folder (DuckDB reads paths),
    so messages name the file the user chose; the folder is removed afterwards, and one left by a
    process that was killed meanwhile is removed at the next start (``carbon.uploads``).
    """
    with uploads.folder("carbon_rx_") as tmp:
        paths = []
        for i, (name, data) in enumerate(files):
            folder = Path(tmp) / str(i)
            folder.mkdir()
            path = folder / Path(name).name
            path.write_bytes(data)
            paths.append(path)
        return import_files(store, paths, fmt, progress, who)


def files_in_folder(folder: str | Path) -> list[Path]:
    """The prescribing files in a folder (CSV, .csv.gz, Parquet), sorted by name."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise PrescribingImportError([(str(folder), 0, "is not a folder")])
    found = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.name.lower().endswith((".csv", ".csv.gz", ".parquet", ".pq")))
    if not found:
        raise PrescribingImportError([(str(folder), 0, "holds no .csv, .csv.gz or .parquet file")])
    return found


def _month_label(ym: int) -> str:
    return f"{ym // 100:04d}-{ym % 100:02d}"


def _write(store: Store, staged: list[_Staged], who: str = "") -> ImportReport:
    """Replace the staged months and insert the staged rows, all in one transaction."""
    report = ImportReport()
    with store.transaction() as cur:
        for st in staged:
            months_sql = ", ".join(f"make_date({m // 100}, {m % 100}, 1)" for m in st.months) or "NULL"
            replaced = cur.execute(
                f"SELECT DISTINCT strftime(month, '%Y-%m') FROM rx_item WHERE format = ? AND month IN ({months_sql})",
                [st.fmt.name],
            ).fetchall()
            report.replaced += [r[0] for r in replaced]
            cur.execute(f"DELETE FROM rx_item WHERE format = ? AND month IN ({months_sql})", [st.fmt.name])
            import_id = cur.execute(
                "INSERT INTO rx_import (file, format, rows_kept, months, imported_by) VALUES (?, ?, ?, ?, ?) "
                "RETURNING id",
                [st.path.name, st.fmt.name, st.rows, " ".join(_month_label(m) for m in st.months), who.strip()],
            ).fetchone()[0]
            cur.execute(f"""
                INSERT INTO rx_item
                SELECT make_date(s.ym // 100, s.ym % 100, 1), ?, s.board_code,
                       coalesce(max(s.board), max(b.board), s.board_code), s.practice, max(s.practice_name),
                       s.bnf_code, sum(s.items), sum(s.quantity), sum(s.cost), ?
                FROM {st.table} s LEFT JOIN rx_board b ON b.board_code = s.board_code
                WHERE {_KEPT}
                GROUP BY s.ym, s.board_code, s.practice, s.bnf_code""", [st.fmt.name, import_id])
            cur.execute(f"""
                INSERT INTO rx_code
                SELECT bnf_code, max(description) FROM {st.table} WHERE {_KEPT} GROUP BY bnf_code
                ON CONFLICT (bnf_code)
                DO UPDATE SET description = coalesce(excluded.description, rx_code.description)""")
            report.files.append({"file": st.path.name, "format": st.fmt.name, "rows_kept": st.rows,
                                 "items": st.items, "months": [_month_label(m) for m in st.months]})
            report.rows_kept += st.rows
            report.items += st.items
            report.months += [_month_label(m) for m in st.months]
    report.months = sorted(set(report.months))
    report.replaced = sorted(set(report.replaced))
    return report


def import_list_sizes_upload(store: Store, name: str, data: bytes, who: str = "") -> int:
    """``import_list_sizes`` for an uploaded file (name, content)."""
    with uploads.folder("carbon_ls_") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        return import_list_sizes(store, path, who)


def import_list_sizes(store: Store, path: str | Path, who: str = "") -> int:
    """Load registered patients per practice (replacing earlier figures); returns practices loaded.

    Accepts PHS *GP Practice Contact Details and List Sizes* (``PracticeCode``,
    ``PracticeListSize``), NHS England *Patients Registered at a GP Practice* (``CODE``,
    ``NUMBER_OF_PATIENTS``) or a plain ``practice,patients`` CSV. A negative or non-numeric
    size, or a missing column, imports nothing and names the rows.
    """
    path = Path(path)
    cur = store.cursor()
    try:
        header = _header(cur, path)
    except Exception as exc:
        raise PrescribingImportError([(path.name, 0, f"cannot be read: {str(exc).splitlines()[0]}")]) from None
    lower = {h.lower(): h for h in header}
    code = next((lower[n] for n in ("practicecode", "gppractice", "practice_code", "code", "practice")
                 if n in lower), None)
    size = next((lower[n] for n in ("practicelistsize", "number_of_patients", "list_size", "patients")
                 if n in lower), None)
    if not code or not size:
        raise PrescribingImportError([(path.name, 1, "needs a practice code column (PracticeCode, CODE or practice) "
                                       "and a list size column (PracticeListSize, NUMBER_OF_PATIENTS or patients)")])
    src = "read_parquet(?)" if _is_parquet(path) else "read_csv(?, header = true, all_varchar = true)"
    offset = 0 if _is_parquet(path) else 1
    sql = f"""SELECT row_number() OVER () + {offset} AS line, trim(CAST({_q(code)} AS VARCHAR)) AS practice,
                     trim(CAST({_q(size)} AS VARCHAR)) AS raw, TRY_CAST({_q(size)} AS DOUBLE) AS patients FROM {src}"""
    bad = cur.execute(f"""SELECT line, CASE WHEN practice IS NULL OR practice = '' THEN 'practice code is empty'
                                       WHEN patients IS NULL
                                            THEN 'list size ''' || coalesce(raw, '') || ''' is not a number'
                                       ELSE 'list size is negative' END, count(*) OVER ()
                          FROM ({sql}) WHERE practice IS NULL OR practice = '' OR patients IS NULL OR patients < 0
                          ORDER BY line LIMIT {MAX_PROBLEMS}""", [str(path)]).fetchall()
    if bad:
        raise PrescribingImportError([(path.name, int(line), why) for line, why, _ in bad], int(bad[0][2]))
    with store.transaction() as tx:
        n = tx.execute(f"""INSERT OR REPLACE INTO rx_list_size (practice, patients, file, loaded_by)
                           SELECT practice, sum(patients), ?, ? FROM ({sql}) GROUP BY practice""",
                       [path.name, who.strip(), str(path)]).fetchone()[0]
    return int(n)


# ---------------------------------------------------------------------------------------------
# Mapping
# ---------------------------------------------------------------------------------------------
def _mapping_sql() -> str:
    """Each imported BNF code -> device, product, doses per inhaler and factor.

    Presentation rows (``factors/bnf_inhalers.csv``) win; otherwise the chemical substance
    (first 9 characters) and words in the description pick a row of
    ``factors/bnf_inhaler_chemicals.csv`` by priority; otherwise the code is unmapped.
    """
    num = "TRY_CAST(NULLIF(CAST({} AS VARCHAR), '') AS DOUBLE)"
    txt = "NULLIF(CAST({} AS VARCHAR), '')"
    doses_in_text = r"TRY_CAST(regexp_extract(c.description, '(?i)\((\d+) ?d(?:oses?)?\)', 1) AS DOUBLE)"
    return f"""
    rx_codes AS (SELECT bnf_code, coalesce(description, '') AS description FROM rx_code),
    rx_pres AS (
        SELECT c.bnf_code, c.description, {txt.format('p.device')} AS device, {txt.format('p.product')} AS product,
               coalesce({num.format('p.doses_per_inhaler')}, {doses_in_text}) AS doses_per_inhaler,
               {txt.format('p.factor_id')} AS factor_id, {txt.format('p.equivalent_factor_id')} AS equivalent_factor_id,
               coalesce({txt.format('p.quantity_unit')}, 'auto') AS quantity_unit, 'presentation' AS matched_by
        FROM rx_codes c JOIN ref_bnf_inhalers p ON p.bnf_code = c.bnf_code),
    rx_chem AS (
        SELECT c.bnf_code, c.description, {txt.format('f.device')} AS device, {txt.format('f.product')} AS product,
               coalesce({num.format('f.doses_per_inhaler')}, {doses_in_text}) AS doses_per_inhaler,
               {txt.format('f.factor_id')} AS factor_id, {txt.format('f.equivalent_factor_id')} AS equivalent_factor_id,
               'auto' AS quantity_unit,
               CASE WHEN f.chemical_code = '*' THEN 'form' ELSE 'chemical' END AS matched_by,
               row_number() OVER (PARTITION BY c.bnf_code ORDER BY f.priority) AS rank
        FROM rx_codes c JOIN ref_bnf_inhaler_chemicals f
          ON (f.chemical_code = left(c.bnf_code, 9) OR f.chemical_code = '*')
         AND regexp_matches(c.description, f.form_pattern, 'i')
         AND (coalesce(CAST(f.name_pattern AS VARCHAR), '') = ''
              OR regexp_matches(c.description, CAST(f.name_pattern AS VARCHAR), 'i'))
        WHERE c.bnf_code NOT IN (SELECT bnf_code FROM rx_pres)),
    rx_map AS (
        SELECT * FROM rx_pres
        UNION ALL BY NAME SELECT * EXCLUDE (rank) FROM rx_chem WHERE rank = 1
        UNION ALL BY NAME
        SELECT bnf_code, description, NULL AS device, NULL AS product, NULL AS doses_per_inhaler, NULL AS factor_id,
               NULL AS equivalent_factor_id, 'auto' AS quantity_unit, 'unmapped' AS matched_by
        FROM rx_codes WHERE bnf_code NOT IN (SELECT bnf_code FROM rx_pres)
                        AND bnf_code NOT IN (SELECT bnf_code FROM rx_chem))"""


def mapping(store: Store) -> pd.DataFrame:
    """How every imported BNF code was mapped (``matched_by``: presentation, chemical, form, unmapped)."""
    return store.df(f"WITH {_mapping_sql()} SELECT * FROM rx_map ORDER BY bnf_code")


def _inhalers_sql(r: str = "r", m: str = "m") -> str:
    """Paid quantity -> inhalers: NULL (unmapped) when doses are needed but not known."""
    return f"""CASE WHEN {m}.quantity_unit = 'inhaler' THEN {r}.quantity
        WHEN {m}.quantity_unit = 'dose' OR {r}.quantity > {DOSES_THRESHOLD} * {r}.items
            THEN {r}.quantity / NULLIF({m}.doses_per_inhaler, 0)
        ELSE {r}.quantity END"""


def _rows_sql() -> str:
    """Every stored inhaler row with its mapping, inhaler count and factor (nebulisers left out)."""
    return f"""WITH {_mapping_sql()},
    rx_rows AS (
        SELECT i.*, m.device, m.product, m.factor_id, m.equivalent_factor_id, m.matched_by,
               {_inhalers_sql('i', 'm')} AS inhalers_raw,
               f.kg, f.kg_low, f.kg_high
        FROM rx_item i JOIN rx_map m USING (bnf_code)
        LEFT JOIN rx_factors f ON f.id = m.factor_id
        WHERE m.device IS DISTINCT FROM 'nebuliser_other'),
    rx_r AS (
        SELECT *, (device IS NOT NULL AND kg IS NOT NULL AND inhalers_raw IS NOT NULL) AS mapped,
               CASE WHEN device IS NOT NULL AND kg IS NOT NULL THEN inhalers_raw END AS inhalers
        FROM rx_rows)"""


def _with_factors(store: Store, basis: str, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run ``sql`` with the inhaler factors on ``basis`` visible as table ``rx_factors``."""
    res = fx.resolved(store, basis)
    per_inhaler = res[res["per"] == "inhaler"]
    frame = pd.DataFrame({
        "id": per_inhaler["id"].astype(str),
        "kg": per_inhaler["kgCO2e_per"].astype(float),
        "kg_low": per_inhaler["kgCO2e_per_low"].astype(float),
        "kg_high": per_inhaler["kgCO2e_per_high"].astype(float),
    })
    # A short-lived cursor of its own: the registered frame is visible to this query only, and
    # an unfinished result left on the thread's cursor cannot block the registration.
    cur = store.cursor().cursor()
    try:
        cur.register("rx_factors", frame)
        return cur.execute(sql, params).df() if params else cur.execute(sql).df()
    finally:
        cur.close()


# ---------------------------------------------------------------------------------------------
# Footprint
# ---------------------------------------------------------------------------------------------
_GROUP_SQL = {
    "board": (["board_code"], ["board_code", "max(board) AS board"]),
    "practice": (["practice"], ["practice", "max(practice_name) AS practice_name", "max(board) AS board"]),
    "month": (["month"], ["month"]),
    "product": (["coalesce(product, '(not mapped)')", "device"],
                ["coalesce(product, '(not mapped)') AS product", "device"]),
}


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
    return bool(store.execute("SELECT count(*) FROM rx_item").fetchall()[0][0])


def has_list_sizes(store: Store) -> bool:
    return bool(store.execute("SELECT count(*) FROM rx_list_size").fetchall()[0][0])


def footprint(store: Store, by: str | Sequence[str], basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Inhaler footprint grouped by board, practice, month and/or product.

    Columns: the group column(s); ``items`` (inhaler items, mapped or not), ``inhalers``
    (mapped inhalers), ``kgCO2e``/``kgCO2e_low``/``kgCO2e_high``, ``low_carbon_share`` (DPI and
    soft-mist inhalers over all mapped inhalers, 0..1), ``cost_gbp`` (PHS gross ingredient cost,
    EPD net ingredient cost, pounds), ``unmapped_items``, ``factor_ids`` (traceability); and
    where list sizes are loaded and the grouping is by practice or board, ``patients`` and
    ``kgCO2e_per_1000_patients``.
    """
    groups = _by(by)
    keys = [k for g in groups for k in _GROUP_SQL[g][0]]
    cols = [c for g in groups for c in _GROUP_SQL[g][1]]
    order = ", ".join(keys)
    sql = f"""{_rows_sql()},
    agg AS (
        SELECT {', '.join(cols)},
               sum(items) AS items,
               coalesce(sum(inhalers) FILTER (WHERE mapped), 0) AS inhalers,
               coalesce(sum(inhalers * kg) FILTER (WHERE mapped), 0) AS kgCO2e,
               coalesce(sum(inhalers * kg_low) FILTER (WHERE mapped), 0) AS kgCO2e_low,
               coalesce(sum(inhalers * kg_high) FILTER (WHERE mapped), 0) AS kgCO2e_high,
               coalesce(sum(inhalers) FILTER (WHERE mapped AND device IN ('dpi', 'smi')), 0)
                   / NULLIF(sum(inhalers) FILTER (WHERE mapped), 0) AS low_carbon_share,
               sum(cost_gbp) AS cost_gbp,
               coalesce(sum(items) FILTER (WHERE NOT mapped), 0) AS unmapped_items,
               string_agg(DISTINCT factor_id, ' ' ORDER BY factor_id) FILTER (WHERE mapped) AS factor_ids
        FROM rx_r GROUP BY {order})"""
    if groups == ["practice"] or ("practice" in groups and has_list_sizes(store)):
        sql += """
    SELECT agg.*, ls.patients, agg.kgCO2e / NULLIF(ls.patients, 0) * 1000 AS kgCO2e_per_1000_patients
    FROM agg LEFT JOIN rx_list_size ls USING (practice)"""
    elif groups == ["board"]:
        sql += """,
    board_patients AS (
        SELECT p.board_code, sum(ls.patients) AS patients
        FROM (SELECT DISTINCT board_code, practice FROM rx_item) p JOIN rx_list_size ls USING (practice)
        GROUP BY p.board_code)
    SELECT agg.*, bp.patients, agg.kgCO2e / NULLIF(bp.patients, 0) * 1000 AS kgCO2e_per_1000_patients
    FROM agg LEFT JOIN board_patients bp USING (board_code)"""
    else:
        sql += "\n    SELECT * FROM agg"
    df = _with_factors(store, basis, sql + f" ORDER BY {', '.join(c.split(' AS ')[-1] for c in cols)}")
    if "month" in df.columns:
        df["month"] = pd.to_datetime(df["month"]).dt.strftime("%Y-%m")
    if not has_list_sizes(store):
        df = df.drop(columns=[c for c in ("patients", "kgCO2e_per_1000_patients") if c in df.columns])
    return df


def totals(store: Store, basis: str = fx.DEFAULT_BASIS) -> dict:
    """Everything imported in one line: kgCO2e (central, low, high), items, inhalers, low-carbon
    share (0..1), cost (pounds), unmapped items, and how many boards, practices and months."""
    sql = f"""{_rows_sql()}
    SELECT coalesce(sum(inhalers * kg) FILTER (WHERE mapped), 0) AS kgCO2e,
           coalesce(sum(inhalers * kg_low) FILTER (WHERE mapped), 0) AS kgCO2e_low,
           coalesce(sum(inhalers * kg_high) FILTER (WHERE mapped), 0) AS kgCO2e_high,
           coalesce(sum(items), 0) AS items,
           coalesce(sum(inhalers) FILTER (WHERE mapped), 0) AS inhalers,
           coalesce(sum(inhalers) FILTER (WHERE mapped AND device IN ('dpi', 'smi')), 0)
               / NULLIF(sum(inhalers) FILTER (WHERE mapped), 0) AS low_carbon_share,
           coalesce(sum(cost_gbp), 0) AS cost_gbp,
           coalesce(sum(items) FILTER (WHERE NOT mapped), 0) AS unmapped_items,
           count(DISTINCT board_code) AS boards, count(DISTINCT practice) AS practices,
           count(DISTINCT month) AS months
    FROM rx_r"""
    row = _with_factors(store, basis, sql).iloc[0]
    out = {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}
    for k in ("boards", "practices", "months"):
        out[k] = int(out[k] or 0)
    out["tCO2e"] = out["kgCO2e"] / 1000.0
    return out


def unmapped_codes(store: Store) -> pd.DataFrame:
    """Inhaler codes whose items have no footprint, with why: no mapping, or quantity not convertible."""
    sql = f"""{_rows_sql()}
    SELECT bnf_code, any_value(m.description) AS description,
           CASE WHEN any_value(r.device) IS NULL THEN 'no mapping for this code'
                WHEN any_value(r.kg) IS NULL
                     THEN 'factor ' || coalesce(any_value(r.factor_id), '?') || ' not in the library'
                ELSE 'quantity is in doses but the doses per inhaler are not known' END AS reason,
           sum(items) AS items, sum(cost_gbp) AS cost_gbp
    FROM rx_r r JOIN rx_map m USING (bnf_code) WHERE NOT mapped
    GROUP BY bnf_code ORDER BY items DESC, bnf_code"""
    return _with_factors(store, fx.DEFAULT_BASIS, sql)


def coverage(store: Store) -> dict:
    """Share of inhaler items and of inhaler cost mapped to a factor (0..1), and how codes matched."""
    sql = f"""{_rows_sql()}
    SELECT coalesce(sum(items), 0), coalesce(sum(items) FILTER (WHERE mapped), 0),
           coalesce(sum(cost_gbp), 0), coalesce(sum(cost_gbp) FILTER (WHERE mapped), 0),
           count(DISTINCT bnf_code), count(DISTINCT bnf_code) FILTER (WHERE NOT mapped),
           count(DISTINCT practice), min(month), max(month)
    FROM rx_r"""
    row = _with_factors(store, fx.DEFAULT_BASIS, sql).iloc[0].tolist()
    items, items_m, cost, cost_m, codes, codes_un, practices, first, last = row
    by_match = store.df(
        f"WITH {_mapping_sql()} SELECT matched_by, count(*) AS codes FROM rx_map GROUP BY ALL ORDER BY 1")
    return {
        "inhaler_items": float(items), "mapped_items": float(items_m),
        "items_share": float(items_m) / float(items) if items else math.nan,
        "inhaler_cost_gbp": float(cost), "mapped_cost_gbp": float(cost_m),
        "cost_share": float(cost_m) / float(cost) if cost else math.nan,
        "codes": int(codes), "unmapped_codes": int(codes_un), "practices": int(practices),
        "first_month": None if pd.isna(first) else pd.Timestamp(first).strftime("%Y-%m"),
        "last_month": None if pd.isna(last) else pd.Timestamp(last).strftime("%Y-%m"),
        "codes_by_match": dict(zip(by_match["matched_by"], by_match["codes"].astype(int))),
    }


def imports(store: Store) -> pd.DataFrame:
    """The import log, newest first."""
    return store.df("SELECT id, file, format, rows_kept, months, imported_at, imported_by FROM rx_import "
                    "ORDER BY id DESC")


# ---------------------------------------------------------------------------------------------
# Variation
# ---------------------------------------------------------------------------------------------
@dataclass
class Funnel:
    """Points (one per practice), the limit curves, the target and how the limits were drawn."""

    metric: str
    points: pd.DataFrame
    curve: pd.DataFrame
    target: float
    weight: float
    kind: str
    method: str
    volume_label: str
    value_label: str


def funnel(store: Store, metric: str = "low_carbon_share", basis: str = fx.DEFAULT_BASIS,
           min_volume: float = 1.0) -> Funnel:
    """Practices on a funnel plot of ``metric`` with 95 % and 99.8 % limits (see carbon.variation).

    ``low_carbon_share``: volume = mapped inhalers, a proportion with binomial limits.
    ``kgCO2e_per_1000_patients``: volume = registered patients (needs list sizes), a weighted
    Poisson rate. Practices with less volume than ``min_volume`` are left out. Points carry
    ``z`` (standard errors from the target) and ``flag``.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    df = footprint(store, "practice", basis)
    if metric == "low_carbon_share":
        kind, volume, vlabel = "proportion", "inhalers", "Inhalers prescribed (volume)"
        df = df[df["inhalers"] >= min_volume].copy()
        low = df["low_carbon_share"].fillna(0) * df["inhalers"]
        target = float(low.sum() / df["inhalers"].sum()) if len(df) else math.nan
        weight = 1.0
        df["value"] = df["low_carbon_share"]
        method = ("Binomial proportion, normal approximation: p0 ± z·sqrt(p0(1−p0)/n), n = inhalers, "
                  f"p0 = pooled share = {target:.4f}; z = 1.96 (95%) and 3.09 (99.8%).")
    else:
        if not has_list_sizes(store):
            raise ValueError("load practice list sizes first (kgCO2e per 1,000 patients needs them)")
        kind, volume, vlabel = "rate", "patients", "Registered patients (volume)"
        df = df[df["patients"].fillna(0) >= max(min_volume, 1.0)].copy()
        target = float(df["kgCO2e"].sum() / df["patients"].sum() * 1000) if len(df) else math.nan
        per_inhaler = float(df["kgCO2e"].sum() / df["inhalers"].sum()) if df["inhalers"].sum() else 0.0
        weight = 1000.0 * per_inhaler
        df["value"] = df["kgCO2e_per_1000_patients"]
        method = ("Weighted Poisson rate: θ ± z·sqrt(θ·w/n), n = patients, θ = pooled kgCO2e per 1,000 "
                  f"patients = {target:.1f}, w = 1000 × pooled kgCO2e per inhaler = {weight:.1f}; "
                  "z = 1.96 (95%) and 3.09 (99.8%).")
    df["volume"] = df[volume].astype(float)
    lim = variation.limits(kind, target, df["volume"].to_numpy(), weight)
    for c in ("lower95", "upper95", "lower998", "upper998"):
        df[c] = lim[c].to_numpy()
    df["z"] = variation.z_scores(kind, target, df["value"].to_numpy(), df["volume"].to_numpy(), weight)
    df["flag"] = variation.flag(df["z"].to_numpy())
    keep = ["practice", "practice_name", "board", "volume", "value", "z", "flag", "lower95", "upper95",
            "lower998", "upper998", "inhalers", "kgCO2e", "low_carbon_share"]
    points = df[[c for c in keep if c in df.columns]].reset_index(drop=True)
    curve = (variation.curve(kind, target, points["volume"].min(), points["volume"].max(), weight)
             if len(points) else variation.limits(kind, target, []))
    return Funnel(metric, points, curve, target, weight, kind, method, vlabel, METRICS[metric])


def outliers(f: Funnel, level: str = "95%") -> pd.DataFrame:
    """Practices outside the limits at ``level``, the furthest first (by |z|)."""
    z = variation.LEVELS[level]
    out = f.points[f.points["z"].abs() > z].copy()
    return out.reindex(out["z"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def ranked(f: Funnel) -> pd.DataFrame:
    """The funnel's practices ranked worst first by their z-score, the standard errors between a
    practice and all practices pooled on the wrong side (a low low-carbon share, or a high
    kgCO2e per 1,000 patients), with ``rank`` (1 = furthest from good) beside the limits and flag.

    Ranking by z rather than by the raw value is the point of a funnel plot: a practice with 10
    inhalers and none of them low-carbon is less surprising than one with 2,000 at 3 %.
    """
    high_is_bad = f.metric != "low_carbon_share"
    out = f.points.sort_values(["z", "volume"], ascending=[not high_is_bad, False], na_position="last",
                               ignore_index=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


# ---------------------------------------------------------------------------------------------
# Switching opportunity
# ---------------------------------------------------------------------------------------------
@dataclass
class Switching:
    """Savings by practice and by board (tCO2e and pounds) and the national totals."""

    by_practice: pd.DataFrame
    by_board: pd.DataFrame
    totals: dict
    share: float
    benchmark_kg_per_inhaler: float


def fraction(value: float | str, what: str) -> float:
    """A share between 0 and 1 from a number (0.2) or text read by pint (``"20 %"``, ``"0.2"``)."""
    try:
        v = float(convert(parse(value), "dimensionless", what).magnitude)
    except UnitError:
        raise ValueError(f"{what}: {value!r} is not a share; write e.g. '20 %' or 0.2") from None
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{what} must be between 0 % and 100 %, not {value!r}")
    return v


def switching_opportunity(store: Store, share: float | str = 0.2, basis: str = fx.DEFAULT_BASIS) -> Switching:
    """What switching would save, *where clinically appropriate*.

    (a) Best quartile: each practice whose kgCO2e per inhaler is above the 25th percentile of
    practices matches it: saving = (its kgCO2e per inhaler − benchmark) × its inhalers; cost
    change = (best-quartile practices' pooled cost per inhaler − its cost per inhaler) × inhalers.
    (b) Device switch: ``share`` (0..1) of each propellant inhaler (pMDI, breath-actuated MDI)
    becomes its DPI / soft-mist equivalent (``equivalent_factor_id`` of the mapping, else the
    generic DPI): saving = share × inhalers × (factor − equivalent factor); cost change = share ×
    inhalers × (equivalent cost per inhaler − the row's cost per inhaler), the equivalent cost
    being the pooled cost per DPI/soft-mist inhaler of the same chemical in the data (else of all).
    Savings are kgCO2e and tCO2e (positive = less carbon); cost changes are pounds (negative =
    cheaper).
    """
    share = fraction(share, "share of propellant inhalers switched")
    sql = f"""{_rows_sql()},
    eq AS (
        SELECT r.*, coalesce(r.equivalent_factor_id, 'inhaler_dpi_generic') AS eq_id,
               e.kg AS eq_kg, e.kg_low AS eq_kg_low, e.kg_high AS eq_kg_high
        FROM rx_r r LEFT JOIN rx_factors e ON e.id = coalesce(r.equivalent_factor_id, 'inhaler_dpi_generic')
        WHERE r.mapped),
    low_cost AS (
        SELECT left(bnf_code, 9) AS chemical, sum(cost_gbp) / NULLIF(sum(inhalers), 0) AS per_inhaler
        FROM eq WHERE device IN ('dpi', 'smi') GROUP BY 1),
    low_cost_all AS (
        SELECT sum(cost_gbp) / NULLIF(sum(inhalers), 0) AS per_inhaler FROM eq WHERE device IN ('dpi', 'smi')),
    switch AS (
        SELECT practice, sum(inhalers) AS propellant_inhalers,
               sum(? * inhalers * (kg - eq_kg)) AS saving_switch_kgCO2e,
               sum(? * inhalers * (kg_low - eq_kg_high)) AS saving_switch_kgCO2e_low,
               sum(? * inhalers * (kg_high - eq_kg_low)) AS saving_switch_kgCO2e_high,
               sum(? * inhalers * (coalesce(lc.per_inhaler, (SELECT per_inhaler FROM low_cost_all))
                                   - cost_gbp / NULLIF(inhalers, 0))) AS cost_change_switch_gbp,
               string_agg(DISTINCT factor_id || '>' || eq_id, ' ') AS switch_factor_ids
        FROM eq LEFT JOIN low_cost lc ON lc.chemical = left(eq.bnf_code, 9)
        WHERE device IN {PROPELLANT_DEVICES} GROUP BY practice),
    prac AS (
        SELECT practice, max(practice_name) AS practice_name, max(board_code) AS board_code, max(board) AS board,
               sum(inhalers) AS inhalers, sum(inhalers * kg) AS kgCO2e, sum(cost_gbp) AS cost_gbp,
               sum(inhalers * kg) / NULLIF(sum(inhalers), 0) AS kg_per_inhaler,
               sum(cost_gbp) / NULLIF(sum(inhalers), 0) AS cost_per_inhaler
        FROM eq GROUP BY practice HAVING sum(inhalers) > 0),
    bench AS (SELECT quantile_cont(kg_per_inhaler, 0.25) AS kg FROM prac),
    bench_cost AS (
        SELECT sum(cost_gbp) / NULLIF(sum(inhalers), 0) AS per_inhaler
        FROM prac, bench WHERE kg_per_inhaler <= bench.kg)
    SELECT p.practice, p.practice_name, p.board_code, p.board, p.inhalers, p.kgCO2e, p.kg_per_inhaler,
           bench.kg AS benchmark_kg_per_inhaler,
           greatest(p.kg_per_inhaler - bench.kg, 0) * p.inhalers AS saving_benchmark_kgCO2e,
           CASE WHEN p.kg_per_inhaler > bench.kg
                THEN (bench_cost.per_inhaler - p.cost_per_inhaler) * p.inhalers ELSE 0 END AS cost_change_benchmark_gbp,
           coalesce(s.propellant_inhalers, 0) AS propellant_inhalers,
           ? * coalesce(s.propellant_inhalers, 0) AS switched_inhalers,
           coalesce(s.saving_switch_kgCO2e, 0) AS saving_switch_kgCO2e,
           coalesce(s.saving_switch_kgCO2e_low, 0) AS saving_switch_kgCO2e_low,
           coalesce(s.saving_switch_kgCO2e_high, 0) AS saving_switch_kgCO2e_high,
           coalesce(s.cost_change_switch_gbp, 0) AS cost_change_switch_gbp,
           s.switch_factor_ids
    FROM prac p CROSS JOIN bench CROSS JOIN bench_cost LEFT JOIN switch s USING (practice)
    ORDER BY saving_switch_kgCO2e DESC, practice"""
    df = _with_factors(store, basis, sql, [share] * 5)
    for c in ("saving_benchmark", "saving_switch"):
        df[f"{c}_tCO2e"] = df[f"{c}_kgCO2e"] / 1000.0
    sums = ["inhalers", "kgCO2e", "saving_benchmark_kgCO2e", "saving_benchmark_tCO2e", "cost_change_benchmark_gbp",
            "propellant_inhalers", "switched_inhalers", "saving_switch_kgCO2e", "saving_switch_kgCO2e_low",
            "saving_switch_kgCO2e_high", "saving_switch_tCO2e", "cost_change_switch_gbp"]
    by_board = (df.groupby(["board_code", "board"], dropna=False)[sums].sum().reset_index()
                .sort_values("saving_switch_kgCO2e", ascending=False, ignore_index=True))
    totals = {c: float(df[c].sum()) for c in sums}
    bench = float(df["benchmark_kg_per_inhaler"].iloc[0]) if len(df) else math.nan
    return Switching(df, by_board, totals, share, bench)
