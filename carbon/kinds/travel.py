"""``travel``: journeys by a travel mode (``3 appointment`` of ``9 mile`` each way by
``car_petrol_average``), or a total distance by it (a board's ``25000000 mile`` a year).

Travel factors are DESNZ company-reporting figures (kgCO2e per vehicle-km or per passenger-km, or
the same per mile), published on AR5 and not re-based: they mix CO2, CH4 and N2O. A distance in
miles or km converts through pint; a vehicle-km factor is shared among its ``occupancy`` (a car
with two patients in it counts half to each), while a passenger-km factor already is per person.
A one-way journey longer than once round the Earth is a typing error (``factors/bounds.csv``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pint

from carbon import bounds
from carbon import factors as fx
from carbon.errors import CarbonError
from carbon.formatting import number
from carbon.kinds.base import TIDY, Context, Kind, amount, blank, count, text, truthy, value, within
from carbon.library import Library
from carbon.units import UnitError, convert, denominator, parse, ureg


class TravelError(CarbonError):
    """A mode, distance or share the calculator cannot use; the message says what to type."""


def distance(value, what: str) -> pint.Quantity:
    """A one-way journey's distance in km: a bare number, a wrong dimension or more than once round
    the Earth is a clear error. Distance units are all lower case, so '18 Miles' and '30 KM' are read."""
    try:
        q = parse(value)
    except UnitError as exc:
        try:
            q = parse(value.lower()) if isinstance(value, str) else None
        except UnitError:
            q = None
        if q is None:
            raise TravelError(f"{what}: {exc}") from None
    if q.unitless:
        raise TravelError(f"{what}: {value!r} has no unit; write e.g. '20 mile' or '32 km'")
    try:
        q = convert(q, "km", what)
    except UnitError:
        raise TravelError(f"{what}: {value!r} is not a distance and cannot be converted to km; "
                          "write e.g. '20 mile' or '32 km'") from None
    if np.isnan(q.magnitude):
        raise TravelError(f"{what}: {value!r} is not a number; write e.g. '20 mile' or '32 km'")
    try:
        bounds.check("journey_distance", q, what, shown=str(value))
    except UnitError as exc:
        raise TravelError(str(exc)) from None
    return q


def mode_row(lib: Library, mode: str) -> pd.Series:
    if mode not in lib.factors.index:
        raise TravelError(f"unknown travel mode {mode!r}; see `carbon factors list --category travel`")
    row = lib.factors.loc[mode]
    if denominator(row["unit"]).dimensionality != ureg.km.dimensionality:
        raise TravelError(f"{mode} ({row['unit']}) is not a per-distance travel factor")
    return row


def is_vehicle(unit: str) -> bool:
    return "vehicle" in str(unit)


def km_per(per: pd.Series) -> pd.Series:
    """km in one ``per`` unit (vehicle_mile -> 1.609...), NaN where ``per`` is not a distance."""
    table = {}
    for u in per.dropna().unique():  # a handful of distinct unit names, not rows
        try:
            table[u] = float(ureg.Quantity(1, u).to("km").magnitude)
        except (pint.errors.PintError, ValueError):
            table[u] = float("nan")
    return per.map(table).astype(float)


def per_km(store, basis: str) -> pd.DataFrame:
    """Every per-distance factor on ``basis``: id, name, unit, value (in its unit), per ('vehicle' or 'passenger'),
    kgCO2e_per_km with low and high, gwp_basis."""
    df = fx.resolved(store, basis)
    df = df[df["category"] == "travel"]
    km = km_per(df["per"])
    df, km = df[km.notna()], km[km.notna()]
    return pd.DataFrame({
        "id": df["id"], "name": df["name"], "unit": df["unit"], "value": df["value"],
        "per": df["unit"].str.contains("vehicle").map({True: "vehicle", False: "passenger"}),
        "kgCO2e_per_km": df["kgCO2e_per"] / km, "kgCO2e_per_km_low": df["kgCO2e_per_low"] / km,
        "kgCO2e_per_km_high": df["kgCO2e_per_high"] / km, "gwp_basis": df["basis_used"].fillna(basis),
    }).reset_index(drop=True)


def occupancy(value, mode: str, unit: str) -> float:
    """People sharing the vehicle (1 when not given); refused for a per-passenger factor."""
    if blank(value):
        return 1.0
    try:
        occ = float(value)
    except (TypeError, ValueError):
        raise TravelError(f"occupancy {value!r} is not a number of people") from None
    if not occ >= 1:
        raise TravelError(f"occupancy {value!r} must be at least 1 person")
    bounds.check("occupancy", occ, "occupancy")
    if not is_vehicle(unit) and occ != 1:
        raise TravelError(f"{mode} is already per passenger ({unit}); occupancy applies only to "
                          "per-vehicle factors such as car_petrol_average")
    return occ


def _total_km(q: pint.Quantity, row: dict, ctx: Context) -> float:
    """A total distance (``25000000 mile``, or ``120000 mile/year`` a year): km, never negative."""
    what = f"distance by {text(row, 'factor')}"
    raw = text(row, "quantity")
    if ctx.period and q.dimensionality.get("[time]", 0) == -1:
        q = (q * ureg.Quantity(ctx.period)).to_reduced_units()
    if q.unitless:
        raise TravelError(f"{what}: {raw!r} has no unit; write e.g. '120000 mile' or '200000 km'")
    if q.dimensionality != ureg.km.dimensionality:
        raise TravelError(f"{what}: {raw!r} is not a distance (a year's miles or km)")
    return float(q.to("km").magnitude)


class TravelKind(Kind):
    name = "travel"
    label = "Journeys (number × distance by a travel mode)"
    fields = ("factor", "quantity", "duration", "distance", "return_trip", "occupancy", "category")
    picks = "travel mode"

    def adopt(self, lib: Library, old, new):
        """The same journeys by another mode; a per-passenger factor is already per person."""
        if new.occupancy and not is_vehicle(lib.factors.loc[new.factor, "unit"]):
            return replace(new, occupancy="")
        return new

    def parse(self, lib: Library, row: dict, ctx: Context) -> dict:
        mode = self.need_factor(row, ctx)
        frow = mode_row(lib, mode)
        occ = occupancy(value(row, "occupancy"), mode, frow["unit"])
        legs = 2 if truthy(row.get("return_trip")) else 1
        dist = text(row, "distance")
        if dist:
            journeys = float(within(ureg.Quantity(count(amount(row, ctx)), "journey"), row, ctx).magnitude)
            one_way = float(distance(dist, f"distance by {mode}").magnitude)
            q_text = (f"{journeys:g} × {dist}{' return' if legs == 2 else ' one way'}"
                      + (f", {text(row, 'occupancy')} in the vehicle" if text(row, "occupancy") else ""))
        else:
            try:
                q = amount(row, ctx)
            except UnitError as exc:
                if "negative" in str(exc):
                    raise TravelError(f"distance by {mode}: {text(row, 'quantity')!r} cannot be negative") from None
                raise
            if not ctx.period and q.dimensionality != ureg.km.dimensionality:
                raise UnitError("distance is empty: write the distance of one journey, e.g. '9 mile' or '14.5 km'")
            journeys, one_way = 1.0, float(within(ureg.Quantity(_total_km(q, row, ctx), "km"), row, ctx).magnitude)
            q_text = f"{one_way * legs:,.0f} km {ctx.words} by {frow['name']}"
        return {"mode": mode, "journeys": journeys, "one_way_km": one_way, "legs": legs, "occupancy": occ,
                "vehicle": is_vehicle(frow["unit"]), "occupancy_given": bool(text(row, "occupancy")),
                "total": not dist, "quantity_text": q_text, "category": text(row, "category")}

    def compute(self, store, lib: Library, parsed: pd.DataFrame, basis: str, ctx: Context) -> pd.DataFrame:
        f = per_km(store, basis).set_index("id").loc[parsed["mode"]]
        trip_km = parsed["one_way_km"].to_numpy(dtype=float) * parsed["legs"].to_numpy(dtype=float)
        journeys = parsed["journeys"].to_numpy(dtype=float)
        share = journeys / parsed["occupancy"].to_numpy(dtype=float)
        km = journeys * trip_km
        out = pd.DataFrame({
            "position": parsed["position"].to_numpy(),
            "category": np.where(parsed["category"] != "", parsed["category"], "travel"),
            "factor_name": f["name"].to_numpy(), "quantity_text": parsed["quantity_text"].to_numpy(),
            "amount": km, "amount_unit": "km",
            "kgCO2e": trip_km * share * f["kgCO2e_per_km"].to_numpy(),
            "kgCO2e_low": trip_km * share * f["kgCO2e_per_km_low"].to_numpy(),
            "kgCO2e_high": trip_km * share * f["kgCO2e_per_km_high"].to_numpy(),
            "cost_gbp": np.nan, "gwp_basis": f["gwp_basis"].to_numpy(), "factor_ids": parsed["mode"].to_numpy(),
        })
        out["steps"] = _steps(parsed, f, trip_km, out["kgCO2e"])
        return out[TIDY]


def _steps(parsed: pd.DataFrame, f: pd.DataFrame, trip_km, kg: pd.Series) -> pd.Series:
    """The arithmetic of each row in plain English, built column-wise."""
    p = parsed.reset_index(drop=True)
    trip = pd.Series(trip_km)
    one_way = p["one_way_km"].map(number)
    legs = np.where(p["legs"] == 2, " x 2 (return)", " (one way)")
    per_km_ = pd.Series(f["kgCO2e_per_km"].to_numpy())
    published = pd.Series(f["unit"].to_numpy())
    shown_factor = ("Factor: " + pd.Series(f["name"].to_numpy()) + " = "
                    + pd.Series(f["value"].to_numpy()).map(number) + " " + published
                    + np.where(published.str.contains("mile"), " = " + per_km_.map(number) + " kgCO2e per km", "")
                    + " (DESNZ figures are published on " + pd.Series(f["gwp_basis"].to_numpy())
                    + " and not re-based).")
    journeys = np.where(p["journeys"] == 1, "", p["journeys"].map(lambda n: f"{n:g} journeys x "))
    shared = np.where(p["vehicle"], " ÷ " + p["occupancy"].map(lambda n: f"{n:g}") + " people in the vehicle", "")
    who = np.where(p["vehicle"] & (p["occupancy"] != 1), "person", "traveller")
    distance_line = np.where(
        p["total"], "Distance = " + trip.map(number) + " km " + legs + ".",
        "Distance = " + one_way + " km" + legs + " = " + trip.map(number) + " km ("
        + (trip / 1.609344).map(number) + " miles) a journey.")
    lines = (distance_line + "\n" + shown_factor + "\nFootprint = " + journeys + trip.map(number)
             + " km x " + per_km_.map(number) + " kgCO2e/km" + shared + " = " + pd.Series(kg.to_numpy()).map(number)
             + " kgCO2e per " + who + ".")
    alone = p["vehicle"] & ~p["occupancy_given"]
    lines = lines + np.where(alone, "\nThe whole vehicle is counted against this traveller (occupancy 1); "
                                    "set the occupancy to share it.", "")
    return lines.reset_index(drop=True)
