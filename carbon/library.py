"""A factor library resolved on a GWP basis: the value, range and arithmetic of any factor or constant.

``Library`` holds the validated tables (sources, bases, constants, factors) and the active local
overrides. A derived factor carries a formula (``carbon.formula``); its value on basis B is the
formula evaluated with B's GWPs, and its low/high are the published range scaled by the same ratio.
``explain`` writes the arithmetic in plain English ("how was this calculated?").

The store-facing side (reading ``factors/``, loading it into DuckDB, the cache per store) is
``carbon.factors``; this module needs no store.
"""

from __future__ import annotations

import ast
import threading
from dataclasses import dataclass

import pandas as pd
import pint

from carbon import citations
from carbon.errors import CarbonError
from carbon.formatting import magnitude, quantity
from carbon.formula import SELF, Formula, FormulaError
from carbon.units import convert, denominator, parse_unit, ureg

DEFAULT_BASIS = "AR5"


class FactorNotFound(CarbonError, KeyError):
    """No factor or constant with this id."""

    def __init__(self, fid: str):
        self.fid = fid
        super().__init__(f"no factor with id {fid!r} (try `carbon factors search`)")

    def __str__(self) -> str:
        return self.message()


@dataclass
class Resolved:
    """A factor's figure on one basis: central, low and high in the row's unit."""

    id: str
    value: pint.Quantity
    low: pint.Quantity
    high: pint.Quantity
    basis_used: str | None
    derived: bool
    overridden: bool


class Library:
    """The library as held in the store (or freshly read), able to resolve any factor on a basis."""

    def __init__(self, sources, bases, constants, factors, overrides: pd.DataFrame | None = None):
        """The library tables as DataFrames; ``overrides`` are the active local overrides (none if None)."""
        overrides = pd.DataFrame(columns=["factor_id", "value", "low", "high", "who", "reason", "created_at"]) \
            if overrides is None else overrides
        self.sources = sources.set_index("id", drop=False)
        self.bases = bases.set_index("id", drop=False)
        self.constants = constants.set_index("id", drop=False)
        self.factors = factors.set_index("id", drop=False)
        self.overrides = overrides.set_index("factor_id", drop=False) if len(overrides) else overrides
        self._formulas: dict[str, Formula] = {}
        self._memo: dict[tuple[str, str], Resolved] = {}
        self._frames: dict[str, pd.DataFrame] = {}
        self._lock = threading.Lock()
        self._rows: dict[str, dict] | None = None

    # -- single factors ----------------------------------------------------------------------
    def row(self, fid: str) -> dict:
        """A factor's (or else a constant's) row, as a dict: read per field while resolving, so the
        tables are turned into dicts once rather than indexed row by row (a third of a basis's cost)."""
        rows = self._rows
        if rows is None:
            rows = self._rows = {**self.constants.to_dict("index"), **self.factors.to_dict("index")}
        try:
            return rows[fid]
        except KeyError:
            raise FactorNotFound(fid) from None

    def is_constant(self, fid: str) -> bool:
        return fid in self.constants.index

    def formula(self, fid: str) -> Formula | None:
        text = self.row(fid).get("formula")
        if not isinstance(text, str) or not text.strip():
            return None
        if fid not in self._formulas:
            self._formulas[fid] = Formula.parse(text)
        return self._formulas[fid]

    def override(self, fid: str) -> pd.Series | None:
        if len(self.overrides) and fid in self.overrides.index:
            o = self.overrides.loc[fid]
            return o.iloc[-1] if isinstance(o, pd.DataFrame) else o
        return None

    def gwp_id(self, substance: str, basis: str) -> tuple[str, str]:
        """The GWP factor id for a substance on a basis, following the basis fallbacks."""
        tried = []
        b = basis
        while b and b not in tried:
            fid = f"gwp_{substance}_{b.lower()}"
            if fid in self.factors.index:
                return fid, b
            tried.append(b)
            fb = self.bases.loc[b, "fallback"] if b in self.bases.index else None
            b = fb if isinstance(fb, str) and fb else None
        raise FormulaError(f"no GWP for {substance!r} on {basis} (tried {', '.join(tried)})")

    def quantity(self, fid: str, basis: str = DEFAULT_BASIS) -> Resolved:
        """Central, low and high of a factor or constant on ``basis``, with overrides applied."""
        key = (fid, basis)
        if key in self._memo:
            return self._memo[key]
        res = self._resolve(fid, basis, ())
        self._memo[key] = res
        return res

    def _resolve(self, fid: str, basis: str, stack: tuple) -> Resolved:
        if (fid, basis) in self._memo:
            return self._memo[(fid, basis)]
        if fid in stack:
            raise FormulaError(f"formula cycle: {' -> '.join(stack + (fid,))}")
        row = self.row(fid)
        unit = parse_unit(row["unit"])
        own_basis = row.get("gwp_basis") if isinstance(row.get("gwp_basis"), str) and row.get("gwp_basis") else None
        ov = self.override(fid)
        if ov is not None:
            res = Resolved(fid, ureg.Quantity(ov["value"], unit), ureg.Quantity(ov["low"], unit),
                           ureg.Quantity(ov["high"], unit), own_basis, False, True)
        else:
            f = self.formula(fid)
            published = ureg.Quantity(float(row["value"]), unit)
            if f is None:
                res = Resolved(fid, published, ureg.Quantity(float(row["low"]), unit),
                               ureg.Quantity(float(row["high"]), unit), own_basis, False, False)
            else:
                on_basis: list[bool] = []

                def name(n):
                    if n == SELF:
                        return published
                    dep = self._resolve(n, basis, stack + (fid,))
                    on_basis.append(dep.derived and dep.basis_used == basis)
                    return dep.value

                def gwp(sub, fixed):
                    gid, b = self.gwp_id(sub, fixed or basis)
                    on_basis.append(fixed is None)
                    return self._resolve(gid, b, stack + (fid,)).value

                value = convert(f.evaluate(name, gwp), unit, f"formula of {fid}")
                ratio_lo = float(row["low"]) / float(row["value"]) if float(row["value"]) else 1.0
                ratio_hi = float(row["high"]) / float(row["value"]) if float(row["value"]) else 1.0
                basis_used = basis if any(on_basis) else own_basis
                res = Resolved(fid, value, value * ratio_lo, value * ratio_hi, basis_used, True, False)
        self._memo[(fid, basis)] = res
        return res

    # -- the whole library -------------------------------------------------------------------
    def resolve(self, basis: str = DEFAULT_BASIS) -> pd.DataFrame:
        """Every factor on ``basis``: a tidy frame for tables, joins in DuckDB and exports.

        Columns: id, category, name, value, low, high, unit, per (the denominator unit),
        kgCO2e_per / kgCO2e_per_low / kgCO2e_per_high (kgCO2e per one ``per``), gwp_basis
        (as published), basis_used, derived, overridden, source, source_title, address, year,
        region, notes, formula.

        Worked out once per basis for this library (a library is rebuilt whenever the files or an
        override change); callers get their own copy.
        """
        frame = self._frames.get(basis)
        if frame is None:
            frame = self._frames[basis] = self._resolve_all(basis)
        return frame.copy()

    def _resolve_all(self, basis: str) -> pd.DataFrame:
        out = []
        sources = self.sources.to_dict("index")
        for fid in self.factors.index:
            row = self.row(fid)
            r = self.quantity(fid, basis)
            per = denominator(row["unit"])
            kg = lambda q: float(convert(q, ureg.kgCO2e / per, fid).magnitude)  # noqa: E731
            src = sources.get(row["source"])
            out.append({
                "id": fid, "category": row["category"], "name": row["name"],
                "value": float(r.value.magnitude), "low": float(r.low.magnitude), "high": float(r.high.magnitude),
                "unit": row["unit"], "per": f"{per:~P}" if str(per) else "",
                "kgCO2e_per": kg(r.value), "kgCO2e_per_low": kg(r.low), "kgCO2e_per_high": kg(r.high),
                "gwp_basis": row["gwp_basis"], "basis_used": r.basis_used,
                "derived": r.derived, "overridden": r.overridden,
                "source": row["source"],
                "source_title": None if src is None else f"{src['publisher']}, {src['title']} ({src['year']})",
                "address": None if src is None else src["address"],
                "year": row["year"], "region": row["region"], "notes": row["notes"], "formula": row["formula"],
            })
        return pd.DataFrame(out)

    # -- how was this calculated? ------------------------------------------------------------
    def explain(self, fid: str, basis: str = DEFAULT_BASIS) -> list[str]:
        """Plain-English lines that trace a factor back to its inputs and sources."""
        row = self.row(fid)
        r = self.quantity(fid, basis)
        lines = []
        src = self._cite(row["source"])
        ov = self.override(fid)
        if ov is not None:
            lines.append(
                f"Local override: {quantity(r.value)} (range {magnitude(r.low)}–{magnitude(r.high)}), set by {ov['who']} "
                f"on {pd.Timestamp(ov['created_at']):%d %b %Y %H:%M}: “{ov['reason']}”."
            )
            lines.append(f"Shipped figure: {quantity(ureg.Quantity(float(row['value']), parse_unit(row['unit'])))} from {src}.")
            return lines
        f = self.formula(fid)
        if f is None:
            basis_txt = f" on {row['gwp_basis']}" if isinstance(row.get("gwp_basis"), str) and row.get("gwp_basis") else ""
            lines.append(f"Published figure{basis_txt}: {quantity(r.value)} (range {magnitude(r.low)}–{magnitude(r.high)}), from {src}.")
            if basis_txt and row["gwp_basis"] != basis and not self.is_constant(fid):
                lines.append(
                    f"This figure is published on {row['gwp_basis']} only and is not re-based to {basis}: "
                    "it mixes several gases, so it cannot be converted."
                )
            return lines
        lines.append(f"Derived: {fid} = {f.text}")
        lines.append(f"= {f.substituted(lambda node: self._show(node, fid, basis))}")
        lines.append(f"= {quantity(r.value)} on {basis} (range {magnitude(r.low)}–{magnitude(r.high)}, the published range scaled).")
        for n in sorted(f.names - {SELF}):
            nr = self.row(n)
            lines.append(f"where {n} = {quantity(self.quantity(n, basis).value)}: {nr['name']} ({self._cite(nr['source'])})")
        for sub, fixed in sorted(f.substances, key=lambda s: (s[0], s[1] or "")):
            gid, b = self.gwp_id(sub, fixed or basis)
            note = "" if b == (fixed or basis) else f" (no {fixed or basis} value; {b} used)"
            lines.append(f"where gwp({sub}{', ' + fixed if fixed else ''}) = {quantity(self.quantity(gid, b).value)} on {b}{note}: {self._cite(self.row(gid)['source'])}")
        pub_basis = row["gwp_basis"] if isinstance(row.get("gwp_basis"), str) and row.get("gwp_basis") else None
        pub = ureg.Quantity(float(row["value"]), parse_unit(row["unit"]))
        lines.append(f"Published/reference figure{' on ' + pub_basis if pub_basis else ''}: {quantity(pub)} ({src}).")
        return lines

    def _show(self, node, fid, basis) -> str:
        if isinstance(node, ast.Name):
            if node.id == SELF:
                return f"{quantity(ureg.Quantity(float(self.row(fid)['value']), parse_unit(self.row(fid)['unit'])))} (published)"
            return f"{quantity(self.quantity(node.id, basis).value)}"
        if node.func.id == "q":
            return node.args[0].value
        sub = node.args[0].id
        fixed = node.args[1].id if len(node.args) == 2 else None
        gid, b = self.gwp_id(sub, fixed or basis)
        return f"{quantity(self.quantity(gid, b).value)}"

    def _cite(self, sid: str) -> str:
        return citations.source(self, sid)
