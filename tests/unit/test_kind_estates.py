"""``estates`` lines: an organisation's imported estates return for the line's period, by source.

Hand arithmetic as in tests/unit/test_estates.py: trust R1A of the real ERIC 2016-17 file, with the
DESNZ 2025 factors set on the line (the library holds no 2016 set):
* building energy: gas 13,799,131 kWh x 0.18296 + electricity 5,625,790 kWh x (0.177 + 0.01853)
  + oil 33,126 kWh x 0.26813 = 3,633,582.3 kgCO2e
* water: 59,093 m3 x (0.1913 + 0.17088) = 21,402.3 kgCO2e
* waste: 131.73 t x 520.5327 + (190.73 + 328.83) t x 4.68568 = 71,004.3 kgCO2e
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carbon import estates, kinds

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def imported(store):
    estates.import_file(store, DATA / "eric" / "eric_2016_17_trust_dollar_delimited.csv")
    estates.import_file(store, DATA / "estates" / "board_template_2024_25.csv")
    return store


def test_a_trusts_return_by_source(imported):
    out = kinds.footprint(imported, [{"kind": "estates", "factor": "R1A", "period": "2016/17", "factor_year": 2025}],
                          "AR5", kinds.PER_YEAR)
    by = out.set_index("category")
    assert (out["error"] == "").all() and set(by.index) == {"energy", "water", "waste"}
    assert by.loc["energy", "kgCO2e"] == pytest.approx(
        13_799_131 * 0.18296 + 5_625_790 * (0.177 + 0.01853) + 33_126 * 0.26813)
    assert by.loc["water", "kgCO2e"] == pytest.approx(59_093 * (0.1913 + 0.17088))
    assert by.loc["waste", "kgCO2e"] == pytest.approx(131.73 * 520.5327 + (190.73 + 328.83) * 4.68568)
    # the same figures as the stored return footprinted by carbon/estates.py
    stored = estates.by_source(estates.footprint(imported, ["R1A"], factor_year=2025)).set_index("source")
    assert by.loc["energy", "kgCO2e"] == pytest.approx(stored.loc["building_energy", "kgCO2e"])
    assert "13,799,131 kWh × 0.18296 kgCO2e/kWh (natural_gas_kwh_2025)" in by.loc["energy", "steps"]


def test_a_board_by_name_in_its_own_year(imported):
    out = kinds.footprint(imported, [{"kind": "estates", "factor": "nhs lothian", "period": "2024/25"}], "AR5",
                          kinds.PER_YEAR).set_index("category")
    # 2024/25 takes DESNZ 2024: the template's building energy is 325,174.52 kgCO2e (tests/unit/test_estates.py)
    assert out.loc["energy", "kgCO2e"] == pytest.approx(325_174.52)
    assert out.loc["refrigerant", "kgCO2e"] == pytest.approx(2 * 1924)


def test_what_was_not_imported_is_named(imported):
    out = kinds.footprint(imported, [
        {"kind": "estates", "factor": "R1A", "period": "2016/17"},
        {"kind": "estates", "factor": "S08000024", "period": "2023/24"},
        {"kind": "estates", "factor": "XYZ", "period": "2024/25"},
        {"kind": "estates", "factor": "S08000024", "period": "2024/25"},
    ], "AR5", kinds.PER_YEAR)
    err = out.groupby("position")["error"].first()
    assert "no DESNZ 2016 figure in the factor library" in err[1] and "factor_year" in err[1]
    assert err[2].startswith("no imported estates return for S08000024 in 2023/24 (imported for S08000024: "
                             "2024/25, 2025/26)")
    assert err[3].startswith("no estates return has been imported for 'XYZ'")
    assert err[4] == ""
