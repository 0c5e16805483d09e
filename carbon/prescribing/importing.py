"""Importing prescribing files: staging each file, checking every row, and the all-or-nothing write.

Each file is opened within bounds (``carbon.reading``: size, compression, encoding, line length)
and read once (``sql/stage.sql``): every row of every BNF chapter is checked and summed, in one
scan, both by month x practice x chemical (every chapter) and, for BNF chapter 3, by presentation.
The checks then run on that small table (``sql/stage_checks.sql``); only a file that fails one is
read again, line by line, to name each problem (``_diagnose``). All files are written in one
transaction (``rx_item`` for chapter 3 in detail, ``rx_chemical_month`` for every chapter), the
code map rebuilt in it when the import brings a new code: any bad row, and nothing is imported.
Re-importing a month replaces it (per format). DuckDB works within ``IMPORT_MEMORY`` meanwhile
(it spills to disk past it), so a national month, or a bad file, stays in bounded memory.

Valid BNF codes are 15 characters (``[0-9]{7}[0-9A-Z]{8}``) or, for appliances and dressings
(pseudo-chapters 20-23), 11. Months are ``YYYYMM`` or ``YYYY_MM``.
"""

from __future__ import annotations

import datetime
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import duckdb
import pandas as pd

from carbon import bounds, reading, uploads
from carbon.formatting import counted
from carbon.prescribing.diagnose import diagnose
from carbon.prescribing.mapping import changes_sql, refresh
from carbon.prescribing.files import Source, read_header
from carbon.prescribing.formats import (FORMATS, MAX_PROBLEMS, Format, PrescribingImportError, detect_format,
                                        layout, positions, resolve_columns)
from carbon.prescribing.footprint import unmapped_codes
from carbon.prescribing.sqlfiles import sql
from carbon.store import Store

Progress = Callable[[float, str], None]

#: A BNF presentation code (chapters 1-19) or an appliance code (pseudo-chapters 20-23).
CODE_RE = "[0-9]{7}[0-9A-Z]{8}|2[0-3][0-9A-Z]{9}"
TEXT_ROLES = ("month", "board_code", "board", "practice", "practice_name", "bnf_code", "description",
              "snomed", "dmd", "prescribed_type")
NUMBER_ROLES = ("items", "quantity", "cost", "per_item")
#: DuckDB's memory while an import runs (it spills past it): a national EPD month fits, with room
#: for the Python process, in 1.5 GB.
IMPORT_MEMORY = "1GB"


def _bound(field: str) -> float:
    return bounds.table()[field].high


def _year_bounds() -> tuple[int, int]:
    b = bounds.table()["data_year"]
    return int(b.low), int(b.high)


def month_sql(column: str) -> str:
    """SQL turning a month column (``YYYYMM`` or ``YYYY_MM``) into the integer YYYYMM, NULL if not one
    (or if its year is outside ``data_year`` in factors/bounds.csv: 299903 is a typing error)."""
    m = f"trim(CAST({column} AS VARCHAR))"
    low, high = _year_bounds()
    return (f"CASE WHEN regexp_full_match({m}, '[0-9]{{4}}[_-]?[0-9]{{2}}') "
            f"AND TRY_CAST(right({m}, 2) AS INTEGER) BETWEEN 1 AND 12 "
            f"AND TRY_CAST(left({m}, 4) AS INTEGER) BETWEEN {low} AND {high} "
            f"THEN TRY_CAST(left({m}, 4) AS INTEGER) * 100 + TRY_CAST(right({m}, 2) AS INTEGER) END")


@dataclass
class ImportReport:
    """What an import did: per file, the months loaded and which of them replaced earlier data."""

    files: list[dict] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    rows_kept: int = 0
    rows_read: int = 0
    chemical_rows: int = 0
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
        return (f"imported {counted(len(self.files), 'file')}: {self.rows_read:,} rows read, every one summed into "
                f"{self.chemical_rows:,} month x practice x chemical rows (all BNF chapters), {self.rows_kept:,} "
                f"respiratory (BNF chapter 3) rows kept in detail, {self.items:,.0f} chapter 3 items, months "
                f"{months}{again}; {counted(len(self.unmapped), 'inhaler code')} not mapped to a factor")


def imports(store: Store) -> pd.DataFrame:
    """The import log, newest first."""
    return store.df("SELECT id, file, format, layout, encoding, rows_read, chemical_rows, rows_kept, months, bytes, "
                    "fingerprint, imported_at, imported_by FROM rx_import ORDER BY id DESC")


@dataclass
class _Staged:
    source: Source
    fmt: Format
    cols: dict
    pos: dict
    width: int
    months: list = field(default_factory=list)
    normalised: bool = False
    rows: int = 0
    rows_read: int = 0
    chemical_rows: int = 0
    items: float = 0.0
    fingerprint: str = ""
    import_id: int = 0

    @property
    def name(self) -> str:
        return self.source.name


def _reader(st: _Staged, varchar: bool, rejects: bool = True) -> tuple[str, list]:
    """The table function reading the staged source, and its parameters (path, encoding, types);
    ``rejects`` keeps the lines that cannot be read (the first pass) in ``rx_rejects``."""
    path = str(st.source.path)
    if st.source.parquet:
        return "read_parquet(?)", [path]
    common = (f"read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', encoding = ?, "
              f"max_line_size = {reading.MAX_LINE_BYTES}, ")
    if varchar:
        return common + "all_varchar = true, null_padding = true)", [path, st.source.encoding]
    types = ["VARCHAR"] * st.width
    for role in NUMBER_ROLES:
        if role in st.pos:
            types[st.pos[role] - 1] = "DOUBLE"
    keep = ", store_rejects = true, rejects_table = 'rx_rejects', rejects_scan = 'rx_reject_scans'" if rejects else ""
    return common + "types = ?" + keep + ")", [path, st.source.encoding, types]


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


class _Unreadable(Exception):
    """A file DuckDB could not read at all (an overlong line, a broken quote): its problem in words."""

    def __init__(self, problem):
        super().__init__(str(problem))
        self.problem = problem


def _stage(cur, st: _Staged, report, normalise: bool = False) -> list[tuple[int, str, str, str]]:
    """Read the file once, inside the import's transaction, straight into rx_chemical under its import
    id; return the reader's rejects (line, column, type, text).

    Codes are read as published; a file with a bad row is read again with every code trimmed and
    upper-cased (``normalise``), so only a real bad code is refused."""
    cur.execute("DROP TABLE IF EXISTS rx_rejects")
    cur.execute("DROP TABLE IF EXISTS rx_reject_scans")
    cur.execute("DELETE FROM rx_chemical WHERE import_id = ?", [st.import_id])  # a second reading's first
    reader, params = _reader(st, varchar=False)
    query = sql("stage", reader=reader, code_re=CODE_RE, import_id=int(st.import_id), format=st.fmt.name,
                code="upper(trim(code_raw))" if normalise else "code_raw",
                max_items=repr(_bound("rx_items_per_row")), max_quantity=repr(_bound("rx_quantity_per_row")),
                max_cost=repr(_bound("rx_cost_per_row")), **_columns(st, cast_numbers=st.source.parquet))
    try:
        _run_with_progress(cur, query, params, report)
    except duckdb.Error as exc:
        if st.source.parquet:
            raise _Unreadable((st.name, None, f"cannot be read as Parquet: {str(exc).splitlines()[0][:160]}")) \
                from None
        raise _Unreadable(reading.csv_error(exc, st.source)) from None
    st.normalised = normalise
    bad = cur.execute("SELECT count(*) FROM rx_chemical WHERE import_id = ? AND detail AND n_bad > 0",
                      [st.import_id]).fetchone()[0]
    if not normalise and bad:
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
            found.append((st.name, int(line), reading.ragged(etype, message, st.width)))
        elif etype == "LINE SIZE OVER MAXIMUM":
            found.append((st.name, int(line), f"the line is longer than {reading.MAX_LINE_BYTES:,} bytes; no line of "
                          "a real file is (a missing line break, or a field with an open quote?)"))
        else:
            found.append((st.name, int(line), f"{etype.lower()}: {message.splitlines()[0]}"))
    structural = [p for p in found if "not a number" not in p[2]]
    if structural:  # line numbers of a second pass would be off: report these first
        return structural[:MAX_PROBLEMS], len(structural)
    checks = cur.execute(sql("stage_checks", import_id=int(st.import_id), month_sql=month_sql("month_raw"))).fetchone()
    bad = sum(checks[:4])
    st.rows_read, st.rows, st.items, st.chemical_rows = int(checks[4]), int(checks[5]), float(checks[6]), int(checks[7])
    if not found and not bad:
        if not st.rows_read:
            return [(st.name, 0, "has a header but no rows: nothing to import")], 1
        return [], 0
    reader, params = _reader(st, varchar=True)
    return diagnose(cur, st, reader, params, _columns(st, cast_numbers=False), month_sql, CODE_RE)


def _open(cur, path: Path, name: str, fmt: str, workdir: Path, index: int) -> tuple[list[_Staged], list[tuple]]:
    """The staged tables a path holds (a ZIP may hold several), or the whole-file problems."""
    try:
        sources = reading.open_sources(path, workdir, name)
    except reading.FileReadError as exc:
        return [], [tuple(p)[:3] for p in exc.problems]
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
        staged.append(_Staged(source, form, cols, positions(header, cols), len(header),
                              fingerprint=reading.fingerprint(path)))
    return staged, problems


class _memory:
    """DuckDB's memory limit (and insertion order) for the length of an import, then as it was."""

    def __init__(self, cur):
        self.cur = cur

    def __enter__(self):
        self.before = [self.cur.execute(f"SELECT current_setting('{k}')").fetchone()[0]
                       for k in ("memory_limit", "preserve_insertion_order")]
        self.cur.execute(f"SET memory_limit = '{IMPORT_MEMORY}'")
        # the staging table's row order carries no meaning: let DuckDB write it in parallel, in less memory
        self.cur.execute("SET preserve_insertion_order = false")
        return self

    def __exit__(self, *exc):
        self.cur.execute(f"SET memory_limit = '{self.before[0]}'")
        self.cur.execute(f"SET preserve_insertion_order = {str(self.before[1]).lower()}")


def import_files(store: Store, paths: Iterable[str | Path], fmt: str = "auto",
                 progress: Progress | None = None, who: str = "") -> ImportReport:
    """Import prescribing files (CSV, .csv.gz, ZIP of CSV, Parquet; UTF-8, UTF-16 or Latin-1) all-or-nothing.

    ``fmt`` is ``"auto"`` (from the header), ``"phs"`` or ``"epd"``. ``progress(fraction,
    message)`` is called from this thread as the files are read. Raises
    ``PrescribingImportError`` (nothing imported) if any file cannot be read within bounds
    (``carbon.reading``: size, compression, encoding, line length), is empty or has only its
    header, or has a missing column, text in a number column, a negative, non-finite or absurd
    quantity, item count or cost, a malformed BNF code, a bad month, a practice code with a control
    character, a line with the wrong number of fields or a duplicated chapter 3 row. Codes that
    are well formed but not in the mapping are imported and reported as unmapped. Months already
    in the store (same format) are replaced. Two files with the same name (from two folders) are
    named by their folder; the same month in both is refused. ``who`` (the signed-in address, or
    the local account) is recorded with each file in ``rx_import``.
    """
    started = time.perf_counter()
    paths = [Path(p) for p in paths]
    if not paths:
        raise PrescribingImportError([("(no file)", 0, "choose at least one file to import")])
    if fmt not in ("auto", *FORMATS):
        raise PrescribingImportError([("(format)", 0, f"format must be auto, phs or epd, not {fmt!r}")])
    names = reading.labels(paths)
    resolved = [p.resolve() for p in paths]
    twice = [names[i] for i, p in enumerate(resolved) if p in resolved[:i]]
    if twice:
        raise PrescribingImportError([(n, 0, "is given twice; import each file once") for n in twice])
    say = progress or (lambda f, m: None)
    cur = store.cursor()
    problems: list[tuple[str, int, str]] = []
    total_problems = 0
    staged: list[_Staged] = []
    sizes = [max(p.stat().st_size, 1) if p.exists() else 1 for p in paths]
    with uploads.folder("carbon_rx_") as workdir, _memory(cur):
        cur.execute(sql("chem_change", changes=changes_sql()))
        opened = []
        for i, path in enumerate(paths):
            parts, whole = _open(cur, path, names[i], fmt, Path(workdir), i)
            problems += whole
            total_problems += len(whole)
            opened.append((i, parts))
        ids: list[int] = []
        try:
            _clear_orphans(cur)
            done = 0.0
            for i, parts in opened:
                share = 0.85 * sizes[i] / sum(sizes)
                for st in parts:
                    # the file's rows go straight into rx_chemical under a new import id, invisible
                    # (rx_chemical_month shows logged imports only) until the transaction below logs it
                    st.import_id = cur.execute("SELECT nextval('rx_import_id')").fetchone()[0]
                    ids.append(st.import_id)
                    _PENDING.add(st.import_id)
                    base, part = done, share / len(parts)
                    try:
                        rejects = _stage(cur, st, lambda f, base=base, part=part, n=st.name: say(
                            base + part * f, f"Reading {n}"))
                        if (not st.source.encoding_known and st.source.encoding == "utf-8"
                                and any(r[2] == "INVALID ENCODING" for r in rejects)):
                            st.source.encoding = "latin-1"  # not UTF-8: the publishers' other encoding
                            st.source.encoding_known = True
                            rejects = _stage(cur, st, None)
                        found, count = _problems(cur, st, rejects)
                    except _Unreadable as exc:
                        found, count = [tuple(exc.problem)[:3]], 1
                    problems += found
                    total_problems += count
                    done += part
                    say(done, f"Checked {st.name}")
                    if not count:
                        st.months = [r[0] for r in cur.execute(
                            f"SELECT DISTINCT {month_sql('month_raw')} AS ym FROM rx_chemical "
                            "WHERE import_id = ? AND detail ORDER BY ym", [st.import_id]).fetchall()]
                        staged.append(st)
                if not parts:
                    done += share
            seen: dict = {}
            for st in staged:
                for m in st.months:
                    other = seen.setdefault((st.fmt.name, m), st)
                    if other is not st:
                        problems.append((st.name, 0, f"month {m} is also in {other.name}; import each month once"))
                        total_problems += 1
            if total_problems:
                raise PrescribingImportError(problems[:MAX_PROBLEMS], total_problems)
            say(0.9, "Saving")
            with store.transaction() as tx:
                report = _write(store, tx, staged, lambda f: say(0.9 + 0.1 * f, "Mapping codes"), who)
            ids = []  # logged: theirs now
        finally:
            if ids:  # refused or failed: the rows it read go
                cur.execute("DELETE FROM rx_chemical WHERE list_contains(?, import_id)", [ids])
            _PENDING.difference_update(st.import_id for _, parts in opened for st in parts)
    report.store = store
    report.seconds = time.perf_counter() - started
    say(1.0, "Done")
    return report


#: Import ids whose rows this process is writing now (never taken for a dead import's leftovers).
_PENDING: set[int] = set()


def _clear_orphans(cur) -> None:
    """Delete rows a process killed mid-import left in rx_chemical (their import was never logged)."""
    cur.execute("DELETE FROM rx_chemical WHERE import_id NOT IN (SELECT id FROM rx_import) "
                "AND NOT list_contains(?, import_id)", [sorted(_PENDING)])


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
            folder = Path(tmp) / f"upload {i + 1}"  # two uploads of one name are told apart by it
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


def _write(store: Store, cur, staged: list[_Staged], progress: Callable[[float], None], who: str = "") -> ImportReport:
    """In the import's transaction: replace the staged months, log each file (which makes its rows in
    rx_chemical visible), write its chapter 3 groups to rx_item and, when the import brings a new
    chapter 3 code (or the library changed), rebuild the code map."""
    report = ImportReport()
    new_codes = 0
    for st in staged:
        labels = [_month_label(m) for m in st.months]
        days = [datetime.date(m // 100, m % 100, 1) for m in st.months]  # compared as dates: no text per row
        replaced = cur.execute("SELECT DISTINCT strftime(month, '%Y-%m') FROM rx_item WHERE format = ? "
                               "AND list_contains(?, month)", [st.fmt.name, days]).fetchall()
        report.replaced += [r[0] for r in replaced]
        cur.execute("DELETE FROM rx_item WHERE format = ? AND list_contains(?, month)", [st.fmt.name, days])
        cur.execute("DELETE FROM rx_chemical WHERE format = ? AND list_contains(?, month) "
                    "AND import_id IN (SELECT id FROM rx_import)", [st.fmt.name, days])  # logged imports' rows
        cur.execute(
            "INSERT INTO rx_import (id, file, format, rows_kept, months, layout, encoding, rows_read, imported_by, "
            "chemical_rows, bytes, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [st.import_id, st.name, st.fmt.name, st.rows, " ".join(labels), layout(st.fmt, st.cols),
             st.source.encoding_label, st.rows_read, who.strip(), st.chemical_rows, st.source.bytes, st.fingerprint])
        cur.execute(sql("write_items", import_id=int(st.import_id)))
        new_codes += cur.execute(sql("new_codes", import_id=int(st.import_id))).fetchone()[0]
        cur.execute(sql("write_codes", import_id=int(st.import_id)))
        report.files.append({"file": st.name, "format": st.fmt.name, "layout": layout(st.fmt, st.cols),
                             "encoding": st.source.encoding_label, "rows_read": st.rows_read,
                             "chemical_rows": st.chemical_rows, "rows_kept": st.rows, "items": st.items,
                             "months": labels, "fingerprint": st.fingerprint})
        report.rows_kept += st.rows
        report.rows_read += st.rows_read
        report.chemical_rows += st.chemical_rows
        report.items += st.items
        report.months += labels
    progress(0.5)
    refresh(store, cur, codes_changed=bool(new_codes))
    report.months = sorted(set(report.months))
    report.replaced = sorted(set(report.replaced))
    return report
