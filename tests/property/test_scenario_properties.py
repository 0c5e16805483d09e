"""Invariants of the projection for any growth, ramp and uptake (no store needed: project() is pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from carbon import scenarios as sc
from carbon.scenarios import Intervention, Line, Scenario

BASE = pd.DataFrame({
    "line": [1, 2], "label": ["Energy", "Inhalers"], "kind": ["manual", "manual"], "category": ["energy", "inhaler"],
    "tCO2e": [1000.0, 300.0], "tCO2e_low": [900.0, 200.0], "tCO2e_high": [1100.0, 450.0], "factor_ids": ["", ""],
    "detail": ["", ""],
})
PIECES = pd.DataFrame({
    "intervention": [1, 2], "name": ["Cut", "Swap"], "kind": ["reduction", "swap"], "category": ["energy", "inhaler"],
    "full_tCO2e": [1000.0, 280.0], "full_tCO2e_low": [900.0, 190.0], "full_tCO2e_high": [1100.0, 430.0],
    "price_gbp_full": [0.0, 500.0], "caveat": ["", ""], "factor_ids": ["", ""], "detail": ["", ""],
})


def scenario(growth, start, length, cut, swap) -> Scenario:
    return Scenario(
        name="P", baseline_year=2024, end_year=2045, growth_pct=growth,
        lines=[Line(kind="manual", label="Energy", category="energy", amount="1000 tCO2e"),
               Line(kind="manual", label="Inhalers", category="inhaler", amount="300 tCO2e")],
        interventions=[
            Intervention(name="Cut", kind="reduction", category="energy", start_year=start, end_year=start + length,
                         target_pct=cut),
            Intervention(name="Swap", kind="swap", from_factor="a", to_factor="b", volume="1 inhaler",
                         start_year=start, end_year=start + length, target_pct=swap)])


@settings(max_examples=60, deadline=None)
@given(growth=st.floats(-5, 5), start=st.integers(2025, 2040), length=st.integers(0, 10),
       cut=st.floats(0, 100), swap=st.floats(0, 100), more=st.floats(0, 100))
def test_trajectory_bounds_and_more_uptake_never_emits_more(growth, start, length, cut, swap, more):
    s = scenario(growth, start, length, cut, swap)
    traj = sc.project(s, BASE, PIECES).trajectory
    assert (traj["tCO2e"] >= 0).all()
    assert (traj["tCO2e_low"] <= traj["tCO2e"] + 1e-9).all() and (traj["tCO2e"] <= traj["tCO2e_high"] + 1e-9).all()
    assert (traj["tCO2e"] <= traj["tCO2e_no_action"] + 1e-9).all()
    higher = sc.with_settings(s, uptake={"Cut": max(cut, more), "Swap": max(swap, more)})
    t2 = sc.project(higher, BASE, PIECES).trajectory
    assert np.all(t2["tCO2e"].to_numpy() <= traj["tCO2e"].to_numpy() + 1e-9)
    # the baseline year is as measured, whatever the settings
    first = sc.totals(traj).iloc[0]
    assert first["tCO2e"] == 1300.0 and first["abated_tCO2e"] == 0.0
