"""Anaesthetic agents bought, per site (a theatre or a suite) and period, reconciled with the case logs.

The purchasing template (``docs/theatre_purchases_template.csv``): ``site`` (a theatre as the case
logs name it, or empty / ``all`` for every theatre), ``period_start`` and ``period_end`` (dates,
both days included), ``agent``, ``quantity`` and ``unit`` (``bottle``, ``mL`` or ``L`` of liquid
for a volatile agent; ``cylinder``, ``L`` of gas or ``kg`` for nitrous oxide; ``kg`` for either),
``cylinder`` (the size, for cylinders). Checked set-wise and stored all or nothing, like the case
logs; footprinted by the ``purchase`` kind.

``reconcile`` sets each purchase against the agent the case logs of its site and period account
for (the liquid volatile used, or the nitrous oxide delivered to patients): the gap is agent bought
and not accounted for: spills, bottles opened and not finished, stock on the shelf, and for piped
nitrous oxide what the manifold and pipework lost.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from carbon import factors as fx
from carbon import reading, uploads
from carbon.errors import Problem
from carbon.kinds.anaesthetic import AGENT_NAMES, AGENTS, ALIASES, VOLATILES
from carbon.kinds.purchase import CYLINDER_GAS, DEFAULT_CYLINDER, bought
from carbon.store import PROJECT_DIR, Store
from carbon.theatre import caselog, formats
from carbon.theatre.caselog import Problems
from carbon.theatre.footprint import parts
from carbon.theatre.formats import TheatreError
from carbon.units import UnitError, parse_unit, ureg

TEMPLATE = PROJECT_DIR / "docs" / "theatre_purchases_template.csv"
COLUMNS = ["site", "period_start", "period_end", "agent", "quantity", "unit", "cylinder", "notes"]
REQUIRED = ["period_start", "period_end", "agent", "quantity", "unit"]
STORED = ["site", "period_start", "period_end", "agent", "form", "n", "container", "quantity_text", "line"]
RECONCILE_COLUMNS = ["site", "period_start", "period_end", "agent", "agent_name", "bought", "bought_kg",
                     "cases", "used_kg", "gap_kg", "gap_share", "bought_kgCO2e", "used_kgCO2e", "gap_kgCO2e",
                     "factor_ids"]


def is_purchases(path: Path) -> bool:
    """True when the file's header is the purchasing template's."""
    if path.suffix.lower() not in (".csv", ".txt"):
        return False
    head = reading.first_line(path).lower()
    return "period_start" in head and "quantity" in head


def _form(unit: str, volatile: bool) -> tuple[str, float]:
    """(form, factor to the form's unit) for a unit text: bottle, cylinder, liquid (mL), gas (L), mass (kg)."""
    try:
        q = ureg.Quantity(1, parse_unit(unit))
    except UnitError:
        return "", np.nan
    for form, target in (("bottle", "bottle"), ("cylinder", "cylinder"), ("mass", "kg")):
        if q.check(ureg.Unit(target).dimensionality):
            return form, float(q.to(target).magnitude)
    if q.check("[volume]"):
        return ("liquid", float(q.to("mL").magnitude)) if volatile else ("gas", float(q.to("L").magnitude))
    return "", np.nan


def validate(store: Store, raw: pd.DataFrame, where: str) -> pd.DataFrame:
    """Purchasing rows (``COLUMNS`` as text, with ``line``) as stored rows, or TheatreError naming each bad one."""
    lib = fx.library(store)
    df = raw.reset_index(drop=True)
    bad = Problems(where, df["line"].to_numpy())
    agent = df["agent"].str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True).replace(ALIASES)
    known = agent.isin(AGENTS)
    bad.add(~known, lambda i: f"unknown agent {df['agent'].iloc[i]!r}", f"the agents are {', '.join(AGENTS)}")
    qty = pd.to_numeric(df["quantity"], errors="coerce")
    bad.add(qty.isna(), lambda i: f"quantity {df['quantity'].iloc[i]!r} is not a number")
    bad.add(qty < 0, lambda i: f"quantity {qty.iloc[i]:g} is negative", "give what was bought, zero or more")
    volatile = agent.isin(VOLATILES)
    keys = pd.DataFrame({"unit": df["unit"].str.strip(), "volatile": volatile})
    table = pd.DataFrame([(u, v, *_form(u, v)) for u, v in keys.drop_duplicates().itertuples(index=False)],
                         columns=["unit", "volatile", "form", "factor"])  # a few distinct units
    m = keys.merge(table, on=["unit", "volatile"], how="left")
    form, factor = m["form"].fillna(""), m["factor"].to_numpy(dtype=float)
    bad.add(known & ((form == "") | (volatile & (form == "cylinder")) | (~volatile & (form == "bottle"))
                     | ((agent == "entonox") & (form == "mass"))),
            lambda i: f"unit {df['unit'].iloc[i]!r} does not fit {agent.iloc[i]}",
            "bottle, mL or L of liquid for a volatile agent; cylinder, L of gas or kg for nitrous oxide")
    size = df["cylinder"].str.strip().str.lower()
    size = size.where(size != "", agent.map(DEFAULT_CYLINDER).fillna(""))
    gas = agent.map(CYLINDER_GAS).fillna("")
    container = np.select([form == "bottle", form == "cylinder"],
                          ["bottle_volume_" + agent, "cylinder_volume_" + gas + "_" + size], "")
    bad.add((form == "cylinder") & known & ~volatile & ~pd.Series(container).isin(lib.constants.index),
            lambda i: f"no size {size.iloc[i]!r} {agent.iloc[i]} cylinder in the library",
            "sizes: c, d, e, f, g for nitrous oxide; d, ed, f, g, hx for Entonox")
    start = pd.to_datetime(df["period_start"], errors="coerce", format="ISO8601")
    end = pd.to_datetime(df["period_end"], errors="coerce", format="ISO8601")
    for col, d in (("period_start", start), ("period_end", end)):
        bad.add(d.isna(), lambda i, c=col: f"{c} {df[c].iloc[i]!r} is not a date", "write it as 2024-04-01")
    bad.add(end < start, lambda i: f"the period ends ({df['period_end'].iloc[i]}) before it starts "
            f"({df['period_start'].iloc[i]})")
    bad.raise_any()
    return pd.DataFrame({
        "site": df["site"].str.strip(), "period_start": start.dt.date, "period_end": end.dt.date, "agent": agent,
        "form": form, "n": qty.to_numpy(dtype=float) * factor, "container": container,
        "quantity_text": df["quantity"].str.strip() + " " + df["unit"].str.strip(), "line": df["line"].astype(int),
    })[STORED]


def import_file(store: Store, path: str | Path, name: str | None = None) -> caselog.ImportReport:
    """Import a purchasing file all or nothing; a site and period imported again replaces itself."""
    path = Path(path)
    name = name or path.name
    header, raw = formats._csv(path, ",", name)
    header = [h.lstrip("\ufeff").strip().lower() for h in header]
    raw.columns = header + ["line"]
    lacking = [c for c in REQUIRED if c not in header]
    if lacking:
        raise TheatreError(Problem(name, 1, f"is not the purchasing template: it lacks {', '.join(lacking)}",
                                   f"the header is {','.join(COLUMNS)}"))
    raw = raw.reindex(columns=COLUMNS + ["line"])
    for col in COLUMNS:
        raw[col] = raw[col].astype(object).where(raw[col].notna(), "").astype(str)
    rows = validate(store, raw, name)
    with store.transaction() as cur:
        keys = rows[["site", "period_start", "period_end", "agent"]].drop_duplicates()
        cur.register("incoming_keys", keys)
        replaced = cur.execute("DELETE FROM theatre_purchase p USING incoming_keys k WHERE p.site = k.site AND "
                               "p.period_start = k.period_start AND p.period_end = k.period_end AND p.agent = k.agent "
                               "RETURNING 1").fetchall()
        cur.unregister("incoming_keys")
        import_id = cur.execute("INSERT INTO theatre_import (file, format, rows_kept, cases) VALUES (?, 'purchases', "
                                "?, 0) RETURNING id", [name, len(rows)]).fetchone()[0]
        frame = rows.assign(import_id=import_id)
        cur.register("incoming", frame)
        cur.execute(f"INSERT INTO theatre_purchase ({', '.join(frame.columns)}) SELECT {', '.join(frame.columns)} "
                    "FROM incoming")
        cur.unregister("incoming")
    return caselog.ImportReport(name, "purchases", len(rows), 0, sorted(set(rows["site"].replace("", "all"))),
                                len(replaced))


def stored(store: Store) -> pd.DataFrame:
    return store.df(f"SELECT {', '.join(STORED)} FROM theatre_purchase ORDER BY site, period_start, agent")


def footprint(store: Store, basis: str = fx.DEFAULT_BASIS, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each stored purchase with what it is (``liquid_ml``, ``agent_kg``, ``gas_litres``) and emits (kgCO2e)."""
    p = stored(store) if rows is None else rows
    if p.empty:
        return p.assign(agent_kg=[], kgCO2e=[], kgCO2e_low=[], kgCO2e_high=[], factor_ids=[])
    b = bought(fx.library(store), p.assign(position=np.arange(1, len(p) + 1), per_year=False, category="")
               .reset_index(drop=True), basis)
    return pd.concat([p.reset_index(drop=True), b[["agent_kg", "liquid_ml", "gas_litres", "kgCO2e", "kgCO2e_low",
                                                     "kgCO2e_high", "factor_ids"]]], axis=1)


_RECONCILE = """
SELECT b.site, b.period_start, b.period_end, b.agent, b.quantity_text AS bought, b.agent_kg AS bought_kg,
       count(DISTINCT u.theatre || chr(31) || u.case_id) AS cases, coalesce(sum(u.used_kg), 0) AS used_kg,
       b.kgCO2e AS bought_kgCO2e, b.factor_ids
FROM bought b
LEFT JOIN used u ON u.agent_group = b.agent_group
     AND u.day BETWEEN b.period_start AND b.period_end
     AND (b.site = '' OR lower(b.site) = 'all' OR lower(b.site) = lower(u.theatre))
GROUP BY ALL
ORDER BY b.site, b.period_start, b.agent
"""


def reconcile(store: Store, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Each purchase against the agent the case logs of its site and period account for (``RECONCILE_COLUMNS``):
    ``used_kg`` is the volatile liquid used (recorded, else modelled) or the nitrous oxide delivered to
    patients; ``gap_kg`` = bought - used, ``gap_share`` its part of what was bought."""
    b = footprint(store, basis)
    if b.empty:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    p = parts(store, basis)
    p = p[p["counted"]] if len(p) else p
    used = pd.DataFrame({
        "theatre": p["theatre"] if len(p) else [], "case_id": p["case_id"] if len(p) else [],
        "day": pd.to_datetime(p["start"]).dt.date if len(p) else [],
        "agent_group": np.where(p["part"] == "n2o", "n2o", p["agent"]) if len(p) else [],
        "used_kg": p["delivered_kg"].astype(float) if len(p) else []})
    b = b.assign(agent_group=np.where(b["agent"].isin(("n2o", "n2o_manifold")), "n2o", b["agent"]))
    con = duckdb.connect()
    try:
        con.register("bought", b)
        con.register("used", used)
        out = con.execute(_RECONCILE).df()
    finally:
        con.close()
    out["gap_kg"] = out["bought_kg"] - out["used_kg"]
    out["gap_share"] = out["gap_kg"] / out["bought_kg"].where(out["bought_kg"] > 0)
    per_kg = out["bought_kgCO2e"] / out["bought_kg"].where(out["bought_kg"] > 0)
    out["used_kgCO2e"] = out["used_kg"] * per_kg.fillna(0.0)
    out["gap_kgCO2e"] = out["bought_kgCO2e"] - out["used_kgCO2e"]
    out["agent_name"] = out["agent"].map(AGENT_NAMES)
    out["site"] = out["site"].replace("", "all")
    return out[RECONCILE_COLUMNS]


def import_upload(store: Store, name: str, data: bytes) -> caselog.ImportReport:
    """``import_file`` for a browser upload: written to a private temporary folder, named as chosen."""
    with uploads.folder("carbon_th_") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        return import_file(store, path, name)
