"""The money side of a scenario: cost per tonne abated, net present cost, carbon values, the
marginal abatement cost curve (MACC) and the cumulative budget impact.

Conventions (stated in the board pack's assumptions):

* The appraisal runs from ``Scenario.first_appraisal_year`` (year 0, the year after the
  baseline unless set) to the scenario's end year; costs and tonnes outside it are left out.
* Discounting: the HM Treasury Green Book schedule in ``factors/appraisal.csv`` (3.5 % a year
  for years 0-30, then 3.0 %), or a flat rate the user sets. The discount factor of year ``t``
  is the product over years 1..t of ``1 / (1 + r_k)``, so with 3.5 % it is ``1.035 ** -t``.
* Net present cost (NPC) = sum of discounted costs (pounds as entered; a saving is negative).
* Cost per tCO2e abated = NPC / tonnes abated over the appraisal period. Tonnes are not
  discounted: a tonne in 2040 warms as much as a tonne in 2026.
* Carbon is valued at the UK government carbon values (``factors/carbon_values.csv``, GBP per
  tCO2e, low/central/high, 2022 prices), discounted like costs. Only some years are published
  (2020, 2023-2028, 2030, 2035, 2040, 2045, 2050): years in between are **linearly
  interpolated** between the published years either side; years before the first or after
  the last take the nearest published value. Costs are used in the prices entered, without
  re-basing them to 2022 prices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon import factors as fx
from carbon.formatting import co2e, gbp
from carbon.scenarios import Projection, Scenario

APPRAISAL_COLUMNS = [
    "intervention", "name", "kind", "category", "start_year", "end_year", "target_pct",
    "abated_tCO2e", "abated_tCO2e_low", "abated_tCO2e_high", "cost_gbp", "npc_gbp", "cost_per_tCO2e",
    "carbon_value_low_gbp", "carbon_value_central_gbp", "carbon_value_high_gbp", "npv_central_gbp", "caveat",
]


def discount_schedule(store) -> pd.DataFrame:
    """The Green Book rates by year of appraisal: from_year, to_year, rate (% a year), source."""
    df = fx.reference(store, "appraisal")
    df = df[df["id"].astype(str).str.startswith("discount_")]
    return df[["id", "name", "value", "from_year", "to_year", "source"]].sort_values("from_year").reset_index(drop=True)


def discount_factors(t: np.ndarray, rate_pct: float | None = None, schedule: pd.DataFrame | None = None) -> np.ndarray:
    """Discount factor for each year offset ``t`` (0 = the first appraisal year).

    A flat ``rate_pct`` gives ``(1 + r) ** -t``; otherwise the year-by-year ``schedule``
    (from_year, to_year, value in %) is compounded: the product of ``1/(1 + r_k)`` for k = 1..t.
    """
    t = np.asarray(t, dtype=int)
    if rate_pct is not None:
        return (1 + rate_pct / 100.0) ** (-t.astype(float))
    if schedule is None or schedule.empty:
        raise ValueError("no discount rate: give a rate or the Green Book schedule (factors/appraisal.csv)")
    horizon = max(int(t.max(initial=0)), 0)
    k = np.arange(1, horizon + 1)
    lo, hi = schedule["from_year"].to_numpy(dtype=float), schedule["to_year"].to_numpy(dtype=float)
    which = ((k[:, None] >= lo[None, :]) & (k[:, None] <= hi[None, :])).argmax(axis=1)
    rates = schedule["value"].to_numpy(dtype=float)[which] / 100.0
    cum = np.concatenate([[1.0], np.cumprod(1 / (1 + rates))])
    return np.where(t >= 0, cum[np.clip(t, 0, horizon)], (1 + rates[0] if len(rates) else 1.0) ** (-t.astype(float)))


def carbon_values(store, years) -> pd.DataFrame:
    """GBP per tCO2e (2022 prices) for ``years``: published years as published, others linearly
    interpolated between the published years either side, clamped outside the published range.
    Columns: year, low, central, high, published (bool)."""
    cv = fx.reference(store, "carbon_values").sort_values("year")
    years = np.asarray(years, dtype=int)
    xs = cv["year"].to_numpy(dtype=float)
    out = pd.DataFrame({"year": years})
    for col in ("low", "central", "high"):
        out[col] = np.interp(years, xs, cv[col].to_numpy(dtype=float))
    out["published"] = np.isin(years, cv["year"].to_numpy(dtype=int))
    return out


def appraise(store, projection: Projection) -> pd.DataFrame:
    """Per intervention, over the appraisal period (APPRAISAL_COLUMNS; tonnes tCO2e, money GBP)."""
    sc = projection.scenario
    by = projection.by_intervention
    ivs = pd.DataFrame({
        "intervention": range(1, len(sc.interventions) + 1),
        "kind": [iv.kind for iv in sc.interventions],
        "start_year": [iv.start_year for iv in sc.interventions],
        "end_year": [iv.end_year for iv in sc.interventions],
        "target_pct": [iv.target_pct for iv in sc.interventions],
    })
    if by.empty:
        return pd.DataFrame(columns=APPRAISAL_COLUMNS)
    win = by[(by["year"] >= sc.first_appraisal_year) & (by["year"] <= sc.end_year)].copy()
    df = discount_factors(win["year"].to_numpy() - sc.first_appraisal_year, sc.discount_pct,
                          None if sc.discount_pct is not None else discount_schedule(store))
    cv = carbon_values(store, win["year"].to_numpy())
    win["pv_cost"] = win["cost_gbp"].to_numpy() * df
    for col in ("low", "central", "high"):
        win[f"cv_{col}"] = win["abated_tCO2e"].to_numpy() * cv[col].to_numpy() * df
    agg = win.groupby(["intervention", "name"], as_index=False).agg(
        abated_tCO2e=("abated_tCO2e", "sum"), abated_tCO2e_low=("abated_tCO2e_low", "sum"),
        abated_tCO2e_high=("abated_tCO2e_high", "sum"), cost_gbp=("cost_gbp", "sum"), npc_gbp=("pv_cost", "sum"),
        carbon_value_low_gbp=("cv_low", "sum"), carbon_value_central_gbp=("cv_central", "sum"),
        carbon_value_high_gbp=("cv_high", "sum"),
    )
    pieces = projection.interventions.groupby("intervention", as_index=False).agg(
        category=("category", lambda s: ", ".join(sorted(set(s)))), caveat=("caveat", "first"))
    out = agg.merge(ivs, on="intervention").merge(pieces, on="intervention", how="left")
    out["cost_per_tCO2e"] = np.where(out["abated_tCO2e"] > 0, out["npc_gbp"] / out["abated_tCO2e"].where(out["abated_tCO2e"] > 0), np.nan)
    out["npv_central_gbp"] = out["carbon_value_central_gbp"] - out["npc_gbp"]
    return out[APPRAISAL_COLUMNS].sort_values("intervention").reset_index(drop=True)


def macc(appraisal: pd.DataFrame) -> pd.DataFrame:
    """Marginal abatement cost curve data: interventions that abate, cheapest per tonne first.

    Each bar's width is its tCO2e abated over the appraisal period, its height its cost per
    tCO2e (negative = saves money); ``x0``/``x1`` are its left and right edges (cumulative tCO2e).
    """
    m = appraisal[appraisal["abated_tCO2e"] > 0].sort_values(["cost_per_tCO2e", "name"]).reset_index(drop=True)
    m = m[["name", "category", "abated_tCO2e", "cost_per_tCO2e", "npc_gbp", "caveat"]].copy()
    m["x1"] = m["abated_tCO2e"].cumsum()
    m["x0"] = m["x1"] - m["abated_tCO2e"]
    return m


def budget(projection: Projection) -> pd.DataFrame:
    """Cumulative budget impact by year (pounds, undiscounted, as entered): year, name, cost_gbp,
    cumulative_gbp per intervention, and ``total_cumulative_gbp`` for all interventions."""
    by = projection.by_intervention[["year", "intervention", "name", "cost_gbp"]].sort_values(["intervention", "year"]).copy()
    by["cumulative_gbp"] = by.groupby("intervention")["cost_gbp"].cumsum()
    total = by.groupby("year")["cost_gbp"].sum().cumsum().rename("total_cumulative_gbp")
    return by.merge(total, on="year").reset_index(drop=True)


def summary(appraisal: pd.DataFrame) -> dict:
    """Totals for a headline: tonnes abated, NPC, cost per tonne of the whole package, carbon value."""
    t = float(appraisal["abated_tCO2e"].sum())
    npc = float(appraisal["npc_gbp"].sum())
    return {
        "abated_tCO2e": t, "abated_kg": t * 1000, "npc_gbp": npc,
        "cost_per_tCO2e": npc / t if t > 0 else float("nan"),
        "carbon_value_central_gbp": float(appraisal["carbon_value_central_gbp"].sum()),
        "npv_central_gbp": float(appraisal["npv_central_gbp"].sum()),
    }


def assumptions(store, scenario: Scenario) -> list[str]:
    """Plain sentences for the board pack and the pages: how the money was worked out."""
    sched = discount_schedule(store)
    if scenario.discount_pct is None:
        first = sched.iloc[0]
        rate = (f"HM Treasury Green Book discount rate: {first['value']:g}% a year for years "
                f"{int(first['from_year'])}-{int(first['to_year'])}"
                + "".join(f", {r.value:g}% for years {int(r.from_year)}-{int(r.to_year)}" for r in sched.iloc[1:].itertuples())
                + " (factors/appraisal.csv)")
    else:
        rate = f"a flat discount rate of {scenario.discount_pct:g}% a year, set for this scenario"
    cv = fx.reference(store, "carbon_values").sort_values("year")
    return [
        f"Appraisal period {scenario.first_appraisal_year}-{scenario.end_year}; year 0 = {scenario.first_appraisal_year}; "
        f"costs and savings are discounted with {rate}.",
        "Net present cost = discounted costs (a negative figure is a net saving). Cost per tCO2e = net present cost "
        "divided by the tonnes abated over the appraisal period (tonnes are not discounted).",
        f"Carbon is valued at the UK government carbon values (DESNZ, low/central/high, GBP per tCO2e, "
        f"{cv['price_base'].iloc[0]}), discounted like costs. Published years: "
        f"{', '.join(str(int(y)) for y in cv['year'])}; other years are linearly interpolated between the published "
        "years either side.",
        "Costs are taken in the prices entered (not re-based to the carbon values' price base). A swap's running cost "
        "includes the price difference of the two products from factors/prices.csv where both are priced.",
        f"Demand grows {scenario.growth_pct:g}% a year from {scenario.baseline_year}; uptake ramps linearly from each "
        "intervention's start year to its target share by its end year; one-off costs fall in the start year and "
        "yearly costs ramp with uptake. Costs are entered for the entered uptake: a different uptake (the workshop "
        "sliders) scales them in proportion.",
        "The range (low-high) is the same arithmetic with every emission factor at the low (high) end of its "
        "published range. Interventions are assumed independent: their abatement adds up.",
    ]


def per_tonne_words(cost_per_tCO2e: float, abated_tCO2e: float) -> str:
    """The cost per tonne abated as a person says it: ``Costs £41.20 for each tonne of CO2e saved``,
    ``Saves £12.00 for each tonne of CO2e saved`` (a negative net present cost), or, when nothing is
    abated, ``Saves no carbon at these settings``."""
    if not abated_tCO2e or abated_tCO2e <= 0 or np.isnan(cost_per_tCO2e):
        return "Saves no carbon at these settings"
    if cost_per_tCO2e < 0:
        return f"Saves {gbp(-cost_per_tCO2e)} for each tonne of CO2e saved"
    if cost_per_tCO2e == 0:
        return "Costs nothing for each tonne of CO2e saved"
    return f"Costs {gbp(cost_per_tCO2e)} for each tonne of CO2e saved"


def side_by_side(appraisal: pd.DataFrame) -> pd.DataFrame:
    """Each change's carbon beside its money, for a table: name, tonnes abated over the appraisal
    period (with its range), net present cost, cost per tonne abated and the same in words, the
    central carbon value and net present value; cheapest per tonne first, those that abate nothing
    last."""
    cols = ["name", "abated_tCO2e", "abated_tCO2e_low", "abated_tCO2e_high", "npc_gbp", "cost_per_tCO2e",
            "carbon_value_central_gbp", "npv_central_gbp", "caveat"]
    out = appraisal[cols].copy()
    out["per_tonne"] = [per_tonne_words(c, a) for c, a in zip(out["cost_per_tCO2e"], out["abated_tCO2e"])]
    out["_abates"] = out["abated_tCO2e"] > 0
    out = out.sort_values(["_abates", "cost_per_tCO2e", "name"], ascending=[False, True, True], na_position="last")
    return out.drop(columns="_abates").reset_index(drop=True)


def package_words(money: dict) -> str:
    """The whole package in one sentence: what it abates, what it costs, per tonne, against the
    carbon value (``summary``'s figures)."""
    t = money["abated_tCO2e"]
    if not t or t <= 0:
        return "At these settings the changes save no carbon over the appraisal period."
    npc = money["npc_gbp"]
    cost = (f"save {gbp(-npc)} in net present terms" if npc < 0 else f"cost {gbp(npc)} in net present terms")
    per = per_tonne_words(money["cost_per_tCO2e"], t)
    value = money["carbon_value_central_gbp"]
    return (f"Over the appraisal period the changes save {co2e(t * 1000, unit='t')} and {cost}. "
            f"{per}; the government's central carbon value of those tonnes is {gbp(value)}.")
