"""One error type for the whole engine: a list of problems, each saying where, what and how to fix.

Every engine error (a bad factor row, a pathway row whose unit is wrong, a prescribing file with
a bad line, a scenario line that cannot be resolved) is a ``CarbonError`` or a subclass of it,
carrying ``problems``. Pages show them with one helper (``carbon.ui.show_error``), the CLI prints
them one per line, and a test can compare them field by field.

``Problem.where`` names the place in words a person can find (``"epd_2024_01.csv"``, ``"row 3
(Preventer)"``, ``"baseline line 2 (Inhalers)"``); ``line`` is the line in a file (the header is
line 1) or ``None``; ``what`` says what is wrong; ``fix`` (optional) says what to type instead.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from carbon.formatting import plural

#: Problems listed one by one before the rest are only counted.
MAX_LISTED = 20


class Problem(NamedTuple):
    """One thing wrong with an input: where it is, what is wrong and, where known, how to fix it."""

    where: str
    line: int | None
    what: str
    fix: str = ""

    def __str__(self) -> str:
        place = f"{self.where}:{self.line}" if self.line else self.where
        text = f"{place}: {self.what}" if place else self.what
        return f"{text} ({self.fix})" if self.fix else text


def problem(what: str, where: str = "", line: int | None = None, fix: str = "") -> Problem:
    return Problem(where, line, what, fix)


def _as_problem(p) -> Problem:
    if isinstance(p, Problem):
        return p
    if isinstance(p, tuple) and len(p) in (3, 4):
        return Problem(str(p[0]), int(p[1]) if p[1] else None, str(p[2]), str(p[3]) if len(p) == 4 else "")
    return Problem("", None, str(p))


class CarbonError(ValueError):
    """Something the user can fix; ``problems`` lists each (the first ``MAX_LISTED``), ``total`` counts all.

    ``headline`` is the sentence shown above the list (e.g. "nothing was imported"). Built from
    ``Problem`` objects, ``(where, line, what)`` tuples or plain strings.
    """

    headline = ""

    def __init__(self, problems: Problem | str | Iterable, total: int | None = None, headline: str | None = None):
        if isinstance(problems, (str, Problem)):
            problems = [problems]
        self.problems: list[Problem] = [_as_problem(p) for p in problems]
        self.total = total if total is not None else len(self.problems)
        if headline is not None:
            self.headline = headline
        super().__init__(self.message())

    def lines(self) -> list[str]:
        """Each listed problem as one line, then a count of those not listed."""
        out = [str(p) for p in self.problems]
        more = self.total - len(self.problems)
        if more > 0:
            out.append(f"... and {more:,} more {plural(more, 'problem')}")
        return out

    def message(self) -> str:
        body = self.lines()
        if self.headline:
            return f"{self.headline}: {self.total:,} {plural(self.total, 'problem')}\n" + "\n".join(body) if body else self.headline
        return "; ".join(body)

    def frame(self):
        """The problems as a table a person reads (where, line, what is wrong, how to fix it): a DataFrame."""
        import pandas as pd  # here, not at the top: every module imports errors, and `carbon --help` needs no pandas

        df = pd.DataFrame([tuple(p) for p in self.problems], columns=["where", "line", "what", "fix"])
        more = self.total - len(self.problems)
        if more > 0:
            df.loc[len(df)] = ["", None, f"... and {more:,} more {plural(more, 'problem')}", ""]
        df["line"] = df["line"].astype("Int64")
        return df

    def __str__(self) -> str:
        return self.message()


def collect(problems: list) -> None:
    """Raise ``CarbonError`` if ``problems`` is not empty (the end of a validation pass)."""
    if problems:
        raise CarbonError(problems)
