"""``waste`` lines: tonnes by route with each period's DESNZ factors, by hand, and the route with no
factor named. DESNZ 2024: commercial and industrial waste to landfill 520.3342 kgCO2e/t;
combustion (energy recovery) and closed-loop recycling 6.41061 kgCO2e/t (transport only).
"""

from __future__ import annotations

import pytest

from carbon import kinds


def test_routes_by_hand(store):
    out = kinds.footprint(store, [
        {"kind": "waste", "factor": "landfill", "quantity": "400 tonne", "period": "2024/25"},
        {"kind": "waste", "factor": "recycling", "quantity": "600000 kg", "period": "2024/25"},
        {"kind": "waste", "factor": "energy_recovery", "quantity": "800 tonne", "period": "2024/25"},
        {"kind": "waste", "factor": "shredding", "quantity": "5 tonne", "period": "2024/25"},
        {"kind": "waste", "factor": "landfill", "quantity": "5 m3", "period": "2024/25"},
    ], "AR5", kinds.PER_YEAR)
    kg = out["kgCO2e"].tolist()
    assert kg[0] == pytest.approx(400 * 520.3342) == pytest.approx(208_133.68)
    assert kg[1] == pytest.approx(600 * 6.41061) == pytest.approx(3_846.366)
    assert kg[2] == pytest.approx(800 * 6.41061) == pytest.approx(5_128.488)
    assert out.loc[0, "factor_ids"] == "waste_ci_landfill_2024"
    assert out.loc[3, "error"].startswith(
        "unknown waste route 'shredding' (a waste route with no factor): choose one of anaerobic_digestion, "
        "composting, energy_recovery, incineration, landfill")
    assert "is not a mass (kg, tonnes)" in out.loc[4, "error"]
