"""``anaesthetic``: time at a fresh gas flow of a volatile agent, nitrous oxide or Entonox, from
first principles (the steady-state model of Ryan & Nielsen 2010 on the reference sheet).

* volatile agent: vapour (L) = fresh gas flow x duration x concentration; moles = vapour / molar
  volume at 20 C; mass = moles x molar mass; liquid (mL) = mass / density; kgCO2e = mass x GWP;
* nitrous oxide: gas (L) = fresh gas flow x duration x N2O share of the flow; moles at 15 C (the
  convention of the library's ``n2o_per_litre``); mass and kgCO2e as above;
* Entonox: the flow is 50:50 N2O/O2 (``entonox_n2o_fraction``); only the N2O half counts.

* nitrous oxide piped from a manifold (``n2o_manifold``): what reaches the patient is only part of
  what the manifold and pipework let go; N2O emitted = N2O delivered / (1 - the manifold loss share,
  ``n2o_manifold_loss_share``). Point-of-use cylinders (``n2o``) count what is delivered.

Every figure comes from the library's constants and GWPs (so the GWP basis switch and local
overrides apply); the range multiplies the low/high ratios of the inputs the result is proportional
to (and the inverse ratios of those it is inversely proportional to). Everything delivered is
counted as emitted: the part the patient takes up is breathed out later (``NOT_COUNTED`` says it
exactly). ``delivered`` is column-wise, so a case log of thousands of time steps goes through the
same arithmetic as the one-case calculator.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pint

from carbon import bounds
from carbon.errors import CarbonError
from carbon.formatting import number, quantity
from carbon.kinds.base import TIDY, Context, Kind, amount, text, value
from carbon.library import Library
from carbon.units import UnitError, convert, parse, ureg

VOLATILES = ("desflurane", "sevoflurane", "isoflurane")
GASES = ("n2o", "n2o_manifold", "entonox")
AGENTS = VOLATILES + GASES
AGENT_NAMES = {
    "desflurane": "Desflurane",
    "sevoflurane": "Sevoflurane",
    "isoflurane": "Isoflurane",
    "n2o": "Nitrous oxide",
    "n2o_manifold": "Nitrous oxide, piped from a manifold",
    "entonox": "Entonox (50% N2O / 50% O2)",
}
#: Nitrous oxide as the carrier gas is usually given as 66% of the fresh gas flow (2:1 N2O:O2),
#: the share used by the reference sheet's n2o_carrier_hour_* factors (Ryan & Nielsen 2010).
N2O_CARRIER_SHARE = "66 %"
NOT_COUNTED = (
    "Not counted: the small share of the agent the patient metabolises, manufacture and transport of the "
    "agent, the anaesthetic machine and scavenging energy. Everything delivered is counted as emitted: what "
    "the patient does not take up leaves through the scavenging during the case, and what the patient takes "
    "up (most of what is delivered in a low-flow case) is breathed out over the following hours, mostly in "
    "recovery, so it is emitted too; a capture device on the machine's exhaust catches only the first part."
)
#: The highest setting on the dial of the standard vaporisers (desflurane Tec 6: 18 %; sevoflurane
#: 8 %; isoflurane 5 %): a concentration above it cannot be delivered, so it is a typing error.
VAPORISER_MAX = {"desflurane": 0.18, "sevoflurane": 0.08, "isoflurane": 0.05}
#: A logged dial reading may sit a little above the top of the dial: a Draeger Perseus logs a
#: sevoflurane dial turned to its 8 % stop as 8.002 % (University Medicine Greifswald's logs). A
#: reading up to 0.1 percentage point above the top is taken as logged; beyond it is refused.
VAPORISER_TOLERANCE = 0.001
#: The highest fresh gas flow read (factors/bounds.csv ``fresh_gas_flow``), in L/min.
FGF_FIELD = "fresh_gas_flow"
_MAC_TEXT = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(?:x\s*)?MAC\s*$", re.IGNORECASE)
#: Theatre shorthand for litres a minute ('2 lpm', '0.5 LPM'), read as L/min.
_LPM = re.compile(r"(?<=[\d\s])lpm\b", re.IGNORECASE)
#: What each input must be, in words, for the message when it is something else ('1 litre' as a duration).
_EXPECTED = {"L/min": "a flow, e.g. '1 L/min' or '500 mL/min'", "min": "a time, e.g. '90 min' or '1.5 h'"}


#: Other names people and machines write for the agents (lower case, spaces as underscores).
ALIASES = {"nitrous_oxide": "n2o", "nitrous": "n2o", "des": "desflurane", "sevo": "sevoflurane", "sev": "sevoflurane",
           "iso": "isoflurane", "piped_n2o": "n2o_manifold", "n2o_piped": "n2o_manifold"}


class AnaestheticError(CarbonError):
    """An agent, amount or setting the calculator cannot use; the message says what to type."""


# ---------------------------------------------------------------------------------------------
# Reading the inputs
# ---------------------------------------------------------------------------------------------
def agent_id(agent: str) -> str:
    a = str(agent).strip().lower().replace(" ", "_")
    a = ALIASES.get(a, a)
    if a not in AGENTS:
        raise AnaestheticError(f"unknown agent {agent!r}; choose one of {', '.join(AGENTS)}")
    return a


def read(value, what: str) -> pint.Quantity:
    """``parse``, with the field named in the error ('duration: cannot read 'abc' ...')."""
    if isinstance(value, str):
        value = _LPM.sub("L/min", value)
    try:
        return parse(value)
    except UnitError as exc:
        raise AnaestheticError(f"{what}: {exc}") from None


def in_unit(value, unit: str, what: str) -> pint.Quantity:
    """``value`` as a pint quantity in ``unit``; a bare number or a wrong dimension is refused."""
    q = read(value, what)
    if q.unitless and ureg.Unit(unit) != ureg.dimensionless:
        raise AnaestheticError(f"{what}: {value!r} has no unit; write it with one, e.g. '1 {unit}'")
    try:
        q = convert(q, unit, what)
    except UnitError as exc:
        if unit in _EXPECTED:
            shown = repr(value) if isinstance(value, str) else f"'{quantity(q)}'"
            raise AnaestheticError(f"{what}: {shown} cannot be converted to {unit}; write {_EXPECTED[unit]}") from None
        raise AnaestheticError(str(exc)) from None
    if not math.isfinite(q.magnitude):
        raise AnaestheticError(f"{what}: {value!r} is not a finite number")
    if q.magnitude < 0:
        raise AnaestheticError(f"{what}: {value!r} cannot be negative")
    return q


def check_flow(flow_l_min: float, shown: str) -> None:
    """Refuse a fresh gas flow above the bound in ``factors/bounds.csv`` (a typing error such as 1,000 L/min)."""
    try:
        bounds.check(FGF_FIELD, flow_l_min, "fresh gas flow", shown=shown)
    except UnitError as exc:
        raise AnaestheticError(str(exc)) from None


def share(value, what: str) -> float:
    q = read(value, what)
    try:
        v = float(convert(q, "dimensionless", what).magnitude)
    except UnitError as exc:
        raise AnaestheticError(str(exc)) from None
    if not 0 <= v <= 1:
        hint = f"; did you mean '{q.magnitude:g} %'?" if q.unitless and 1 < q.magnitude <= 100 else ""
        raise AnaestheticError(f"{what}: {value!r} must be between 0 and 100 %{hint}")
    return v


def concentration(lib: Library, agent: str, value) -> tuple[float, float]:
    """(concentration as a fraction of the flow, MAC multiple or NaN) for a volatile agent.

    Blank is 1 MAC; ``1.2 MAC`` a multiple of ``mac_<agent>``; ``2 %`` a dial setting. Above the top
    of the vaporiser's dial is refused as a typing error.
    """
    text_ = value if isinstance(value, str) else None
    m = _MAC_TEXT.match(text_) if text_ else None
    if value is None or (isinstance(value, str) and not value.strip()) or m:
        multiple = float(m.group(1)) if m else 1.0
        mac = float(convert(lib.quantity(f"mac_{agent}").value, "dimensionless", "MAC").magnitude)
        conc = mac * multiple
    else:
        multiple = math.nan
        conc = share(value, f"{agent} concentration")
    if conc > VAPORISER_MAX[agent] + VAPORISER_TOLERANCE:
        raise AnaestheticError(
            f"{agent} concentration: {value!r}" + (f" is {conc * 100:.3g} %, which" if m else "")
            + " is above the highest vaporiser setting "
            f"for {agent} ({VAPORISER_MAX[agent] * 100:g} %); write a dial setting such as "
            f"'{VAPORISER_MAX[agent] * 50:g} %' or a depth such as '1.2 MAC'")
    return conc, multiple


# ---------------------------------------------------------------------------------------------
# The constants of each agent on a basis (a handful of rows, not data rows)
# ---------------------------------------------------------------------------------------------
def _value(lib: Library, fid: str, unit: str, basis: str | None = None) -> tuple[float, float, float]:
    r = lib.quantity(fid, basis) if basis else lib.quantity(fid)
    return tuple(float(convert(q, unit, fid).magnitude) for q in (r.value, r.low, r.high))


def constants(lib: Library, basis: str) -> pd.DataFrame:
    """One row per agent: every input of the model in fixed units with its low and high, the GWP on
    ``basis`` (following the basis fallbacks) and the id of each input.

    Columns (each with ``_lo``/``_hi`` and ``_id``): ``mac`` (fraction), ``vm`` (L/mol, 20 C for
    volatiles, 15 C for gases), ``mm`` (g/mol), ``rho`` (g/mL, volatiles), ``frac`` (N2O share of
    the gas: Entonox's, else 1), ``gwp`` (kgCO2e/kg), ``loss`` (share of the supply lost before the
    patient: piped N2O's manifold loss, else 0); and ``basis_used``.
    """
    rows = []
    for a in AGENTS:
        volatile = a in VOLATILES
        substance = a if volatile else "n2o"
        gid, used = lib.gwp_id(substance, basis)
        ids = {"mac": f"mac_{a}" if volatile else "", "vm": "molar_volume_20c" if volatile else "molar_volume_15c",
               "mm": f"molar_mass_{substance}", "rho": f"density_{a}" if volatile else "",
               "frac": "entonox_n2o_fraction" if a == "entonox" else "", "gwp": gid,
               "loss": "n2o_manifold_loss_share" if a == "n2o_manifold" else ""}
        units = {"mac": "dimensionless", "vm": "L/mol", "mm": "g/mol", "rho": "g/mL", "frac": "dimensionless",
                 "gwp": "kgCO2e/kg", "loss": "dimensionless"}
        row = {"agent": a, "basis_used": used}
        for k, fid in ids.items():
            v = _value(lib, fid, units[k], used if k == "gwp" else None) if fid else (
                (math.nan,) * 3 if k in ("mac", "rho") else (0.0,) * 3 if k == "loss" else (1.0, 1.0, 1.0))
            row.update({k: v[0], f"{k}_lo": v[1], f"{k}_hi": v[2], f"{k}_id": fid})
        rows.append(row)
    return pd.DataFrame(rows).set_index("agent")


def up(c: pd.DataFrame, k: str, on) -> tuple[np.ndarray, np.ndarray]:
    """Low and high ratios of an input the result is proportional to (1 where ``on`` is False)."""
    return np.where(on, c[f"{k}_lo"] / c[k], 1.0), np.where(on, c[f"{k}_hi"] / c[k], 1.0)


def down(c: pd.DataFrame, k: str, on) -> tuple[np.ndarray, np.ndarray]:
    """Low and high ratios of an input the result is inversely proportional to."""
    return np.where(on, c[k] / c[f"{k}_hi"], 1.0), np.where(on, c[k] / c[f"{k}_lo"], 1.0)


def footprint_line(c: pd.DataFrame, mass_kg, ratios: list, basis: str, agent: pd.Series, text: bool = True) -> dict:
    """kgCO2e of ``mass_kg`` of agent, its range, the basis used and (``text``) the last line of arithmetic."""
    co2e = mass_kg * c["gwp"].to_numpy()
    lo = co2e * c["gwp_lo"].to_numpy() / c["gwp"].to_numpy()
    hi = co2e * c["gwp_hi"].to_numpy() / c["gwp"].to_numpy()
    for r_lo, r_hi in ratios:
        lo, hi = lo * r_lo, hi * r_hi
    lo, hi = np.minimum(lo, co2e), np.maximum(hi, co2e)  # a product of ratios of 1 can drift by a rounding
    used = c["basis_used"].reset_index(drop=True)
    out = {"kgCO2e": co2e, "kgCO2e_low": lo, "kgCO2e_high": hi, "gwp_basis": used.to_numpy(), "last_step": ""}
    if not text:
        return out
    substance = np.where(agent.isin(VOLATILES), agent, "n2o")
    fallback = np.where(used != basis, " (no " + basis + " GWP for " + pd.Series(substance) + "; " + used + " used)", "")
    out["last_step"] = ("Footprint = " + pd.Series(mass_kg).map(number) + " kg × GWP "
                        + c["gwp"].reset_index(drop=True).map(number) + " kgCO2e/kg on " + used + fallback + " = "
                        + pd.Series(co2e).map(number) + " kgCO2e (range " + pd.Series(lo).map(number)
                        + "–" + pd.Series(hi).map(number) + " kgCO2e).")
    return out


def ids(c: pd.DataFrame, keys: list[str], extra: pd.Series | None = None) -> pd.Series:
    """The ids of the inputs ``keys`` used by each row, comma-separated (empty ids left out)."""
    cols = [c[f"{k}_id"].reset_index(drop=True) for k in keys]
    if extra is not None:
        cols.insert(0, extra.reset_index(drop=True))
    joined = cols[0].astype(str)
    for col in cols[1:]:
        joined = joined + "," + col.astype(str)
    return joined.str.replace(r",+", ",", regex=True).str.strip(",").str.replace(",", ", ")


class AnaestheticKind(Kind):
    name = "anaesthetic"
    label = "Anaesthetic gas (time at a fresh gas flow)"
    fields = ("factor", "quantity", "duration", "fgf", "concentration", "category")
    picks = "agent"
    contexts = ("patient",)

    def choices(self, lib: Library) -> list[str]:
        return list(AGENTS)

    def ref(self, text_: str) -> str:
        return text_.strip().lower()

    def adopt(self, lib: Library, old, new):
        """The same depth of anaesthesia for another agent: a dial percentage becomes a MAC multiple."""
        new = super().adopt(lib, old, new)
        conc = str(old.concentration or "").strip()
        if old.kind != self.name or not conc or "MAC" in conc.upper():
            return new
        try:
            mac = lib.quantity(f"mac_{self.ref(old.factor)}").value
            multiple = float((parse(conc) / mac).to("dimensionless").magnitude)
        except (UnitError, KeyError, pint.errors.PintError):  # not a percentage: the footprint says what is wrong
            return new
        return replace(new, concentration=f"{multiple:.4g} MAC")

    def parse(self, lib: Library, row: dict, ctx: Context) -> dict:
        a = agent_id(self.need_factor(row, ctx))
        fgf = value(row, "fgf")
        if fgf is None:
            raise UnitError("fresh gas flow (fgf) is empty: write e.g. '1 L/min'")
        flow = float(in_unit(fgf, "L/min", "fresh gas flow").magnitude)
        check_flow(flow, text(row, "fgf"))
        # as typed when it is one figure, so the message quotes it; times its duration when it is a rate
        time_ = amount(row, ctx) if text(row, "duration") else (value(row, "quantity") or "")
        minutes = float(in_unit(time_, "min", "duration").magnitude)
        conc_value = value(row, "concentration")
        if a in VOLATILES:
            conc, multiple = concentration(lib, a, conc_value)
            conc_txt = f"{conc * 100:.4g} %" + ("" if math.isnan(multiple) else f" (= {multiple:g} MAC of {a})")
        else:
            default = "100 %" if a == "entonox" else N2O_CARRIER_SHARE
            conc = share(default if conc_value is None else conc_value,
                         "Entonox share of the flow" if a == "entonox" else "nitrous oxide share of the flow")
            multiple, conc_txt = math.nan, f"{conc * 100:.4g} %"
        typed = text(row, "quantity") + (f" × {text(row, 'duration')}" if text(row, "duration") else "")
        return {"agent": a, "flow": flow, "minutes": minutes, "conc": conc, "from_mac": not math.isnan(multiple),
                "conc_text": conc_txt, "category": text(row, "category"),
                "quantity_text": f"{typed} at {text(row, 'fgf')}, {text(row, 'concentration') or '1 MAC'}"}

    def compute(self, store, lib: Library, parsed: pd.DataFrame, basis: str, ctx: Context) -> pd.DataFrame:
        return delivered(lib, parsed.reset_index(drop=True), basis)


def delivered(lib: Library, p: pd.DataFrame, basis: str, text: bool = True) -> pd.DataFrame:
    """The footprint of agent delivered at a flow (columns ``TIDY``, plus ``liquid_ml``, ``agent_kg``,
    ``gas_litres``, ``concentration``, ``delivered_kg`` and ``lost_kg``), column-wise over the rows of
    ``p`` (agent, flow in L/min, minutes, conc as a fraction, from_mac, and for the text conc_text,
    quantity_text, category). ``text=False`` leaves out the arithmetic in words (a case log's steps)."""
    c = constants(lib, basis).loc[p["agent"]]
    vol = p["agent"].isin(VOLATILES).to_numpy()
    flow, minutes, conc = (p[k].to_numpy(dtype=float) for k in ("flow", "minutes", "conc"))
    gas = flow * minutes * conc                                   # L of vapour, or of gas mixture
    n2o_l = gas * np.where(vol, 1.0, c["frac"].to_numpy())       # the N2O part (Entonox: half)
    moles = np.where(vol, gas, n2o_l) / c["vm"].to_numpy()
    mass_g = moles * c["mm"].to_numpy()                           # delivered to the breathing system
    liquid = np.where(vol, mass_g / c["rho"].to_numpy(), np.nan)
    loss = c["loss"].to_numpy()
    supplied_g = mass_g / (1 - loss)                              # piped N2O: what the manifold let go
    entonox = (p["agent"] == "entonox").to_numpy()
    piped = loss > 0
    from_mac = p["from_mac"].to_numpy(dtype=bool) if "from_mac" in p else np.zeros(len(p), dtype=bool)
    supply = (np.where(piped, (1 - loss) / (1 - c["loss_lo"].to_numpy()), 1.0),
              np.where(piped, (1 - loss) / (1 - c["loss_hi"].to_numpy()), 1.0))
    ratios = [up(c, "mac", vol & from_mac), up(c, "mm", True), up(c, "frac", entonox), down(c, "vm", True), supply]
    fp = footprint_line(c, supplied_g / 1000, ratios, basis, p["agent"], text)
    out = pd.DataFrame({
        "position": p["position"].to_numpy() if "position" in p else np.arange(1, len(p) + 1),
        "category": np.where(p["category"] != "", p["category"], "anaesthetic") if "category" in p else "anaesthetic",
        "factor_name": p["agent"].map(AGENT_NAMES).to_numpy(),
        "quantity_text": p["quantity_text"].to_numpy() if "quantity_text" in p else "",
        "amount": supplied_g / 1000, "amount_unit": "kg agent",
        "kgCO2e": fp["kgCO2e"], "kgCO2e_low": fp["kgCO2e_low"], "kgCO2e_high": fp["kgCO2e_high"],
        "cost_gbp": np.nan, "gwp_basis": fp["gwp_basis"],
        "factor_ids": ids(c, ["mac", "vm", "mm", "rho", "frac", "loss", "gwp"]).to_numpy(), "steps": "",
        "liquid_ml": liquid, "agent_kg": supplied_g / 1000, "gas_litres": gas, "concentration": conc,
        "delivered_kg": mass_g / 1000, "lost_kg": (supplied_g - mass_g) / 1000,
    })
    if text:
        out["steps"] = _delivered_steps(c, p, fp, gas, n2o_l, moles, mass_g, liquid, supplied_g).to_numpy()
    return out[TIDY + EXTRA]


#: The columns ``delivered`` adds to ``TIDY``.
EXTRA = ["liquid_ml", "agent_kg", "gas_litres", "concentration", "delivered_kg", "lost_kg"]


def _delivered_steps(c, p, fp, gas, n2o_l, moles, mass_g, liquid, supplied_g) -> pd.Series:
    """The arithmetic of ``delivered`` in words, one text per row."""
    vol = p["agent"].isin(VOLATILES).to_numpy()
    entonox = (p["agent"] == "entonox").to_numpy()
    flow, minutes = p["flow"].to_numpy(dtype=float), p["minutes"].to_numpy(dtype=float)
    f = {k: pd.Series(v).map(number) for k, v in (("flow", flow), ("min", minutes), ("gas", gas), ("n2o", n2o_l),
                                                 ("mol", moles), ("g", mass_g), ("ml", liquid),
                                                 ("sup", supplied_g))}
    const = {k: c[k].reset_index(drop=True).map(number) for k in ("vm", "mm", "rho")}
    name = p["agent"].reset_index(drop=True)
    vol_steps = ("Vapour delivered = fresh gas flow " + f["flow"] + " L/min × " + f["min"] + " min × concentration "
                 + p["conc_text"].reset_index(drop=True) + " = " + f["gas"] + " L of " + name + " vapour.\nMoles = "
                 + f["gas"] + " L ÷ " + const["vm"] + " L/mol (ideal gas at 20 °C) = " + f["mol"]
                 + " mol.\nMass released = " + f["mol"] + " mol × " + const["mm"] + " g/mol = " + f["g"] + " g of "
                 + name + ".\nLiquid used = " + f["g"] + " g ÷ " + const["rho"] + " g/mL (liquid density) = " + f["ml"]
                 + " mL.")
    frac_txt = c["frac"].reset_index(drop=True).map(lambda v: f"{v:g}")
    loss = c["loss"].reset_index(drop=True)
    lost = np.where(loss > 0, "\nPiped from a manifold: " + loss.map(lambda v: f"{v:.0%}") + " of the supply is lost "
                    "before it reaches a patient (n2o_manifold_loss_share), so N2O emitted = " + f["g"] + " g ÷ (1 − "
                    + loss.map(lambda v: f"{v:g}") + ") = " + f["sup"] + " g.", "")
    gas_steps = (np.where(entonox, "Entonox delivered = " + f["flow"] + " L/min × " + f["min"] + " min × "
                          + p["conc_text"].reset_index(drop=True) + " of the flow = " + f["gas"]
                          + " L of mixture; N2O = " + f["gas"] + " L × " + frac_txt + " = " + f["n2o"] + " L.",
                          "Nitrous oxide delivered = fresh gas flow " + f["flow"] + " L/min × " + f["min"] + " min × "
                          + p["conc_text"].reset_index(drop=True) + " N2O = " + f["n2o"] + " L of gas.")
                 + "\nMoles = " + f["n2o"] + " L ÷ " + const["vm"] + " L/mol (ideal gas at 15 °C) = " + f["mol"]
                 + " mol.\nMass delivered = " + f["mol"] + " mol × " + const["mm"] + " g/mol = " + f["g"]
                 + " g of nitrous oxide." + lost)
    return pd.Series(np.where(vol, vol_steps, gas_steps)) + "\n" + fp["last_step"] + "\n" + NOT_COUNTED
