"""Patient and staff travel: one journey by a mode, and a service's travel against virtual consultations.

The arithmetic is the ``travel`` kind (``carbon.kinds.travel``: DESNZ factors per vehicle-km or
passenger-km, shared among a vehicle's occupants, a one-way journey at most once round the Earth);
this module is the calculator of one journey, the pickers' list of modes, and a service's year.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from carbon import factors as fx
from carbon import kinds
from carbon.formatting import plural
from carbon.kinds.travel import TravelError, per_km
from carbon.kinds.travel import distance as distance_km
from carbon.units import UnitError, convert, parse

__all__ = ["TravelError", "TravelResult", "journey", "modes", "service", "service_summary"]

#: Ids that are not a way of travelling by themselves (upstream fuel, fuel-only Scope 1 rows)
#: or are a per-mile duplicate of a per-km row: kept out of the pickers, still usable by id.
_NOT_PICKED = ("_wtt", "_scope1", "_per_mile", "_no_rf")


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


def journey(store, mode: str, distance, return_trip: bool = False, occupancy=None,
            basis: str = fx.DEFAULT_BASIS) -> TravelResult:
    """kgCO2e of one person's journey of ``distance`` (``"18 mile"``, ``"28.968 km"``) by ``mode``.

    ``mode`` is a travel factor id (``car_petrol_average``, ``rail_national``, ...). A return
    trip doubles the distance. ``occupancy`` (people in the vehicle, default 1) divides a
    vehicle-km factor; it is refused for a passenger-km factor, which is already per person.
    """
    lib = fx.library(store)
    if basis not in lib.bases.index:
        raise TravelError(f"unknown GWP basis {basis!r}; choose one of {', '.join(sorted(lib.bases.index))}")
    k = kinds.get("travel")
    row = {"kind": "travel", "factor": mode, "quantity": "1", "distance": distance, "return_trip": return_trip,
           "occupancy": occupancy}
    parsed = pd.DataFrame([{"position": 1, **k.parse(lib, row, kinds.PER_PATIENT)}])
    r = k.compute(store, lib, parsed, basis, kinds.PER_PATIENT).iloc[0]
    p = parsed.iloc[0]
    return TravelResult(
        mode=mode, mode_name=str(r["factor_name"]), distance_km=float(r["amount"]), kgCO2e=float(r["kgCO2e"]),
        kgCO2e_low=float(r["kgCO2e_low"]), kgCO2e_high=float(r["kgCO2e_high"]), gwp_basis=str(r["gwp_basis"]),
        factor_ids=[mode], steps=str(r["steps"]).split("\n"), occupancy=float(p["occupancy"]),
        per="vehicle" if p["vehicle"] else "passenger",
    )


def modes(store, basis: str = fx.DEFAULT_BASIS, all_rows: bool = False) -> pd.DataFrame:
    """Travel factors for pickers: id, name, unit, per ('vehicle' or 'passenger'), kgCO2e_per_km
    (and its low/high) on ``basis``. Upstream-only, fuel-only and per-mile duplicate rows are left
    out unless ``all_rows``."""
    df = per_km(store, basis).drop(columns="value")
    if not all_rows:
        df = df[~df["id"].str.contains("|".join(_NOT_PICKED), regex=True)]
    return df.reset_index(drop=True)


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
            rows = [str(i + 1) for i in range(len(df)) if missing.iloc[i]]  # a small table typed by hand
            raise TravelError(f"{plural(len(rows), 'row')} {', '.join(rows)} of the mode table {plural(len(rows), 'has', 'have')} no mode")
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
    one_way = distance_km(distance, "average distance to the appointment")
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
