"""``energy`` lines: a year's kWh (or litres, m3, tonnes) of a fuel with the DESNZ factors of the
line's period, through carbon/estates.py, worked by hand.

DESNZ 2024 (factors/desnz_2024.csv, the condensed set): grid electricity 0.20705 + T&D 0.0183
kgCO2e/kWh; natural gas 0.1829 kgCO2e/kWh (gross CV); gas oil 2.75541 kgCO2e/litre.
DESNZ 2025: grid electricity 0.177 + T&D 0.01853; natural gas 0.18296.
"""

from __future__ import annotations

import pytest

from carbon import kinds


def fp(store, *rows):
    return kinds.footprint(store, [{"kind": "energy", **r} for r in rows], "AR5", kinds.PER_YEAR)


def test_each_fuel_with_its_periods_desnz_year(store):
    out = fp(store,
             {"factor": "electricity", "quantity": "30000000 kWh", "period": "2024/25"},
             {"factor": "Natural gas", "quantity": "60 GWh", "period": "2024/25"},
             {"factor": "gas_oil", "quantity": "100000 L", "period": "2024/25"},
             {"factor": "electricity", "quantity": "30000000 kWh", "period": "2025/26"})
    assert (out["error"] == "").all(), out["error"].tolist()
    kg = out["kgCO2e"].tolist()
    # 30,000,000 kWh x (0.20705 + 0.0183) = 6,760,500 kgCO2e (2024/25 takes the 2024 set)
    assert kg[0] == pytest.approx(30_000_000 * (0.20705 + 0.0183)) == pytest.approx(6_760_500)
    # 60 GWh = 60,000,000 kWh x 0.1829 = 10,974,000 kgCO2e
    assert kg[1] == pytest.approx(10_974_000)
    # 100,000 litres x 2.75541 = 275,541 kgCO2e (litres through pint, the per-litre family)
    assert kg[2] == pytest.approx(275_541)
    # the same electricity in 2025/26 takes the 2025 set: 30,000,000 x (0.177 + 0.01853) = 5,865,900
    assert kg[3] == pytest.approx(5_865_900)
    assert out.loc[0, "factor_ids"] == "grid_electricity_kwh_2024 grid_td_kwh_2024"
    assert out.loc[3, "factor_ids"] == "grid_electricity_kwh_2025 grid_td_kwh_2025"
    assert set(out["category"]) == {"energy"} and out.loc[1, "factor_name"] == "Natural gas"
    assert "60,000,000 kWh × 0.1829 kgCO2e/kWh (natural_gas_kwh_2024) = 10,974,000 kgCO2e" in out.loc[1, "steps"]
    assert "100,000 L × 2.75541 kgCO2e/L (gas_oil_litre_2024)" in out.loc[2, "steps"]


def test_a_rate_a_month_is_read_over_the_year(store):
    out = fp(store, {"factor": "natural_gas", "quantity": "5000000 kWh/month", "period": "2024/25"})
    assert out.loc[0, "kgCO2e"] == pytest.approx(60_000_000 * 0.1829)


def test_an_explicit_factor_year_replaces_the_periods_own_and_says_so(store):
    # 2023/24 would take DESNZ 2023, which the library does not hold: an error naming the year and the way out
    out = fp(store, {"factor": "natural_gas", "quantity": "1000 kWh", "period": "2023/24"},
             {"factor": "natural_gas", "quantity": "1000 kWh", "period": "2023/24", "factor_year": 2024})
    assert "no DESNZ 2023 figure in the factor library for natural_gas_kwh (held: 2024, 2025)" in out.loc[0, "error"]
    assert "factor_year" in out.loc[0, "error"]
    assert out.loc[1, "error"] == "" and out.loc[1, "kgCO2e"] == pytest.approx(182.9)
    assert "DESNZ 2024 factors, set on the line (the period's own year is 2023)" in out.loc[1, "steps"]


def test_bad_rows_are_named_alone_and_the_good_ones_still_computed(store):
    out = fp(store,
             {"factor": "natural_gas", "quantity": "-5 kWh", "period": "2024/25"},
             {"factor": "peat", "quantity": "1000 kWh", "period": "2024/25"},
             {"factor": "natural_gas", "quantity": "1000 kWh", "period": "2024/26"},
             {"factor": "natural_gas", "quantity": "1000", "period": "2024/25"},
             {"factor": "natural_gas", "quantity": "3 km", "period": "2024/25"},
             {"factor": "electricity", "quantity": "1000 kWh", "period": "2024/25"},
             {"factor": "district_heat", "quantity": "1000 kWh", "period": "2024/25"})
    err = out.set_index("position")["error"]
    assert err[1] == "amount: '-5 kWh' cannot be negative"
    assert err[2].startswith("unknown fuel 'peat': choose one of burning_oil, coal, district_heat, electricity")
    assert "'2024/26' is not a financial year" in err[3] and "type 2024/25" in err[3]
    assert "has no unit" in err[4]
    assert "'3 km' is not an energy (kWh, MWh, GJ) or a volume (m3, litres) or a mass (kg, tonnes)" in err[5]
    assert err[6] == "" and out.set_index("position").loc[6, "kgCO2e"] == pytest.approx(1000 * 0.22535)
    # the 2024 condensed set has no district heat: named, not counted as zero
    assert "no DESNZ 2024 figure in the factor library for district_heat_kwh" in err[7]
    assert out[out["error"] != ""]["kgCO2e"].isna().all()


def test_used_only_as_a_years_line(store):
    out = kinds.footprint(store, [{"kind": "energy", "factor": "natural_gas", "quantity": "1 kWh", "period": "2024"}],
                          "AR5", kinds.PER_PATIENT)
    assert "cannot be used per patient" in out.loc[0, "error"]
    cal = fp(store, {"factor": "natural_gas", "quantity": "1000 kWh", "period": "2024"})
    assert cal.loc[0, "kgCO2e"] == pytest.approx(182.9)  # the calendar year 2024 takes the 2024 set too
    none = fp(store, {"factor": "natural_gas", "quantity": "1000 kWh"})
    assert "period is empty" in none.loc[0, "error"]
