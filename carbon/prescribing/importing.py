"""Importing prescribing files: staging each file, checking every row, and the all-or-nothing write.

An import reads each file once (one ``CREATE TEMP TABLE ... AS SELECT ... FROM read_csv``
with explicit types), keeps BNF sections 3.1 and 3.2 (bronchodilators, inhaled
corticosteroids), checks every row set-wise, and writes all files in one transaction: any bad
row and nothing is imported. Re-importing a month replaces it.
"""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pandas as pd

from carbon.prescribing.formats import (FORMATS, MAX_PROBLEMS, Format, PrescribingImportError, detect_format,
                                        is_parquet, literal, quote_identifier, read_header, resolve_columns)
from carbon.prescribing.footprint import unmapped_codes
from carbon.store import Store

Progress = Callable[[float, str], None]

_KEPT = "(bnf_code LIKE '0301%' OR bnf_code LIKE '0302%')"
_CODE_RE = "[0-9]{7}[0-9A-Z]{8}"


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


def imports(store: Store) -> pd.DataFrame:
    """The import log, newest first."""
    return store.df("SELECT id, file, format, rows_kept, months, imported_at FROM rx_import ORDER BY id DESC")


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
    if is_parquet(path):
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
    struct = "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in types.items()) + "}"
    return (f"read_csv(?, header = true, types = {struct}, store_rejects = true, "
            "rejects_table = 'rx_rejects', rejects_scan = 'rx_reject_scans')")


def _projection(cols: dict, cast_numbers: bool) -> str:
    """Columns of the staging table, in the product's names."""
    def col(role, kind="VARCHAR"):
        if role not in cols:
            return "NULL"
        c = quote_identifier(cols[role])
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
    code, month, practice = (quote_identifier(cols[r]) for r in ("bnf_code", "month", "practice"))
    n = {r: quote_identifier(cols[r]) for r in ("items", "quantity", "cost")}
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
        SELECT * FROM (SELECT {_projection(cols, is_parquet(path))}
                       FROM (SELECT * FROM {src} WHERE {_raw_suspect(cols)}))
        WHERE {_KEPT} OR {_BAD_ROW}"""
    _run_with_progress(cur, sql, [str(path)], report)


def _problems(cur, st: _Staged) -> tuple[list[tuple[str, int, str]], int]:
    """Every broken rule in one file, with its line: rejected text, bad rows, duplicates."""
    name = st.path.name
    rejects: list[tuple[int, str]] = []
    if not is_parquet(st.path):
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
    offset = 1 if is_parquet(st.path) else 2  # parquet rows count from 1; CSV lines from the header
    checks = [f"CASE WHEN month_text IS NULL OR ym IS NULL OR ym % 100 NOT BETWEEN 1 AND 12 "
              f"OR ym < 190001 OR ym > 299912 THEN {literal(c['month'])} || ' is ' || "
              "coalesce('''' || month_text || '''', 'empty') || ', not a month (YYYYMM)' END",
              f"CASE WHEN practice IS NULL OR practice = '' THEN {literal(c['practice'] + ' is empty')} END",
              f"CASE WHEN bnf_code IS NULL OR bnf_code = '' THEN {literal(c['bnf_code'] + ' is empty')} "
              f"WHEN NOT regexp_full_match(bnf_code, '{_CODE_RE}') THEN {literal(c['bnf_code'])} || ' ''' "
              "|| bnf_code || ''' is not a 15-character BNF code' END"]
    for role in ("items", "quantity", "cost"):
        col = c[role]
        raw = f"raw_{role}"
        checks.append(
            f"CASE WHEN {raw} IS NULL OR {raw} = '' THEN {literal(col + ' is empty')} "
            f"WHEN {role} IS NULL THEN {literal(col)} || ' is ''' || {raw} || ''', not a number' "
            + (f"WHEN {role} < 0 THEN {literal(col)} || ' is negative (' || {raw} || ')' " if role != "cost" else "")
            + "END")
    raws = ", ".join(f"trim(CAST({quote_identifier(c[r])} AS VARCHAR)) AS raw_{r}" for r in ("items", "quantity", "cost"))
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
                 progress: Progress | None = None) -> ImportReport:
    """Import prescribing files (CSV, .csv.gz, Parquet) all-or-nothing, in one transaction.

    ``fmt`` is ``"auto"`` (from the header), ``"phs"`` or ``"epd"``. ``progress(fraction,
    message)`` is called from this thread as the files are read. Raises
    ``PrescribingImportError`` (nothing imported) if any file has a missing column, text in a
    number column, a negative quantity or item count, a malformed BNF code, a bad month or a
    duplicated month/practice/code row. Codes that are well formed but not in the mapping are
    imported and reported as unmapped. Months already in the store (same format) are replaced.
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
                header = read_header(cur, path)
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
            cols, missing = resolve_columns(form, header)
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
        report = _write(store, staged)
    finally:
        for i in range(len(paths)):
            cur.execute(f"DROP TABLE IF EXISTS rx_stage_{i}")
    report.store = store
    report.seconds = time.perf_counter() - started
    say(1.0, "Done")
    return report


def import_uploads(store: Store, files: Sequence[tuple[str, bytes]], fmt: str = "auto",
                   progress: Progress | None = None) -> ImportReport:
    """``import_files`` for files given as (name, content), as a browser upload gives them.

    Each file is written under its own name to a private temporary folder (DuckDB reads paths),
    so messages name the file the user chose; the folder is removed afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="carbon_rx_") as tmp:
        paths = []
        for i, (name, data) in enumerate(files):
            folder = Path(tmp) / str(i)
            folder.mkdir()
            path = folder / Path(name).name
            path.write_bytes(data)
            paths.append(path)
        return import_files(store, paths, fmt, progress)


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


def _write(store: Store, staged: list[_Staged]) -> ImportReport:
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
                "INSERT INTO rx_import (file, format, rows_kept, months) VALUES (?, ?, ?, ?) RETURNING id",
                [st.path.name, st.fmt.name, st.rows, " ".join(_month_label(m) for m in st.months)],
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
