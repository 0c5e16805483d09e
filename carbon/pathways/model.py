"""A care pathway as a document: its activities per patient, its cohort, and its files.

A pathway has a name, a condition, a cohort (patients a year) and activities. Each activity is one
kind of line from the registry (``carbon.kinds``), always per patient: ``factor`` (a quantity of a
library factor, optionally a rate over a ``duration``), ``travel`` (journeys of a ``distance`` by a
travel mode), ``anaesthetic`` (time at a fresh gas flow of an agent) or ``purchase`` (agent bought).

Templates ship as TOML files in ``factors/templates/``; TOML and JSON are also the export format.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import pandas as pd
import tomli_w

from carbon import bounds, documents
from carbon import factors as fx
from carbon.errors import CarbonError
from carbon.kinds.base import blank, truthy
from carbon.units import UnitError

MAX_NAME = 120


class PathwayError(CarbonError):
    """A pathway that cannot be saved, imported or found; ``problems`` names each bad row."""


class PathwayConflict(PathwayError):
    """Someone else saved a pathway of this name after it was opened here: nothing was written."""


@dataclass
class Activity:
    """One thing done for each patient on the pathway (see the module docstring for the kinds)."""

    stage: str = ""
    activity: str = ""
    kind: str = "factor"
    factor: str = ""
    quantity: str = ""
    duration: str = ""
    distance: str = ""
    return_trip: bool = False
    occupancy: str = ""
    fgf: str = ""
    concentration: str = ""
    note: str = ""
    source: str = ""

    @classmethod
    def from_dict(cls, d: dict, where: str = "activity") -> "Activity":
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise PathwayError(f"{where}: unknown field(s) {', '.join(unknown)}; fields are {', '.join(sorted(names))}")
        clean = {}
        for k, v in d.items():
            if k == "return_trip":
                clean[k] = truthy(v)
            else:
                clean[k] = _text(v)
        return cls(**clean)


ACTIVITY_COLUMNS = [f.name for f in fields(Activity)]


@dataclass
class Pathway:
    """A care pathway: activities per patient, and the cohort of patients a year who follow it."""

    name: str
    condition: str = ""
    cohort: float = 1.0
    description: str = ""
    assumptions: list[str] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    is_template: bool = False
    template_id: str | None = None
    saved_at: str | None = None  # the stored version this copy was loaded from (see ``save``)

    def activities_frame(self) -> pd.DataFrame:
        """The activities as a table (one row each, the columns of ``Activity``) for editing."""
        return pd.DataFrame([asdict(a) for a in self.activities], columns=ACTIVITY_COLUMNS)

    def with_activities(self, frame: pd.DataFrame) -> "Pathway":
        """A copy with the activities of an edited table (blank rows dropped)."""
        records = frame.reindex(columns=ACTIVITY_COLUMNS).to_dict("records")
        acts = [Activity.from_dict(r) for r in records]
        acts = [a for a in acts if any(getattr(a, c) for c in ("activity", "factor", "quantity"))]
        return replace(self, activities=acts)

    def to_dict(self) -> dict:
        """Plain data for TOML or JSON (the file format of templates and exports)."""
        return {
            "name": self.name,
            "condition": self.condition,
            "cohort": self.cohort,
            "description": self.description,
            "assumptions": list(self.assumptions),
            "activity": [asdict(a) for a in self.activities],
        }

    @classmethod
    def from_dict(cls, d: dict, origin: str = "pathway") -> "Pathway":
        known = {"name", "condition", "cohort", "description", "assumptions", "activity"}
        unknown = sorted(set(d) - known)
        if unknown:
            raise PathwayError(f"{origin}: unknown field(s) {', '.join(unknown)}; fields are {', '.join(sorted(known))}")
        if not isinstance(d.get("name", ""), str):
            raise PathwayError(f"{origin}: the name must be text, e.g. name = \"Our asthma clinic\"")
        name = _text(d.get("name"))
        if not name:
            raise PathwayError(f"{origin}: the pathway has no name")
        for what, text in (("the name", name), ("the condition", _text(d.get("condition")))):
            why = bounds.text_problem(text, what, 2000)  # a file's name is shown and saved: no NUL byte in it
            if why:
                raise PathwayError(f"{origin}: {why}")
        acts = d.get("activity", [])
        if not isinstance(acts, list) or not all(isinstance(a, dict) for a in acts):
            raise PathwayError(f"{origin}: 'activity' must be a list of tables ([[activity]] in TOML)")
        assumptions = d.get("assumptions", [])
        if isinstance(assumptions, str):
            assumptions = [line for line in assumptions.splitlines() if line.strip()]
        if not isinstance(assumptions, list):
            raise PathwayError(f"{origin}: 'assumptions' must be a list of sentences, e.g. assumptions = [\"...\"]")
        problems, parsed = [], []
        for i, a in enumerate(acts, start=1):
            try:
                parsed.append(Activity.from_dict(a, f"{origin}, activity {i}"))
            except PathwayError as exc:
                problems += exc.problems
        if problems:
            raise PathwayError(problems)
        return cls(
            name=name,
            condition=_text(d.get("condition")),
            cohort=_cohort(d.get("cohort", 1), origin),
            description=_text(d.get("description")),
            assumptions=[_text(a) for a in assumptions],
            activities=parsed,
        )


def _text(v) -> str:
    return "" if blank(v) else str(v).strip()


def _cohort(v, origin: str) -> float:
    try:
        c = float(v)
    except (TypeError, ValueError):
        raise PathwayError(f"{origin}: cohort {v!r} is not a number of patients a year") from None
    if not math.isfinite(c) or c <= 0:
        raise PathwayError(f"{origin}: cohort must be a number of patients a year above zero (got {v!r})")
    try:
        bounds.check("cohort", c, f"{origin}: cohort", shown=v if isinstance(v, str) else f"{c:,.0f}")
    except UnitError as exc:
        raise PathwayError(str(exc)) from None
    return c


def from_toml(text: str, origin: str = "TOML file") -> Pathway:
    return Pathway.from_dict(documents.load(text, origin, ".toml", PathwayError), origin)


def to_toml(pathway: Pathway) -> str:
    return tomli_w.dumps(pathway.to_dict())


def from_json(text: str, origin: str = "JSON file") -> Pathway:
    return Pathway.from_dict(documents.load(text, origin, ".json", PathwayError), origin)


def to_json(pathway: Pathway) -> str:
    return json.dumps(pathway.to_dict(), indent=2, ensure_ascii=False)


def from_file(data: bytes | str, file_name: str) -> Pathway:
    """A pathway from an uploaded or local file, read by its extension (.toml or .json), within the
    bounds of ``carbon.documents`` (size, encoding, nesting)."""
    return Pathway.from_dict(documents.load(data, file_name, error=PathwayError), file_name)


def templates_dir() -> Path:
    return fx.factors_dir() / "templates"


def template_files() -> list[Path]:
    d = templates_dir()
    return sorted(d.glob("*.toml")) if d.is_dir() else []


def read_template(path: Path) -> Pathway:
    p = from_toml(path.read_text(encoding="utf-8"), f"templates/{path.name}")
    return replace(p, is_template=True, template_id=path.stem)


def templates() -> list[Pathway]:
    """Every shipped template, read from the files (not the store)."""
    return [read_template(p) for p in template_files()]
