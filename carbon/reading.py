"""Reading a user's data file within bounds: the one guarded way every importer opens what it is given.

A file handed to an importer may be anything: a national month of prescribing (6.5 GB of CSV), a
3 MB gzip that expands to gigabytes, UTF-16 from a spreadsheet, Latin-1 with a pound sign, a line of
3 MB, rows with a field too many. Every importer (prescribing, list sizes, estates and ERIC,
theatre records, the DESNZ flat file) opens its file here, so each of these is caught the same way
and said in words, before the content means anything:

* **size**: a table (a plain file, or what a compressed file or ZIP member expands to) of more than
  ``MAX_TABLE_BYTES`` is refused; the small importers give their own, lower cap;
* **compression bombs**: gzip files and ZIP members are expanded by this module into the import's
  private temporary folder (``carbon.uploads``), counting as they go: more than ``MAX_RATIO`` times
  the compressed size once past ``RATIO_FROM`` bytes, or more than the size cap, stops the copy at
  once (memory stays at one block); a ZIP's own directory is checked before anything is expanded;
  a Parquet file's metadata (rows, uncompressed size) before it is read;
* **encoding**: a byte-order mark says UTF-8 or UTF-16 (both read); otherwise UTF-8, and a file
  that is not valid UTF-8 is read as Latin-1 (the English Prescribing Dataset's encoding) and the
  import log says so; NUL bytes in the first block (UTF-16 without its mark, or not text) are
  refused with how to save the file instead;
* **lines**: a line longer than ``MAX_LINE_BYTES`` is refused naming the line; a row with a field
  too many or too few names its line and both counts (``ragged``);
* **nothing in it**: an empty file, or a header with no rows, is an error, never an import of 0 rows.

Files are told apart by more than their name: ``fingerprint`` (size and a hash of the first and
last mebibyte) goes into import logs, and ``label`` names a file by its folder when two in one
import share a name.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from carbon.errors import CarbonError, Problem

#: The most a table may hold (a plain file, or what one compressed file or ZIP member expands to).
#: A real national EPD month is about 6.5 GB of CSV; a year of PHS about 1 GB.
MAX_TABLE_BYTES = 16 * 2**30
#: Compressed files expand at most this many times (real prescribing CSV gzips about 8-15 times; a
#: bomb of repeated bytes about 1,000 times) ...
MAX_RATIO = 100
#: ... counted once this much has come out (a small file may compress as well as it likes).
RATIO_FROM = 64 * 2**20
#: The longest line read. A prescribing row is under 1 KB, an ERIC trust row under 10 KB.
MAX_LINE_BYTES = 1 * 2**20
#: Files in one ZIP archive (an EPD with SNOMED month holds one).
MAX_MEMBERS = 100
#: Rows of one Parquet file (a national EPD month is about 17 million).
MAX_PARQUET_ROWS = 200_000_000
#: Bytes copied at a time while expanding.
CHUNK = 8 << 20
#: Bytes looked at to tell the encoding.
SNIFF_BYTES = 1 << 16

SAVE_AS_CSV = "save it from the spreadsheet as 'CSV UTF-8 (comma delimited)', or give the file as published"


class FileReadError(CarbonError):
    """A file that cannot be read within bounds; nothing was imported."""

    headline = "nothing was imported"


@dataclass
class Source:
    """One readable table: ``name`` for messages, ``path`` for DuckDB (the file itself, or its
    expanded copy), how to read it, and the file it came from (``origin``)."""

    name: str
    path: Path
    parquet: bool = False
    encoding: str = "utf-8"
    encoding_known: bool = False
    origin: Path | None = None
    bytes: int = 0

    @property
    def encoding_label(self) -> str:
        """The encoding in words for an import log (``UTF-8``, ``Latin-1``, ``UTF-16``, ``Parquet``)."""
        if self.parquet:
            return "Parquet"
        return {"utf-8": "UTF-8", "latin-1": "Latin-1", "utf-16": "UTF-16"}.get(self.encoding, self.encoding)


def fail(where: str, what: str, fix: str = "", line: int | None = None) -> FileReadError:
    return FileReadError(Problem(where, line, what, fix))


def _size(n: float) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{int(n):,} bytes"


def is_parquet(path: Path | str) -> bool:
    return Path(path).suffix.lower() in (".parquet", ".pq")


def is_zip(path: Path | str) -> bool:
    return Path(path).suffix.lower() == ".zip"


def is_gzip(path: Path | str) -> bool:
    return Path(path).name.lower().endswith(".gz")


def fingerprint(path: Path) -> str:
    """Size and a SHA-1 of the first and last MiB: tells two files of the same name apart cheaply."""
    size = path.stat().st_size
    h = hashlib.sha1(str(size).encode())
    with path.open("rb") as f:
        h.update(f.read(1 << 20))
        if size > 2 << 20:
            f.seek(-(1 << 20), 2)
            h.update(f.read())
    return f"{size}:{h.hexdigest()[:16]}"


def labels(paths: Sequence[Path]) -> list[str]:
    """A name per file for messages and logs: the file name, or (when two share it) with its folder."""
    names = [p.name for p in paths]
    out = []
    for p in paths:
        if names.count(p.name) > 1:
            parent = p.parent.name or str(p.parent)
            out.append(f"{parent}/{p.name}")
        else:
            out.append(p.name)
    return out


def sniff(head: bytes, name: str) -> tuple[str, bool]:
    """(encoding, known) from a file's first bytes: a mark says UTF-8 or UTF-16; many NUL bytes are
    an error (UTF-16 without its mark, or not text); bytes that are not UTF-8 say Latin-1; else
    UTF-8, to be confirmed by reading the whole file."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", True
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", True
    if head.count(b"\x00") > len(head) // 10:  # a stray NUL is left to the row checks, which name its line
        raise fail(name, "holds NUL bytes: it is UTF-16 text without a byte-order mark, or not a text file at all",
                   SAVE_AS_CSV)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        return "latin-1", True if exc.start < len(head) - 4 else False
    return "utf-8", False


def _expand(stream, dest: Path, name: str, packed: int, limit: int) -> int:
    """Copy ``stream`` (a decompressing reader) to ``dest`` within the caps; return bytes written."""
    written = 0
    with dest.open("wb") as out:
        while block := stream.read(CHUNK):
            written += len(block)
            if written > limit:
                raise fail(name, f"expands to more than {_size(limit)} (from {_size(packed)} compressed): "
                                 "no real file this importer reads is that large",
                           "check it is the file as published; import a month at a time")
            if written > RATIO_FROM and written > MAX_RATIO * max(packed, 1):
                raise fail(name, f"expands more than {MAX_RATIO} times ({_size(packed)} compressed gave more "
                                 f"than {_size(written)}): a compression bomb, or not the file as published",
                           "give the file as the publisher released it")
            out.write(block)
    return written


def _gunzip(path: Path, dest: Path, name: str, limit: int) -> int:
    try:
        with gzip.open(path, "rb") as stream:
            return _expand(stream, dest, name, path.stat().st_size, limit)
    except (OSError, EOFError, zlib.error) as exc:
        raise fail(name, f"is not a gzip file that can be read ({exc})", "give the .gz file as published") from None


def _plain(path: Path, name: str, workdir: Path, limit: int, index: str) -> Source:
    """A CSV (or Parquet) file on disk, a gzip expanded first; its encoding sniffed."""
    if is_parquet(path):
        return _parquet(Source(name, path, parquet=True, origin=path, bytes=path.stat().st_size), limit)
    if is_gzip(path):
        inner = Path(path.name[:-3])
        dest = workdir / f"{index}_{inner.name}"
        size = _gunzip(path, dest, name, limit)
        if is_parquet(inner):
            return _parquet(Source(name, dest, parquet=True, origin=path, bytes=size), limit)
        return _text(Source(name, dest, origin=path, bytes=size))
    size = path.stat().st_size
    if size > limit:
        raise fail(name, f"is {_size(size)}; at most {_size(limit)} is read for this kind of file",
                   "check it is the file as published; import a month at a time")
    return _text(Source(name, path, origin=path, bytes=size))


def _text(source: Source) -> Source:
    if source.bytes == 0:
        raise fail(source.name, "is empty (0 bytes)", "give the file as published")
    with source.path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    source.encoding, source.encoding_known = sniff(head, source.name)
    return source


def _parquet(source: Source, limit: int) -> Source:
    import duckdb  # a Parquet file's footer, read before its rows

    con = duckdb.connect()
    try:
        rows, unpacked = con.execute(
            "SELECT (SELECT sum(num_rows) FROM parquet_file_metadata($1)), "
            "(SELECT coalesce(sum(total_uncompressed_size), 0) FROM parquet_metadata($1))",
            [str(source.path)]).fetchone()
    except duckdb.Error as exc:
        raise fail(source.name, f"is not a Parquet file that can be read: {str(exc).splitlines()[0][:160]}",
                   "give the .parquet file as written") from None
    finally:
        con.close()
    if not rows:
        raise fail(source.name, "has no rows", "give a file with the rows to import")
    if rows > MAX_PARQUET_ROWS or unpacked > limit:
        raise fail(source.name, f"holds {rows:,} rows ({_size(unpacked)} uncompressed); at most "
                                f"{MAX_PARQUET_ROWS:,} rows and {_size(limit)} are read",
                   "import a month at a time")
    return source


def open_sources(path: Path, workdir: Path, name: str | None = None, limit: int = MAX_TABLE_BYTES,
                 members: Iterable[str] = (".csv", ".csv.gz", ".parquet", ".txt")) -> list[Source]:
    """The tables in ``path`` within bounds: itself (a gzip expanded), or each data file of a ZIP
    archive expanded under ``workdir``. Raises ``FileReadError`` saying why a file cannot be read."""
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise fail(name, "file not found")
    if not is_zip(path):
        return [_plain(path, name, workdir, limit, "0")]
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise fail(name, "is not a ZIP archive that can be opened", "give the .zip file as published") from None
    with archive:
        chosen = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(tuple(members))]
        if not chosen:
            raise fail(name, f"holds no {', '.join(members)} file")
        if len(chosen) > MAX_MEMBERS:
            raise fail(name, f"holds {len(chosen):,} data files; at most {MAX_MEMBERS} are read from one archive")
        declared = sum(m.file_size for m in chosen)
        if declared > limit * len(chosen) or any(m.file_size > limit for m in chosen):
            raise fail(name, f"says it expands to {_size(declared)}; at most {_size(limit)} a file is read",
                       "import a month at a time")
        out = []
        for i, member in enumerate(chosen):
            inner = Path(member.filename).name
            label = f"{inner} in {name}"
            dest = workdir / f"{i}_{inner}"
            try:
                with archive.open(member) as stream:
                    size = _expand(stream, dest, label, max(member.compress_size, 1), limit)
            # zipfile raises RuntimeError for an encrypted member, and a subclass of it for a compression
            # method it lacks
            except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError) as exc:
                raise fail(label, f"cannot be expanded ({exc})", "give the .zip file as published") from None
            if is_gzip(dest):
                gz, dest = dest, dest.with_name(dest.name[:-3])
                size = _gunzip(gz, dest, label, limit)
                gz.unlink()
            if is_parquet(dest):
                out.append(_parquet(Source(label, dest, parquet=True, origin=path, bytes=size), limit))
            else:
                out.append(_text(Source(label, dest, origin=path, bytes=size)))
        return out


def longest_line(path: Path, encoding: str = "utf-8") -> tuple[int, int]:
    """(line number, length in bytes) of the first line longer than ``MAX_LINE_BYTES``, else of the
    longest line; read a block at a time. Only run once a read has failed, to name the line."""
    step = 2 if encoding == "utf-16" else 1
    newline = "\n".encode("utf-16-le") if step == 2 else b"\n"
    best = (0, 0)
    line, length = 1, 0
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            start = 0
            while (i := block.find(newline, start)) >= 0:
                length += i - start
                if length > best[1]:
                    best = (line, length)
                if length > MAX_LINE_BYTES:
                    return best
                line, length, start = line + 1, 0, i + len(newline)
            length += len(block) - start
    if length > best[1]:
        best = (line, length)
    return best


def csv_error(exc: Exception, source: Source) -> Problem:
    """A DuckDB CSV error in words: an overlong line named with its length, an encoding that is not
    the one tried, else DuckDB's own first line."""
    text = str(exc)
    first = text.splitlines()[0] if text else type(exc).__name__
    line, length = longest_line(source.path, source.encoding)
    if length > MAX_LINE_BYTES or "Maximum line size" in text:
        return Problem(source.name, line, f"line {line:,} is {_size(length)} long; no line of a real file is "
                       f"longer than {_size(MAX_LINE_BYTES)} (a missing line break, a field with an open quote, or "
                       "not a CSV file)", "give the file as published")
    if "unicode" in text.lower() or "encod" in text.lower():
        return Problem(source.name, None, f"is not valid {source.encoding_label} text",
                       "save it as CSV in UTF-8 (or give the file as the publisher released it)")
    return Problem(source.name, None, f"cannot be read as CSV: {first[:200]}", "give the file as published")


def ragged(reject_type: str, message: str, width: int) -> str | None:
    """The words for a row with the wrong number of fields (DuckDB's reject), else None."""
    if reject_type not in ("TOO MANY COLUMNS", "MISSING COLUMNS"):
        return None
    found = message.split("Found:")[-1].strip()
    more = reject_type == "TOO MANY COLUMNS"
    return (f"has {'more' if more else 'fewer'} fields than the header's {width} ({found}): "
            + ("a comma inside a name that is not in quotes?" if more else "a field is missing"))


def first_line(path: Path, limit: int = 65536) -> str:
    """A file's first line as text (gzip expanded, UTF-8 or UTF-16 by its mark, else Latin-1), to
    tell its layout; '' for an empty or unreadable file."""
    opener = gzip.open if is_gzip(path) else open
    try:
        with opener(path, "rb") as f:
            head = f.read(limit)
    except (OSError, EOFError, zlib.error):
        return ""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="replace")
    else:
        try:
            text = head.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            text = head[:exc.start].decode("utf-8-sig") if exc.start > len(head) - 4 else head.decode("latin-1")
    return text.splitlines()[0] if text else ""


def read_text(path: Path, name: str, prefix: str, *, delim: str = ",", limit: int = 256 * 2**20,
              pad: bool = False, header: bool = True, error=FileReadError):
    """Every field of a small CSV file as text (for the estates, theatre, list-size and DESNZ
    importers): ``(header, frame)`` with a ``line`` column (the header is line 1).

    Within bounds and in words: size (``limit``), gzip expanded with its caps, encoding sniffed
    (UTF-8, UTF-16 with its mark, else Latin-1, retried once if UTF-8 fails later in the file), an
    overlong line named, ragged rows named with both field counts (``pad`` keeps DuckDB's
    padding for layouts whose real files are ragged, such as ERIC), an empty or header-only file
    refused. ``error`` is the importer's own error class (a ``CarbonError``); ``prefix`` names the
    private temporary folder a gzip is expanded in (``carbon.uploads``)."""
    from carbon import uploads

    with uploads.folder(prefix) as workdir:
        try:
            (source,) = open_sources(path, Path(workdir), name, limit, members=(".csv", ".txt"))
        except FileReadError as exc:
            raise error(exc.problems, total=exc.total) from None
        if source.parquet:
            raise error(Problem(name, None, "is a Parquet file; this importer reads CSV", "give the CSV file"))
        return _read_checked(source, name, delim, pad, header, error, Path(workdir))


def _read_checked(source: Source, name: str, delim: str, pad: bool, header: bool, error, workdir: Path):
    columns, frame, rejects = _read_all(source, delim, pad, header, error, workdir)
    if rejects and not source.encoding_known and any(r[1] == "INVALID ENCODING" for r in rejects):
        source.encoding, source.encoding_known = "latin-1", True  # not UTF-8 after all: the publishers' other one
        columns, frame, rejects = _read_all(source, delim, pad, header, error, workdir)
    if rejects:
        problems = []
        for line, kind, message in rejects:
            what = ragged(kind, message, len(columns)) or f"{kind.lower()}: {message.splitlines()[0][:160]}"
            problems.append(Problem(name, int(line), what, "check the quotes and delimiters of this line"))
        raise error(problems[:20], total=len(problems))
    if frame.empty:
        raise error(Problem(name, None, "has a header but no rows: nothing to import",
                            "give the file with its rows"))
    columns = [c.lstrip("\ufeff").strip() for c in columns]
    frame.columns = columns + ["line"]
    return columns, frame, source


def _read_all(source: Source, delim: str, pad: bool, header: bool, error, workdir: Path):
    """One read of ``source`` as text (``read_text``); an encoding error read again as Latin-1."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET memory_limit = '512MB'")
        con.execute("SET temp_directory = ?", [str(workdir / "spill")])  # not the working folder's .tmp
        opts = (f"all_varchar = true, header = {str(header).lower()}, delim = ?, quote = '\"', escape = '\"', "
                f"encoding = ?, max_line_size = {MAX_LINE_BYTES}, "
                + ("null_padding = true, strict_mode = false" if pad else "store_rejects = true"))
        rel = con.execute(f"SELECT *, row_number() OVER () + {1 if header else 0} AS line FROM read_csv(?, {opts})",
                          [str(source.path), delim, source.encoding])
        columns = [d[0] for d in rel.description][:-1]
        frame = rel.df()
        rejects = [] if pad else con.execute(
            "SELECT line, error_type, error_message FROM reject_errors ORDER BY line").fetchall()
        return columns, frame, rejects
    except duckdb.Error as exc:
        if source.encoding == "utf-8" and not source.encoding_known and "unicode" in str(exc).lower():
            source.encoding, source.encoding_known = "latin-1", True
            return _read_all(source, delim, pad, header, error, workdir)
        raise error(csv_error(exc, source)) from None
    finally:
        con.close()
