"""Case logs: read (``carbon.theatre.formats``), check every row at once, store all or nothing.

A case is the rows of one ``case_id`` in one theatre: one row (a case with its duration and its
average fresh gas flow) or several (time steps, each with a start and a duration, in time order).
Every column is read set-wise (no loop over rows) into fixed units through pint: minutes, L/min,
the vaporiser setting as a fraction, mL of liquid agent. A file with any bad row stores nothing,
and each bad row is named with its file, line and reason: a negative duration, a flow above the
flowmeters (``factors/bounds.csv``), an unknown agent, a vaporiser setting above the dial, a time
step that starts before the step above it in the same case.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from carbon import bounds
from carbon import factors as fx
from carbon import uploads
from carbon.errors import MAX_LISTED, Problem
from carbon.formatting import counted
from carbon.kinds.anaesthetic import ALIASES, VAPORISER_MAX, VAPORISER_TOLERANCE, VOLATILES
from carbon.store import PROJECT_DIR, Store
from carbon.theatre import formats
from carbon.theatre.formats import TheatreError
from carbon.units import ureg

TEMPLATE = PROJECT_DIR / "docs" / "theatre_case_log_template.csv"
PHASES = ("induction", "maintenance", "emergence")
SUPPLIES = ("manifold", "cylinder")
#: The unit each template column is in, read through the one pint registry.
UNITS = {"duration_min": ("min", "min"), "fgf_l_min": ("L/min", "L/min"), "o2_l_min": ("L/min", "L/min"),
         "air_l_min": ("L/min", "L/min"), "n2o_l_min": ("L/min", "L/min"),
         "vaporiser_percent": ("percent", "dimensionless"), "agent_used_ml": ("mL", "mL")}
STORED = ["theatre", "case_id", "step", "steps", "start", "minutes", "phase", "agent", "fgf_l_min", "n2o_l_min",
          "vaporiser", "agent_used_ml", "n2o_supply", "origin", "line"]
NONE = ("", "none", "tiva", "no", "-")


class Problems:
    """Bad rows found by masks over a whole frame: the first ``MAX_LISTED`` named, the rest counted."""

    def __init__(self, where: str, lines: np.ndarray):
        self.where, self.lines, self.listed, self.total = where, lines, [], 0

    def add(self, mask, what, fix: str = "") -> None:
        rows = np.asarray(mask, dtype=bool).nonzero()[0]
        self.total += len(rows)
        for i in rows[: max(0, MAX_LISTED - len(self.listed))]:
            self.listed.append(Problem(self.where, int(self.lines[i]), what(i), fix))

    def raise_any(self) -> None:
        if self.total:
            raise TheatreError(sorted(self.listed, key=lambda p: p.line or 0), total=self.total)


def _numbers(raw: pd.DataFrame, bad: Problems) -> dict[str, np.ndarray]:
    """Each numeric column in its fixed unit (NaN where blank); text that is not a number is named."""
    out = {}
    for col, (unit, fixed) in UNITS.items():
        text = raw[col]
        num = pd.to_numeric(text, errors="coerce")
        bad.add((text != "") & num.isna(), lambda i, c=col, t=text: f"{c} {t.iloc[i]!r} is not a number",
                f"write {col} as a plain number in {unit}")
        out[col] = num.to_numpy(dtype=float) * float(ureg.Quantity(1, unit).to(fixed).magnitude)
    return out


def validate(raw: pd.DataFrame, where: str) -> pd.DataFrame:
    """``formats.RAW`` text (with ``line``) as stored steps (``STORED``), or TheatreError naming each bad row."""
    df = raw.reset_index(drop=True)
    bad = Problems(where, df["line"].to_numpy())
    n = _numbers(df, bad)
    bad.add(df["case_id"] == "", lambda i: "the case id is empty", "give each case an id (rows of one case share it)")
    agent = df["agent"].str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    agent = agent.replace(ALIASES)
    none = agent.isin(NONE)
    bad.add(~none & ~agent.isin(VOLATILES) & (agent != "n2o"),
            lambda i: f"unknown agent {df['agent'].iloc[i]!r}", f"the agents are {', '.join(VOLATILES)} (nitrous "
            "oxide goes in n2o_l_min; leave agent empty for TIVA or regional)")
    bad.add(agent == "n2o", lambda i: "nitrous oxide is written as an agent",
            "put its flow in n2o_l_min and the volatile agent (if any) in agent")
    minutes = n["duration_min"]
    bad.add(np.isnan(minutes) & (df["duration_min"] == ""), lambda i: "the duration is empty",
            "give the case's (or the step's) duration in minutes")
    bad.add(minutes < 0, lambda i: f"a case of negative duration ({minutes[i]:g} min)",
            "give how long the case or step lasted, zero or more")
    day = bounds.table()["anaesthetic_minutes"].high
    bad.add(minutes > day, lambda i: f"a duration of {minutes[i]:,g} min is more than a day", "check it is in minutes")
    flow_max = bounds.table()["fresh_gas_flow"].high
    for col in ("fgf_l_min", "o2_l_min", "air_l_min", "n2o_l_min"):
        v = n[col]
        bad.add(v < 0, lambda i, c=col, v=v: f"{c} {v[i]:g} L/min is negative")
        bad.add(v > flow_max, lambda i, c=col, v=v: f"a flow of {v[i]:,g} L/min ({c}) is more than {flow_max:g} "
                "L/min, beyond an anaesthetic machine's flowmeters", "check the figure is in L/min, not mL/min")
    parts = np.nansum(np.vstack([n["o2_l_min"], n["air_l_min"], n["n2o_l_min"]]), axis=0)
    any_part = ~(np.isnan(n["o2_l_min"]) & np.isnan(n["air_l_min"]) & np.isnan(n["n2o_l_min"]))
    fgf = np.where(np.isnan(n["fgf_l_min"]) & any_part, parts, n["fgf_l_min"])
    volatile = agent.isin(VOLATILES).to_numpy()
    bad.add(volatile & np.isnan(fgf) & np.isnan(n["agent_used_ml"]),
            lambda i: f"{agent.iloc[i]} with no fresh gas flow", "give fgf_l_min (or the O2, air and N2O flows)")
    dial = n["vaporiser_percent"]
    top = agent.map(VAPORISER_MAX).to_numpy(dtype=float) + VAPORISER_TOLERANCE
    bad.add(dial < 0, lambda i: f"a vaporiser setting of {dial[i] * 100:g} % is negative")
    bad.add(volatile & (dial > top), lambda i: f"a vaporiser setting of {dial[i] * 100:g} % is above the top of the "
            f"{agent.iloc[i]} dial ({VAPORISER_MAX[agent.iloc[i]] * 100:g} %)", "check the setting and the agent")
    bad.add(none.to_numpy() & ~np.isnan(dial) & (dial > 0), lambda i: "a vaporiser setting with no volatile agent",
            "name the agent in the vaporiser")
    bad.add(n["agent_used_ml"] < 0, lambda i: f"agent_used_ml {n['agent_used_ml'][i]:g} mL is negative")
    phase = df["phase"].str.lower()
    bad.add(~phase.isin(("",) + PHASES), lambda i: f"phase {df['phase'].iloc[i]!r} is not one of {', '.join(PHASES)}")
    supply = df["n2o_supply"].str.lower()
    bad.add(~supply.isin(("",) + SUPPLIES), lambda i: f"n2o_supply {df['n2o_supply'].iloc[i]!r} is not one of "
            f"{', '.join(SUPPLIES)}", "manifold for piped nitrous oxide, cylinder for one at the point of use")
    start = pd.to_datetime(df["start"], errors="coerce", format="ISO8601")
    bad.add((df["start"] != "") & start.isna(), lambda i: f"start {df['start'].iloc[i]!r} is not a date and time",
            "write it as 2024-04-03 07:57")
    key = df["theatre"] + "\x1f" + df["case_id"]
    steps = key.map(key.value_counts())
    bad.add((steps > 1).to_numpy() & start.isna().to_numpy() & (df["start"] == "").to_numpy(),
            lambda i: "a time step with no start", "give each step of a case its start time")
    bad.add((steps == 1).to_numpy() & (df["start"] == "").to_numpy(), lambda i: "the case has no start",
            "give the date and time it started (it decides the month)")
    previous = start.groupby(key).shift(1)
    prev_end = previous + pd.to_timedelta(pd.Series(minutes).groupby(key).shift(1), unit="min")
    line_above = df["line"].groupby(key).shift(1)
    bad.add((start <= previous).to_numpy(), lambda i: f"time step out of order: it starts at {start.iloc[i]:%H:%M}, "
            f"not after the step above it in case {df['case_id'].iloc[i]} (line {int(line_above.iloc[i])}, "
            f"{previous.iloc[i]:%H:%M})", "list each case's steps in time order")
    bad.add(((start < prev_end) & (start > previous)).to_numpy(),
            lambda i: f"time step overlaps the one above it: it starts at {start.iloc[i]:%H:%M}, before that step "
            f"ends at {prev_end.iloc[i]:%H:%M}", "check the start and duration of both steps")
    bad.raise_any()
    used = np.where(np.isnan(n["n2o_l_min"]), 0.0, n["n2o_l_min"])
    out = pd.DataFrame({
        "theatre": df["theatre"], "case_id": df["case_id"],
        "step": df.groupby(key).cumcount().to_numpy() + 1, "steps": steps.to_numpy(),
        "start": start, "minutes": minutes, "phase": phase,
        "agent": np.where(volatile, agent, ""), "fgf_l_min": fgf, "n2o_l_min": used, "vaporiser": dial,
        "agent_used_ml": n["agent_used_ml"],
        "n2o_supply": np.where(used > 0, supply.replace("", "manifold"), supply),
        "origin": np.where((used > 0) & (supply == ""), "n2o_supply assumed manifold", ""),
        "line": df["line"].astype(int),
    })
    return out[STORED]


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------
@dataclass
class ImportReport:
    file: str
    format: str
    rows_kept: int
    cases: int
    theatres: list[str]
    replaced: int = 0

    def summary(self) -> str:
        rep = f"; replaced {self.replaced:,} earlier rows of the same cases" if self.replaced else ""
        return (f"{self.file}: {counted(self.cases, 'case')}, {counted(self.rows_kept, 'row')} in {', '.join(self.theatres)} "
                f"({self.format}){rep}")


def store_steps(store: Store, steps: pd.DataFrame, file: str, fmt: str) -> ImportReport:
    """Write checked steps in one transaction; a case imported again (same theatre and id) replaces itself."""
    frame = steps[STORED].copy()
    keys = frame[["theatre", "case_id"]].drop_duplicates()
    with store.transaction() as cur:
        cur.register("incoming_cases", keys)
        replaced = cur.execute("DELETE FROM theatre_step s USING incoming_cases k WHERE s.theatre = k.theatre "
                               "AND s.case_id = k.case_id RETURNING 1").fetchall()
        cur.unregister("incoming_cases")
        import_id = cur.execute("INSERT INTO theatre_import (file, format, rows_kept, cases) VALUES (?, ?, ?, ?) "
                                "RETURNING id", [file, fmt, len(frame), len(keys)]).fetchone()[0]
        frame["import_id"] = import_id
        cur.register("incoming", frame)
        cur.execute(f"INSERT INTO theatre_step ({', '.join(frame.columns)}) SELECT {', '.join(frame.columns)} "
                    "FROM incoming")
        cur.unregister("incoming")
    return ImportReport(file, fmt, len(frame), len(keys), sorted(frame["theatre"].unique()), len(replaced))


def import_file(store: Store, path: str | Path, fmt: str = "auto", agent: str = "", theatre: str = "",
                name: str | None = None) -> ImportReport:
    """Import one case log all or nothing (``fmt``: auto, template, flow_vapour, draeger_connect)."""
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise TheatreError(Problem(name, None, "file not found"))
    kind = formats.detect(path) if fmt == "auto" else fmt.replace("-", "_")
    raw = formats.read(path, kind or "", name, agent, theatre)
    steps = validate(raw, name)
    if steps.empty:
        raise TheatreError(Problem(name, None, "has no cases to import"))
    return store_steps(store, steps, name, kind)


def import_upload(store: Store, name: str, data: bytes, fmt: str = "auto", agent: str = "",
                  theatre: str = "") -> ImportReport:
    """``import_file`` for a browser upload: written to a private temporary folder, named as chosen."""
    with uploads.folder("carbon_th_") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        return import_file(store, path, fmt, agent, theatre, name)


def steps(store: Store) -> pd.DataFrame:
    """Every stored step (``STORED``), by theatre, case and step."""
    return store.df(f"SELECT {', '.join(STORED)} FROM theatre_step ORDER BY theatre, case_id, step")


def imports(store: Store) -> pd.DataFrame:
    return store.df("SELECT * FROM theatre_import ORDER BY id")


def clear(store: Store) -> None:
    """Remove every stored case and purchase (a fresh start)."""
    with store.transaction() as cur:
        for table in ("theatre_step", "theatre_purchase", "theatre_import"):
            cur.execute(f"DELETE FROM {table}")


def data_token(store: Store) -> str:
    """Changes whenever a stored theatre result could (imports or the factor library)."""
    row = store.execute("SELECT coalesce(max(id), 0), (SELECT count(*) FROM theatre_step), "
                        "(SELECT count(*) FROM theatre_purchase) FROM theatre_import").fetchone()
    return hashlib.sha1(f"{store.path}|{row}|{fx.library_token(store)}".encode()).hexdigest()
