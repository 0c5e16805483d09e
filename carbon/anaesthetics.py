"""Anaesthetic gases: what a volatile agent, nitrous oxide or Entonox emits, from first principles.

The footprint is derived from the physical constants and GWPs in the factor library (so the GWP
basis switch and local overrides apply) with the simple steady-state model of the reference sheet
(Ryan & Nielsen 2010): everything the vaporiser or flowmeter delivers is eventually vented.

* volatile agent: vapour (L) = fresh gas flow x duration x concentration; moles = vapour / molar
  volume at 20 C; mass = moles x molar mass; liquid (mL) = mass / density; kgCO2e = mass x GWP;
* nitrous oxide: gas (L) = fresh gas flow x duration x N2O share of the flow; moles at 15 C (the
  convention of the library's ``n2o_per_litre``); mass and kgCO2e as above;
* Entonox: the flow is 50:50 N2O/O2 (``entonox_n2o_fraction``); only the N2O half counts;
* purchasing: bottles, millilitres of liquid, litres of gas or cylinders, all fully emitted.

Patient uptake, metabolism, manufacture and transport of the agent are not counted; the model
therefore slightly overstates the agent emitted during a case and understates the life cycle.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field

import pandas as pd
import pint

from carbon import factors as fx
from carbon.units import UnitError, convert, parse, ureg

VOLATILES = ("desflurane", "sevoflurane", "isoflurane")
GASES = ("n2o", "entonox")
AGENTS = VOLATILES + GASES
AGENT_NAMES = {
    "desflurane": "Desflurane",
    "sevoflurane": "Sevoflurane",
    "isoflurane": "Isoflurane",
    "n2o": "Nitrous oxide",
    "entonox": "Entonox (50% N2O / 50% O2)",
}
#: Nitrous oxide as the carrier gas is usually given as 66% of the fresh gas flow (2:1 N2O:O2),
#: the share used by the reference sheet's n2o_carrier_hour_* factors (Ryan & Nielsen 2010).
N2O_CARRIER_SHARE = "66 %"
#: A cylinder size people can start from: E is the common theatre N2O cylinder (the NHS recipe
#: book's worked example); G is the usual bank cylinder for Entonox on labour wards.
DEFAULT_CYLINDER = {"n2o": "e", "entonox": "g"}
NOT_COUNTED = (
    "Not counted: patient uptake and metabolism (the model assumes every litre delivered is vented), "
    "manufacture and transport of the agent, the anaesthetic machine and scavenging energy."
)
#: The highest setting on the dial of the standard vaporisers (desflurane Tec 6: 18 %; sevoflurane
#: 8 %; isoflurane 5 %): a concentration above it cannot be delivered, so it is a typing error.
VAPORISER_MAX = {"desflurane": 0.18, "sevoflurane": 0.08, "isoflurane": 0.05}
_MAC_TEXT = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(?:x\s*)?MAC\s*$", re.IGNORECASE)


class AnaestheticError(ValueError):
    """An agent, amount or setting the calculator cannot use; the message says what to type."""


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


# ---------------------------------------------------------------------------------------------
# Reading the inputs
# ---------------------------------------------------------------------------------------------
def _agent(agent: str) -> str:
    a = str(agent).strip().lower().replace(" ", "_")
    a = {"nitrous_oxide": "n2o", "nitrous": "n2o", "des": "desflurane", "sevo": "sevoflurane",
         "iso": "isoflurane"}.get(a, a)
    if a not in AGENTS:
        raise AnaestheticError(f"unknown agent {agent!r}; choose one of {', '.join(AGENTS)}")
    return a


#: Theatre shorthand for litres a minute ('2 lpm', '0.5 LPM'), read as L/min.
_LPM = re.compile(r"(?<=[\d\s])lpm\b", re.IGNORECASE)


def _parse(text, what: str) -> pint.Quantity:
    """``parse``, with the field named in the error ('duration: cannot read 'abc' ...')."""
    if isinstance(text, str):
        text = _LPM.sub("L/min", text)
    try:
        return parse(text)
    except UnitError as exc:
        raise AnaestheticError(f"{what}: {exc}") from None


#: What each input must be, in words, for the message when it is something else ('1 litre' as a duration).
_EXPECTED = {"L/min": "a flow, e.g. '1 L/min' or '500 mL/min'", "min": "a time, e.g. '90 min' or '1.5 h'"}


def _quantity(text, unit: str, what: str) -> pint.Quantity:
    """``text`` as a pint quantity in ``unit``; a bare number or a wrong dimension is refused."""
    q = _parse(text, what)
    if q.unitless and ureg.Unit(unit) != ureg.dimensionless:
        raise AnaestheticError(f"{what}: {text!r} has no unit; write it with one, e.g. '1 {unit}'")
    try:
        q = convert(q, unit, what)
    except UnitError as exc:
        if unit in _EXPECTED:
            shown = repr(text) if isinstance(text, str) else f"'{fmt_quantity(q)}'"
            raise AnaestheticError(f"{what}: {shown} cannot be converted to {unit}; write {_EXPECTED[unit]}") from None
        raise AnaestheticError(str(exc)) from None
    if not math.isfinite(q.magnitude):
        raise AnaestheticError(f"{what}: {text!r} is not a finite number")
    if q.magnitude < 0:
        raise AnaestheticError(f"{what}: {text!r} cannot be negative")
    return q


def _check_basis(lib: fx.Library, basis: str) -> None:
    if basis not in lib.bases.index:
        raise AnaestheticError(f"unknown GWP basis {basis!r}; choose one of {', '.join(sorted(lib.bases.index))}")


class _Terms:
    """Central/low/high of a product of library figures, remembering the ids and the basis used."""

    def __init__(self, lib: fx.Library, basis: str):
        self.lib, self.basis = lib, basis
        self.ids: list[str] = []
        self.basis_used = basis

    def get(self, fid: str) -> fx.Resolved:
        if fid not in self.ids:
            self.ids.append(fid)
        return self.lib.quantity(fid, self.basis)

    def gwp(self, substance: str) -> fx.Resolved:
        gid, used = self.lib.gwp_id(substance, self.basis)
        self.basis_used = used
        if gid not in self.ids:
            self.ids.append(gid)
        return self.lib.quantity(gid, used)


def _span(central: pint.Quantity, up: list[fx.Resolved], down: list[fx.Resolved]) -> tuple:
    """Low and high of ``central`` when it is proportional to ``up`` and inversely to ``down``."""
    lo = hi = central
    for r in up:
        if r.value.magnitude:
            lo = lo * float(r.low / r.value)
            hi = hi * float(r.high / r.value)
    for r in down:
        if r.value.magnitude:
            lo = lo * float(r.value / r.high)
            hi = hi * float(r.value / r.low)
    return lo, hi


def _share(text, what: str) -> float:
    q = _parse(text, what)
    try:
        v = float(convert(q, "dimensionless", what).magnitude)
    except UnitError as exc:
        raise AnaestheticError(str(exc)) from None
    if not 0 <= v <= 1:
        hint = f"; did you mean '{q.magnitude:g} %'?" if q.unitless and 1 < q.magnitude <= 100 else ""
        raise AnaestheticError(f"{what}: {text!r} must be between 0 and 100 %{hint}")
    return v


_UNIT_FIXES = ((re.compile(r"\bml\b"), "mL"), (re.compile(r"\bl\b"), "L"))


def fmt_quantity(q: pint.Quantity) -> str:
    """A quantity for the arithmetic shown to people: 4 significant figures (whole numbers from
    10,000), litres as ``L`` and millilitres as ``mL``."""
    mag = float(q.magnitude)
    num = f"{mag:,.0f}" if abs(mag) >= 1e4 else f"{mag:,.4g}"
    unit = f"{q.units:~P}"
    for pattern, repl in _UNIT_FIXES:
        unit = pattern.sub(repl, unit)
    return f"{num} {unit}".strip()


_fmt = fmt_quantity


# ---------------------------------------------------------------------------------------------
# By fresh gas flow
# ---------------------------------------------------------------------------------------------
def anaesthetic(store, agent: str, fgf, duration, concentration=None,
                basis: str = fx.DEFAULT_BASIS) -> AnaestheticResult:
    """The agent emitted, its liquid volume and kgCO2e for one anaesthetic.

    ``fgf`` (e.g. ``"1 L/min"``), ``duration`` (``"90 min"``) and ``concentration`` (``"2 %"``,
    or ``"1.2 MAC"``) are text or pint quantities. For a volatile agent the concentration defaults
    to 1 MAC (``mac_<agent>``); for nitrous oxide it is the share of the flow that is N2O (default
    66 %); for Entonox it is the share of the flow that is Entonox (default 100 %).
    """
    a = _agent(agent)
    lib = fx.library(store)
    _check_basis(lib, basis)
    flow = _quantity(fgf, "L/min", "fresh gas flow")
    time = _quantity(duration, "min", "duration")
    t = _Terms(lib, basis)
    steps: list[str] = []
    ranged: list[fx.Resolved] = []

    if a in VOLATILES:
        mac = t.get(f"mac_{a}")
        m = _MAC_TEXT.match(concentration) if isinstance(concentration, str) else None
        if concentration is None or m:
            multiple = float(m.group(1)) if m else 1.0
            conc = float(convert(mac.value, "dimensionless", "MAC").magnitude) * multiple
            conc_txt = f"{conc * 100:.4g} % (= {multiple:g} MAC of {a})"
            ranged.append(mac)
        else:
            conc = _share(concentration, f"{a} concentration")
            conc_txt = f"{conc * 100:.4g} %"
        if conc > VAPORISER_MAX[a]:
            raise AnaestheticError(
                f"{a} concentration: {concentration!r}" + (f" is {conc * 100:.3g} %, which" if m else "")
                + " is above the highest vaporiser setting "
                f"for {a} ({VAPORISER_MAX[a] * 100:g} %); write a dial setting such as "
                f"'{VAPORISER_MAX[a] * 50:g} %' or a depth such as '1.2 MAC'")
        vm, mm, rho = t.get("molar_volume_20c"), t.get(f"molar_mass_{a}"), t.get(f"density_{a}")
        vapour = (flow * time * conc).to("L")
        moles = (vapour / vm.value).to("mol")
        mass = (moles * mm.value).to("kg")
        liquid = (mass / rho.value).to("mL")
        steps += [
            f"Vapour delivered = fresh gas flow {_fmt(flow)} × {_fmt(time)} × concentration {conc_txt} "
            f"= {_fmt(vapour)} of {a} vapour.",
            f"Moles = {_fmt(vapour)} ÷ {_fmt(vm.value)} (ideal gas at 20 °C) = {_fmt(moles)}.",
            f"Mass released = {_fmt(moles)} × {_fmt(mm.value)} = {_fmt(mass.to('g'))} of {a}.",
            f"Liquid used = {_fmt(mass.to('g'))} ÷ {_fmt(rho.value)} (liquid density) = {_fmt(liquid)}.",
        ]
        substance, gas, liquid_ml = a, vapour, float(liquid.magnitude)
        ranged += [mm]
        down = [vm]
    else:
        default = N2O_CARRIER_SHARE if a == "n2o" else "100 %"
        share = _share(default if concentration is None else concentration,
                       "nitrous oxide share of the flow" if a == "n2o" else "Entonox share of the flow")
        vm, mm = t.get("molar_volume_15c"), t.get("molar_mass_n2o")
        gas = (flow * time * share).to("L")
        if a == "entonox":
            frac = t.get("entonox_n2o_fraction")
            n2o_l = (gas * frac.value).to("L")
            steps.append(
                f"Entonox delivered = {_fmt(flow)} × {_fmt(time)} × {share * 100:.4g} % of the flow = {_fmt(gas)} "
                f"of mixture; N2O = {_fmt(gas)} × {float(frac.value.to('dimensionless').magnitude):g} = {_fmt(n2o_l)}."
            )
            ranged.append(frac)
        else:
            n2o_l = gas
            steps.append(
                f"Nitrous oxide delivered = fresh gas flow {_fmt(flow)} × {_fmt(time)} × {share * 100:.4g} % N2O "
                f"= {_fmt(n2o_l)} of gas."
            )
        moles = (n2o_l / vm.value).to("mol")
        mass = (moles * mm.value).to("kg")
        steps += [
            f"Moles = {_fmt(n2o_l)} ÷ {_fmt(vm.value)} (ideal gas at 15 °C) = {_fmt(moles)}.",
            f"Mass released = {_fmt(moles)} × {_fmt(mm.value)} = {_fmt(mass.to('g'))} of nitrous oxide.",
        ]
        substance, liquid_ml = "n2o", None
        ranged.append(mm)
        down = [vm]

    return _finish(t, a, substance, mass, ranged, down, steps, liquid_ml, gas, "flow",
                   concentration=conc if a in VOLATILES else share)


def _finish(t: _Terms, a: str, substance: str, mass: pint.Quantity, up: list, down: list, steps: list[str],
            liquid_ml, gas, method: str, concentration=None) -> AnaestheticResult:
    """Multiply the mass released by the GWP and write the last steps and the range."""
    g = t.gwp(substance)
    co2e = (mass * g.value).to("kgCO2e")
    lo, hi = _span(co2e, up + [g], down)
    fallback = "" if t.basis_used == t.basis else f" (no {t.basis} GWP for {substance}; {t.basis_used} used)"
    steps.append(
        f"Footprint = {_fmt(mass)} × GWP {_fmt(g.value)} on {t.basis_used}{fallback} = {_fmt(co2e)} "
        f"(range {lo.to('kgCO2e').magnitude:,.4g}–{hi.to('kgCO2e').magnitude:,.4g} kgCO2e)."
    )
    steps.append(NOT_COUNTED)
    return AnaestheticResult(
        agent=a, agent_name=AGENT_NAMES[a], liquid_ml=liquid_ml, agent_kg=float(mass.to("kg").magnitude),
        kgCO2e=float(co2e.magnitude), kgCO2e_low=float(lo.to("kgCO2e").magnitude),
        kgCO2e_high=float(hi.to("kgCO2e").magnitude), gwp_basis=t.basis, gwp_basis_used=t.basis_used,
        factor_ids=list(t.ids), steps=steps, gas_litres=None if gas is None else float(gas.to("L").magnitude),
        concentration=concentration, method=method,
    )


# ---------------------------------------------------------------------------------------------
# From purchasing
# ---------------------------------------------------------------------------------------------
def cylinder_sizes(store, agent: str) -> list[str]:
    """The cylinder sizes the library knows for ``agent`` (n2o or entonox), e.g. ``['c', 'd', 'e']``."""
    a = _agent(agent)
    if a not in GASES:
        return []
    prefix = f"cylinder_volume_{a}_"
    ids = fx.library(store).constants.index
    return sorted(i[len(prefix):] for i in ids if i.startswith(prefix))


def purchased(store, agent: str, amount, basis: str = fx.DEFAULT_BASIS,
              cylinder: str | None = None) -> AnaestheticResult:
    """What a quantity of agent bought (and so, in time, vented) emits.

    ``amount`` is text or a pint quantity: for a volatile agent bottles (``"12 bottle"``, sized by
    ``bottle_volume_<agent>``), millilitres or litres of liquid, or kg; for nitrous oxide or Entonox
    litres of gas (at 15 C) or cylinders (``"3 cylinder"``, size ``cylinder``: c, d, e, f, g for
    N2O; d, ed, f, g, hx for Entonox), or kg of N2O. A rate (``"40 bottle/year"``) is read as
    one year's purchasing. Everything bought is assumed to be emitted.
    """
    a = _agent(agent)
    lib = fx.library(store)
    _check_basis(lib, basis)
    q = _parse(amount, f"amount of {a}")
    if q.unitless:
        raise AnaestheticError(
            f"amount of {a}: {amount!r} has no unit; write e.g. '12 bottle', '500 mL' or '3 cylinder'")
    if not math.isfinite(q.magnitude):
        raise AnaestheticError(f"amount of {a}: {amount!r} is not a finite number")
    if q.magnitude < 0:
        raise AnaestheticError(f"amount of {a}: {amount!r} cannot be negative")
    per_year = ""
    if q.dimensionality.get("[time]", 0) == -1:
        q = (q * ureg.Quantity(1, "year")).to_reduced_units()
        per_year = " a year"
    t = _Terms(lib, basis)
    steps: list[str] = []
    up: list[fx.Resolved] = []
    what = f"amount of {a}"
    dims = q.dimensionality

    if a in VOLATILES:
        rho = t.get(f"density_{a}")
        if dims == ureg.bottle.dimensionality:
            bv = t.get(f"bottle_volume_{a}")
            liquid = (q * bv.value).to("mL")
            steps.append(f"Liquid bought = {_fmt(q)}{per_year} × {_fmt(bv.value)} = {_fmt(liquid)}.")
            up.append(bv)
        elif dims == ureg.mL.dimensionality:
            liquid = q.to("mL")
        elif dims == ureg.kg.dimensionality:
            liquid = None
        else:
            raise AnaestheticError(f"{what}: {q:~P} is not bottles, millilitres of liquid or kg (e.g. '12 bottle')")
        if liquid is None:
            mass = q.to("kg")
            liquid = (mass / rho.value).to("mL")
            steps.append(f"Liquid = {_fmt(mass)} ÷ {_fmt(rho.value)} = {_fmt(liquid)}.")
        else:
            mass = (liquid * rho.value).to("kg")
            steps.append(
                f"Mass = {_fmt(liquid)} × {_fmt(rho.value)} (liquid density) = {_fmt(mass)} of {a}, all vented.")
            up.append(rho)
        return _finish(t, a, a, mass, up, [], steps, float(liquid.magnitude), None, "purchase")

    gas_word = "nitrous oxide" if a == "n2o" else "Entonox mixture"
    if dims == ureg.cylinder.dimensionality:
        size = (cylinder or DEFAULT_CYLINDER[a]).strip().lower()
        cid = f"cylinder_volume_{a}_{size}"
        if cid not in lib.constants.index:
            sizes = ", ".join(cylinder_sizes(store, a))
            raise AnaestheticError(f"no size {size!r} {a} cylinder in the library; sizes: {sizes}")
        cv = t.get(cid)
        gas = (q * cv.value).to("L")
        steps.append(
            f"Gas bought = {_fmt(q)}{per_year} × {_fmt(cv.value)} (size {size.upper()}) = {_fmt(gas)} of {gas_word}.")
        up.append(cv)
    elif dims == ureg.L.dimensionality:
        gas = q.to("L")
    elif dims == ureg.kg.dimensionality and a == "n2o":
        gas = None
    else:
        raise AnaestheticError(f"{what}: {q:~P} is not litres of gas, cylinders or kg (e.g. '3 cylinder')")
    if gas is None:
        mass = q.to("kg")
        steps.append(f"Mass = {_fmt(mass)}{per_year} of nitrous oxide, all vented.")
        return _finish(t, a, "n2o", mass, up, [], steps, None, None, "purchase")
    n2o_l = gas
    if a == "entonox":
        frac = t.get("entonox_n2o_fraction")
        n2o_l = (gas * frac.value).to("L")
        half = float(frac.value.to("dimensionless").magnitude)
        steps.append(f"N2O = {_fmt(gas)} × {half:g} (the N2O share of Entonox) = {_fmt(n2o_l)}.")
        up.append(frac)
    vm, mm = t.get("molar_volume_15c"), t.get("molar_mass_n2o")
    moles = (n2o_l / vm.value).to("mol")
    mass = (moles * mm.value).to("kg")
    steps.append(f"Mass = {_fmt(n2o_l)} ÷ {_fmt(vm.value)} (ideal gas at 15 °C) × {_fmt(mm.value)} = {_fmt(mass)} "
                 "of nitrous oxide, all vented.")
    return _finish(t, a, "n2o", mass, up + [mm], [vm], steps, None, gas, "purchase")


def display(r: AnaestheticResult) -> dict[str, str]:
    """Text for a result's headline figures: carbon, range, liquid (or gas) volume and mass released,
    each in a unit that suits its size (mL or L, g or kg)."""
    from carbon.formatting import co2e

    liquid = None if r.liquid_ml is None else ureg.Quantity(r.liquid_ml, "mL")
    gas = None if r.gas_litres is None else ureg.Quantity(r.gas_litres, "L")
    mass = ureg.Quantity(r.agent_kg, "kg")
    return {
        "carbon": co2e(r.kgCO2e),
        "range": f"{co2e(r.kgCO2e_low)} – {co2e(r.kgCO2e_high)}",
        "liquid": "" if liquid is None else _fmt(liquid.to("L") if liquid >= ureg.Quantity(1, "L") else liquid),
        "gas": "" if gas is None else _fmt(gas),
        "mass": _fmt(mass.to("g") if mass < ureg.Quantity(1, "kg") else mass),
    }


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
