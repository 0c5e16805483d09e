"""Unwarranted variation, as analysts measure it: practices on funnel plots with over-dispersed
limits, ranked by how far they sit from all practices pooled; each board's monthly footprint as an
SPC chart; and where high carbon and poor asthma control (heavy reliever use) coincide.

The funnel maths is in ``carbon.variation``: Spiegelhalter (2005) limits with his over-dispersion
adjustment, computed as NHS-R's FunnelPlotR does by default (proportions: arcsine square-root
transform, z-scores Winsorised at 10 %; rates, as standardised ratios: the SHMI log transform, 10 %
truncated). The SPC charts are XmR charts with NHS England's Making Data Count rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon import factors as fx
from carbon import variation
from carbon.prescribing.footprint import footprint, has_list_sizes
from carbon.store import Store

METRICS = {
    "low_carbon_share": "Low-carbon share of inhalers (DPI and soft mist)",
    "reliever_share": "Reliever (SABA) share of inhalers",
    "kgCO2e_per_1000_patients_year": "kgCO2e per 1,000 patients a year",
}
#: Metrics where a high value is the wrong side.
HIGH_IS_BAD = ("reliever_share", "kgCO2e_per_1000_patients_year")
#: Scottish guidance's over-reliance threshold: more than this many relievers a patient a year.
RELIEVER_RULE = 3
RELIEVER_NOTE = (
    "Scottish guidance treats more than 3 reliever inhalers a patient a year as over-reliance, a sign of poorly "
    "controlled asthma (and a carbon hot spot). The public prescribing files are aggregated by practice, so that "
    "per-patient rule needs a practice's own register of patients; here relievers per 1,000 patients a year and the "
    "reliever share of all inhalers stand in for it.")


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
    phi: float = 1.0
    tau2: float = 0.0


def _method(kind: str, target: float, od: dict, extra: str = "") -> str:
    if kind == "proportion":
        base = ("Spiegelhalter (2005) funnel limits for a proportion, as NHS-R FunnelPlotR computes them by default "
                f"(data_type PR): arcsine square-root scale, target p0 = pooled share = {target:.4f}, "
                "limits sin²(asin(√p0) ± z·√(1/(4n) + τ²))")
    else:
        base = ("Spiegelhalter (2005) funnel limits for a rate as a standardised ratio, as NHS-R FunnelPlotR computes "
                f"them by default (data_type SR, sr_method SHMI): log scale, target θ = pooled rate = {target:.1f}, "
                "limits θ·exp(± z·√(1/E + τ²)), E = expected inhalers " + extra)
    return (base + f"; over-dispersion φ = {od['phi']:.2f} from {od['units']} practices (10% "
            + ("Winsorised" if kind == "proportion" else "truncated")
            + f"), τ² = {od['tau2']:.4g}" + (" (no over-dispersion: φ ≤ 1, so τ² = 0)" if od["tau2"] == 0 else "")
            + "; z = 1.96 (95%) and 3.09 (99.8%).")


def funnel(store: Store, metric: str = "low_carbon_share", basis: str = fx.DEFAULT_BASIS,
           min_volume: float = 1.0) -> Funnel:
    """Practices on a funnel plot of ``metric`` with over-dispersed 95 % and 99.8 % limits.

    ``low_carbon_share`` and ``reliever_share``: volume = mapped inhalers, a proportion.
    ``kgCO2e_per_1000_patients_year``: volume = registered patients (needs list sizes); the rate
    is read as a standardised ratio, observed over expected inhaler-equivalents (each carrying the
    pooled kgCO2e per inhaler). Practices with less volume than ``min_volume`` are left out.
    Points carry ``z`` (over-dispersion-adjusted standard errors from the target) and ``flag``.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    df = footprint(store, "practice", basis)
    if metric in ("low_carbon_share", "reliever_share"):
        kind, vlabel = "proportion", "Inhalers prescribed (volume)"
        df = df[df["inhalers"] >= min_volume].copy()
        df["value"] = df[metric].fillna(0)
        target = float((df["value"] * df["inhalers"]).sum() / df["inhalers"].sum()) if len(df) else math.nan
        weight = 1.0
        df["volume"] = df["inhalers"].astype(float)
        n = df["volume"].to_numpy()
        od = variation.overdispersion(kind, target, df["value"].to_numpy(), n) if len(df) else \
            {"phi": 0.0, "tau2": 0.0, "units": 0}
        scale, expected = 1.0, (lambda v: v)
        method = _method(kind, target, od)
        ratio = df["value"].to_numpy()
    else:
        if not has_list_sizes(store):
            raise ValueError("load practice list sizes first (kgCO2e per 1,000 patients needs them)")
        kind, vlabel = "ratio", "Registered patients (volume)"
        df = df[df["patients"].fillna(0) >= max(min_volume, 1.0)].copy()
        kg_year = df["kgCO2e"] * 12.0 / df["months"]
        inhalers_year = df["inhalers"] * 12.0 / df["months"]
        target = float(kg_year.sum() / df["patients"].sum() * 1000) if len(df) else math.nan
        per_inhaler = float(kg_year.sum() / inhalers_year.sum()) if inhalers_year.sum() else 0.0
        weight = 1000.0 * per_inhaler
        df["value"] = df["kgCO2e_per_1000_patients_year"]
        df["volume"] = df["patients"].astype(float)

        def expected(patients):
            return np.asarray(patients, dtype=float) * target / weight if weight else np.zeros(len(patients))

        n = expected(df["volume"])
        ratio = df["value"].to_numpy() / target if target else np.zeros(len(df))
        od = variation.overdispersion(kind, 1.0, ratio, n) if len(df) else {"phi": 0.0, "tau2": 0.0, "units": 0}
        scale = target
        method = _method(kind, target, od, f"= patients × θ / w, w = 1000 × pooled kgCO2e per inhaler = {weight:.1f}")
    lim = variation.adjusted_limits(kind, target if kind == "proportion" else 1.0, n, od["tau2"], scale)
    for c in ("lower95", "upper95", "lower998", "upper998"):
        df[c] = lim[c].to_numpy()
    df["z"] = variation.adjusted_z(kind, target if kind == "proportion" else 1.0, ratio, n, od["tau2"])
    df["flag"] = variation.flag(df["z"].to_numpy())
    keep = ["practice", "practice_name", "board", "volume", "value", "z", "flag", "lower95", "upper95",
            "lower998", "upper998", "inhalers", "kgCO2e", "low_carbon_share", "reliever_share"]
    points = df[[c for c in keep if c in df.columns]].reset_index(drop=True)
    if len(points):
        lo = max(float(points["volume"].min()), 1.0)
        grid = np.geomspace(lo, max(float(points["volume"].max()), lo * 1.01), 120)
        curve = variation.adjusted_limits(kind, target if kind == "proportion" else 1.0, expected(grid),
                                          od["tau2"], scale)
        curve["n"] = grid
    else:
        curve = variation.adjusted_limits(kind, 0.0, [], 0.0)
    return Funnel(metric, points, curve, target, weight, kind, method, vlabel, METRICS[metric],
                  od["phi"], od["tau2"])


def outliers(f: Funnel, level: str = "95%") -> pd.DataFrame:
    """Practices outside the limits at ``level``, the furthest first (by |z|)."""
    z = variation.LEVELS[level]
    out = f.points[f.points["z"].abs() > z].copy()
    return out.reindex(out["z"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def ranked(f: Funnel) -> pd.DataFrame:
    """The funnel's practices ranked worst first by their z-score, the standard errors between a
    practice and all practices pooled on the wrong side (a low low-carbon share; a high reliever
    share or kgCO2e per 1,000 patients), with ``rank`` (1 = furthest from good).

    Ranking by z rather than by the raw value is the point of a funnel plot: a practice with 10
    inhalers and none of them low-carbon is less surprising than one with 2,000 at 3 %.
    """
    high_is_bad = f.metric in HIGH_IS_BAD
    out = f.points.sort_values(["z", "volume"], ascending=[not high_is_bad, False], na_position="last",
                               ignore_index=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def trend(store: Store, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Each board's monthly kgCO2e as an XmR chart (``carbon.variation.xmr``): month, board_code,
    board, kgCO2e, mean, lower and upper process limits, moving_range, special_cause."""
    df = footprint(store, ["month", "board"], basis)
    frames = []
    for (code, name), g in df.sort_values("month").groupby(["board_code", "board"], dropna=False, sort=True):
        chart = variation.xmr(g["kgCO2e"].to_numpy())
        chart.insert(0, "month", g["month"].to_numpy())
        chart.insert(1, "board_code", code)
        chart.insert(2, "board", name)
        frames.append(chart.rename(columns={"value": "kgCO2e"}))
    cols = ["month", "board_code", "board", "kgCO2e", "mean", "moving_range", "lower", "upper", "special_cause"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def hot_spots(store: Store, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Practices where high carbon and poor control coincide: the reliever share above all practices
    pooled *and* carbon above pooled (kgCO2e per 1,000 patients a year where list sizes are loaded,
    else kgCO2e per inhaler). Columns: the practice, its reliever share, relievers per 1,000 patients
    a year (with list sizes), its carbon measure and the pooled values, and ``hot_spot``."""
    df = footprint(store, "practice", basis)
    df = df[df["inhalers"] > 0].copy()
    if df.empty:
        return df.assign(hot_spot=pd.Series(dtype=bool))
    pooled_share = float(df["reliever_inhalers"].sum() / df["inhalers"].sum())
    if has_list_sizes(store) and df["patients"].notna().any():
        df = df[df["patients"].fillna(0) > 0].copy()
        carbon, label = "kgCO2e_per_1000_patients_year", "kgCO2e per 1,000 patients a year"
        pooled_carbon = float((df["kgCO2e"] * 12 / df["months"]).sum() / df["patients"].sum() * 1000)
    else:
        df["kgCO2e_per_inhaler"] = df["kgCO2e"] / df["inhalers"]
        carbon, label = "kgCO2e_per_inhaler", "kgCO2e per inhaler"
        pooled_carbon = float(df["kgCO2e"].sum() / df["inhalers"].sum())
    df["carbon_measure"] = label
    df["carbon"] = df[carbon]
    df["pooled_reliever_share"] = pooled_share
    df["pooled_carbon"] = pooled_carbon
    df["hot_spot"] = (df["reliever_share"] > pooled_share) & (df["carbon"] > pooled_carbon)
    keep = ["practice", "practice_name", "board", "inhalers", "reliever_inhalers", "reliever_share",
            "relievers_per_1000_patients_year", "carbon_measure", "carbon", "pooled_reliever_share",
            "pooled_carbon", "hot_spot"]
    out = df[[c for c in keep if c in df.columns]]
    return out.sort_values(["hot_spot", "carbon"], ascending=[False, False], ignore_index=True)
