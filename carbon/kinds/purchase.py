"""``purchase``: anaesthetic agent bought, and so, in time, vented: bottles, millilitres or kg of a
volatile agent; litres of gas (at 15 C), cylinders (of a size) or kg of nitrous oxide or Entonox.

A rate (``40 bottle/year``) is read as one year's purchasing. Everything bought is assumed to be
emitted (what a manifold loses included); the constants and GWPs are the library's
(``carbon.kinds.anaesthetic.constants``). Swapping nitrous oxide bought for a manifold
(``n2o_manifold``) for point-of-use cylinders (``n2o``) keeps only what reached patients:
``adopt`` scales the amount by 1 - ``n2o_manifold_loss_share``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from carbon.formatting import number
from carbon.kinds.anaesthetic import (AGENT_NAMES, AGENTS, NOT_COUNTED, VOLATILES, AnaestheticError, agent_id, constants,
                                      down, footprint_line, ids, read, up)
from carbon.kinds.base import TIDY, Context, Kind, text, value
from carbon.library import Library
from carbon.units import ureg

#: A cylinder size people can start from: E is the common theatre N2O cylinder (the NHS recipe
#: book's worked example); G is the usual bank cylinder for Entonox on labour wards.
#: A manifold is fed from banks of large cylinders: G (the PRI abstract's unit) is the default there.
DEFAULT_CYLINDER = {"n2o": "e", "n2o_manifold": "g", "entonox": "g"}
#: The gas whose cylinder sizes an agent uses (piped N2O comes in N2O cylinders).
CYLINDER_GAS = {"n2o": "n2o", "n2o_manifold": "n2o", "entonox": "entonox"}


def cylinder_sizes(lib: Library, agent: str) -> list[str]:
    """The cylinder sizes the library knows for ``agent`` (n2o or entonox), e.g. ``['c', 'd', 'e']``."""
    prefix = f"cylinder_volume_{CYLINDER_GAS.get(agent, agent)}_"
    return sorted(i[len(prefix):] for i in lib.constants.index if i.startswith(prefix))


def parse_purchase(lib: Library, agent: str, value, cylinder: str | None = None) -> dict:
    """What was bought, read: the form (bottle, liquid, mass, cylinder or gas), how many of it in its
    unit (bottles, mL, kg, cylinders, L), the container's volume id and whether it was a year's rate."""
    a = agent_id(agent)
    what = f"amount of {a}"
    q = read(value, what)
    if q.unitless:
        raise AnaestheticError(f"{what}: {value!r} has no unit; write e.g. '12 bottle', '500 mL' or '3 cylinder'")
    if not np.isfinite(q.magnitude):
        raise AnaestheticError(f"{what}: {value!r} is not a finite number")
    if q.magnitude < 0:
        raise AnaestheticError(f"{what}: {value!r} cannot be negative")
    per_year = q.dimensionality.get("[time]", 0) == -1
    if per_year:
        q = (q * ureg.Quantity(1, "year")).to_reduced_units()
    dims = q.dimensionality
    container = ""
    if a in VOLATILES:
        if dims == ureg.bottle.dimensionality:
            form, n, container = "bottle", float(q.to("bottle").magnitude), f"bottle_volume_{a}"
        elif dims == ureg.mL.dimensionality:
            form, n = "liquid", float(q.to("mL").magnitude)
        elif dims == ureg.kg.dimensionality:
            form, n = "mass", float(q.to("kg").magnitude)
        else:
            raise AnaestheticError(f"{what}: {q:~P} is not bottles, millilitres of liquid or kg (e.g. '12 bottle')")
    else:
        if dims == ureg.cylinder.dimensionality:
            size = (cylinder or DEFAULT_CYLINDER[a]).strip().lower()
            container = f"cylinder_volume_{CYLINDER_GAS[a]}_{size}"
            if container not in lib.constants.index:
                raise AnaestheticError(f"no size {size!r} {a} cylinder in the library; sizes: "
                                       f"{', '.join(cylinder_sizes(lib, a))}")
            form, n = "cylinder", float(q.to("cylinder").magnitude)
        elif dims == ureg.L.dimensionality:
            form, n = "gas", float(q.to("L").magnitude)
        elif dims == ureg.kg.dimensionality and a != "entonox":
            form, n = "mass", float(q.to("kg").magnitude)
        else:
            raise AnaestheticError(f"{what}: {q:~P} is not litres of gas, cylinders or kg (e.g. '3 cylinder')")
    return {"agent": a, "form": form, "n": n, "container": container, "per_year": per_year}


class PurchaseKind(Kind):
    name = "purchase"
    label = "Anaesthetic bought (bottles, cylinders, mL, L)"
    fields = ("factor", "quantity", "duration", "cylinder", "category")
    picks = "agent"

    def choices(self, lib: Library) -> list[str]:
        return list(AGENTS)

    def ref(self, text_: str) -> str:
        return text_.strip().lower()

    def adopt(self, lib: Library, old, new):
        """Piped nitrous oxide bought for a manifold, swapped for point-of-use cylinders: only the gas that
        reached patients is bought (litres of gas, or kg, times 1 - the manifold loss share)."""
        new = super().adopt(lib, old, new)
        if old.kind != self.name or self.ref(old.factor) != "n2o_manifold" or self.ref(new.factor) != "n2o":
            return new
        amount_ = read(old.quantity, "amount")
        if str(getattr(old, "duration", "") or "").strip():
            amount_ = amount_ * read(old.duration, "duration")
        was = parse_purchase(lib, "n2o_manifold", amount_)
        kept = 1 - float(lib.quantity("n2o_manifold_loss_share").value.to("dimensionless").magnitude)
        if was["form"] == "mass":
            return replace(new, quantity=f"{was['n'] * kept:.6g} kg")
        litres = was["n"] * (_triple(lib, was["container"])[0] if was["container"] else 1.0)
        return replace(new, quantity=f"{litres * kept:.6g} L")

    def parse(self, lib: Library, row: dict, ctx: Context) -> dict:
        agent = self.need_factor(row, ctx)
        bought_ = value(row, "quantity") or ""
        if text(row, "duration"):
            bought_ = read(bought_, "amount") * read(text(row, "duration"), "duration")
        out = parse_purchase(lib, agent, bought_, text(row, "cylinder") or None)
        typed = text(row, "quantity") + (f" × {text(row, 'duration')}" if text(row, "duration") else "")
        return {**out, "quantity_text": typed, "category": text(row, "category")}

    def compute(self, store, lib: Library, parsed: pd.DataFrame, basis: str, ctx: Context) -> pd.DataFrame:
        return bought(lib, parsed.reset_index(drop=True), basis)


def bought(lib: Library, p: pd.DataFrame, basis: str) -> pd.DataFrame:
    """The footprint of agent bought (columns ``TIDY`` plus ``liquid_ml``, ``agent_kg``, ``gas_litres``),
    column-wise over the rows of ``p`` (agent, form, n, container, per_year, quantity_text, category)."""
    c = constants(lib, basis).loc[p["agent"]]
    vol = p["agent"].isin(VOLATILES).to_numpy()
    form = p["form"].to_numpy()
    n = p["n"].to_numpy(dtype=float)
    sizes = {cid: _triple(lib, cid) for cid in p["container"].unique() if cid}  # a few container sizes
    cv, cv_lo, cv_hi = (p["container"].map({k: v[i] for k, v in sizes.items()}).to_numpy(dtype=float)
                        for i in range(3))
    in_container = np.isin(form, ["bottle", "cylinder"])
    rho = c["rho"].to_numpy()
    # volatile: liquid (mL) and mass; gas: litres of gas, the N2O part, and mass
    liquid = np.select([form == "bottle", form == "liquid", vol & (form == "mass")], [n * cv, n, n * 1000 / rho], np.nan)
    gas = np.select([form == "cylinder", form == "gas"], [n * cv, n], np.nan)
    entonox = (p["agent"] == "entonox").to_numpy()
    n2o_l = gas * np.where(entonox, c["frac"].to_numpy(), 1.0)
    mass_kg = np.select([form == "mass", vol], [n, liquid * rho / 1000], n2o_l / c["vm"].to_numpy() * c["mm"].to_numpy()
                        / 1000)
    from_gas = ~vol & (form != "mass")
    ratios = [(np.where(in_container, cv_lo / cv, 1.0), np.where(in_container, cv_hi / cv, 1.0)),
              up(c, "rho", vol & (form != "mass")), up(c, "frac", entonox & from_gas), up(c, "mm", from_gas),
              down(c, "vm", from_gas)]
    fp = footprint_line(c, mass_kg, ratios, basis, p["agent"])

    a = p["agent"]
    year = np.where(p["per_year"], " a year", "")
    qty = p["n"].map(number) + " " + pd.Series(np.select([form == "bottle", form == "cylinder", form == "liquid",
                                                          form == "gas"], ["bottle", "cylinder", "mL", "L"], "kg"))
    cv_txt = pd.Series(cv).map(number)
    size = p["container"].str.rsplit("_", n=1).str[-1].str.upper()
    fmt = {k: pd.Series(v).map(number) for k, v in (("liquid", liquid), ("gas", gas), ("n2o", n2o_l), ("kg", mass_kg))}
    rho_txt = c["rho"].reset_index(drop=True).map(number)
    vm_txt, mm_txt = (c[k].reset_index(drop=True).map(number) for k in ("vm", "mm"))
    frac_txt = c["frac"].reset_index(drop=True).map(lambda v: f"{v:g}")
    first = np.select(
        [form == "bottle", form == "cylinder"],
        ["Liquid bought = " + qty + year + " × " + cv_txt + " mL/bottle = " + fmt["liquid"] + " mL.\n",
         "Gas bought = " + qty + year + " × " + cv_txt + " L/cylinder (size " + size + ") = " + fmt["gas"] + " L of "
         + np.where(entonox, "Entonox mixture", "nitrous oxide") + ".\n"], "")
    volatile_mass = np.where(form == "mass", "Liquid = " + fmt["kg"] + " kg ÷ " + rho_txt + " g/mL = " + fmt["liquid"]
                             + " mL.", "Mass = " + fmt["liquid"] + " mL × " + rho_txt + " g/mL (liquid density) = "
                             + fmt["kg"] + " kg of " + a + ", all vented.")
    gas_mass = np.where(form == "mass", "Mass = " + fmt["kg"] + " kg" + year + " of nitrous oxide, all vented.",
                        np.where(entonox, "N2O = " + fmt["gas"] + " L × " + frac_txt + " (the N2O share of Entonox) = "
                                 + fmt["n2o"] + " L.\n", "")
                        + "Mass = " + fmt["n2o"] + " L ÷ " + vm_txt + " L/mol (ideal gas at 15 °C) × " + mm_txt
                        + " g/mol = " + fmt["kg"] + " kg of nitrous oxide, all vented.")
    steps = first + pd.Series(np.where(vol, volatile_mass, gas_mass)) + "\n" + fp["last_step"] + "\n" + NOT_COUNTED
    keys_vol, keys_gas = ["rho", "gwp"], ["frac", "vm", "mm", "gwp"]
    factor_ids = np.where(vol, ids(c, keys_vol, p["container"]), np.where(
        form == "mass", ids(c, ["gwp"]), ids(c, keys_gas, p["container"])))
    out = pd.DataFrame({
        "position": p["position"].to_numpy(),
        "category": np.where(p["category"] != "", p["category"], "anaesthetic"),
        "factor_name": a.map(AGENT_NAMES).to_numpy(), "quantity_text": p["quantity_text"].to_numpy(),
        "amount": mass_kg, "amount_unit": "kg agent",
        "kgCO2e": fp["kgCO2e"], "kgCO2e_low": fp["kgCO2e_low"], "kgCO2e_high": fp["kgCO2e_high"],
        "cost_gbp": np.nan, "gwp_basis": fp["gwp_basis"], "factor_ids": factor_ids, "steps": steps.to_numpy(),
        "liquid_ml": np.where(vol, liquid, np.nan), "agent_kg": mass_kg, "gas_litres": gas, "concentration": np.nan,
    })
    return out[TIDY + ["liquid_ml", "agent_kg", "gas_litres", "concentration"]]


def _triple(lib: Library, fid: str) -> tuple[float, float, float]:
    """A container volume (mL per bottle or L per cylinder) with its low and high."""
    unit = "mL/bottle" if fid.startswith("bottle_") else "L/cylinder"
    r = lib.quantity(fid)
    return tuple(float(q.to(unit).magnitude) for q in (r.value, r.low, r.high))
