"""Projection: a resolved baseline and resolved interventions, year by year to the end year.

Pure and vectorised over years with numpy (no store), so a workshop slider re-projects in
milliseconds. The arithmetic, year ``y`` from the baseline year ``b`` (all quantities tCO2e a year)::

    growth(y)      = (1 + growth_pct/100) ** (y - b)
    ramp_i(y)      = clip((y - start_i + 1) / (end_i - start_i + 1), 0, 1)     (0 before start_i)
    share_i(y)     = target_pct_i / 100 * ramp_i(y)
    no_action(c,y) = baseline(c) * growth(y) * background(c,y)
    abated_i(y)    = full_i * share_i(y) * growth(y) * background(c_i,y)
    trajectory(c,y)= max(no_action(c,y) - sum of abated_i in c, 0)

where ``full_i`` is the abatement at 100 % uptake in the baseline year: ``volume x (from - to)``
for a swap, the category's (or line's) baseline for a reduction. The range repeats the arithmetic
with every factor at the low (high) end of its published range; interventions are taken as
independent (their abatement adds up).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon.scenarios.model import Scenario
from carbon.kinds.base import join_ids


@dataclass
class Projection:
    """A scenario projected year by year.

    ``trajectory``: year, category, tCO2e_no_action, abated_tCO2e, tCO2e, tCO2e_low, tCO2e_high,
    factor_ids. ``by_intervention``: year, intervention, name, share (0-1), abated_tCO2e (with
    low/high), one_off_gbp, yearly_gbp, cost_gbp (pounds that year, undiscounted).
    ``overlap``: categories where the interventions abate more than there is to abate.
    """

    scenario: Scenario
    baseline: pd.DataFrame
    interventions: pd.DataFrame
    trajectory: pd.DataFrame
    by_intervention: pd.DataFrame
    overlap: list[str]


def ramp(years: np.ndarray, start: int, end: int) -> np.ndarray:
    """Fraction of the target uptake reached each year: 1/n in the start year, 1 by the end year
    (n = end - start + 1), 0 before the start."""
    return np.clip((years - start + 1) / (end - start + 1), 0.0, 1.0)


def growth(years: np.ndarray, baseline_year: int, pct: float) -> np.ndarray:
    """Demand relative to the baseline year, compounding at ``pct`` % a year."""
    return (1 + pct / 100.0) ** (years - baseline_year)


def background_matrix(scenario: Scenario, categories: list[str], years: np.ndarray) -> np.ndarray:
    """Multiplier of each category's factors each year: 1 in the baseline year, linear between the
    points given, flat after the last (categories without points stay at 1)."""
    m = np.ones((len(categories), len(years)))
    if not scenario.background:
        return m
    bg = pd.DataFrame([dataclasses.asdict(b) for b in scenario.background]).sort_values(["category", "year"])
    for c, pts in bg.groupby("category"):
        if c in categories:
            xs = np.concatenate([[scenario.baseline_year], pts["year"].to_numpy(dtype=float)])
            ys = np.concatenate([[1.0], pts["multiplier"].to_numpy(dtype=float)])
            m[categories.index(c)] = np.interp(years, xs, ys)
    return m


def project(scenario: Scenario, base: pd.DataFrame, pieces: pd.DataFrame) -> Projection:
    """The trajectory from a resolved baseline and resolved interventions (no store needed)."""
    years = scenario.years
    g = growth(years, scenario.baseline_year, scenario.growth_pct)
    cats = sorted(set(base["category"]) | set(pieces["category"]))
    bsum = base.groupby("category")[["tCO2e", "tCO2e_low", "tCO2e_high"]].sum().reindex(cats, fill_value=0.0)
    bg = background_matrix(scenario, cats, years)
    scale = g[None, :] * bg                                               # (C, Y)
    no_action = {k: bsum[k].to_numpy()[:, None] * scale for k in ("tCO2e", "tCO2e_low", "tCO2e_high")}

    ivs = scenario.interventions
    r = np.array([ramp(years, iv.start_year, iv.end_year) for iv in ivs]).reshape(len(ivs), len(years))
    share = r * np.array([iv.target_pct / 100.0 for iv in ivs]).reshape(-1, 1)   # (I, Y)
    ci = np.array([cats.index(c) for c in pieces["category"]], dtype=int)
    ii = pieces["intervention"].to_numpy(dtype=int) - 1
    onehot = np.zeros((len(cats), len(pieces)))
    onehot[ci, np.arange(len(pieces))] = 1.0
    abated = {}
    for k, col in (("tCO2e", "full_tCO2e"), ("tCO2e_low", "full_tCO2e_low"), ("tCO2e_high", "full_tCO2e_high")):
        per_piece = pieces[col].to_numpy(dtype=float)[:, None] * share[ii] * scale[ci]   # (K, Y)
        abated[k] = per_piece
    cat_abated = {k: onehot @ v for k, v in abated.items()}
    with_ = {k: np.maximum(no_action[k] - cat_abated[k], 0.0) for k in no_action}
    overlap = [cats[j] for j in np.where((no_action["tCO2e"] - cat_abated["tCO2e"] < -1e-9).any(axis=1))[0]]
    lows = np.minimum.reduce([with_["tCO2e"], with_["tCO2e_low"], with_["tCO2e_high"]])
    highs = np.maximum.reduce([with_["tCO2e"], with_["tCO2e_low"], with_["tCO2e_high"]])

    ids = pd.concat([base[["category", "factor_ids"]], pieces[["category", "factor_ids"]]])
    ids_by_cat = ids.groupby("category")["factor_ids"].agg(lambda s: join_ids(s, ",")).reindex(cats, fill_value="")
    n_c, n_y = len(cats), len(years)
    traj = pd.DataFrame({
        "year": np.tile(years, n_c),
        "category": np.repeat(cats, n_y),
        "tCO2e_no_action": no_action["tCO2e"].ravel(),
        "abated_tCO2e": (no_action["tCO2e"] - with_["tCO2e"]).ravel(),
        "tCO2e": with_["tCO2e"].ravel(),
        "tCO2e_low": lows.ravel(),
        "tCO2e_high": highs.ravel(),
        "factor_ids": np.repeat(ids_by_cat.to_numpy(), n_y),
    })

    # per intervention: abatement summed over its pieces, and costs
    piece_to_iv = np.zeros((len(ivs), len(pieces)))
    piece_to_iv[ii, np.arange(len(pieces))] = 1.0
    iv_ab = {k: piece_to_iv @ v for k, v in abated.items()}                      # (I, Y)
    price_full = piece_to_iv @ pieces["price_gbp_full"].to_numpy(dtype=float)     # (I,)
    one_off = np.array([[iv.one_off_gbp if y == iv.start_year else 0.0 for y in years] for iv in ivs]).reshape(len(ivs), n_y)
    yearly = np.array([iv.yearly_gbp for iv in ivs]).reshape(-1, 1) * r + price_full[:, None] * share * g[None, :]
    n_i = len(ivs)
    by_iv = pd.DataFrame({
        "year": np.tile(years, n_i),
        "intervention": np.repeat(np.arange(1, n_i + 1), n_y),
        "name": np.repeat([iv.name for iv in ivs], n_y),
        "share": share.ravel(),
        "abated_tCO2e": iv_ab["tCO2e"].ravel(),
        "abated_tCO2e_low": np.minimum.reduce(list(iv_ab.values())).ravel(),
        "abated_tCO2e_high": np.maximum.reduce(list(iv_ab.values())).ravel(),
        "one_off_gbp": one_off.ravel(),
        "yearly_gbp": yearly.ravel(),
        "cost_gbp": (one_off + yearly).ravel(),
    })
    return Projection(scenario, base, pieces, traj, by_iv, overlap)



def totals(traj: pd.DataFrame) -> pd.DataFrame:
    """The trajectory summed over categories: year, tCO2e_no_action, abated_tCO2e, tCO2e, low, high."""
    cols = ["tCO2e_no_action", "abated_tCO2e", "tCO2e", "tCO2e_low", "tCO2e_high"]
    return traj.groupby("year", as_index=False)[cols].sum()


def headline(projection: Projection) -> dict:
    """Big numbers for a presenter (kgCO2e, for ``formatting.co2e``): the baseline year, the final
    year with and without the interventions, and the total abated over the scenario."""
    tot = totals(projection.trajectory)
    first, last = tot.iloc[0], tot.iloc[-1]
    return {
        "baseline_year": int(first["year"]),
        "end_year": int(last["year"]),
        "baseline_kg": float(first["tCO2e"]) * 1000,
        "end_kg": float(last["tCO2e"]) * 1000,
        "end_low_kg": float(last["tCO2e_low"]) * 1000,
        "end_high_kg": float(last["tCO2e_high"]) * 1000,
        "end_no_action_kg": float(last["tCO2e_no_action"]) * 1000,
        "abated_total_kg": float(tot["abated_tCO2e"].sum()) * 1000,
        "change_pct": (float(last["tCO2e"]) / float(first["tCO2e"]) - 1) * 100 if float(first["tCO2e"]) else float("nan"),
    }


def with_settings(scenario: Scenario, growth_pct: float | None = None, uptake: dict[str, float] | None = None,
                  target_set: str | None = None) -> Scenario:
    """A copy with demand growth, interventions' target uptake (% by name) and/or the target set
    changed: what the workshop's sliders and target choice do, so its settings file gives its pack.
    Costs are taken as entered for the entered uptake, so they scale in proportion to the new
    uptake (half the uptake, half the one-off and yearly costs); an intervention entered at 0 %
    keeps its costs."""
    sc = dataclasses.replace(scenario, interventions=[dataclasses.replace(iv) for iv in scenario.interventions])
    if growth_pct is not None:
        sc.growth_pct = float(growth_pct)
    if target_set is not None:
        sc.target_set = target_set
    for iv in sc.interventions:
        if uptake and iv.name in uptake:
            new_pct = float(uptake[iv.name])
            if iv.target_pct > 0:
                iv.one_off_gbp = iv.one_off_gbp * new_pct / iv.target_pct
                iv.yearly_gbp = iv.yearly_gbp * new_pct / iv.target_pct
            iv.target_pct = new_pct
    return sc


def compare(projections: dict[str, Projection]) -> pd.DataFrame:
    """Several scenarios' totals in one tidy frame (scenario, year, tCO2e, low, high, ...)."""
    frames = [totals(p.trajectory).assign(scenario=name) for name, p in projections.items()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["year", "tCO2e_no_action", "abated_tCO2e", "tCO2e", "tCO2e_low", "tCO2e_high", "scenario"])


def compare_at(compared: pd.DataFrame, years) -> pd.DataFrame:
    """Each scenario's total tCO2e a year at ``years`` (from ``compare``): one row per scenario,
    one column per year that the scenarios reach, named ``"2030 (tCO2e)"``."""
    sel = compared[compared["year"].isin(list(years))]
    wide = sel.pivot_table(index="scenario", columns="year", values="tCO2e", sort=False)
    wide.columns = [f"{int(y)} (tCO2e)" for y in wide.columns]
    return wide.reset_index()
