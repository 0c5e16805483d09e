"""Saved scenarios: every save a new version (two people saving at once both keep their work),
listed, loaded (the newest version), renamed, copied, deleted; and the shipped demo scenarios seeded.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import pandas as pd

from carbon import factors as fx
from carbon.scenarios.model import Scenario, ScenarioError

DEMO_WHO = "demo (shipped with the app)"


def _latest_sql(where: str) -> str:
    return (
        "SELECT s.id, s.name, s.origin, s.created_by, s.created_at, v.body, v.saved_by, v.saved_at, v.id AS version_id, "
        " (SELECT count(*) FROM scenario_version w WHERE w.scenario_id = s.id) AS versions "
        "FROM scenario s JOIN scenario_version v ON v.scenario_id = s.id "
        "AND v.id = (SELECT max(id) FROM scenario_version u WHERE u.scenario_id = s.id) " + where
    )


def save(store, scenario: Scenario, who: str, origin: str = "user") -> int:
    """Save a new version of ``scenario`` under its name (created if new); return the version id.

    Every save is kept as a version, so two sessions saving the same scenario at once lose
    nothing; the newest is the one loaded.
    """
    who = (who or "").strip()
    if not who:
        raise ScenarioError("say who is saving (the signed-in person, or the local account)")
    check_targets(store, scenario)
    body = scenario.to_json()
    with store.transaction() as cur:
        row = cur.execute("SELECT id FROM scenario WHERE name = ?", [scenario.name]).fetchone()
        if row is None:
            sid = cur.execute("INSERT INTO scenario (name, origin, created_by) VALUES (?, ?, ?) RETURNING id",
                              [scenario.name, origin, who]).fetchone()[0]
        else:
            sid = row[0]
        vid = cur.execute("INSERT INTO scenario_version (scenario_id, body, saved_by) VALUES (?, ?, ?) RETURNING id",
                          [sid, body, who]).fetchone()[0]
    return int(vid)


def check_targets(store, scenario: Scenario) -> None:
    """Raise ScenarioError unless ``scenario`` is valid and names a set of targets in the library:
    saved, it could never be run (every page and the pack measure it against its targets)."""
    scenario.validate()
    known = list(dict.fromkeys(fx.reference(store, "target_scopes")["target_set"]))
    if scenario.target_set not in known:
        raise ScenarioError(f"target_set {scenario.target_set!r} is not a set of targets in the library; choose one "
                            f"of {', '.join(known)}")


def list_scenarios(store) -> pd.DataFrame:
    """Saved scenarios, newest save first: name, origin, baseline_year, description, saved_by,
    saved_at, versions."""
    df = store.df(_latest_sql("ORDER BY v.saved_at DESC, s.name"))
    if df.empty:
        return pd.DataFrame(columns=["name", "origin", "baseline_year", "description", "saved_by", "saved_at", "versions"])
    docs = df["body"].map(json.loads)
    df["baseline_year"] = docs.map(lambda d: d.get("baseline_year"))
    df["description"] = docs.map(lambda d: d.get("description", ""))
    return df[["name", "origin", "baseline_year", "description", "saved_by", "saved_at", "versions"]]


def load(store, name: str) -> Scenario:
    """The newest saved version of the scenario called ``name``."""
    row = store.execute(_latest_sql("WHERE s.name = ?"), [name]).fetchone()
    if row is None:
        raise ScenarioError(f"no saved scenario called {name!r} (see `carbon scenario list`)")
    sc = Scenario.from_json(row[5])
    sc.name = row[1]
    return sc


def history(store, name: str) -> pd.DataFrame:
    """Every saved version of a scenario, newest first (who and when)."""
    return store.df(
        "SELECT v.id AS version_id, v.saved_by, v.saved_at FROM scenario_version v JOIN scenario s ON s.id = v.scenario_id "
        "WHERE s.name = ? ORDER BY v.id DESC", [name])


def exists(store, name: str) -> bool:
    return store.execute("SELECT 1 FROM scenario WHERE name = ?", [name]).fetchone() is not None


def duplicate(store, name: str, new_name: str, who: str) -> Scenario:
    """Save a copy of ``name`` as ``new_name`` (which must be free)."""
    new_name = (new_name or "").strip()
    if not new_name:
        raise ScenarioError("the copy needs a name")
    if exists(store, new_name):
        raise ScenarioError(f"a scenario called {new_name!r} already exists")
    sc = load(store, name)
    sc.name = new_name
    save(store, sc, who)
    return sc


def rename(store, name: str, new_name: str) -> None:
    """Give a saved scenario another name (its versions move with it)."""
    new_name = (new_name or "").strip()
    if not new_name:
        raise ScenarioError("the new name is empty")
    with store.transaction() as cur:
        if cur.execute("SELECT 1 FROM scenario WHERE name = ?", [new_name]).fetchone():
            raise ScenarioError(f"a scenario called {new_name!r} already exists")
        if not cur.execute("UPDATE scenario SET name = ? WHERE name = ? RETURNING id", [new_name, name]).fetchall():
            raise ScenarioError(f"no saved scenario called {name!r}")


def delete(store, name: str) -> bool:
    """Delete a scenario and all its versions; True if there was one."""
    with store.transaction(needs="admin") as cur:
        row = cur.execute("SELECT id FROM scenario WHERE name = ?", [name]).fetchone()
        if row is None:
            return False
        cur.execute("DELETE FROM scenario_version WHERE scenario_id = ?", [row[0]])
        cur.execute("DELETE FROM scenario WHERE id = ?", [row[0]])
    return True


def demo_dir() -> Path:
    return fx.factors_dir() / "scenarios"


def seed_demo(store) -> None:
    """Seed the shipped scenarios in ``factors/scenarios/*.toml``.

    One query per file when nothing changed (its content hash is recorded). A changed file
    updates the demo only if nobody has saved over it since; a user's own scenario of the same
    name, or a demo someone deleted, is left alone.
    """
    for path in sorted(demo_dir().glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(text.encode()).hexdigest()
        seen = store.execute("SELECT hash FROM scenario_seed WHERE file = ?", [path.name]).fetchone()
        if seen and seen[0] == digest:
            continue
        sc = Scenario.from_toml(text)
        row = store.execute(_latest_sql("WHERE s.name = ?"), [sc.name]).fetchone()
        if seen is None and row is None or (row is not None and row[2] == "demo" and row[6] == DEMO_WHO):
            save(store, sc, DEMO_WHO, origin="demo")
        with store.transaction() as cur:
            cur.execute("INSERT OR REPLACE INTO scenario_seed (file, hash) VALUES (?, ?)", [path.name, digest])


def demo_name() -> str | None:
    """The name of the first shipped scenario (the one the Workshop opens on)."""
    files = sorted(demo_dir().glob("*.toml"))
    return tomllib.loads(files[0].read_text(encoding="utf-8")).get("name") if files else None
