"""Reporting periods: NHS financial years (1 April to 31 March) and calendar years.

NHS boards and trusts report by financial year (``2024/25``); DESNZ publishes one set of
conversion factors per calendar year. This module reads what people type (``2024/25``,
``2024-25``, ``FY2024/25``, ``2024/2025``, ``2024``), refuses what cannot be a period
(``2024/26``), and says which DESNZ factor year a period uses.

The factor-year rule is DESNZ's "majority" approach (conversion factors 2024, condensed set,
Introduction sheet, "Which year of emissions should I report on with these factors?"): data for
an April-to-March year use the factors of the calendar year in which most of the data falls, so
2024/25 (1 April 2024 to 31 March 2025) uses the 2024 factors; a calendar year uses its own.
The same rule prices a financial year's pounds (``price_year``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from carbon.errors import CarbonError, Problem

#: First and last years accepted: before 1990 or after 2100 is a typing error, not a period.
EARLIEST, LATEST = 1990, 2100

_FY = re.compile(r"^(?:FY\s*)?(\d{4})\s*[/\-–]\s*(\d{2}|\d{4})$", re.IGNORECASE)
_CY = re.compile(r"^(?:CY\s*)?(\d{4})$", re.IGNORECASE)


class PeriodError(CarbonError):
    """A financial or calendar year that cannot be read."""

    headline = ""


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: a financial year (April to March) or a calendar year.

    ``start_year`` is the calendar year the period starts in (2024 for 2024/25 and for 2024).
    """

    start_year: int
    financial: bool

    @property
    def label(self) -> str:
        """``2024/25`` for a financial year, ``2024`` for a calendar year."""
        if self.financial:
            return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"
        return str(self.start_year)

    @property
    def kind(self) -> str:
        return "financial" if self.financial else "calendar"

    @property
    def start(self) -> dt.date:
        return dt.date(self.start_year, 4, 1) if self.financial else dt.date(self.start_year, 1, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the period (31 March or 31 December)."""
        return dt.date(self.start_year + 1, 3, 31) if self.financial else dt.date(self.start_year, 12, 31)

    @property
    def factor_year(self) -> int:
        """The DESNZ factor set this period uses (the majority rule: see the module docstring)."""
        return self.start_year

    @property
    def previous(self) -> "Period":
        return Period(self.start_year - 1, self.financial)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def financial_year(start_year: int) -> Period:
    return Period(_check_year(start_year, str(start_year)), True)


def calendar_year(year: int) -> Period:
    return Period(_check_year(year, str(year)), False)


def parse(text: "str | int | Period", where: str = "", line: int | None = None) -> Period:
    """Read a financial year (``2024/25``, ``2024-25``, ``FY2024/25``, ``2024/2025``) or a calendar
    year (``2024``, an int). Raises ``PeriodError`` naming ``where``/``line`` otherwise.
    """
    if isinstance(text, Period):
        return text
    if isinstance(text, bool):
        raise PeriodError(Problem(where, line, f"{text!r} is not a year"))
    if isinstance(text, int):
        return Period(_check_year(text, str(text), where, line), False)
    if isinstance(text, float) and text.is_integer():
        return parse(int(text), where, line)
    s = str(text).strip()
    m = _FY.match(s)
    if m:
        start = _check_year(int(m.group(1)), s, where, line)
        end_text = m.group(2)
        end = int(end_text) if len(end_text) == 4 else (start // 100) * 100 + int(end_text)
        if len(end_text) == 2 and end < start:  # 1999/00
            end += 100
        if end != start + 1:
            nxt = f"{(start + 1) % 100:02d}" if len(end_text) == 2 else str(start + 1)
            raise PeriodError(Problem(
                where, line,
                f"{s!r} is not a financial year: a financial year runs from 1 April to 31 March, "
                f"so {start} is followed by {nxt}",
                f"type {start}/{(start + 1) % 100:02d}",
            ))
        return Period(start, True)
    m = _CY.match(s)
    if m:
        return Period(_check_year(int(m.group(1)), s, where, line), False)
    raise PeriodError(Problem(
        where, line, f"{s!r} is not a financial year or a calendar year",
        "type a financial year as 2024/25 or a calendar year as 2024",
    ))


def _check_year(year: int, text: str, where: str = "", line: int | None = None) -> int:
    if not EARLIEST <= year <= LATEST:
        raise PeriodError(Problem(where, line, f"{text!r}: {year} is outside {EARLIEST}-{LATEST}",
                                  "check the year"))
    return year


def factor_year(period: "str | int | Period") -> int:
    """The DESNZ factor year for a period: 2024/25 -> 2024, 2025 -> 2025."""
    return parse(period).factor_year


def of_date(day: "dt.date | str", financial: bool = True) -> Period:
    """The financial (or calendar) year a day falls in: 15 March 2025 is in 2024/25."""
    d = pd.Timestamp(day).date()
    if not financial:
        return Period(d.year, False)
    return Period(d.year if d.month >= 4 else d.year - 1, True)


def financial_year_labels(dates: pd.Series) -> pd.Series:
    """Vectorised: the financial-year label (``2024/25``) of each date or month in ``dates``."""
    ts = pd.to_datetime(dates)
    start = ts.dt.year - (ts.dt.month < 4).astype(int)
    return start.astype(str) + "/" + ((start + 1) % 100).astype(str).str.zfill(2)


def lookup(values: pd.Series) -> pd.DataFrame:
    """Read a column of periods without raising: a frame aligned with ``values`` with ``period``,
    ``kind``, ``start_year``, ``factor_year`` (NA where unreadable) and ``what``/``fix`` (the
    problem, where unreadable). Each distinct text is read once.
    """
    texts = values.astype("string").fillna("").str.strip()
    distinct = []
    for t in texts.unique():  # each distinct text once: a column of 100,000 months has 12
        try:
            p = parse(t)
            distinct.append((t, p.label, p.kind, p.start_year, p.factor_year, None, None))
        except PeriodError as exc:
            distinct.append((t, None, None, None, None, exc.problems[0].what, exc.problems[0].fix))
    table = pd.DataFrame(distinct, columns=["text", "period", "kind", "start_year", "factor_year", "what", "fix"])
    out = pd.DataFrame({"text": texts.to_numpy()}).merge(table, on="text", how="left")
    out = out.astype({"start_year": "Int64", "factor_year": "Int64"})
    out.index = values.index
    return out


def parse_many(values: pd.Series, where: str = "row") -> pd.DataFrame:
    """Read a column of periods at once (each distinct text read once).

    Returns a frame aligned with ``values``: ``period`` (label), ``kind``, ``start_year``,
    ``factor_year``. Every unreadable value is reported, naming its row (1-based), in one error.
    """
    out = lookup(values)
    bad = out["what"].notna().to_numpy()
    if bad.any():
        positions = bad.nonzero()[0]
        listed = [Problem(f"{where} {i + 1}", None, out["what"].iloc[i], out["fix"].iloc[i]) for i in positions[:20]]
        raise PeriodError(listed, total=len(positions))
    return out[["period", "kind", "start_year", "factor_year"]].astype({"start_year": int, "factor_year": int})
