"""Reading the small documents people share: pathway and scenario files as TOML or JSON.

A shared file may be anything: a binary renamed ``.toml``, UTF-16 from a spreadsheet, a file a
hundred thousand brackets deep (which would exhaust Python's recursion and put a traceback on the
page), or a few megabytes of nonsense. ``load`` reads one within bounds and says what is wrong in
words: the size, the text encoding (and how to fix it), the nesting depth and the number of
elements are checked before the content means anything.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from carbon.errors import CarbonError

#: A pathway or scenario file is a few kilobytes; a megabyte is far beyond any real one.
MAX_BYTES = 1_000_000
#: Tables in tables: a scenario is three deep ([[lines]] inside the file, a value inside a line).
MAX_DEPTH = 8
#: Values in the whole document (a pathway has tens of activities of about 13 fields).
MAX_ITEMS = 50_000
FORMATS = (".toml", ".json")


class DocumentError(CarbonError):
    """A file that cannot be read as a pathway or scenario document; the message says why and what to do."""


def decode(data: bytes | str, name: str) -> str:
    """``data`` as text: UTF-8 (with or without a byte-order mark) or UTF-16 with its mark; anything
    else is an error that names the likely encoding and says to save the file as UTF-8."""
    if isinstance(data, str):
        return data
    if len(data) > MAX_BYTES:
        raise DocumentError(f"{name}: the file is {len(data):,} bytes; a pathway or scenario file is a few "
                            f"kilobytes (at most {MAX_BYTES:,} bytes are read)")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise DocumentError(f"{name}: not a text file in UTF-8 (it holds NUL bytes: a binary file, or UTF-16 "
                            "without its mark); save it as TOML or JSON text in UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{name}: not a text file in UTF-8 (byte {exc.start:,} is {data[exc.start]:#04x}, as in "
                            "Latin-1 or Windows-1252); save it as TOML or JSON text in UTF-8") from None


def depth(text: str) -> int:
    """The deepest nesting of brackets and braces outside quoted strings (TOML or JSON)."""
    deepest = level = 0
    quote = ""
    escaped = False
    for ch in text:  # one pass over a file of at most MAX_BYTES
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            level += 1
            deepest = max(deepest, level)
        elif ch in "]}":
            level -= 1
    return deepest


def _items(value) -> int:
    count, todo = 0, [value]
    while todo:
        v = todo.pop()
        count += 1
        if isinstance(v, dict):
            todo.extend(v.values())
        elif isinstance(v, list):
            todo.extend(v)
    return count


def parse(text: str, fmt: str, name: str) -> object:
    """TOML or JSON text (``fmt`` is ``.toml`` or ``.json``) within the bounds above."""
    if len(text) > MAX_BYTES:
        raise DocumentError(f"{name}: the file is {len(text):,} characters; a pathway or scenario file is a few "
                            f"kilobytes (at most {MAX_BYTES:,} are read)")
    deep = depth(text)
    if deep > MAX_DEPTH:
        raise DocumentError(f"{name}: lists or tables are nested {deep:,} deep; a pathway or scenario file nests at "
                            f"most {MAX_DEPTH} deep")
    try:
        data = tomllib.loads(text) if fmt == ".toml" else json.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DocumentError(f"{name}: not valid TOML ({exc})") from None
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{name}: not valid JSON ({exc})") from None
    except RecursionError:  # unbalanced brackets inside strings can fool the scan
        raise DocumentError(f"{name}: lists or tables are nested too deep to read") from None
    n = _items(data)
    if n > MAX_ITEMS:
        raise DocumentError(f"{name}: the file holds {n:,} values; a pathway or scenario file holds at most "
                            f"{MAX_ITEMS:,}")
    return data


def load(data: bytes | str, file_name: str, fmt: str | None = None,
         error: type[CarbonError] = DocumentError) -> dict:
    """A pathway or scenario document from a file's bytes (or text), read as ``fmt`` (``.toml`` or
    ``.json``) or else by the file's extension; a problem is raised as ``error`` (the caller's own
    error type, carrying the same problems)."""
    try:
        return _load(data, file_name, fmt)
    except DocumentError as exc:
        if error is DocumentError:
            raise
        raise error(exc.problems) from None


def _load(data: bytes | str, file_name: str, fmt: str | None) -> dict:
    suffix = fmt or Path(file_name).suffix.lower()
    if suffix not in FORMATS:
        raise DocumentError(f"{file_name}: the file must end in .toml or .json")
    data = parse(decode(data, file_name), suffix, file_name)
    if not isinstance(data, dict):
        raise DocumentError(f"{file_name}: the file must hold one table of fields (name, ...), not a "
                            f"{type(data).__name__}")
    return data
