"""The footprint of stored case logs, column-wise through the ``anaesthetic`` and ``purchase`` kinds'
physics, per case, theatre, month and agent.

How each time step's volatile agent is found (``method``), best first:

* the agent used, where the machine recorded it for the case (mL of liquid delivered, e.g. Draeger
  Connect's ``Verbrauch``): used instead of the model, through the ``purchase`` kind (liquid x
  density x GWP); the model's figure is kept beside it (``model_liquid_ml``) as a check;
* ``vaporiser setting``: vapour = fresh gas flow x dial setting x time (the ``anaesthetic`` kind);
* ``vaporiser off``: an emergence step with no setting recorded delivers no vapour;
* ``average flow``: a case recorded as one row with its average flow and no setting: 1 MAC x the
  average flow x time x ``volatile_average_flow_ratio`` (0.50): weighed bottles show that 1 MAC of
  the average flow counts the high-flow phases with the vaporiser off as vapour, about twice the
  agent used (factors/constants.csv says how it was measured);
* ``1 MAC``: a step (induction or maintenance) with no setting: 1 MAC at the step's flow.

Nitrous oxide is the step's N2O flow x time; piped from a manifold it is counted with the supply
lost before the patient (``n2o_manifold``), from a point-of-use cylinder as delivered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon import factors as fx
from carbon.kinds.anaesthetic import AGENT_NAMES, constants, delivered
from carbon.kinds.base import join_ids
from carbon.kinds.purchase import bought
from carbon.store import Store
from carbon.theatre import caselog

KG = ["kgCO2e", "kgCO2e_low", "kgCO2e_high"]
METHODS = {"recorded": "agent used, recorded by the machine", "dial": "vaporiser setting",
           "off": "vaporiser off (emergence)", "average": "average flow, 1 MAC x the weighed ratio",
           "mac": "1 MAC at the step's flow", "none": "no volatile agent"}
PART_COLUMNS = ["theatre", "case_id", "start", "month", "part", "agent", "agent_name", "method", "liquid_ml",
                "delivered_kg", "agent_kg", *KG, "gwp_basis", "factor_ids"]
CASE_COLUMNS = ["theatre", "case_id", "start", "month", "minutes", "steps", "agent", "method", "liquid_ml",
                "model_liquid_ml", "recorded_liquid_ml", "volatile_kgCO2e", "n2o_litres", "n2o_kgCO2e",
                "n2o_lost_kgCO2e", *KG, "factor_ids"]


def _volatile(lib, s: pd.DataFrame, basis: str) -> pd.DataFrame:
    """One row per step with a volatile agent: the modelled liquid, mass and kgCO2e, and the method."""
    v = s[s["agent"] != ""].reset_index(drop=True)
    if v.empty:
        return pd.DataFrame(columns=PART_COLUMNS)
    dial = v["vaporiser"].notna().to_numpy()
    off = ~dial & (v["phase"] == "emergence").to_numpy()
    average = ~dial & ~off & (v["steps"] == 1).to_numpy() & (v["phase"] == "").to_numpy()
    mac = constants(lib, basis)["mac"].reindex(v["agent"]).to_numpy()
    conc = np.select([dial, off], [v["vaporiser"].to_numpy(dtype=float), 0.0], mac)
    p = pd.DataFrame({"agent": v["agent"], "flow": v["fgf_l_min"].fillna(0.0), "minutes": v["minutes"],
                      "conc": conc, "from_mac": ~dial & ~off})
    d = delivered(lib, p, basis, text=False)
    k = lib.quantity("volatile_average_flow_ratio")
    k_mid, k_lo, k_hi = (float(q.to("dimensionless").magnitude) for q in (k.value, k.low, k.high))
    scale = np.where(average, k_mid, 1.0)
    out = v[["theatre", "case_id", "start", "agent"]].assign(
        part="volatile", method=np.select([dial, off, average], ["dial", "off", "average"], "mac"),
        liquid_ml=d["liquid_ml"].to_numpy() * scale, delivered_kg=d["delivered_kg"].to_numpy() * scale,
        agent_kg=d["agent_kg"].to_numpy() * scale, kgCO2e=d["kgCO2e"].to_numpy() * scale,
        kgCO2e_low=d["kgCO2e_low"].to_numpy() * np.where(average, k_lo, 1.0),
        kgCO2e_high=d["kgCO2e_high"].to_numpy() * np.where(average, k_hi, 1.0),
        gwp_basis=d["gwp_basis"].to_numpy(),
        factor_ids=d["factor_ids"].to_numpy() + np.where(average, ", volatile_average_flow_ratio", ""))
    return out


def _nitrous(lib, s: pd.DataFrame, basis: str) -> pd.DataFrame:
    """One row per step with a nitrous oxide flow (piped: with the manifold's loss)."""
    g = s[s["n2o_l_min"] > 0].reset_index(drop=True)
    if g.empty:
        return pd.DataFrame(columns=PART_COLUMNS)
    agent = pd.Series(np.where(g["n2o_supply"] == "cylinder", "n2o", "n2o_manifold"))
    d = delivered(lib, pd.DataFrame({"agent": agent, "flow": g["n2o_l_min"], "minutes": g["minutes"], "conc": 1.0}),
                  basis, text=False)
    return g[["theatre", "case_id", "start"]].assign(
        part="n2o", agent=agent.to_numpy(), method=g["n2o_supply"].to_numpy(), liquid_ml=np.nan,
        delivered_kg=d["delivered_kg"].to_numpy(), agent_kg=d["agent_kg"].to_numpy(),
        **{c: d[c].to_numpy() for c in KG}, gwp_basis=d["gwp_basis"].to_numpy(), factor_ids=d["factor_ids"].to_numpy(),
        n2o_litres=d["gas_litres"].to_numpy())


def _recorded(lib, s: pd.DataFrame, basis: str) -> pd.DataFrame:
    """One row per case whose machine recorded the agent used (mL of liquid), through the purchase kind."""
    r = (s[(s["agent"] != "") & s["agent_used_ml"].notna()]
         .groupby(["theatre", "case_id"], as_index=False, sort=False)
         .agg(agent=("agent", "first"), start=("start", "min"), ml=("agent_used_ml", "sum")))
    if r.empty:
        return pd.DataFrame(columns=PART_COLUMNS)
    p = pd.DataFrame({"position": np.arange(1, len(r) + 1), "agent": r["agent"], "form": "liquid", "n": r["ml"],
                      "container": "", "per_year": False, "quantity_text": "", "category": ""})
    b = bought(lib, p, basis)
    return r[["theatre", "case_id", "start", "agent"]].assign(
        part="volatile", method="recorded", liquid_ml=b["liquid_ml"].to_numpy(), delivered_kg=b["agent_kg"].to_numpy(),
        agent_kg=b["agent_kg"].to_numpy(), **{c: b[c].to_numpy() for c in KG}, gwp_basis=b["gwp_basis"].to_numpy(),
        factor_ids=b["factor_ids"].to_numpy())


def parts(store: Store, basis: str = fx.DEFAULT_BASIS, steps: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every case's footprint by part (``volatile``: modelled per step, or recorded per case; ``n2o`` per
    step), columns ``PART_COLUMNS`` plus ``counted`` (False for a modelled volatile row whose case has
    the agent recorded: shown as a check, not added)."""
    lib = fx.library(store)
    s = caselog.steps(store) if steps is None else steps
    if s.empty:
        return pd.DataFrame(columns=PART_COLUMNS + ["counted", "n2o_litres"])
    frames = [f for f in (_volatile(lib, s, basis), _recorded(lib, s, basis), _nitrous(lib, s, basis)) if len(f)]
    out = pd.concat(frames, ignore_index=True)
    recorded = set(zip(*[out.loc[out["method"] == "recorded", c] for c in ("theatre", "case_id")]))
    key = pd.Series(list(zip(out["theatre"], out["case_id"])))
    out["counted"] = ~((out["part"] == "volatile") & (out["method"] != "recorded") & key.isin(recorded)).to_numpy()
    out["start"] = pd.to_datetime(out["start"])
    out["month"] = out.groupby(["theatre", "case_id"])["start"].transform("min").dt.strftime("%Y-%m")
    out["agent_name"] = out["agent"].map(AGENT_NAMES)
    if "n2o_litres" not in out:
        out["n2o_litres"] = np.nan
    return out


def cases(store: Store, basis: str = fx.DEFAULT_BASIS, steps: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per case (``CASE_COLUMNS``): minutes, the volatile agent and how it was found, liquid used
    (recorded where the machine gave it, else modelled), nitrous oxide and what the manifold lost, kgCO2e."""
    s = caselog.steps(store) if steps is None else steps
    if s.empty:
        return pd.DataFrame(columns=CASE_COLUMNS)
    p = parts(store, basis, s)
    base = s.groupby(["theatre", "case_id"], as_index=False, sort=False).agg(
        start=("start", "min"), minutes=("minutes", "sum"), steps=("steps", "first"))
    counted = p[p["counted"]]
    vol = counted[counted["part"] == "volatile"]
    model = p[(p["part"] == "volatile") & (p["method"] != "recorded")]
    n2o = counted[counted["part"] == "n2o"].assign(lost=lambda d: d["kgCO2e"] * (1 - d["delivered_kg"] / d["agent_kg"]))
    keys = ["theatre", "case_id"]
    agg = base.merge(
        vol.groupby(keys).agg(agent=("agent", lambda a: "several" if a.nunique() > 1 else a.iloc[0]),
                              method=("method", lambda m: ", ".join(METHODS[x] for x in sorted(set(m)))),
                              liquid_ml=("liquid_ml", "sum"), volatile_kgCO2e=("kgCO2e", "sum"),
                              v_low=("kgCO2e_low", "sum"), v_high=("kgCO2e_high", "sum")).reset_index(),
        on=keys, how="left")
    agg = agg.merge(model.groupby(keys).agg(model_liquid_ml=("liquid_ml", "sum")).reset_index(), on=keys, how="left")
    agg = agg.merge(p[p["method"] == "recorded"].groupby(keys).agg(recorded_liquid_ml=("liquid_ml", "sum"))
                    .reset_index(), on=keys, how="left")
    agg = agg.merge(n2o.groupby(keys).agg(n2o_litres=("n2o_litres", "sum"), n2o_kgCO2e=("kgCO2e", "sum"),
                                          n_low=("kgCO2e_low", "sum"), n_high=("kgCO2e_high", "sum"),
                                          n2o_lost_kgCO2e=("lost", "sum")).reset_index(), on=keys, how="left")
    ids = counted.groupby(keys)["factor_ids"].agg(join_ids).rename("factor_ids").reset_index()
    agg = agg.merge(ids, on=keys, how="left")
    zero = ["liquid_ml", "volatile_kgCO2e", "v_low", "v_high", "n2o_litres", "n2o_kgCO2e", "n_low", "n_high",
            "n2o_lost_kgCO2e"]
    agg[zero] = agg[zero].astype(float).fillna(0.0)
    agg["agent"] = agg["agent"].fillna("")
    agg["method"] = agg["method"].fillna(METHODS["none"])
    agg["factor_ids"] = agg["factor_ids"].fillna("")
    agg["kgCO2e"] = agg["volatile_kgCO2e"] + agg["n2o_kgCO2e"]
    agg["kgCO2e_low"] = agg["v_low"] + agg["n_low"]
    agg["kgCO2e_high"] = agg["v_high"] + agg["n_high"]
    agg["start"] = pd.to_datetime(agg["start"])
    agg["month"] = agg["start"].dt.strftime("%Y-%m")
    return agg.sort_values(["theatre", "start", "case_id"], kind="stable")[CASE_COLUMNS].reset_index(drop=True)


BY = {"theatre": ["theatre"], "month": ["month"], "agent": ["agent_name"], "theatre_month": ["theatre", "month"]}


def summary(store: Store, by: str = "theatre", basis: str = fx.DEFAULT_BASIS,
            steps: pd.DataFrame | None = None) -> pd.DataFrame:
    """kgCO2e by theatre, month, agent or theatre and month: cases, hours of anaesthesia, liquid volatile
    (mL), kg of agent emitted, kgCO2e with its range and kgCO2e per hour; ``factor_ids`` for tracing."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}")
    s = caselog.steps(store) if steps is None else steps
    c = cases(store, basis, s)
    p = parts(store, basis, s)
    if c.empty:
        return pd.DataFrame(columns=BY[by] + ["cases", "hours", "liquid_ml", "agent_kg", *KG, "kgCO2e_per_hour",
                                              "factor_ids"])
    keys = BY[by]
    counted = p[p["counted"]]
    sums = {k: (k, "sum") for k in KG}
    if by == "agent":
        per = counted.merge(c[["theatre", "case_id", "minutes"]], on=["theatre", "case_id"])
        first = per.drop_duplicates(["theatre", "case_id", "agent_name"])
        out = per.groupby(keys).agg(liquid_ml=("liquid_ml", "sum"), agent_kg=("agent_kg", "sum"), **sums,
                                    factor_ids=("factor_ids", join_ids))
        out = out.join(first.groupby(keys).agg(cases=("case_id", "size"), minutes=("minutes", "sum")))
    else:
        out = c.groupby(keys).agg(cases=("case_id", "size"), minutes=("minutes", "sum"),
                                  liquid_ml=("liquid_ml", "sum"), **sums)
        out = out.join(counted.groupby(keys).agg(agent_kg=("agent_kg", "sum"), factor_ids=("factor_ids", join_ids)))
    out = out.reset_index()
    out["hours"] = out["minutes"] / 60
    out["kgCO2e_per_hour"] = out["kgCO2e"] / out["hours"].where(out["hours"] > 0)
    out["agent_kg"] = out["agent_kg"].fillna(0.0)
    out["factor_ids"] = out["factor_ids"].fillna("")
    cols = keys + ["cases", "hours", "liquid_ml", "agent_kg", *KG, "kgCO2e_per_hour", "factor_ids"]
    return out[cols].sort_values(keys, kind="stable").reset_index(drop=True)
