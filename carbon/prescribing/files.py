"""A prescribing file as published: CSV, gzip CSV, ZIP of CSV or Parquet, in UTF-8, UTF-16 or Latin-1.

Files are opened within bounds by ``carbon.reading`` (the one guarded reader every importer uses:
size, compression bombs, encoding, line length); this module adds what prescribing needs on top:
the header of a table, read without DuckDB's type sniffing.
"""

from __future__ import annotations

import csv
import io

from carbon.reading import MAX_LINE_BYTES, Source, is_parquet, is_zip, open_sources  # noqa: F401 (re-exported)

__all__ = ["Source", "is_parquet", "is_zip", "open_sources", "read_header"]


def read_header(cur, source: Source) -> list[str]:
    """The column names of a table (the first CSV line, byte-order mark and surrounding spaces removed)."""
    if source.parquet:
        rows = cur.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(source.path)]).fetchall()
        return [r[0] for r in rows]
    with open(source.path, "rb") as f:
        raw = f.read(MAX_LINE_BYTES) if source.encoding == "utf-16" else f.readline(MAX_LINE_BYTES)
    if not raw.strip():
        raise ValueError("is empty")
    if source.encoding == "utf-16":
        text = raw.decode("utf-16", errors="replace").split("\n", 1)[0]
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    return [c.strip() for c in next(csv.reader(io.StringIO(text)))]
