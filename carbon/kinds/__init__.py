"""The registry of kinds of activity line: one module per kind in this package, each a ``Kind``.

Pathways (an activity per patient), scenarios (a baseline line a year), the swap catalogue and the
importers all footprint their rows here, so a kind means the same everywhere:

* ``footprint(store, rows, basis, ctx)``: rows (dicts or a DataFrame; ``position`` optional) in, the
  tidy frame out (``base.TIDY`` plus ``kind`` and ``error``): each kind reads its rows' text (pint,
  row by row, as people type it) and computes all of them at once; a row that cannot be read keeps
  its position with NaN figures and ``error`` saying why and what to type;
* ``get(name)``, ``names()``, ``labels()``: the kinds for pickers and validation.

Adding a kind is adding one module here with a ``Kind`` subclass (``name``, ``label``, ``fields``,
``parse``, ``compute``); it is found the first time the registry is used.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading

import numpy as np
import pandas as pd
import pint

from carbon import bounds
from carbon import factors as fx
from carbon.errors import CarbonError
from carbon.kinds.base import FIELDS, KG, PER_PATIENT, PER_YEAR, TIDY, Context, Kind

__all__ = ["Context", "Kind", "PER_PATIENT", "PER_YEAR", "TIDY", "COLUMNS", "footprint", "get", "labels", "names"]

#: The columns of ``footprint``'s result, and those that hold numbers.
COLUMNS = TIDY[:1] + ["kind"] + TIDY[1:] + ["error"]
NUMBERS = (*KG, "amount", "cost_gbp")

_REGISTRY: dict[str, Kind] = {}
_LOCK = threading.Lock()


def _registry() -> dict[str, Kind]:
    """Every kind, found once: each module of this package that defines a ``Kind`` subclass."""
    with _LOCK:
        if not _REGISTRY:
            for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
                if info.name != "base":
                    importlib.import_module(f"{__name__}.{info.name}")
            for cls in _subclasses(Kind):
                _REGISTRY[cls.name] = cls()
        return _REGISTRY


def _subclasses(cls):
    for sub in cls.__subclasses__():
        if getattr(sub, "name", None):
            yield sub
        yield from _subclasses(sub)


def names(context: str | None = None) -> list[str]:
    """The kinds, or those usable in ``context`` ("patient" or "year")."""
    return sorted(n for n, k in _registry().items() if context is None or context in k.contexts)


def labels(context: str | None = None) -> dict[str, str]:
    """Kind name -> what it is in words, for pickers (those usable in ``context``)."""
    return {n: _registry()[n].label for n in names(context)}


def get(name: str) -> Kind:
    kind = _registry().get(str(name).strip().lower())
    if kind is None:
        raise CarbonError(f"kind {name!r} is not one of {', '.join(names())}")
    return kind


def _message(exc: Exception) -> str:
    if isinstance(exc, KeyError) and not isinstance(exc, CarbonError):
        return f"not found: {exc.args[0]!r}"
    return str(exc).strip().strip('"')


def _implausible(out: pd.DataFrame, ctx: Context) -> pd.Series:
    """Why a computed row's footprint cannot be right ('' when it is plausible): more than
    ``footprint_per_patient`` or ``footprint_per_year`` of ``factors/bounds.csv``, or not finite."""
    b = bounds.table().get(f"footprint_per_{ctx.name}")
    kg = out["kgCO2e"].astype(float)  # the central figure: a wide published range is not a typing error
    bad = ~np.isfinite(kg) | (kg > b.high if b else False)
    if not bad.any():
        return pd.Series("", index=out.index)
    limit = f"{b.limit} {ctx.words}: {b.why}" if b else "a finite figure"
    return pd.Series(np.where(bad, f"the footprint comes to more than {limit}", ""), index=out.index)


def footprint(store, rows, basis: str = fx.DEFAULT_BASIS, ctx: Context = PER_PATIENT) -> pd.DataFrame:
    """The footprint of ``rows`` (columns ``COLUMNS``, ordered by position; kgCO2e, low/high, cost in
    pounds, every factor id and the arithmetic), each row read as ``ctx`` says (per patient, a year).

    A row that cannot be read or computed keeps its place with ``error`` set and NaN figures; a
    kind whose computation fails for a reason of its own (a pathway with rows in error, no imported
    data) marks all its rows; a kind that checks its rows set-wise (against a reference table) may
    return an ``error`` column marking only the rows it could not compute. Raises ``CarbonError`` for
    an unknown GWP basis.
    """
    lib = fx.library(store)
    if basis not in lib.bases.index:
        raise CarbonError(f"unknown GWP basis {basis!r}; choose one of {', '.join(sorted(lib.bases.index))}")
    frame = pd.DataFrame(rows)
    frame = frame.reindex(columns=list(dict.fromkeys(["position", *FIELDS, *frame.columns])))
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    if frame["position"].isna().all():
        frame["position"] = range(1, len(frame) + 1)
    frame["kind"] = frame["kind"].fillna("factor").astype(str).str.strip().str.lower().replace("", "factor")
    parts, errors = [], []
    for name, group in frame.groupby("kind", sort=False):  # one pass per kind, a handful of kinds
        try:
            kind = get(name)
            if ctx.name not in kind.contexts:
                raise CarbonError(f"kind {name!r} cannot be used {ctx.words}; use one of {', '.join(names(ctx.name))}")
        except CarbonError as exc:
            errors += [(p, name, str(exc)) for p in group["position"]]
            continue
        parsed = []
        for row in group.to_dict("records"):  # each row's typed text is read by pint, row by row
            try:
                parsed.append({"position": row["position"], **kind.parse(lib, row, ctx)})
            except (ValueError, KeyError, pint.errors.PintError) as exc:
                errors.append((row["position"], name, _message(exc)))
        if not parsed:
            continue
        try:
            out = kind.compute(store, lib, pd.DataFrame(parsed), basis, ctx)
        except (ValueError, KeyError, pint.errors.PintError) as exc:
            errors += [(r["position"], name, _message(exc)) for r in parsed]
            continue
        out = out.assign(kind=name)
        # a set-wise kind may mark rows it could not compute (NaN figures, ``error`` saying why)
        own = out["error"].fillna("").astype(str) if "error" in out.columns else pd.Series("", index=out.index)
        out["error"] = own.where(own != "", _implausible(out, ctx))
        parts.append(out)
    if errors:
        bad = pd.DataFrame(errors, columns=["position", "kind", "error"])
        for col in COLUMNS:
            if col not in bad:
                bad[col] = float("nan") if col in NUMBERS else ""
        parts.append(bad[COLUMNS])
    result = pd.concat([p for p in parts if len(p)], ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    result = result.sort_values("position", kind="stable").reset_index(drop=True)
    for col in NUMBERS:
        result[col] = pd.to_numeric(result[col], errors="coerce").where(result["error"] == "")
    return result[COLUMNS]
