"""Pathways in the store: the shipped templates seeded, people's own pathways listed, loaded, saved
(whole, checked first, never over someone else's newer save), duplicated and deleted.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pandas as pd

from carbon import bounds
from carbon import factors as fx
from carbon.errors import Problem
from carbon.pathways.footprint import footprint
from carbon.pathways.model import (ACTIVITY_COLUMNS, MAX_NAME, Activity, Pathway, PathwayError, _cohort, from_file,
                                   read_template, template_files)


class PathwayConflict(PathwayError):
    """Someone else saved a pathway of this name after it was opened here: nothing was written."""


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


def validate(store, pathway: Pathway, basis: str = fx.DEFAULT_BASIS) -> list[Problem]:
    """Why ``pathway`` cannot be saved (empty list when it can): name, cohort, and every row whose
    quantity, unit or factor does not work, named by its position and label."""
    problems: list[Problem] = []
    name = pathway.name.strip()
    if not name:
        problems.append(Problem("", None, "give the pathway a name"))
    elif len(name) > MAX_NAME:
        problems.append(Problem("", None, f"the name is {len(name)} characters long; keep it under {MAX_NAME}"))
    for what, text, longest in (("the name", pathway.name, MAX_NAME + 1000), ("the condition", pathway.condition, 300),
                                ("the description", pathway.description, 2000)):
        why = bounds.text_problem(text, what, longest)
        if why:
            problems.append(Problem("", None, why))
    for i, a in enumerate(pathway.activities, start=1):
        for fld in ("stage", "activity", "factor", "note", "source"):
            why = bounds.text_problem(getattr(a, fld), f"row {i}: {fld}", 500)
            if why:
                problems.append(Problem(f"row {i}", None, why))
    try:
        _cohort(pathway.cohort, "pathway")
    except PathwayError as exc:
        problems += exc.problems
    if not pathway.activities:
        problems.append(Problem("", None, "add at least one activity"))
        return problems
    fp = footprint(store, pathway, basis)
    bad = fp[fp["error"] != ""]
    problems += [Problem(f"row {p}", None, e) for p, e in zip(bad["position"], bad["error"])]
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
