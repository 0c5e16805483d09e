"""The switching opportunity: what matching the best quartile, or switching a share of propellant
inhalers to their dry-powder or soft-mist equivalent, would save *where clinically appropriate*."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from carbon import factors as fx
from carbon.prescribing.mapping import BY_MONTH, BY_PRACTICE, PROPELLANT_DEVICES, rows_sql, with_factors
from carbon.prescribing.sqlfiles import sql
from carbon.store import Store
from carbon.units import UnitError, convert, parse

SWITCH_CAVEAT = (
    "a switch from a propellant inhaler to a dry-powder or soft-mist inhaler is a shared decision with the "
    "patient at a review: some people (young children, the frail, anyone who cannot inhale fast and deep "
    "enough) need a pMDI with a spacer. These figures size the opportunity; they are not a prescribing target."
)


@dataclass
class Switching:
    """Savings by practice and by board (tCO2e and pounds) and the national totals."""

    by_practice: pd.DataFrame
    by_board: pd.DataFrame
    totals: dict
    share: float
    benchmark_kg_per_inhaler: float


def fraction(value: float | str, what: str) -> float:
    """A share between 0 and 1 from a number (0.2) or text read by pint (``"20 %"``, ``"0.2"``)."""
    try:
        v = float(convert(parse(value), "dimensionless", what).magnitude)
    except UnitError:
        raise ValueError(f"{what}: {value!r} is not a share; write e.g. '20 %' or 0.2") from None
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{what} must be between 0 % and 100 %, not {value!r}")
    return v


def switching_opportunity(store: Store, share: float | str = 0.2, basis: str = fx.DEFAULT_BASIS) -> Switching:
    """What switching would save, *where clinically appropriate*.

    (a) Best quartile: each practice whose kgCO2e per inhaler is above the 25th percentile of
    practices matches it: saving = (its kgCO2e per inhaler - benchmark) x its inhalers; cost
    change = (best-quartile practices' pooled cost per inhaler - its cost per inhaler) x inhalers.
    (b) Device switch: ``share`` (0..1) of each propellant inhaler (pMDI, breath-actuated MDI)
    becomes its matched dry-powder or soft-mist equivalent (``matches``): saving = share x
    inhalers x (factor - ratio x equivalent's factor); cost change = share x inhalers x (ratio x
    the equivalent's cost per inhaler in the data, else its list price - the row's cost per
    inhaler). A propellant inhaler with no equivalent of the same molecule(s) is not switched
    (``propellant_inhalers`` - ``matched_inhalers``); one whose equivalent has no price adds no
    cost change (``unpriced_inhalers``). Savings are kgCO2e and tCO2e (positive = less carbon);
    cost changes are pounds (negative = cheaper).
    """
    share = fraction(share, "share of propellant inhalers switched")
    query = f"{rows_sql(BY_PRACTICE)},\n{sql('switching', propellant_devices=str(PROPELLANT_DEVICES))}"
    df = with_factors(store, basis, query, [share] * 5)
    for c in ("saving_benchmark", "saving_switch"):
        df[f"{c}_tCO2e"] = df[f"{c}_kgCO2e"] / 1000.0
    sums = ["inhalers", "kgCO2e", "saving_benchmark_kgCO2e", "saving_benchmark_tCO2e", "cost_change_benchmark_gbp",
            "propellant_inhalers", "matched_inhalers", "switched_inhalers", "saving_switch_kgCO2e",
            "saving_switch_kgCO2e_low", "saving_switch_kgCO2e_high", "saving_switch_tCO2e", "cost_change_switch_gbp",
            "unpriced_inhalers"]
    by_board = (df.groupby(["board_code", "board"], dropna=False)[sums].sum().reset_index()
                .sort_values("saving_switch_kgCO2e", ascending=False, ignore_index=True))
    totals = {c: float(df[c].sum()) for c in sums}
    bench = float(df["benchmark_kg_per_inhaler"].iloc[0]) if len(df) else math.nan
    return Switching(df, by_board, totals, share, bench)


def matches(store: Store, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Each propellant inhaler prescribed beside the dry-powder or soft-mist equivalent a switch is
    priced at: the match (same molecule(s) and strength, or the nearest strength), how many
    equivalents replace one (``inhaler_ratio``), kgCO2e per inhaler of each, and the equivalent's
    cost per inhaler with where it came from."""
    query = f"{rows_sql(BY_MONTH)},\n{sql('switch_matches', propellant_devices=str(PROPELLANT_DEVICES))}"
    return with_factors(store, basis, query)
