"""``water`` lines: m3 supplied and returned to the sewer with each period's DESNZ factors, by hand.

DESNZ 2024: water supply 0.15311, treatment 0.18574 kgCO2e/m3; 2025: 0.1913 and 0.17088.
"""

from __future__ import annotations

import pytest

from carbon import kinds


def test_supply_and_treatment_by_hand(store):
    out = kinds.footprint(store, [
        {"kind": "water", "factor": "water_supply", "quantity": "300000 m3", "period": "2024/25"},
        {"kind": "water", "factor": "water_treatment", "quantity": "285000000 L", "period": "2024/25"},
        {"kind": "water", "factor": "water_supply", "quantity": "300000 m3", "period": "2025/26"},
        {"kind": "water", "factor": "water_supply", "quantity": "300000 kWh", "period": "2024/25"},
        {"kind": "water", "factor": "rain", "quantity": "3 m3", "period": "2024/25"},
    ], "AR5", kinds.PER_YEAR)
    kg = out["kgCO2e"].tolist()
    assert kg[0] == pytest.approx(300_000 * 0.15311) == pytest.approx(45_933)
    assert kg[1] == pytest.approx(285_000 * 0.18574) == pytest.approx(52_935.9)  # 285,000,000 litres = 285,000 m3
    assert kg[2] == pytest.approx(300_000 * 0.1913)
    assert out.loc[1, "factor_ids"] == "water_treatment_m3_2024" and set(out["category"].iloc[:3]) == {"water"}
    assert "'300000 kWh' is not a volume (m3, litres)" in out.loc[3, "error"]
    assert "unknown water item 'rain'" in out.loc[4, "error"]
