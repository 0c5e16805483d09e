"""Local overrides of factors (a supplier's figure, an audit): the shipped row is never edited.

Each override keeps who made it, when and why; a new override of the same factor supersedes the
last (which stays in the audit trail), and a revert goes back to the shipped figure.
"""

from __future__ import annotations

import math

import pandas as pd

from carbon import bounds
from carbon.errors import CarbonError
from carbon.library import FactorNotFound
from carbon.store import Store


class OverrideError(CarbonError):
    """An override that cannot be saved: the message says what to change."""


def active_overrides(store: Store) -> pd.DataFrame:
    return store.df(
        "SELECT * FROM factor_override WHERE reverted_at IS NULL ORDER BY factor_id, created_at, id"
    )


def override_history(store: Store, factor_id: str | None = None) -> pd.DataFrame:
    """Every override ever made (newest first), with who, when, why and whether it was reverted."""
    if factor_id:
        return store.df("SELECT * FROM factor_override WHERE factor_id = ? ORDER BY id DESC", [factor_id])
    return store.df("SELECT * FROM factor_override ORDER BY id DESC")


def set_override(store: Store, factor_id: str, value: float, reason: str, who: str,
                 low: float | None = None, high: float | None = None) -> int:
    """Record a local figure for a factor (in the factor's own unit); return the override id.

    The range defaults to the shipped range scaled to the new value. A previous active
    override of the same factor is superseded (marked reverted by the new one).
    """
    row = store.execute("SELECT value, low, high FROM factor WHERE id = ?", [factor_id]).fetchone()
    if row is None:
        raise OverrideError(str(FactorNotFound(factor_id)))
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise OverrideError(f"value {value!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise OverrideError("an override must be a finite number, zero or more")
    if not reason or not reason.strip():
        raise OverrideError("say why: an override needs a reason for the audit trail")
    if not who or not who.strip():
        raise OverrideError("say who is making the override")
    shipped, slo, shi = row
    if shipped and bounds.between("override_ratio", value / shipped, "the override"):
        times = f"{value / shipped:,.4g} times" if math.isfinite(value / shipped) else "far more than a thousand times"
        raise OverrideError(f"{value:g} is {times} the published {shipped:g}: "
                            f"{bounds.table()['override_ratio'].why}")
    why = bounds.text_problem(reason, "the reason", 1000)
    if why:
        raise OverrideError(why)
    if low is None:
        low = value * (slo / shipped) if shipped else value
    if high is None:
        high = value * (shi / shipped) if shipped else value
    try:
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        raise OverrideError("low and high must be numbers") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise OverrideError("low and high must be finite numbers")
    if not low <= value <= high:
        raise OverrideError(f"low <= value <= high fails ({low} <= {value} <= {high})")
    with store.transaction(needs="admin") as cur:
        cur.execute(
            "UPDATE factor_override SET reverted_at = current_timestamp, reverted_by = ? "
            "WHERE factor_id = ? AND reverted_at IS NULL",
            [f"{who.strip()} (superseded)", factor_id],
        )
        new_id = cur.execute(
            "INSERT INTO factor_override (factor_id, value, low, high, reason, who) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [factor_id, value, low, high, reason.strip(), who.strip()],
        ).fetchone()[0]
    return int(new_id)


def revert_override(store: Store, factor_id: str, who: str) -> bool:
    """Go back to the shipped figure; the override stays in the audit trail. True if one was active."""
    with store.transaction(needs="admin") as cur:
        n = cur.execute(
            "UPDATE factor_override SET reverted_at = current_timestamp, reverted_by = ? "
            "WHERE factor_id = ? AND reverted_at IS NULL RETURNING id",
            [who.strip() or "unknown", factor_id],
        ).fetchall()
    return bool(n)
