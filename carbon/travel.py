"""Patient and staff travel: a journey by a mode, and a service's travel against virtual consultations.

Travel factors are DESNZ company-reporting figures (kgCO2e per vehicle-km or per passenger-km, or
the same per mile), published on AR5 and not re-based: they mix CO2, CH4 and N2O. A distance in
miles or km converts through pint; a vehicle-km factor is shared among its ``occupancy``
(a car with two patients in it counts half to each), while a passenger-km factor already is per person.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import pandas as pd
import pint

from carbon import factors as fx
from carbon import formatting
from carbon.units import UnitError, convert, denominator, parse, ureg

#: Ids that are not a way of travelling by themselves (upstream fuel, fuel-only Scope 1 rows)
#: or are a per-mile duplicate of a per-km row: kept out of the pickers, still usable by id.
_NOT_PICKED = ("_wtt", "_scope1", "_per_mile", "_no_rf")


class TravelError(ValueError):
    """A mode, distance or share the calculator cannot use; the message says what to type."""


@dataclass
class TravelResult:
    """One journey: ``distance_km`` travelled in total (both ways for a return), kgCO2e per
    traveller with its range, the basis of the factor and the arithmetic in ``steps``."""

    mode: str
    mode_name: str
    distance_km: float
    kgCO2e: float
    kgCO2e_low: float
    kgCO2e_high: float
    gwp_basis: str
    factor_ids: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    occupancy: float = 1.0
    per: str = "passenger"

    def to_dict(self) -> dict:
        return asdict(self)


#: Once round the Earth at the equator (WGS 84): no one-way journey to care is longer, so a
#: distance above it is a typing error ('18e6 mile'), not a journey.
EARTH_CIRCUMFERENCE_KM = 40_075


def _distance(text, what: str) -> pint.Quantity:
    """A distance in km; a bare number, a wrong dimension or more than once round the Earth is a
    clear error."""
    try:
        q = parse(text)
    except UnitError as exc:
        try:  # distance units are all lower case: '18 Miles' and '30 KM' mean '18 miles' and '30 km'
            q = parse(text.lower()) if isinstance(text, str) else None
        except UnitError:
            q = None
        if q is None:
            raise TravelError(f"{what}: {exc}") from None
    if q.unitless:
        raise TravelError(f"{what}: {text!r} has no unit; write e.g. '20 mile' or '32 km'")
    try:
        q = convert(q, "km", what)
    except UnitError:
        raise TravelError(f"{what}: {text!r} is not a distance and cannot be converted to km; "
                          "write e.g. '20 mile' or '32 km'") from None
    if math.isnan(q.magnitude):
        raise TravelError(f"{what}: {text!r} is not a number; write e.g. '20 mile' or '32 km'")
    if q.magnitude < 0:
        raise TravelError(f"{what}: {text!r} cannot be negative")
    if q.magnitude > EARTH_CIRCUMFERENCE_KM:
        raise TravelError(f"{what}: {text!r} is more than once round the Earth ({EARTH_CIRCUMFERENCE_KM:,} km); "
                          "check the figure and its unit")
    return q


def _travel_row(lib: fx.Library, mode: str) -> pd.Series:
    if mode not in lib.factors.index:
        raise TravelError(f"unknown travel mode {mode!r}; see `carbon factors list --category travel`")
    row = lib.factors.loc[mode]
    if denominator(row["unit"]).dimensionality != ureg.km.dimensionality:
        raise TravelError(f"{mode} ({row['unit']}) is not a per-distance travel factor")
    return row


def _is_vehicle(unit: str) -> bool:
    return "vehicle" in str(unit)


def journey(store, mode: str, distance, return_trip: bool = False, occupancy=None,
            basis: str = fx.DEFAULT_BASIS) -> TravelResult:
    """kgCO2e of one person's journey of ``distance`` (``"18 mile"``, ``"28.968 km"``) by ``mode``.

    ``mode`` is a travel factor id (``car_petrol_average``, ``rail_national``, ...). A return
    trip doubles the distance. ``occupancy`` (people in the vehicle, default 1) divides a
    vehicle-km factor; it is refused for a passenger-km factor, which is already per person.
    """
    lib = fx.library(store)
    row = _travel_row(lib, mode)
    one_way = _distance(distance, f"distance by {mode}")
    legs = 2 if return_trip else 1
    km = one_way * legs
    vehicle = _is_vehicle(row["unit"])
    if occupancy is None:
        occ = 1.0
    else:
        try:
            occ = float(occupancy)
        except (TypeError, ValueError):
            raise TravelError(f"occupancy {occupancy!r} is not a number of people") from None
        if not occ >= 1:
            raise TravelError(f"occupancy {occupancy!r} must be at least 1 person")
        if not vehicle and occ != 1:
            raise TravelError(f"{mode} is already per passenger ({row['unit']}); occupancy applies only to "
                              "per-vehicle factors such as car_petrol_average")
    r = lib.quantity(mode, basis)
    factor_km = r.value.to(ureg.kgCO2e / ureg.km)
    co2e = (factor_km * km / occ).to("kgCO2e")
    lo = (r.low.to(factor_km.units) * km / occ).to("kgCO2e")
    hi = (r.high.to(factor_km.units) * km / occ).to("kgCO2e")
    used = r.basis_used or basis
    steps = [
        f"Distance = {_num(one_way.to('km').magnitude)} km{' x 2 (return)' if legs == 2 else ' (one way)'}"
        f" = {_num(km.magnitude)} km ({_num(km.to('mile').magnitude)} miles).",
        f"Factor: {row['name']} = {_num(r.value.magnitude)} {row['unit']}"
        + (f" = {_num(factor_km.magnitude)} kgCO2e per km" if "mile" in str(row["unit"]) else "")
        + f" (DESNZ figures are published on {used} and not re-based).",
        f"Footprint = {_num(km.magnitude)} km x {_num(factor_km.magnitude)} kgCO2e/km"
        + (f" ÷ {occ:g} people in the vehicle" if vehicle else "")
        + f" = {_num(co2e.magnitude)} kgCO2e per {'person' if vehicle and occ != 1 else 'traveller'}.",
    ]
    if vehicle and occupancy is None:
        steps.append("The whole vehicle is counted against this traveller (occupancy 1); "
                     "set the occupancy to share it.")
    return TravelResult(
        mode=mode, mode_name=str(row["name"]), distance_km=float(km.magnitude), kgCO2e=float(co2e.magnitude),
        kgCO2e_low=float(lo.magnitude), kgCO2e_high=float(hi.magnitude), gwp_basis=used, factor_ids=[mode],
        steps=steps, occupancy=occ, per="vehicle" if vehicle else "passenger",
    )


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:,.4g}"


def modes(store, basis: str = fx.DEFAULT_BASIS, all_rows: bool = False) -> pd.DataFrame:
    """Travel factors for pickers: id, name, unit, per ('vehicle' or 'passenger'), kgCO2e_per_km
    (and its low/high) on ``basis``. Upstream-only, fuel-only and per-mile duplicate rows are left
    out unless ``all_rows``."""
    df = fx.resolved(store, basis)
    df = df[df["category"] == "travel"].copy()
    km_per_unit = _km_per(df["per"])
    df = df[km_per_unit.notna()].copy()
    km_per_unit = km_per_unit[df.index]
    if not all_rows:
        df = df[~df["id"].str.contains("|".join(_NOT_PICKED), regex=True)]
        km_per_unit = km_per_unit[df.index]
    out = pd.DataFrame({
        "id": df["id"], "name": df["name"], "unit": df["unit"],
        "per": df["unit"].str.contains("vehicle").map({True: "vehicle", False: "passenger"}),
        "kgCO2e_per_km": df["kgCO2e_per"] / km_per_unit,
        "kgCO2e_per_km_low": df["kgCO2e_per_low"] / km_per_unit,
        "kgCO2e_per_km_high": df["kgCO2e_per_high"] / km_per_unit,
        "gwp_basis": df["basis_used"].fillna(basis),
    })
    return out.reset_index(drop=True)


def _km_per(per: pd.Series) -> pd.Series:
    """km in one ``per`` unit (vehicle_mile -> 1.609...), NaN where ``per`` is not a distance."""
    table = {}
    for u in per.dropna().unique():  # a handful of distinct unit names, not rows
        try:
            table[u] = float(ureg.Quantity(1, u).to("km").magnitude)
        except Exception:
            table[u] = float("nan")
    return per.map(table).astype(float)


def _fraction(value, what: str) -> float:
    q = parse(value)
    try:
        v = float(convert(q, "dimensionless", what).magnitude)
    except UnitError as exc:
        raise TravelError(str(exc)) from None
    return v


def _mode_shares(mode_shares) -> pd.Series:
    """Share (fraction) of face-to-face patients by mode id, from a mapping ``{mode: share}`` (fractions
    or text such as ``"60 %"``) or a frame with columns ``mode`` and ``share_pct`` (percent, as typed in
    a table); a mode given twice is added up."""
    if isinstance(mode_shares, pd.DataFrame):
        df = mode_shares.dropna(how="all")
        if "mode" not in df or "share_pct" not in df:
            raise TravelError("the mode table needs the columns mode and share_pct")
        missing = df["mode"].isna() | (df["mode"].astype(str).str.strip() == "")
        if missing.any():
            rows = ", ".join(str(i + 1) for i in range(len(df)) if missing.iloc[i])
            raise TravelError(f"row(s) {rows} of the mode table have no mode")
        pct = pd.to_numeric(df["share_pct"], errors="coerce")
        if pct.isna().any():
            raise TravelError("every mode needs a share in % (a number)")
        share = (pct / 100).groupby(df["mode"].astype(str)).sum()
    else:
        shares = pd.Series(mode_shares, dtype=object)
        share = shares.map(lambda s: _fraction(s, "mode share")).astype(float)  # a few modes, not data rows
    if share.empty:
        raise TravelError("give at least one mode with its share of face-to-face patients")
    return share


def service(store, appointments, mode_shares, distance, virtual_share, basis: str = fx.DEFAULT_BASIS,
            return_trip: bool = True) -> pd.DataFrame:
    """A service's patient travel a year, by mode, and what a virtual-consultation share saves.

    ``appointments`` a year (a number or ``"1200 appointment"``); ``mode_shares`` maps a travel
    factor id (or its name, as ``modes`` gives it) to the share of face-to-face patients using it
    (fractions, or text such as ``"60 %"``, or a frame with columns mode and share_pct; they must
    add up to 100 %); ``distance`` the average one-way distance (``"12 mile"``), doubled for the
    return trip unless ``return_trip`` is False; ``virtual_share`` the share of appointments held
    virtually (no travel). Cars are counted with the patient alone (occupancy 1).

    One row per mode (kind ``travel``) plus one row of kind ``virtual saving`` (negative kgCO2e:
    the travel avoided). Columns: kind, mode, name, share, journeys, distance_km, kgCO2e,
    kgCO2e_low, kgCO2e_high, factor_ids. The footprint of the virtual consultation itself (devices,
    data) is not counted.
    """
    if isinstance(appointments, (int, float)):
        n = float(appointments)
    else:
        try:
            n = float(convert(parse(appointments, "appointment"), "appointment", "appointments a year").magnitude)
        except UnitError as exc:
            raise TravelError(str(exc)) from None
    if n < 0:
        raise TravelError("appointments a year cannot be negative")
    v = _fraction(virtual_share, "virtual-consultation share")
    if not 0 <= v <= 1:
        raise TravelError(f"virtual-consultation share {virtual_share!r} must be between 0 and 100 %")
    share = _mode_shares(mode_shares)
    if (share < 0).any():
        raise TravelError("a mode share cannot be negative")
    if abs(share.sum() - 1) > 0.005:
        gap = (1 - share.sum()) * 100
        raise TravelError(f"mode shares add up to {share.sum() * 100:.1f} %, not 100 %: "
                          + (f"{gap:.1f} % of patients have no mode" if gap > 0 else f"{-gap:.1f} % too many"))
    one_way = _distance(distance, "average distance to the appointment")
    trip_km = float(one_way.magnitude) * (2 if return_trip else 1)

    table = modes(store, basis, all_rows=True).set_index("id")
    # A mode is its id or its name as the pickers show it ("Average local bus, per passenger-km").
    by_name = pd.Series(table.index, index=table["name"])
    ids = [m if m in table.index else by_name.get(m, m) for m in share.index]  # a few modes, not rows
    share = share.groupby(ids, sort=False).sum()
    unknown = [m for m in share.index if m not in table.index]
    if unknown:
        raise TravelError(f"unknown travel mode(s): {', '.join(map(str, unknown))}")
    f = table.loc[share.index]
    journeys = n * (1 - v) * share.to_numpy()
    km = journeys * trip_km
    df = pd.DataFrame({
        "kind": "travel", "mode": share.index, "name": f["name"].to_numpy(), "share": share.to_numpy(),
        "journeys": journeys, "distance_km": km,
        "kgCO2e": km * f["kgCO2e_per_km"].to_numpy(),
        "kgCO2e_low": km * f["kgCO2e_per_km_low"].to_numpy(),
        "kgCO2e_high": km * f["kgCO2e_per_km_high"].to_numpy(),
        "factor_ids": share.index,
    })
    # Travel avoided: the same mix and distance for the virtual share of appointments.
    avoided_km = n * v * share.to_numpy() * trip_km
    saved = [-(avoided_km * f[c].to_numpy()).sum()
             for c in ("kgCO2e_per_km", "kgCO2e_per_km_low", "kgCO2e_per_km_high")]
    saved_km = -avoided_km.sum()
    saving = pd.DataFrame([{
        "kind": "virtual saving", "mode": "virtual", "name": f"Virtual consultations ({v * 100:.0f} %): travel avoided",
        "share": v, "journeys": n * v, "distance_km": saved_km, "kgCO2e": saved[0],
        "kgCO2e_low": saved[1], "kgCO2e_high": saved[2], "factor_ids": ", ".join(share.index),
    }])
    return pd.concat([df, saving], ignore_index=True)


def car_equivalent(store, kg: float, basis: str = fx.DEFAULT_BASIS) -> str:
    """``= 120 miles in an average car`` for ``kg`` kgCO2e (DESNZ average car, unknown fuel)."""
    r = fx.library(store).quantity(formatting.EQUIVALENCE_FACTOR, basis)
    return formatting.car_equivalence(kg, float(r.value.to(ureg.kgCO2e / ureg.km).magnitude))


def service_summary(df: pd.DataFrame) -> dict:
    """Totals of a ``service`` frame (kgCO2e a year): face-to-face travel, the virtual saving, and the
    travel if every appointment were face to face; each with low and high."""
    travel = df[df["kind"] == "travel"]
    saving = df[df["kind"] == "virtual saving"]
    out = {}
    for suffix in ("", "_low", "_high"):
        t, s = float(travel[f"kgCO2e{suffix}"].sum()), float(saving[f"kgCO2e{suffix}"].sum())
        out[f"travel_kgCO2e{suffix}"] = t
        out[f"saving_kgCO2e{suffix}"] = -s
        out[f"all_face_to_face_kgCO2e{suffix}"] = t - s
    out["distance_km"] = float(travel["distance_km"].sum())
    return out
