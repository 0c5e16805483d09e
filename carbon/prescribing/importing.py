"""Importing prescribing files: staging each file, checking every row, and the all-or-nothing write.

Each file is read once (``sql/stage.sql``): every row of every BNF chapter is checked and summed
into a small staging table, BNF chapter 3 by presentation, every other chapter by chemical
substance. The checks then run on that table (``sql/stage_checks.sql``); only a file that fails
one is read again, line by line, to name each problem (``_diagnose``). All files are written in
one transaction (``rx_item`` for chapter 3 in detail, ``rx_chemical_month`` for every chapter) and
the mapping is refreshed in the same transaction: any bad row, and nothing is imported.
Re-importing a month replaces it (per format).

Valid BNF codes are 15 characters (``[0-9]{7}[0-9A-Z]{8}``) or, for appliances and dressings
(pseudo-chapters 20-23), 11. Months are ``YYYYMM`` or ``YYYY_MM``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pandas as pd

from carbon import uploads
from carbon.prescribing.mapping import changes_sql, refresh
from carbon.prescribing.files import Source, open_sources, read_header
from carbon.prescribing.formats import (FORMATS, MAX_PROBLEMS, Format, PrescribingImportError, detect_format,
                                        layout, literal, positions, resolve_columns)
from carbon.prescribing.footprint import unmapped_codes
from carbon.prescribing.sqlfiles import sql
from carbon.store import Store

Progress = Callable[[float, str], None]

#: A BNF presentation code (chapters 1-19) or an appliance code (pseudo-chapters 20-23).
CODE_RE = "[0-9]{7}[0-9A-Z]{8}|2[0-3][0-9A-Z]{9}"
#: What a bad code is told it should be.
CODE_RULE = "not a BNF code (15 characters, or 11 for an appliance in chapters 20-23)"
TEXT_ROLES = ("month", "board_code", "board", "practice", "practice_name", "bnf_code", "description",
              "snomed", "dmd", "prescribed_type")
NUMBER_ROLES = ("items", "quantity", "cost", "per_item")


def month_sql(column: str) -> str:
    """SQL turning a month column (``YYYYMM`` or ``YYYY_MM``) into the integer YYYYMM, NULL if not one."""
    m = f"trim(CAST({column} AS VARCHAR))"
    return (f"CASE WHEN regexp_full_match({m}, '[0-9]{{4}}[_-]?[0-9]{{2}}') "
            f"AND TRY_CAST(right({m}, 2) AS INTEGER) BETWEEN 1 AND 12 "
            f"AND TRY_CAST(left({m}, 4) AS INTEGER) BETWEEN 1900 AND 2999 "
            f"THEN TRY_CAST(left({m}, 4) AS INTEGER) * 100 + TRY_CAST(right({m}, 2) AS INTEGER) END")


@dataclass
class ImportReport:
    """What an import did: per file, the months loaded and which of them replaced earlier data."""

    files: list[dict] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    rows_kept: int = 0
    rows_read: int = 0
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
        return (f"imported {len(self.files)} file(s): {self.rows_read:,} rows read, {self.rows_kept:,} respiratory "
                f"(BNF chapter 3) rows kept in detail, {self.items:,.0f} chapter 3 items, months {months}{again}; "
                f"{len(self.unmapped)} inhaler code(s) not mapped to a factor")


def imports(store: Store) -> pd.DataFrame:
    """The import log, newest first."""
    return store.df("SELECT id, file, format, layout, encoding, rows_read, rows_kept, months, imported_at, imported_by "
                    "FROM rx_import ORDER BY id DESC")


@dataclass
class _Staged:
    source: Source
    fmt: Format
    cols: dict
    pos: dict
    width: int
    table: str
    months: list = field(default_factory=list)
    normalised: bool = False
    rows: int = 0
    rows_read: int = 0
    items: float = 0.0

    @property
    def name(self) -> str:
        return self.source.name


def _reader(st: _Staged, varchar: bool, rejects: bool = True) -> tuple[str, list]:
    """The table function reading the staged source, and its parameters (path, encoding, types);
    ``rejects`` keeps the lines that cannot be read (the first pass) in ``rx_rejects``."""
    path = str(st.source.path)
    if st.source.parquet:
        return "read_parquet(?)", [path]
    if varchar:
        return ("read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', encoding = ?, "
                "all_varchar = true, null_padding = true)", [path, st.source.encoding])
    types = ["VARCHAR"] * st.width
    for role in NUMBER_ROLES:
        if role in st.pos:
            types[st.pos[role] - 1] = "DOUBLE"
    keep = ", store_rejects = true, rejects_table = 'rx_rejects', rejects_scan = 'rx_reject_scans'" if rejects else ""
    return ("read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', encoding = ?, types = ?" + keep + ")",
            [path, st.source.encoding, types])


def _columns(st: _Staged, cast_numbers: bool) -> dict:
    """Each role as a positional column reference (``#n``), or NULL where the file lacks it."""
    out = {}
    for role in TEXT_ROLES + NUMBER_ROLES:
        ref = f"#{st.pos[role]}" if role in st.pos else "NULL"
        if role in NUMBER_ROLES and ref != "NULL" and cast_numbers:
            ref = f"TRY_CAST({ref} AS DOUBLE)"
        out[role] = ref
    return out


def _run_with_progress(cur, query: str, params: list, report: Callable[[float], None] | None):
    """Run one statement; while it runs, report DuckDB's own progress (0..1) from this thread."""
    if report is None:
        return cur.execute(query, params)
    cur.execute("SET enable_progress_bar = true")
    cur.execute("SET enable_progress_bar_print = false")
    outcome: dict = {}

    def work():
        try:
            outcome["result"] = cur.execute(query, params)
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


def _stage(cur, st: _Staged, report, normalise: bool = False) -> list[tuple[int, str, str, str]]:
    """Read the file once into its staging table; return the reader's rejects (line, column, type, text).

    Codes are read as published; a file with a code that does not match a BNF code is staged again
    with every code trimmed and upper-cased (``normalise``), so only a real bad code is refused."""
    cur.execute("DROP TABLE IF EXISTS rx_rejects")
    cur.execute("DROP TABLE IF EXISTS rx_reject_scans")
    reader, params = _reader(st, varchar=False)
    # the staging table's row order carries no meaning: let DuckDB write it in parallel, in less memory
    cur.execute("SET preserve_insertion_order = false")
    query = sql("stage", table=st.table, reader=reader, code_re=CODE_RE,
                code="upper(trim(code_raw))" if normalise else "code_raw",
                **_columns(st, cast_numbers=st.source.parquet))
    _run_with_progress(cur, query, params, report)
    st.normalised = normalise
    if not normalise and cur.execute(f"SELECT count(*) FROM {st.table} WHERE n_bad > 0").fetchone()[0]:
        return _stage(cur, st, None, normalise=True)
    if st.source.parquet:
        return []
    return cur.execute("SELECT line, column_name, error_type, error_message FROM rx_rejects ORDER BY line").fetchall()


def _problems(cur, st: _Staged, rejects: list) -> tuple[list[tuple[str, int, str]], int]:
    """Every broken rule in one file, with its line: rejected text, bad rows, duplicates."""
    found: list[tuple[str, int, str]] = []
    for line, column, etype, message in rejects:
        if etype == "CAST":
            raw = message.split('"')[3] if message.count('"') >= 4 else ""
            found.append((st.name, int(line), f"{column} is {raw!r}, not a number"))
        elif etype in ("TOO MANY COLUMNS", "MISSING COLUMNS"):
            more = etype == "TOO MANY COLUMNS"
            found.append((st.name, int(line),
                          f"has {'more' if more else 'fewer'} fields than the header's {st.width} "
                          f"({message.split('Found:')[-1].strip()}): "
                          + ("a comma inside a name that is not in quotes?" if more else "a field is missing")))
        else:
            found.append((st.name, int(line), f"{etype.lower()}: {message.splitlines()[0]}"))
    structural = [p for p in found if "not a number" not in p[2]]
    if structural:  # line numbers of a second pass would be off: report these first
        return structural[:MAX_PROBLEMS], len(structural)
    checks = cur.execute(sql("stage_checks", table=st.table, month_sql=month_sql("month_raw"))).fetchone()
    bad = sum(checks[:4])
    st.rows_read, st.rows, st.items = int(checks[4]), int(checks[5]), float(checks[6])
    if not found and not bad:
        return [], 0
    return _diagnose(cur, st)


def _diagnose(cur, st: _Staged) -> tuple[list[tuple[str, int, str]], int]:
    """The slow, failure-only pass: re-read as text with line numbers and name each problem."""
    reader, params = _reader(st, varchar=True)
    c = st.cols
    col = _columns(st, cast_numbers=False)
    offset = 1 if st.source.parquet else 2  # parquet rows count from 1; CSV lines from the header
    month_col = literal(c["month"])
    checks = [
        f"CASE WHEN {month_sql('month_raw')} IS NULL THEN {month_col} || ' is ' || "
        "coalesce('''' || trim(month_raw) || '''', 'empty') || ', not a month (YYYYMM or YYYY_MM)' END",
        f"CASE WHEN practice IS NULL OR practice = '' THEN {literal(c['practice'] + ' is empty')} END",
        f"CASE WHEN code IS NULL OR code = '' THEN {literal(c['bnf_code'] + ' is empty')} "
        f"WHEN NOT regexp_full_match(code, '{CODE_RE}') THEN {literal(c['bnf_code'])} || ' ''' "
        f"|| code || ''' is {CODE_RULE}' END"]
    for role in ("items", "quantity", "cost"):
        name = literal(c[role])
        raw = f"raw_{role}"
        checks.append(
            f"CASE WHEN {raw} IS NULL OR {raw} = '' THEN {literal(c[role] + ' is empty')} "
            f"WHEN TRY_CAST({raw} AS DOUBLE) IS NULL THEN {name} || ' is ''' || {raw} || ''', not a number' "
            + (f"WHEN TRY_CAST({raw} AS DOUBLE) < 0 THEN {name} || ' is negative (' || {raw} || ')' "
               if role != "cost" else "")
            + "END")
    key = "ym, practice, code, per_item, snomed, dmd, prescribed_type"
    query = f"""
        WITH t AS (
            SELECT row_number() OVER () + {offset - 1} AS line,
                   CAST({col['month']} AS VARCHAR) AS month_raw,
                   trim(CAST({col['practice']} AS VARCHAR)) AS practice,
                   upper(trim(CAST({col['bnf_code']} AS VARCHAR))) AS code,
                   trim(CAST({col['per_item']} AS VARCHAR)) AS per_item,
                   trim(CAST({col['snomed']} AS VARCHAR)) AS snomed,
                   trim(CAST({col['dmd']} AS VARCHAR)) AS dmd,
                   trim(CAST({col['prescribed_type']} AS VARCHAR)) AS prescribed_type,
                   trim(CAST({col['items']} AS VARCHAR)) AS raw_items,
                   trim(CAST({col['quantity']} AS VARCHAR)) AS raw_quantity,
                   trim(CAST({col['cost']} AS VARCHAR)) AS raw_cost
            FROM {reader}),
        d AS (
            SELECT line, {month_sql('month_raw')} AS ym, practice, code, per_item, snomed, dmd, prescribed_type,
                   month_raw,
                   list_value({', '.join(checks)}) AS why
            FROM t),
        e AS (
            SELECT *, CASE WHEN starts_with(code, '03') AND regexp_full_match(code, '{CODE_RE}')
                            AND count(*) OVER (PARTITION BY {key}) > 1
                       THEN 'month ' || trim(month_raw) || ', practice ' || practice || ', code ' || code
                            || ' appears ' || count(*) OVER (PARTITION BY {key}) || ' times in this file' END AS dup
            FROM d),
        p AS (
            SELECT line, reason
            FROM e, unnest(list_filter(list_append(why, dup), lambda x: x IS NOT NULL)) AS u(reason))
        SELECT line, reason, count(*) OVER () AS total FROM p ORDER BY line, reason LIMIT {MAX_PROBLEMS}"""
    rows = cur.execute(query, params).fetchall()
    if not rows:
        return [(st.name, 0, "the file could not be read consistently; check its format")], 1
    return [(st.name, int(line), reason) for line, reason, _ in rows], int(rows[0][2])


def _open(cur, path: Path, fmt: str, workdir: Path, index: int) -> tuple[list[_Staged], list[tuple]]:
    """The staged tables a path holds (a ZIP may hold several), or the whole-file problems."""
    if not path.exists():
        return [], [(path.name, 0, "file not found")]
    try:
        sources = open_sources(path, workdir)
    except ValueError as exc:
        return [], [(path.name, 0, str(exc))]
    staged, problems = [], []
    for j, source in enumerate(sources):
        try:
            header = read_header(cur, source)
        except Exception as exc:  # duckdb.Error, OSError, ValueError: unreadable, empty, not CSV/Parquet
            problems.append((source.name, 0, f"cannot be read as CSV or Parquet: {str(exc).splitlines()[0]}"))
            continue
        name = detect_format(header) if fmt == "auto" else fmt
        if name is None:
            problems.append((source.name, 1, "is neither a PHS Prescriptions in the Community file "
                             "(GPPractice, BNFItemCode, ...) nor an NHS England EPD file "
                             "(PRACTICE_CODE, BNF_CODE or BNF_PRESENTATION_CODE, ...)"))
            continue
        form = FORMATS[name]
        cols, missing = resolve_columns(form, header)
        if missing:
            problems.append((source.name, 1, f"missing column(s) {', '.join(missing)} "
                             f"(a {form.label} file needs {', '.join(form.roles[r][0] for r in form.required)})"))
            continue
        staged.append(_Staged(source, form, cols, positions(header, cols), len(header), f"rx_stage_{index}_{j}"))
    return staged, problems


def import_files(store: Store, paths: Iterable[str | Path], fmt: str = "auto",
                 progress: Progress | None = None, who: str = "") -> ImportReport:
    """Import prescribing files (CSV, .csv.gz, ZIP of CSV, Parquet; UTF-8 or Latin-1) all-or-nothing.

    ``fmt`` is ``"auto"`` (from the header), ``"phs"`` or ``"epd"``. ``progress(fraction,
    message)`` is called from this thread as the files are read. Raises
    ``PrescribingImportError`` (nothing imported) if any file has a missing column, text in a
    number column, a negative quantity or item count, a malformed BNF code, a bad month, a line
    with the wrong number of fields or a duplicated chapter 3 row. Codes that are well formed but
    not in the mapping are imported and reported as unmapped. Months already in the store (same
    format) are replaced. ``who`` (the signed-in address, or the local account) is recorded with each
    file in ``rx_import``.
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
    tables: list[str] = []
    with uploads.folder("carbon_rx_") as workdir:
        try:
            cur.execute(sql("chem_change", changes=changes_sql()))
            for i, path in enumerate(paths):
                share = 0.85 * sizes[i] / sum(sizes)
                parts, whole = _open(cur, path, fmt, Path(workdir), i)
                problems += whole
                total_problems += len(whole)
                for st in parts:
                    tables.append(st.table)
                    base, part = done, share / len(parts)
                    rejects = _stage(cur, st, lambda f, base=base, part=part, n=st.name: say(base + part * f,
                                                                                            f"Reading {n}"))
                    if (not st.source.encoding_known and st.source.encoding == "utf-8"
                            and any(r[2] == "INVALID ENCODING" for r in rejects)):
                        st.source.encoding = "latin-1"  # not UTF-8: the publishers' other encoding
                        rejects = _stage(cur, st, None)
                    found, count = _problems(cur, st, rejects)
                    problems += found
                    total_problems += count
                    done += part
                    say(done, f"Checked {st.name}")
                    if not count:
                        st.months = [r[0] for r in cur.execute(
                            f"SELECT DISTINCT {month_sql('month_raw')} AS ym FROM {st.table} ORDER BY ym").fetchall()]
                        staged.append(st)
                if not parts:
                    done += share
            seen: dict = {}
            for st in staged:
                for m in st.months:
                    other = seen.setdefault((st.fmt.name, m), st.name)
                    if other != st.name:
                        problems.append((st.name, 0, f"month {m} is also in {other}; import each month once"))
                        total_problems += 1
            if total_problems:
                raise PrescribingImportError(problems[:MAX_PROBLEMS], total_problems)
            say(0.9, "Saving")
            report = _write(store, staged, lambda f: say(0.9 + 0.1 * f, "Mapping codes"), who)
        finally:
            for table in tables:
                cur.execute(f"DROP TABLE IF EXISTS {table}")
    report.store = store
    report.seconds = time.perf_counter() - started
    say(1.0, "Done")
    return report


def import_uploads(store: Store, files: Sequence[tuple[str, bytes]], fmt: str = "auto",
                   progress: Progress | None = None, who: str = "") -> ImportReport:
    """``import_files`` for files given as (name, content), as a browser upload gives them.

    Each file is written under its own name to a private temporary folder (DuckDB reads paths),
    so messages name the file the user chose; the folder is removed afterwards, and one left by a
    process killed meanwhile is removed at the next start (``carbon.uploads``).
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


#: The file names a folder import picks up.
SUFFIXES = (".csv", ".csv.gz", ".zip", ".parquet", ".pq")


def files_in_folder(folder: str | Path) -> list[Path]:
    """The prescribing files in a folder (CSV, .csv.gz, ZIP, Parquet), sorted by name."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise PrescribingImportError([(str(folder), 0, "is not a folder")])
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.name.lower().endswith(SUFFIXES))
    if not found:
        raise PrescribingImportError([(str(folder), 0, "holds no .csv, .csv.gz, .zip or .parquet file")])
    return found


def _month_label(ym: int) -> str:
    return f"{ym // 100:04d}-{ym % 100:02d}"


def _write(store: Store, staged: list[_Staged], progress: Callable[[float], None], who: str = "") -> ImportReport:
    """Replace the staged months, insert the staged rows and refresh the mapping, in one transaction."""
    report = ImportReport()
    with store.transaction() as cur:
        for st in staged:
            labels = [_month_label(m) for m in st.months]
            replaced = cur.execute(
                "SELECT DISTINCT strftime(month, '%Y-%m') FROM rx_item "
                "WHERE format = ? AND list_contains(?, strftime(month, '%Y-%m'))", [st.fmt.name, labels]).fetchall()
            report.replaced += [r[0] for r in replaced]
            for table in ("rx_item", "rx_chemical_month"):
                cur.execute(f"DELETE FROM {table} WHERE format = ? AND list_contains(?, strftime(month, '%Y-%m'))",
                            [st.fmt.name, labels])
            import_id = cur.execute(
                "INSERT INTO rx_import (file, format, rows_kept, months, layout, encoding, rows_read, imported_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [st.name, st.fmt.name, st.rows, " ".join(labels), layout(st.fmt, st.cols),
                 "Parquet" if st.source.parquet else st.source.encoding.upper().replace("LATIN", "Latin"),
                 st.rows_read, who.strip()]).fetchone()[0]
            month = month_sql("month_raw")
            cur.execute(sql("write_items", table=st.table, month_sql=month), [st.fmt.name, import_id])
            reader, params = _reader(st, varchar=False, rejects=False)
            cur.execute(sql("write_chemicals", table=st.table, month_sql=month, reader=reader,
                            code="upper(trim(code_raw))" if st.normalised else "code_raw",
                            **_columns(st, cast_numbers=st.source.parquet)),
                        params + [st.fmt.name, import_id])
            cur.execute(sql("write_codes", table=st.table))
            report.files.append({"file": st.name, "format": st.fmt.name, "layout": layout(st.fmt, st.cols),
                                 "rows_read": st.rows_read, "rows_kept": st.rows, "items": st.items,
                                 "months": labels})
            report.rows_kept += st.rows
            report.rows_read += st.rows_read
            report.items += st.items
            report.months += labels
        progress(0.5)
        refresh(store, cur)
    report.months = sorted(set(report.months))
    report.replaced = sorted(set(report.replaced))
    return report
