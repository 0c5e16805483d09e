"""``refrigerant`` lines: kg topped up (taken as leaked) x the DESNZ figure of the period, by hand.
DESNZ 2024: R410A 1,924 kgCO2e/kg, SF6 23,500 kgCO2e/kg (AR5, as DESNZ publishes them)."""

from __future__ import annotations

import pytest

from carbon import kinds


def test_refrigerants_and_sf6_by_hand(store):
    out = kinds.footprint(store, [
        {"kind": "refrigerant", "factor": "R410A", "quantity": "40 kg", "period": "2024/25"},
        {"kind": "refrigerant", "factor": "sf6", "quantity": "1000 g", "period": "2024/25"},
        {"kind": "refrigerant", "factor": "r22", "quantity": "1 kg", "period": "2024/25"},
    ], "AR6", kinds.PER_YEAR)
    # DESNZ figures are published on AR5 and not re-based on another GWP basis
    assert out.loc[0, "kgCO2e"] == pytest.approx(40 * 1924) == pytest.approx(76_960)
    assert out.loc[1, "kgCO2e"] == pytest.approx(23_500)
    assert out.loc[0, "gwp_basis"] == "AR5" and "not re-based" in out.loc[0, "steps"]
    assert set(out["category"].iloc[:2]) == {"refrigerant"}
    assert "unknown refrigerant 'r22'" in out.loc[2, "error"]
