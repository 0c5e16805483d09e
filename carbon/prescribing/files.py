"""A prescribing file as published: CSV, gzip CSV, ZIP of CSV or Parquet, in UTF-8 or Latin-1.

DuckDB reads CSV (gzip included) and Parquet straight from a path. NHSBSA's "EPD with SNOMED
code" months come as ZIP archives of Latin-1 CSV, which DuckDB cannot open, so each CSV in an
archive is streamed once to a private temporary file (checking on the way whether it is valid
UTF-8) and read from there; messages still name the archive and the file inside it.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

#: Bytes copied at a time from an archive.
CHUNK = 8 << 20


@dataclass
class Source:
    """One readable table: ``name`` for messages, ``path`` for DuckDB, and how to read it."""

    name: str
    path: Path
    parquet: bool = False
    encoding: str = "utf-8"
    encoding_known: bool = False


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def is_zip(path: Path) -> bool:
    return path.suffix.lower() == ".zip"


def open_sources(path: Path, workdir: Path) -> list[Source]:
    """The tables in ``path``: itself, or each CSV of a ZIP archive extracted under ``workdir``.

    Raises ``ValueError`` with a plain reason when an archive cannot be read or holds no CSV."""
    if is_parquet(path):
        return [Source(path.name, path, parquet=True)]
    if not is_zip(path):
        return [Source(path.name, path)]
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError("is not a ZIP archive that can be opened") from None
    with archive:
        members = [m for m in archive.infolist()
                   if not m.is_dir() and m.filename.lower().endswith((".csv", ".csv.gz", ".parquet"))]
        if not members:
            raise ValueError("holds no .csv or .parquet file")
        out = []
        for i, member in enumerate(members):
            inner = Path(member.filename).name
            dest = workdir / f"{i}_{inner}"
            utf8 = codecs.getincrementaldecoder("utf-8")()
            valid = True
            with archive.open(member) as src, open(dest, "wb") as dst:
                while block := src.read(CHUNK):
                    dst.write(block)
                    if valid:
                        try:
                            utf8.decode(block)
                        except UnicodeDecodeError:
                            valid = False
            out.append(Source(f"{inner} in {path.name}", dest, parquet=is_parquet(dest),
                              encoding="utf-8" if valid else "latin-1", encoding_known=True))
        return out


def read_header(cur, source: Source) -> list[str]:
    """The column names of a table (the first CSV line, BOM and surrounding spaces removed)."""
    if source.parquet:
        rows = cur.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(source.path)]).fetchall()
        return [r[0] for r in rows]
    opener = gzip.open if source.path.name.lower().endswith(".gz") else open
    with opener(source.path, "rb") as f:
        raw = f.readline(1 << 20)
    if not raw.strip():
        raise ValueError("is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return [c.strip() for c in next(csv.reader(io.StringIO(text)))]
