"""Anaesthetic gases: the calculator of one anaesthetic (or a year's purchasing), its lower-carbon
alternatives and a comparison of the agents.

The physics is the ``anaesthetic`` and ``purchase`` kinds (``carbon.kinds.anaesthetic``,
``carbon.kinds.purchase``): everything the vaporiser or flowmeter delivers, or everything bought, is
eventually vented, derived from the library's constants and GWPs, so the GWP basis switch and local
overrides apply. This module reads one calculation's inputs, runs them through those kinds and
returns an ``AnaestheticResult`` with the arithmetic line by line.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import pandas as pd

from carbon import factors as fx
from carbon import kinds
from carbon.formatting import co2e, number, quantity
from carbon.kinds.anaesthetic import (AGENT_NAMES, AGENTS, GASES, N2O_CARRIER_SHARE, NOT_COUNTED, VAPORISER_MAX,
                                      VOLATILES, AnaestheticError, agent_id)
from carbon.kinds.purchase import DEFAULT_CYLINDER
from carbon.kinds.purchase import cylinder_sizes as _sizes
from carbon.units import ureg

__all__ = ["AGENTS", "AGENT_NAMES", "ALTERNATIVES", "ALTERNATIVES_CAVEAT", "AnaestheticError", "AnaestheticResult",
           "DEFAULT_CYLINDER", "GASES", "N2O_CARRIER_SHARE", "NOT_COUNTED", "VAPORISER_MAX", "VOLATILES",
           "alternatives", "anaesthetic", "compare_agents", "cylinder_sizes", "display", "purchased", "range_note"]


@dataclass
class AnaestheticResult:
    """What one anaesthetic (or a year's purchasing) emits.

    ``agent_kg`` is the mass of agent released (kg; for Entonox the N2O only), ``liquid_ml`` the
    liquid volatile used (None for gases), ``gas_litres`` the vapour or gas volume delivered, and
    kgCO2e with its low/high range on ``gwp_basis`` (``gwp_basis_used`` names a fallback, e.g.
    sevoflurane has no AR4 GWP). ``factor_ids`` lists every constant and GWP used and ``steps`` the
    arithmetic in plain English.
    """

    agent: str
    agent_name: str
    liquid_ml: float | None
    agent_kg: float
    kgCO2e: float
    kgCO2e_low: float
    kgCO2e_high: float
    gwp_basis: str
    gwp_basis_used: str
    factor_ids: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    gas_litres: float | None = None
    concentration: float | None = None
    method: str = "flow"

    def to_dict(self) -> dict:
        return asdict(self)


def _one(store, kind: str, row: dict, basis: str, method: str) -> AnaestheticResult:
    """One row through a kind, as a result; the row's error raised as AnaestheticError."""
    lib = fx.library(store)
    if basis not in lib.bases.index:
        raise AnaestheticError(f"unknown GWP basis {basis!r}; choose one of {', '.join(sorted(lib.bases.index))}")
    k = kinds.get(kind)
    parsed = pd.DataFrame([{"position": 1, **k.parse(lib, {"kind": kind, **row}, kinds.PER_PATIENT)}])
    r = k.compute(store, lib, parsed, basis, kinds.PER_PATIENT).iloc[0]

    def opt(v):
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)

    agent = str(parsed["agent"].iloc[0])
    return AnaestheticResult(
        agent=agent, agent_name=AGENT_NAMES[agent], liquid_ml=opt(r["liquid_ml"]), agent_kg=float(r["agent_kg"]),
        kgCO2e=float(r["kgCO2e"]), kgCO2e_low=float(r["kgCO2e_low"]), kgCO2e_high=float(r["kgCO2e_high"]),
        gwp_basis=basis, gwp_basis_used=str(r["gwp_basis"]), factor_ids=str(r["factor_ids"]).split(", "),
        steps=str(r["steps"]).split("\n"), gas_litres=opt(r["gas_litres"]), concentration=opt(r["concentration"]),
        method=method,
    )


def anaesthetic(store, agent: str, fgf, duration, concentration=None,
                basis: str = fx.DEFAULT_BASIS) -> AnaestheticResult:
    """The agent emitted, its liquid volume and kgCO2e for one anaesthetic.

    ``fgf`` (e.g. ``"1 L/min"``), ``duration`` (``"90 min"``) and ``concentration`` (``"2 %"``,
    or ``"1.2 MAC"``) are text or pint quantities. For a volatile agent the concentration defaults
    to 1 MAC (``mac_<agent>``); for nitrous oxide it is the share of the flow that is N2O (default
    66 %); for Entonox it is the share of the flow that is Entonox (default 100 %).
    """
    agent_id(agent)
    return _one(store, "anaesthetic", {"factor": agent, "quantity": duration, "fgf": fgf,
                                       "concentration": concentration}, basis, "flow")


def purchased(store, agent: str, amount, basis: str = fx.DEFAULT_BASIS,
              cylinder: str | None = None) -> AnaestheticResult:
    """What a quantity of agent bought (and so, in time, vented) emits.

    ``amount`` is text or a pint quantity: for a volatile agent bottles (``"12 bottle"``, sized by
    ``bottle_volume_<agent>``), millilitres or litres of liquid, or kg; for nitrous oxide or Entonox
    litres of gas (at 15 C) or cylinders (``"3 cylinder"``, size ``cylinder``: c, d, e, f, g for
    N2O; d, ed, f, g, hx for Entonox), or kg of N2O. A rate (``"40 bottle/year"``) is read as
    one year's purchasing. Everything bought is assumed to be emitted.
    """
    agent_id(agent)
    return _one(store, "purchase", {"factor": agent, "quantity": amount, "cylinder": cylinder}, basis, "purchase")


def cylinder_sizes(store, agent: str) -> list[str]:
    """The cylinder sizes the library knows for ``agent`` (n2o or entonox), e.g. ``['c', 'd', 'e']``."""
    a = agent_id(agent)
    return _sizes(fx.library(store), a) if a in GASES else []


def display(r: AnaestheticResult) -> dict[str, str]:
    """Text for a result's headline figures: carbon, range, liquid (or gas) volume and mass released,
    each in a unit that suits its size (mL or L, g or kg)."""
    liquid = None if r.liquid_ml is None else ureg.Quantity(r.liquid_ml, "mL")
    gas = None if r.gas_litres is None else ureg.Quantity(r.gas_litres, "L")
    mass = ureg.Quantity(r.agent_kg, "kg")
    return {
        "carbon": co2e(r.kgCO2e),
        "range": f"{co2e(r.kgCO2e_low)} – {co2e(r.kgCO2e_high)}",
        "liquid": "" if liquid is None else quantity(liquid.to("L") if liquid >= ureg.Quantity(1, "L") else liquid),
        "gas": "" if gas is None else quantity(gas),
        "mass": quantity(mass.to("g") if mass < ureg.Quantity(1, "kg") else mass),
    }


def range_note(store, r: AnaestheticResult) -> str:
    """Why a figure sits at one end of its range, in words (empty when it sits inside it): an input
    taken at the top or bottom of its published range, e.g. 1 MAC of sevoflurane = 2.0 %, the top of
    the teaching tables' 1.8-2.0 %, makes the footprint the top of its range."""
    if r.kgCO2e_low == r.kgCO2e_high or r.kgCO2e not in (r.kgCO2e_low, r.kgCO2e_high):
        return ""
    lib = fx.library(store)
    end = "top" if r.kgCO2e == r.kgCO2e_high else "bottom"
    why = []
    for fid in r.factor_ids:
        q = lib.quantity(fid, r.gwp_basis)
        v, lo, hi = (float(x.magnitude) for x in (q.value, q.low, q.high))
        if lo != hi and v in (lo, hi):
            u = quantity(q.value).removeprefix(number(v)).strip()
            why.append(f"{lib.row(fid)['name']} is taken as {number(v)} {u}, the {'top' if v == hi else 'bottom'} "
                       f"of its published {number(lo)}–{number(hi)} {u}".replace(" %", "%"))
    if not why:
        return ""
    return f"The figure is the {end} of its range: " + "; ".join(why) + "."


# ---------------------------------------------------------------------------------------------
# Comparisons and the lower-carbon alternatives
# ---------------------------------------------------------------------------------------------
ALTERNATIVES_CAVEAT = (
    "Where clinically appropriate: the choice of anaesthetic technique is a clinical decision made with "
    "the patient; TIVA and regional anaesthesia are not suitable for every patient or procedure."
)
ALTERNATIVES = {
    "tiva": {
        "name": "TIVA (total intravenous anaesthesia, e.g. propofol)",
        "counted": "No volatile agent or nitrous oxide is vented, so the anaesthetic-gas emission is zero.",
        "not_counted": "Propofol's own life cycle (manufacture, syringes, pumps, disposal of unused drug) is "
                       "not in the factor library and is not counted; published life-cycle work finds it far "
                       "smaller than a volatile agent's, but it is not zero.",
    },
    "regional": {
        "name": "Regional anaesthesia (spinal, epidural or nerve block)",
        "counted": "No volatile agent or nitrous oxide is vented, so the anaesthetic-gas emission is zero.",
        "not_counted": "Local anaesthetic drugs, needles, drapes and any sedation are not counted. A whole-"
                       "anaesthetic life-cycle study (McGain 2021, knee replacement, Australia) found spinal "
                       "(16.9 kgCO2e) no lower than low-flow sevoflurane GA (14.9) once equipment and energy "
                       "were included: the saving is the gas, not the whole anaesthetic.",
    },
}


def alternatives(result: AnaestheticResult) -> pd.DataFrame:
    """The anaesthetic as calculated beside TIVA and regional anaesthesia (anaesthetic-gas kgCO2e).

    One row per option: option, name, kgCO2e, kgCO2e_low, kgCO2e_high, saving_kgCO2e (against
    ``result``), counted, not_counted, caveat, factor_ids (comma-separated).
    """
    rows = pd.DataFrame(
        [{"option": result.agent, "name": result.agent_name, "counted": "Anaesthetic gas vented (this calculation).",
          "not_counted": NOT_COUNTED.removeprefix("Not counted: "), "factor_ids": ", ".join(result.factor_ids)}]
        + [{"option": k, "name": v["name"], "counted": v["counted"], "not_counted": v["not_counted"], "factor_ids": ""}
           for k, v in ALTERNATIVES.items()]
    )
    own = rows["option"] == result.agent
    rows["kgCO2e"] = own * result.kgCO2e
    rows["kgCO2e_low"] = own * result.kgCO2e_low
    rows["kgCO2e_high"] = own * result.kgCO2e_high
    rows["saving_kgCO2e"] = result.kgCO2e - rows["kgCO2e"]
    rows["caveat"] = ALTERNATIVES_CAVEAT
    return rows[["option", "name", "kgCO2e", "kgCO2e_low", "kgCO2e_high", "saving_kgCO2e",
                 "counted", "not_counted", "caveat", "factor_ids"]]


def compare_agents(store, fgf, duration, mac: float = 1.0, basis: str = fx.DEFAULT_BASIS,
                   n2o_share=None) -> pd.DataFrame:
    """Each volatile agent at the same fresh gas flow, duration and MAC multiple, plus TIVA/regional.

    With ``n2o_share`` (e.g. ``"66 %"``) a nitrous-oxide carrier row is added too. Columns: agent,
    name, kgCO2e, kgCO2e_low, kgCO2e_high, liquid_ml, agent_kg, factor_ids. For a chart of
    "what the same anaesthetic emits with each agent".
    """
    conc = f"{float(mac):g} MAC"
    results = [anaesthetic(store, a, fgf, duration, conc, basis) for a in VOLATILES]
    if n2o_share is not None:
        results.append(anaesthetic(store, "n2o", fgf, duration, n2o_share, basis))
    df = pd.DataFrame([{
        "agent": r.agent, "name": r.agent_name, "kgCO2e": r.kgCO2e, "kgCO2e_low": r.kgCO2e_low,
        "kgCO2e_high": r.kgCO2e_high, "liquid_ml": r.liquid_ml, "agent_kg": r.agent_kg,
        "factor_ids": ", ".join(r.factor_ids)} for r in results])
    none = pd.DataFrame({"agent": list(ALTERNATIVES), "name": [v["name"] for v in ALTERNATIVES.values()],
                         "kgCO2e": 0.0, "kgCO2e_low": 0.0, "kgCO2e_high": 0.0, "liquid_ml": None,
                         "agent_kg": 0.0, "factor_ids": ""})
    return pd.concat([df, none], ignore_index=True)
