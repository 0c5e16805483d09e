"""The board footprint of the shipped demo scenario (factors/scenarios/demo_board.toml), 2024/25 beside
2023/24, worked by hand.

2024/25 takes DESNZ 2024 (the majority rule); the 2023/24 estates lines set factor_year = 2024, as
the library holds no 2023 set. DESNZ 2024: grid electricity 0.20705 + T&D 0.0183 = 0.22535 kgCO2e/kWh,
natural gas 0.1829/kWh, gas oil 2.75541/L, water supply 0.15311/m3, treatment 0.18574/m3, landfill
520.3342/t, energy recovery and recycling 6.41061/t (transport only), R410A 1,924/kg, SF6 23,500/kg.
Library: clinical waste to high-temperature incineration 1,074 kgCO2e/t (Rizan 2021), Ventolin
Evohaler 28.262, ICS/LABA pMDI 19.65, generic DPI 0.8 kgCO2e/inhaler; average car 0.16725 kgCO2e
per vehicle-km, diesel class III van 0.27878/km; medicines 0.127681955 kgCO2e per 2020 pound, GDP
deflator 2020 94.8, 2023 106.9, 2024 111.2.
"""

from __future__ import annotations

import pandas as pd
import pytest

from carbon import board
from carbon import factors as fx
from carbon import scenarios as sc

ELEC, GAS, OIL = 0.20705 + 0.0183, 0.1829, 2.75541
PHARMA = 0.127681955

# tonnes CO2e a year, by hand
ENERGY_25 = (30e6 * ELEC + 60e6 * GAS + 100_000 * OIL) / 1000        # 6,760.5 + 10,974 + 275.541 = 18,010.041
ENERGY_24 = (31e6 * ELEC + 64e6 * GAS + 100_000 * OIL) / 1000        # 6,985.85 + 11,705.6 + 275.541 = 18,966.991
WATER_25 = (300_000 * 0.15311 + 285_000 * 0.18574) / 1000            # 45.933 + 52.9359 = 98.8689
WATER_24 = (310_000 * 0.15311 + 295_000 * 0.18574) / 1000            # 47.4641 + 54.7933 = 102.2574
WASTE_25 = (400 * 520.3342 + (600 + 800) * 6.41061 + 1200 * 1074) / 1000   # 208.134 + 8.975 + 1,288.8 = 1,505.909
WASTE_24 = (450 * 520.3342 + (550 + 800) * 6.41061 + 1250 * 1074) / 1000   # 234.150 + 8.654 + 1,342.5 = 1,585.305
REFRIG_25 = (40 * 1924 + 1 * 23_500) / 1000                          # 100.46
REFRIG_24 = (60 * 1924 + 1 * 23_500) / 1000                          # 138.94
TRAVEL_25 = (25e6 * 1.609344 * 0.16725 + 3e6 * 0.27878) / 1000        # 6,729.0696 + 836.34 = 7,565.4096
TRAVEL_24 = (25.5e6 * 1.609344 * 0.16725 + 3.1e6 * 0.27878) / 1000    # 6,863.651 + 864.218 = 7,727.869
INHALERS_25 = (180_000 * 28.262 + 60_000 * 19.65 + 90_000 * 0.8) / 1000  # 5,087.16 + 1,179 + 72 = 6,338.16
INHALERS_24 = (190_000 * 28.262 + 62_000 * 19.65 + 85_000 * 0.8) / 1000  # 5,369.78 + 1,218.3 + 68 = 6,656.08
MEDICINES_25 = 30e6 * 94.8 / 111.2 * PHARMA / 1000                  # £30m of 2024 pounds: 3,265.535
MEDICINES_24 = 29.5e6 * 94.8 / 106.9 * PHARMA / 1000                # £29.5m of 2023 pounds: 3,340.275


def anaesthetic(store, bottles: int, cylinders: int, entonox_l: float) -> float:
    """Sevoflurane bottles x 250 mL x 1.52 g/mL x GWP 216 (AR5); N2O size G cylinders x the library's
    derived cylinder figure; Entonox litres x 0.5 N2O / 23.645 L/mol x 44.013 g/mol x GWP 265 (AR5)."""
    lib = fx.library(store)
    cylinder = float(lib.quantity("n2o_cylinder_g", "AR5").value.magnitude)
    n2o_kg = entonox_l * 0.5 / 23.645 * 44.013 / 1000
    return (bottles * 250 * 1.52 / 1000 * 216 + cylinders * cylinder + n2o_kg * 265) / 1000


@pytest.fixture
def demo(store):
    return sc.load(store, sc.demo_name())


@pytest.fixture
def bv(store, demo):
    return board.view(store, demo)


def test_the_demos_board_footprint_by_hand(store, bv):
    assert (bv.year, bv.previous) == ("2024/25", "2023/24")
    t = bv.table.set_index("source")
    assert list(t.index) == [k for k, _, _ in board.SOURCES] + ["total"]
    hand = {
        "building_energy": (ENERGY_25, ENERGY_24), "water": (WATER_25, WATER_24), "waste": (WASTE_25, WASTE_24),
        "refrigerants": (REFRIG_25, REFRIG_24), "travel": (TRAVEL_25, TRAVEL_24),
        "anaesthetic": (anaesthetic(store, 2400, 150, 1_500_000), anaesthetic(store, 2500, 160, 1_550_000)),
        "inhalers": (INHALERS_25, INHALERS_24), "medicines": (MEDICINES_25, MEDICINES_24),
    }
    for source, (now, before) in hand.items():
        assert t.loc[source, "tCO2e"] == pytest.approx(now, rel=1e-4), source
        assert t.loc[source, "previous_tCO2e"] == pytest.approx(before, rel=1e-4), source
        assert t.loc[source, "change_pct"] == pytest.approx((now / before - 1) * 100, rel=1e-3), source
    assert t.loc["building_energy", "tCO2e"] == pytest.approx(18_010.041)
    assert t.loc["building_energy", "change_pct"] == pytest.approx(-5.045, abs=0.001)
    assert t.loc["anaesthetic", "tCO2e"] == pytest.approx(1_232.4, abs=0.1)
    # nothing is recorded as other procurement: no figure, no change, no target
    assert t.loc["procurement", ["tCO2e", "previous_tCO2e"]].isna().all()
    total_25 = sum(v[0] for v in hand.values())
    assert t.loc["total", "tCO2e"] == pytest.approx(total_25, rel=1e-5) == pytest.approx(38_116.8, abs=0.1)
    assert t.loc["total", "previous_tCO2e"] == pytest.approx(sum(v[1] for v in hand.values()), rel=1e-5)


def test_the_target_of_each_source_and_the_gap(bv):
    t = bv.table.set_index("source")
    # NHS Scotland: building emissions -75 % by 2030 (measured in 2030/31) against the 2024/25 baseline,
    # as no 1990 footprint is entered: 18,010.041 x 0.25 = 4,502.51 tCO2e; gap 18,010.041 - 4,502.51 = 13,507.53
    assert t.loc["building_energy", "target"] == "A 75% cut by 2030 (NHS Scotland)"
    assert t.loc["building_energy", "target_year"] == "2030/31"
    assert t.loc["building_energy", "target_tCO2e"] == pytest.approx(ENERGY_25 * 0.25)
    assert t.loc["building_energy", "gap_tCO2e"] == pytest.approx(ENERGY_25 * 0.75)
    # inhalers -70 % by 2030: 6,338.16 x 0.3 = 1,901.448; gap 4,436.712
    assert t.loc["inhalers", "target_tCO2e"] == pytest.approx(INHALERS_25 * 0.3)
    assert t.loc["inhalers", "gap_tCO2e"] == pytest.approx(INHALERS_25 * 0.7)
    # anaesthetic gases net zero by 2027, other medicines (supply chain) net zero by 2045, total net zero by 2040
    assert t.loc["anaesthetic", "target"] == "Net zero by 2027 (NHS Scotland)"
    assert t.loc["medicines", "target"] == "Net zero by 2045 (NHS Scotland)"
    assert t.loc["total", "target"] == "Net zero by 2040 (NHS Scotland)"
    assert t.loc["total", "gap_tCO2e"] == pytest.approx(t.loc["total", "tCO2e"])
    # sources no milestone applies to say so, and are never given a share of the total's target
    for source in ("water", "waste", "refrigerants", "travel", "procurement"):
        assert t.loc[source, "target"] == board.NO_TARGET
        assert t.loc[source, ["target_tCO2e", "gap_tCO2e"]].isna().all()
    assert not t["met"].dropna().any()  # the demo misses every target


def test_verdicts_in_plain_words_and_notes(bv):
    lines = board.verdicts(bv)
    assert len(lines) == 5  # building energy, anaesthetic gases, inhalers, other medicines, total
    assert lines[0].startswith("Building energy: 18,010 tonnes CO2e in 2024/25, 5% less than in 2023/24. The target "
                               "is a 75% cut by 2030 (NHS Scotland): 4,503 tonnes CO2e a year, 13,508 tonnes CO2e "
                               "less than this year.")
    assert "_" not in " ".join(lines)  # no ids
    assert any("10 lines use DESNZ 2024 factors" in n and "no DESNZ 2023 set" in n for n in bv.notes)
    assert any("clinical waste burnt at high temperature" in n for n in bv.notes)
    assert any("building energy: the target's own baseline is 1990" in n.lower() for n in bv.notes)


def test_another_recorded_year_and_years_not_recorded(store, demo):
    earlier = board.view(store, demo, "2023/24")
    t = earlier.table.set_index("source")
    assert (earlier.year, earlier.previous) == ("2023/24", "2022/23")
    assert t.loc["building_energy", "tCO2e"] == pytest.approx(ENERGY_24)
    assert t["previous_tCO2e"].isna().all() and t["change_pct"].isna().all()
    assert any("no lines for 2022/23" in n for n in earlier.notes)
    with pytest.raises(board.BoardError, match="records no lines for 2022/23.*2023/24, 2024/25"):
        board.view(store, demo, "2022/23")
    with pytest.raises(board.BoardError, match="2024 is a calendar year.*ask for 2024/25"):
        board.view(store, demo, 2024)
    with pytest.raises(ValueError, match="'2024/26' is not a financial year"):
        board.view(store, demo, "2024/26")


def test_the_source_of_each_category():
    got = board.source_of(pd.Series(["energy", "medicine", "consumable", "Inhaler", "refrigerant"])).tolist()
    assert got == ["building_energy", "medicines", "procurement", "inhalers", "refrigerants"]
