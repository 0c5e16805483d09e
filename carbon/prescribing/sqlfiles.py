"""The prescribing package's SQL, kept as readable files in ``carbon/prescribing/sql/``.

Each file is one query (or one ``WITH`` list of named steps) that owns its table's logic. A file
may hold ``${name}`` placeholders for the package's own constants (never for user text: values a
person typed or a file held are always bound as ``?`` parameters).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template


@cache
def _text(name: str) -> str:
    return resources.files("carbon.prescribing").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def sql(name: str, **constants) -> str:
    """The query in ``sql/<name>.sql`` with the package constants ``constants`` filled in."""
    text = _text(name)
    return Template(text).substitute(constants) if constants else text
