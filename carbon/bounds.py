"""The one table of plausible bounds for numbers that enter the engine (``factors/bounds.csv``).

Each row names a field, the unit its bounds are in, the lowest and highest plausible value (empty:
no bound on that side), the limit in words where it has a name ("once round the Earth") and why. ``check`` raises ``UnitError`` naming the field, the figure, the
bound and the reason, so a typing error (``18e6 mile`` to a clinic) is an error, not a result.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache

import pint

from carbon import formatting
from carbon.store import PROJECT_DIR
from carbon.units import UnitError, ureg

BOUNDS_FILE = PROJECT_DIR / "factors" / "bounds.csv"


@dataclass(frozen=True)
class Bound:
    field: str
    unit: str
    low: float | None
    high: float | None
    limit: str
    why: str


@lru_cache(maxsize=1)
def table() -> dict[str, Bound]:
    """Every bound by field (read once from ``factors/bounds.csv``)."""
    with BOUNDS_FILE.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))

    def num(text: str) -> float | None:
        return float(text) if text.strip() else None

    return {r["field"]: Bound(r["field"], r["unit"], num(r["low"]), num(r["high"]), r["limit"], r["why"]) for r in rows}


def _num(v: float) -> str:
    """A bound as people read it: whole numbers with separators from 10,000 (a year stays 2100)."""
    if float(v).is_integer():
        return f"{v:.0f}" if abs(v) < 10_000 else f"{v:,.0f}"
    return f"{v:,.4g}"


def check(field: str, value: pint.Quantity | float, what: str, shown: str | None = None, per: str = "") -> None:
    """Refuse ``value`` (a number or a quantity convertible to the bound's unit) outside the bounds of ``field``.

    ``what`` names the field in the message; ``shown`` is the text the person typed (else the value);
    ``per`` says what the bound is counted in when it has no unit of its own (``inhaler per patient``).
    """
    b = table()[field]
    if isinstance(value, pint.Quantity):
        v = float(value.to(b.unit).magnitude) if b.unit else float(value.magnitude)
    else:
        v = float(value)
    text = shown if shown is not None else (f"{value:~P}" if isinstance(value, pint.Quantity) else f"{value:g}")
    unit = f" {formatting.unit(ureg.Unit(b.unit))}" if b.unit else (f" {per}" if per else "")
    if not math.isfinite(v):
        raise UnitError(f"{what}: {text!r} is not a finite number")
    if b.low is not None and v < b.low:
        if b.low == 0:
            raise UnitError(f"{what}: {text!r} cannot be negative")
        raise UnitError(f"{what}: {text!r} is below {_num(b.low)}{unit}: {b.why}")
    if b.high is not None and v > b.high:
        limit = f"{b.limit} ({_num(b.high)}{unit})" if b.limit else f"{_num(b.high)}{unit}"
        raise UnitError(f"{what}: {text!r} is more than {limit}: {b.why}")


def between(field: str, value: float, what: str) -> str | None:
    """Why ``value`` is outside the bounds of ``field`` (``None`` when it is inside), in the words a
    validation list uses: ``target_pct 120.0 must be between 0 and 100: a share is ...``."""
    b = table()[field]
    v = float(value)
    low_ok = b.low is None or v >= b.low
    high_ok = b.high is None or v <= b.high
    if math.isfinite(v) and low_ok and high_ok:
        return None
    if not math.isfinite(v):
        return f"{what} {value} is not a finite number"
    span = (f"between {_num(b.low)} and {_num(b.high)}" if b.low is not None and b.high is not None else
            f"at least {_num(b.low)}" if b.low is not None else f"at most {_num(b.high)}")
    return f"{what} {value} must be {span}: {b.why}"


#: Characters that never belong in a name, a code or a label: NUL and the other control characters.
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {chr(127)}


def visible(value) -> str:
    """Text fit to quote back in a message: each control character (a NUL byte) as U+FFFD, the
    replacement character, so an error never writes the byte it is refusing to a terminal or page."""
    return "".join("\ufffd" if ch in _CONTROL else ch for ch in str(value))


def text_problem(value: str, what: str, max_length: int = 200) -> str | None:
    """Why a name, label or code typed or read from a file cannot be kept (``None`` when it can):
    control characters (a NUL byte inside a practice code) or more than ``max_length`` characters."""
    s = str(value)
    bad = sorted({f"U+{ord(ch):04X}" for ch in s if ch in _CONTROL})
    if bad:
        return f"{what} holds control characters ({', '.join(bad)}), which never belong in a name; retype it"
    if len(s) > max_length:
        return f"{what} is {len(s):,} characters long; keep it under {max_length}"
    return None
