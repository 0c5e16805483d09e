"""Unwarranted variation between practices: the funnel plot of an indicator and the practices
ranked by how far they sit from all practices pooled (funnel maths in ``carbon.variation``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from carbon import factors as fx
from carbon import variation
from carbon.prescribing.footprint import footprint, has_list_sizes
from carbon.store import Store

METRICS = {
    "low_carbon_share": "Low-carbon share of inhalers (DPI and soft mist)",
    "kgCO2e_per_1000_patients": "kgCO2e per 1,000 patients",
}


@dataclass
class Funnel:
    """Points (one per practice), the limit curves, the target and how the limits were drawn."""

    metric: str
    points: pd.DataFrame
    curve: pd.DataFrame
    target: float
    weight: float
    kind: str
    method: str
    volume_label: str
    value_label: str


def funnel(store: Store, metric: str = "low_carbon_share", basis: str = fx.DEFAULT_BASIS,
           min_volume: float = 1.0) -> Funnel:
    """Practices on a funnel plot of ``metric`` with 95 % and 99.8 % limits (see carbon.variation).

    ``low_carbon_share``: volume = mapped inhalers, a proportion with binomial limits.
    ``kgCO2e_per_1000_patients``: volume = registered patients (needs list sizes), a weighted
    Poisson rate. Practices with less volume than ``min_volume`` are left out. Points carry
    ``z`` (standard errors from the target) and ``flag``.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    df = footprint(store, "practice", basis)
    if metric == "low_carbon_share":
        kind, volume, vlabel = "proportion", "inhalers", "Inhalers prescribed (volume)"
        df = df[df["inhalers"] >= min_volume].copy()
        low = df["low_carbon_share"].fillna(0) * df["inhalers"]
        target = float(low.sum() / df["inhalers"].sum()) if len(df) else math.nan
        weight = 1.0
        df["value"] = df["low_carbon_share"]
        method = ("Binomial proportion, normal approximation: p0 ± z·sqrt(p0(1−p0)/n), n = inhalers, "
                  f"p0 = pooled share = {target:.4f}; z = 1.96 (95%) and 3.09 (99.8%).")
    else:
        if not has_list_sizes(store):
            raise ValueError("load practice list sizes first (kgCO2e per 1,000 patients needs them)")
        kind, volume, vlabel = "rate", "patients", "Registered patients (volume)"
        df = df[df["patients"].fillna(0) >= max(min_volume, 1.0)].copy()
        target = float(df["kgCO2e"].sum() / df["patients"].sum() * 1000) if len(df) else math.nan
        per_inhaler = float(df["kgCO2e"].sum() / df["inhalers"].sum()) if df["inhalers"].sum() else 0.0
        weight = 1000.0 * per_inhaler
        df["value"] = df["kgCO2e_per_1000_patients"]
        method = ("Weighted Poisson rate: θ ± z·sqrt(θ·w/n), n = patients, θ = pooled kgCO2e per 1,000 "
                  f"patients = {target:.1f}, w = 1000 × pooled kgCO2e per inhaler = {weight:.1f}; "
                  "z = 1.96 (95%) and 3.09 (99.8%).")
    df["volume"] = df[volume].astype(float)
    lim = variation.limits(kind, target, df["volume"].to_numpy(), weight)
    for c in ("lower95", "upper95", "lower998", "upper998"):
        df[c] = lim[c].to_numpy()
    df["z"] = variation.z_scores(kind, target, df["value"].to_numpy(), df["volume"].to_numpy(), weight)
    df["flag"] = variation.flag(df["z"].to_numpy())
    keep = ["practice", "practice_name", "board", "volume", "value", "z", "flag", "lower95", "upper95",
            "lower998", "upper998", "inhalers", "kgCO2e", "low_carbon_share"]
    points = df[[c for c in keep if c in df.columns]].reset_index(drop=True)
    curve = (variation.curve(kind, target, points["volume"].min(), points["volume"].max(), weight)
             if len(points) else variation.limits(kind, target, []))
    return Funnel(metric, points, curve, target, weight, kind, method, vlabel, METRICS[metric])


def outliers(f: Funnel, level: str = "95%") -> pd.DataFrame:
    """Practices outside the limits at ``level``, the furthest first (by |z|)."""
    z = variation.LEVELS[level]
    out = f.points[f.points["z"].abs() > z].copy()
    return out.reindex(out["z"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def ranked(f: Funnel) -> pd.DataFrame:
    """The funnel's practices ranked worst first by their z-score, the standard errors between a
    practice and all practices pooled on the wrong side (a low low-carbon share, or a high
    kgCO2e per 1,000 patients), with ``rank`` (1 = furthest from good) beside the limits and flag.

    Ranking by z rather than by the raw value is the point of a funnel plot: a practice with 10
    inhalers and none of them low-carbon is less surprising than one with 2,000 at 3 %.
    """
    high_is_bad = f.metric != "low_carbon_share"
    out = f.points.sort_values(["z", "volume"], ascending=[not high_is_bad, False], na_position="last",
                               ignore_index=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out
