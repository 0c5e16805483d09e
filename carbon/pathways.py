"""Care pathways: what the care of one patient emits, per patient and per year, and where.

A pathway has a name, a condition, a cohort (patients a year) and activities. Each activity is
one of four kinds, always per patient:

* ``factor``: ``quantity`` of a library factor, optionally a rate over a ``duration``
  (``2 inhaler/month`` for ``12 month``; ``0.05 kWh/appointment`` for ``3 appointment``); pint
  converts the amount to the factor's "per" unit, so a wrong unit is an error on that row;
* ``travel``: ``quantity`` journeys (``3 appointment``) of ``distance`` each by the travel factor
  ``factor``, one way or return, shared among ``occupancy`` people (``carbon.travel.journey``);
* ``anaesthetic``: ``quantity`` of anaesthetic time (``90 min``) of agent ``factor`` at fresh gas
  flow ``fgf`` and ``concentration`` (default 1 MAC) (``carbon.anaesthetics.anaesthetic``);
* ``purchase``: ``quantity`` of agent ``factor`` bought (``0.2 bottle``, ``1 cylinder``)
  (``carbon.anaesthetics.purchased``).

Results are tidy frames in kgCO2e with low/high from the factor ranges, cost in pounds where
``factors/prices.csv`` prices the factor, and the ids of every factor used. Templates ship as TOML
files in ``factors/templates/`` and are loaded into the store by ``seed_demo``; people's own
pathways live beside them and are never overwritten by a reload.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pint
import tomli_w

from carbon import anaesthetics, travel
from carbon import factors as fx
from carbon.formatting import co2e
from carbon.units import COUNTABLES, Q_, UnitError, convert, denominator, parse, ureg

KINDS = ("factor", "travel", "anaesthetic", "purchase")
KIND_LABELS = {
    "factor": "Library factor (quantity × factor)",
    "travel": "Journeys (number × distance by a travel mode)",
    "anaesthetic": "Anaesthetic gas (time at a fresh gas flow)",
    "purchase": "Anaesthetic bought (bottles, cylinders, mL, L)",
}
KG_COLUMNS = ["kgCO2e", "kgCO2e_low", "kgCO2e_high"]
MAX_NAME = 120


class PathwayError(ValueError):
    """A pathway that cannot be saved, imported or found; ``problems`` names each bad row."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


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
                clean[k] = _truthy(v)
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
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    return str(v).strip()


def _truthy(v) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "yes", "y", "1", "return")
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return False
    return bool(v)


def _cohort(v, origin: str) -> float:
    try:
        c = float(v)
    except (TypeError, ValueError):
        raise PathwayError(f"{origin}: cohort {v!r} is not a number of patients a year") from None
    if not math.isfinite(c) or c <= 0:
        raise PathwayError(f"{origin}: cohort must be a number of patients a year above zero (got {v!r})")
    return c


# ---------------------------------------------------------------------------------------------
# Files: TOML (templates, exports) and JSON
# ---------------------------------------------------------------------------------------------
def from_toml(text: str, origin: str = "TOML file") -> Pathway:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PathwayError(f"{origin}: not valid TOML ({exc})") from None
    return Pathway.from_dict(data, origin)


def to_toml(pathway: Pathway) -> str:
    return tomli_w.dumps(pathway.to_dict())


def from_json(text: str, origin: str = "JSON file") -> Pathway:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PathwayError(f"{origin}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise PathwayError(f"{origin}: a pathway file holds one object with name, cohort and activity")
    return Pathway.from_dict(data, origin)


def to_json(pathway: Pathway) -> str:
    return json.dumps(pathway.to_dict(), indent=2, ensure_ascii=False)


def from_file(data: bytes | str, file_name: str) -> Pathway:
    """A pathway from an uploaded or local file, read by its extension (.toml or .json)."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise PathwayError(f"{file_name}: not a text file in UTF-8 (save it as TOML or JSON text)") from None
    suffix = Path(file_name).suffix.lower()
    if suffix == ".toml":
        return from_toml(text, file_name)
    if suffix == ".json":
        return from_json(text, file_name)
    raise PathwayError(f"{file_name}: a pathway file must end in .toml or .json")


# ---------------------------------------------------------------------------------------------
# Templates shipped in factors/templates/
# ---------------------------------------------------------------------------------------------
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


def _templates_digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for path in files:
        h.update(path.name.encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def seed_demo(store) -> bool:
    """Load the shipped templates into the store when the template files changed; True if loaded.

    Cheap when nothing changed (one hash of a few small files and one query). Only template rows
    are replaced: a pathway someone saved is never touched, even if a template has its name
    (the template is then left out until the name is free).
    """
    files = template_files()
    digest = _templates_digest(files)
    row = store.execute("SELECT value FROM pathway_meta WHERE key = 'templates_hash'").fetchone()
    if row and row[0] == digest:
        return False
    shipped = [read_template(p) for p in files]
    with store.transaction() as cur:
        users = {r[0] for r in cur.execute("SELECT name FROM pathway WHERE NOT is_template").fetchall()}
        cur.execute("DELETE FROM pathway_activity WHERE pathway IN (SELECT name FROM pathway WHERE is_template)")
        cur.execute("DELETE FROM pathway WHERE is_template")
        for p in shipped:
            if p.name not in users:
                _insert(cur, p, "shipped template")
        cur.execute("INSERT OR REPLACE INTO pathway_meta VALUES ('templates_hash', ?)", [digest])
    return True


def _insert(cur, p: Pathway, who: str) -> None:
    cur.execute(
        "INSERT INTO pathway (name, template_id, condition, description, cohort, assumptions, is_template,"
        " created_by, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [p.name, p.template_id, p.condition, p.description, float(p.cohort), "\n".join(p.assumptions),
         bool(p.is_template), who, who],
    )
    _insert_activities(cur, p)


def _insert_activities(cur, p: Pathway) -> None:
    frame = p.activities_frame()
    if frame.empty:
        return
    frame.insert(0, "position", range(1, len(frame) + 1))
    frame.insert(0, "pathway", p.name)
    frame["return_trip"] = frame["return_trip"].astype(bool)
    cur.register("incoming_activities", frame)
    cols = ", ".join(frame.columns)
    cur.execute(f"INSERT INTO pathway_activity ({cols}) SELECT {cols} FROM incoming_activities")
    cur.unregister("incoming_activities")


# ---------------------------------------------------------------------------------------------
# The store: list, load, save, duplicate, delete
# ---------------------------------------------------------------------------------------------
def list_pathways(store) -> pd.DataFrame:
    """Every pathway in the store: name, condition, cohort, is_template, template_id, activities
    (count), updated_by, updated_at; templates first, then by name."""
    return store.df(
        "SELECT p.name, p.condition, p.cohort, p.is_template, p.template_id, count(a.position) AS activities,"
        " p.description, p.updated_by, p.updated_at"
        " FROM pathway p LEFT JOIN pathway_activity a ON a.pathway = p.name"
        " GROUP BY ALL ORDER BY p.is_template DESC, p.name"
    )


def load(store, name: str) -> Pathway:
    """A pathway by its name (or a template by its file id, e.g. ``asthma_pmdi``)."""
    row = store.execute(
        "SELECT name, condition, cohort, description, assumptions, is_template, template_id, updated_at FROM pathway"
        " WHERE name = ? OR (is_template AND template_id = ?) ORDER BY name = ? DESC LIMIT 1",
        [name, name, name],
    ).fetchone()
    if row is None:
        raise PathwayError(f"no pathway called {name!r} (see `carbon pathway list`)")
    acts = store.df(
        f"SELECT {', '.join(ACTIVITY_COLUMNS)} FROM pathway_activity WHERE pathway = ? ORDER BY position", [row[0]]
    )
    return Pathway(
        name=row[0], condition=row[1], cohort=float(row[2]), description=row[3],
        assumptions=[a for a in (row[4] or "").split("\n") if a], is_template=bool(row[5]), template_id=row[6],
        activities=[Activity.from_dict(r) for r in acts.to_dict("records")], saved_at=str(row[7]),
    )


def exists(store, name: str) -> bool:
    return store.execute("SELECT count(*) FROM pathway WHERE name = ?", [name]).fetchone()[0] > 0


def validate(store, pathway: Pathway, basis: str = fx.DEFAULT_BASIS) -> list[str]:
    """Why ``pathway`` cannot be saved (empty list when it can): name, cohort, and every row whose
    quantity, unit or factor does not work, named by its position and label."""
    problems = []
    name = pathway.name.strip()
    if not name:
        problems.append("give the pathway a name")
    elif len(name) > MAX_NAME:
        problems.append(f"the name is {len(name)} characters long; keep it under {MAX_NAME}")
    try:
        _cohort(pathway.cohort, "pathway")
    except PathwayError as exc:
        problems += exc.problems
    if not pathway.activities:
        problems.append("add at least one activity")
        return problems
    fp = footprint(store, pathway, basis)
    bad = fp[fp["error"] != ""]
    problems += [f"row {p}: {e}" for p, e in zip(bad["position"], bad["error"])]
    return problems


def save(store, pathway: Pathway, who: str, basis: str = fx.DEFAULT_BASIS,
         opened: Pathway | None = None) -> Pathway:
    """Save ``pathway`` under its name (replacing that saved pathway, never a template).

    The whole pathway is checked first (every row must compute); nothing is written if any row
    fails, and PathwayError lists each failing row.

    ``opened`` is the pathway as it was loaded before editing (what an editor passes): then the save
    only replaces the stored pathway if it is still the version that was opened, and a new name
    must still be free. Otherwise (two people saving at once) it raises PathwayConflict and writes
    nothing, so neither person's work is lost. Without ``opened`` a save replaces (file imports, CLI).
    """
    pathway = replace(pathway, name=pathway.name.strip(), is_template=False)
    problems = validate(store, pathway, basis)
    if problems:
        raise PathwayError(problems)
    who = (who or "").strip() or "anonymous"
    with store.transaction() as cur:
        row = cur.execute("SELECT is_template, updated_at, updated_by FROM pathway WHERE name = ?",
                          [pathway.name]).fetchone()
        if row and row[0]:
            raise PathwayError(f"{pathway.name!r} is a shipped template; save your version under another name")
        if row and opened is not None:
            same = opened.name.strip() == pathway.name and not opened.is_template
            if not same or opened.saved_at != str(row[1]):
                raise PathwayConflict(
                    f"{row[2] or 'someone'} saved a pathway called {pathway.name!r} at {str(row[1])[:19]} "
                    + ("after you opened it" if same else "while you were editing")
                    + "; nothing was overwritten and your edits are still here: save them under another name, "
                    "or open the pathway again to see the saved version")
        if row:
            cur.execute(
                "UPDATE pathway SET condition = ?, description = ?, cohort = ?, assumptions = ?, updated_by = ?,"
                " updated_at = current_timestamp WHERE name = ?",
                [pathway.condition, pathway.description, float(pathway.cohort), "\n".join(pathway.assumptions),
                 who, pathway.name],
            )
            cur.execute("DELETE FROM pathway_activity WHERE pathway = ?", [pathway.name])
            _insert_activities(cur, pathway)
        else:
            _insert(cur, pathway, who)
        stamp = cur.execute("SELECT updated_at FROM pathway WHERE name = ?", [pathway.name]).fetchone()[0]
    return replace(pathway, saved_at=str(stamp))


def duplicate(store, name: str, new_name: str, who: str, basis: str = fx.DEFAULT_BASIS) -> Pathway:
    """Save a copy of pathway ``name`` as ``new_name`` (a template becomes an editable pathway)."""
    new_name = (new_name or "").strip()
    if exists(store, new_name):
        raise PathwayError(f"there is already a pathway called {new_name!r}; choose another name")
    copy = replace(load(store, name), name=new_name, is_template=False, template_id=None)
    return save(store, copy, who, basis, opened=replace(copy, name="", saved_at=None))


def delete(store, name: str) -> bool:
    """Delete a saved pathway; templates cannot be deleted. True if one was deleted."""
    with store.transaction(needs="admin") as cur:
        row = cur.execute("SELECT is_template FROM pathway WHERE name = ?", [name]).fetchone()
        if row is None:
            return False
        if row[0]:
            raise PathwayError(f"{name!r} is a shipped template and cannot be deleted")
        cur.execute("DELETE FROM pathway_activity WHERE pathway = ?", [name])
        cur.execute("DELETE FROM pathway WHERE name = ?", [name])
    return True


def resolve(store, name_or_file: str) -> Pathway:
    """A pathway from a .toml/.json file path if one exists, else from the store by name."""
    path = Path(name_or_file)
    if path.suffix.lower() in (".toml", ".json") and path.is_file():
        return from_file(path.read_bytes(), path.name)
    return load(store, name_or_file)


# ---------------------------------------------------------------------------------------------
# Footprint
# ---------------------------------------------------------------------------------------------
FOOTPRINT_COLUMNS = [
    "position", "stage", "category", "activity", "kind", "factor", "factor_name", "quantity_text",
    "amount", "amount_unit", "kgCO2e", "kgCO2e_low", "kgCO2e_high", "cost_gbp", "gwp_basis",
    "factor_ids", "steps", "note", "source", "error",
]


def _q(text: str, what: str) -> pint.Quantity:
    if not text:
        raise UnitError(f"{what} is empty")
    return parse(text)


def _amount(a: Activity) -> pint.Quantity:
    """The activity's total per patient: quantity, times duration when it is a rate."""
    q = _q(a.quantity, "quantity")
    if a.duration:
        q = q * _q(a.duration, "duration (or count)")
    if not math.isfinite(q.magnitude):
        for_duration = f" for {a.duration!r}" if a.duration else ""
        raise UnitError(f"quantity {a.quantity!r}{for_duration} is not a finite number")
    if q.magnitude < 0:
        raise UnitError(f"quantity {a.quantity!r} cannot be negative")
    return q


def _count(q: pint.Quantity) -> float:
    """A number of things (``3``, ``3 appointment``, ``1 journey/month`` × ``12 month``)."""
    if q.dimensionless:
        return float(q.to("dimensionless").magnitude)
    dims = dict(q.dimensionality)
    if len(dims) == 1 and next(iter(dims.values())) == 1 and next(iter(dims)).strip("[]") in COUNTABLES:
        return float(q.to_base_units().magnitude)
    raise UnitError(f"{q:~P} is not a number of journeys: write e.g. '3 appointment' or '3 journey'")


def _label(a: Activity, position: int) -> str:
    return a.activity or a.factor or f"row {position}"


def _factor_table(lib: fx.Library, ids: list[str], basis: str) -> pd.DataFrame:
    """kgCO2e per one 'per' unit (central, low, high) of each library factor in ``ids``."""
    out = []
    for fid in dict.fromkeys(ids):  # the distinct factors of one pathway, not data rows
        if fid not in lib.factors.index:
            continue
        row = lib.factors.loc[fid]
        r = lib.quantity(fid, basis)
        per = denominator(row["unit"])
        unit = ureg.kgCO2e / per
        out.append({
            "factor": fid, "category": row["category"], "factor_name": row["name"], "per": per,
            "per_text": f"{per:~P}", "kg_per": float(r.value.to(unit).magnitude),
            "kg_per_low": float(r.low.to(unit).magnitude), "kg_per_high": float(r.high.to(unit).magnitude),
            "basis_used": r.basis_used or basis,
        })
    return pd.DataFrame(out, columns=["factor", "category", "factor_name", "per", "per_text", "kg_per",
                                      "kg_per_low", "kg_per_high", "basis_used"])


def _price_table(store) -> pd.DataFrame:
    """Prices (GBP per the price row's unit) with the unit each is per."""
    try:
        prices = fx.reference(store, "prices")
    except Exception:  # no prices.csv in this library (a fixture library): costs are unknown
        return pd.DataFrame(columns=["factor", "price", "price_per"])
    per = {u: (Q_(1, "GBP") / Q_(1, u)).to_reduced_units().units for u in prices["unit"].unique()}
    return pd.DataFrame({"factor": prices["factor_id"], "price": prices["value"].astype(float),
                         "price_per": prices["unit"].map(per)}).drop_duplicates("factor")


def _in(q: pint.Quantity | None, unit) -> float:
    if q is None or unit is None or (isinstance(unit, float) and math.isnan(unit)):
        return math.nan
    try:
        return float(q.to(unit).magnitude)
    except pint.DimensionalityError:
        return math.nan


def footprint(store, pathway: Pathway, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """One row per activity, per patient: stage, category, activity, quantity_text, amount (in the
    factor's unit), kgCO2e with low/high, cost_gbp (NaN where no price), gwp_basis used,
    factor_ids (comma-separated), steps (the arithmetic) and ``error`` ("" when the row computed;
    otherwise why, naming the activity, with kgCO2e NaN)."""
    lib = fx.library(store)
    if basis not in lib.bases.index:
        raise PathwayError(f"unknown GWP basis {basis!r}; choose one of {', '.join(sorted(lib.bases.index))}")
    acts = pathway.activities
    frame = pathway.activities_frame()
    frame.insert(0, "position", range(1, len(frame) + 1))
    if frame.empty:
        return pd.DataFrame(columns=FOOTPRINT_COLUMNS)

    table = _factor_table(lib, [a.factor for a in acts if a.kind == "factor"], basis)
    per = dict(zip(table["factor"], table["per"]))
    # Each row's own text is parsed by pint (people type it row by row); the arithmetic is then
    # done on whole columns.
    parsed = [_parse_row(store, lib, a, i, per, basis) for i, a in enumerate(acts, start=1)]
    rows = pd.DataFrame(parsed)
    out = frame[["position", "stage", "activity", "kind", "factor", "note", "source"]].copy()
    out = out.join(rows)

    f = out[["factor"]].merge(table, on="factor", how="left")
    is_factor = (out["kind"] == "factor") & (out["error"] == "")
    for col, src in zip(KG_COLUMNS, ("kg_per", "kg_per_low", "kg_per_high")):
        out[col] = out[col].where(~is_factor, out["amount"] * f[src].to_numpy())
    factor_row = (out["kind"] == "factor").to_numpy()
    out["category"] = np.where(factor_row, f["category"].fillna("other"), out["category"])
    out["factor_name"] = np.where(factor_row, f["factor_name"].fillna(""), out["factor_name"])
    out["gwp_basis"] = np.where(factor_row, f["basis_used"].fillna(""), out["gwp_basis"])
    out["amount_unit"] = np.where(factor_row, f["per_text"].fillna(""), out["amount_unit"])
    out["steps"] = out["steps"].where(
        ~is_factor,
        out["quantity_text"] + " × " + f["kg_per"].map(lambda v: f"{v:,.4g}").to_numpy() + " kgCO2e/"
        + f["per_text"].fillna("").to_numpy() + " = " + out["kgCO2e"].map(lambda v: f"{v:,.4g}") + " kgCO2e",
    )

    prices = _price_table(store)
    pr = out[["factor"]].merge(prices, on="factor", how="left")
    priced_amount = pd.Series(
        [_in(q, u) for q, u in zip(rows["_amount_q"], pr["price_per"])], index=out.index, dtype=float
    )
    out["cost_gbp"] = (priced_amount * pr["price"].to_numpy()).where(out["error"] == "")
    for col in KG_COLUMNS:
        out[col] = out[col].where(out["error"] == "")
    return out[FOOTPRINT_COLUMNS].reset_index(drop=True)


def _blank(error: str = "") -> dict:
    return {"category": "", "factor_name": "", "quantity_text": "", "amount": math.nan, "amount_unit": "",
            "kgCO2e": math.nan, "kgCO2e_low": math.nan, "kgCO2e_high": math.nan, "gwp_basis": "",
            "factor_ids": "", "steps": "", "error": error, "_amount_q": None}


def _parse_row(store, lib: fx.Library, a: Activity, position: int, per: dict, basis: str) -> dict:
    """Read one activity's text; compute it fully unless it is a plain factor row."""
    label = _label(a, position)
    out = _blank()
    try:
        if a.kind not in KINDS:
            raise UnitError(f"kind {a.kind!r} is not one of {', '.join(KINDS)}")
        if not a.factor:
            raise UnitError("no factor (or agent, or travel mode) given")
        if a.kind == "factor":
            if a.factor not in per:
                raise fx.FactorNotFound(a.factor)
            amount = _amount(a)
            try:
                q = convert(amount, per[a.factor], "quantity")
            except UnitError:
                unit = f"{per[a.factor]:~P}"
                raise UnitError(
                    f"quantity {a.quantity!r}{' for ' + repr(a.duration) if a.duration else ''} cannot be converted "
                    f"to {unit}: {a.factor} is kgCO2e per {unit}; write e.g. '3 {unit}', or a rate such as "
                    f"'2 {unit}/month' with a duration of '12 month'") from None
            text = a.quantity + (f" for {a.duration}" if a.duration else "")
            out.update(quantity_text=f"{text} = {q.magnitude:,.4g} {q.units:~P}" if a.duration else text,
                       amount=float(q.magnitude), factor_ids=a.factor, _amount_q=q)
        elif a.kind == "travel":
            if not a.distance:
                raise UnitError("distance is empty: write the distance of one journey, e.g. '9 mile' or '14.5 km'")
            n = _count(_amount(a))
            r = travel.journey(store, a.factor, a.distance, a.return_trip, a.occupancy or None, basis)
            out.update(_scaled(r, n), category="travel", factor_name=r.mode_name, amount=n, amount_unit="journey",
                       quantity_text=f"{n:g} × {a.distance}{' return' if a.return_trip else ' one way'}"
                       + (f", {a.occupancy} in the vehicle" if a.occupancy else ""),
                       steps="\n".join([f"{n:g} journeys × the journey below:", *r.steps]))
        elif a.kind == "anaesthetic":
            if not a.fgf:
                raise UnitError("fresh gas flow (fgf) is empty: write e.g. '1 L/min'")
            t = _amount(a)
            r = anaesthetics.anaesthetic(store, a.factor, a.fgf, t, a.concentration or None, basis)
            out.update(_scaled(r, 1.0), category="anaesthetic", factor_name=r.agent_name, amount=float(r.agent_kg),
                       amount_unit="kg agent",
                       quantity_text=f"{a.quantity}{' × ' + a.duration if a.duration else ''} at {a.fgf}, "
                       f"{a.concentration or '1 MAC'}", steps="\n".join(r.steps))
        else:
            r = anaesthetics.purchased(store, a.factor, _amount(a), basis)
            out.update(_scaled(r, 1.0), category="anaesthetic", factor_name=r.agent_name, amount=float(r.agent_kg),
                       amount_unit="kg agent", quantity_text=a.quantity + (f" × {a.duration}" if a.duration else ""),
                       steps="\n".join(r.steps))
    except (ValueError, KeyError) as exc:  # UnitError, TravelError, AnaestheticError, FactorNotFound
        msg = str(exc).strip().strip('"')
        return _blank(f"{label}: {msg}")
    return out


def _scaled(r, n: float) -> dict:
    return {"kgCO2e": r.kgCO2e * n, "kgCO2e_low": r.kgCO2e_low * n, "kgCO2e_high": r.kgCO2e_high * n,
            "gwp_basis": getattr(r, "gwp_basis_used", r.gwp_basis), "factor_ids": ", ".join(r.factor_ids)}


def errors(fp: pd.DataFrame) -> list[str]:
    """The per-row problems of a footprint (empty when every row computed)."""
    return [e for e in fp["error"] if e]


def totals(fp: pd.DataFrame, cohort: float, basis: str = fx.DEFAULT_BASIS) -> dict:
    """Per patient and per cohort (× ``cohort`` patients a year): kgCO2e central/low/high, cost in
    pounds (of the priced rows), how many rows are priced, the rows in error and every factor id."""
    ok = fp[fp["error"] == ""]
    per = {c: float(ok[c].sum()) for c in KG_COLUMNS}
    cost = float(ok["cost_gbp"].sum(min_count=1)) if len(ok) else math.nan
    ids = sorted({i.strip() for s in ok["factor_ids"] for i in s.split(",") if i.strip()})
    return {
        **per,
        "cost_gbp": cost,
        "cohort": float(cohort),
        **{f"cohort_{c}": per[c] * cohort for c in KG_COLUMNS},
        "cohort_cost_gbp": cost * cohort,
        "priced_rows": int(ok["cost_gbp"].notna().sum()),
        "rows": int(len(fp)),
        "errors": errors(fp),
        "gwp_basis": basis,
        "factor_ids": ids,
    }


def breakdown(fp: pd.DataFrame, by: str = "category", cohort: float = 1.0) -> pd.DataFrame:
    """kgCO2e (central/low/high) and cost by ``by`` ("category" or "stage"), per patient and for
    the cohort, with each group's share of the total; largest first."""
    ok = fp[fp["error"] == ""]
    g = ok.groupby(by, sort=False)[KG_COLUMNS + ["cost_gbp"]].sum(min_count=1).reset_index()
    total = g["kgCO2e"].sum()
    g["share"] = g["kgCO2e"] / total if total else 0.0
    g["cohort_kgCO2e"] = g["kgCO2e"] * cohort
    return g.sort_values("kgCO2e", ascending=False).reset_index(drop=True)


def delta_text(kg: float) -> str:
    """A difference in kgCO2e for a metric's delta (``-235.5 kgCO2e``, ``+1.2 tCO2e``).

    Starts with an ASCII minus when negative: Streamlit reads the sign from the text, and the
    typographic minus of ``formatting.co2e`` would show a saving as an increase (up arrow, red).
    """
    return co2e(kg, signed=True).replace("\N{MINUS SIGN}", "-", 1)


def equivalence(store, kg: float, basis: str = fx.DEFAULT_BASIS) -> str:
    """``= 120 miles in an average car`` for ``kg`` kgCO2e."""
    return travel.car_equivalent(store, kg, basis)


# ---------------------------------------------------------------------------------------------
# Compare
# ---------------------------------------------------------------------------------------------
def compare(store, pathways: list[Pathway], basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """One row per pathway: per patient and per cohort kgCO2e (central/low/high) and cost, the
    difference from the first pathway, and the number of rows that could not be computed."""
    rows = []
    for p in pathways:  # two to four pathways
        t = totals(footprint(store, p, basis), p.cohort, basis)
        rows.append({"pathway": p.name, "condition": p.condition, "cohort": p.cohort,
                     **{k: t[k] for k in KG_COLUMNS + ["cost_gbp"]},
                     **{f"cohort_{k}": t[f"cohort_{k}"] for k in KG_COLUMNS + ["cost_gbp"]},
                     "errors": len(t["errors"]), "gwp_basis": basis, "factor_ids": ", ".join(t["factor_ids"])})
    df = pd.DataFrame(rows)
    if len(df):
        df["difference_kgCO2e"] = df["kgCO2e"] - df["kgCO2e"].iloc[0]
        df["difference_cost_gbp"] = df["cost_gbp"] - df["cost_gbp"].iloc[0]
        df["cohort_difference_kgCO2e"] = df["cohort_kgCO2e"] - df["cohort_kgCO2e"].iloc[0]
    return df


def compare_breakdown(store, pathways: list[Pathway], basis: str = fx.DEFAULT_BASIS,
                      by: str = "category") -> pd.DataFrame:
    """Long table: pathway × group (category or stage) with kgCO2e and cost per patient and per
    cohort, and each group's difference from the first pathway (what drives the gap)."""
    parts = []
    for p in pathways:
        b = breakdown(footprint(store, p, basis), by, p.cohort)
        b.insert(0, "pathway", p.name)
        b["cohort_cost_gbp"] = b["cost_gbp"] * p.cohort
        parts.append(b)
    long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if long.empty:
        return long
    first = pathways[0].name
    diffs = []
    for value, out in (("kgCO2e", "difference_kgCO2e"), ("cohort_kgCO2e", "cohort_difference_kgCO2e")):
        # Per year, each pathway's own cohort: the groups add up to the totals' difference in ``compare``
        # even when the two pathways serve different numbers of patients.
        wide = long.pivot_table(index=by, columns="pathway", values=value, aggfunc="sum", fill_value=0.0)
        base = wide[first] if first in wide.columns else 0.0
        diffs.append(wide.sub(base, axis=0).stack().rename(out))
    diff = pd.concat(diffs, axis=1).reset_index()
    long = diff.merge(long, on=[by, "pathway"], how="left")
    long[KG_COLUMNS + ["cohort_kgCO2e"]] = long[KG_COLUMNS + ["cohort_kgCO2e"]].fillna(0.0)
    order = {p.name: i for i, p in enumerate(pathways)}
    long = long.sort_values(["pathway", by], key=lambda s: s.map(order) if s.name == "pathway" else s)
    return long[["pathway", by, *KG_COLUMNS, "cost_gbp", "cohort_kgCO2e", "cohort_cost_gbp",
                 "difference_kgCO2e", "cohort_difference_kgCO2e"]].reset_index(drop=True)
