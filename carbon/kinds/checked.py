"""Set-wise checks that name rows: run a check on many rows at once and, where it refuses some,
keep computing the others.

The kinds that read their rows against reference tables (the estates items, the DESNZ years held,
the BNF chapters and GDP deflators) check all rows in one pass; the check raises a ``CarbonError``
whose problems carry each refused row's ``position`` as their ``line``. ``refused`` marks those rows
with their own messages and runs the check again on the rest, so one bad line never hides or
spoils the good ones.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd

from carbon.errors import CarbonError, Problem


def say(p: Problem) -> str:
    """A problem as the message of its row: what is wrong, then what to type."""
    return f"{p.what} ({p.fix})" if p.fix else p.what


def refused(check: Callable[[pd.DataFrame], pd.DataFrame], frame: pd.DataFrame,
            position: str = "position") -> tuple[pd.DataFrame | None, dict[int, str]]:
    """``(check(rows it accepts), {position: why refused})``.

    ``check`` takes a frame of rows (with ``position``) and returns a frame, or raises a
    ``CarbonError`` naming bad rows by ``Problem.line`` = their position. A problem that names no
    row of ``frame`` is the check's own failure and is raised as it is. The result is None when
    every row is refused.
    """
    errors: dict[int, list[str]] = {}
    rest = frame
    while len(rest):  # each pass refuses at least one row, so this ends
        try:
            return check(rest), {k: "; ".join(v) for k, v in errors.items()}
        except CarbonError as exc:
            here = set(rest[position].astype(int))
            named = [p for p in exc.problems if p.line is not None and int(p.line) in here]
            if not named:
                raise
            for p in named:
                errors.setdefault(int(p.line), []).append(say(p))
            rest = rest[~rest[position].astype(int).isin({int(p.line) for p in named})]
    return None, {k: "; ".join(v) for k, v in errors.items()}


def mark(out: pd.DataFrame, errors: dict[int, str], columns: list[str], words: dict | None = None) -> pd.DataFrame:
    """``out`` (rows computed, ``columns``) with one row per refused position added: NaN figures and
    ``error`` set (``words``: text columns to fill on those rows, e.g. the category)."""
    out = out.assign(error="") if out is not None and len(out) else pd.DataFrame(columns=[*columns, "error"])
    if not errors:
        return out
    bad = pd.DataFrame({"position": list(errors), "error": list(errors.values())})
    for col, text in (words or {}).items():
        bad[col] = text
    return pd.concat([out, bad.reindex(columns=[*columns, "error"])], ignore_index=True)
