"""``medicine_spend`` lines and ``spend_rows``: pounds in a BNF chapter re-priced with the ONS GDP
deflator to the factor's price year, by hand.

spend_medicines_bnf: 0.127681955 kgCO2e per 2020 pound (NHS SDU pharmaceuticals, 2020-21);
GDP deflator (2022 = 100): 2020 94.8, 2023 106.9, 2024 111.2. spend_dressings_bnf: 1.54 kgCO2e
per pound, no price year (applied at face value).
"""

from __future__ import annotations

import pandas as pd
import pytest

from carbon import kinds, medicines
from carbon.kinds.medicine_spend import spend_rows

PHARMA = 0.127681955


def test_a_chapters_spend_by_hand(store):
    out = kinds.footprint(store, [
        {"kind": "medicine_spend", "factor": "4", "quantity": "£20,000,000", "period": "2024/25"},
        {"kind": "medicine_spend", "factor": "04", "quantity": "19000000 GBP", "period": "2023/24"},
        {"kind": "medicine_spend", "factor": "20", "quantity": "1000000", "period": "2024/25"},
        {"kind": "medicine_spend", "factor": "3", "quantity": "£100,000", "period": "2024"},
    ], "AR5", kinds.PER_YEAR)
    assert (out["error"] == "").all(), out["error"].tolist()
    # £20,000,000 of 2024 pounds x 94.8 / 111.2 = £17,050,360 of 2020 pounds x 0.127681955 = 2,177,023 kgCO2e
    assert out.loc[0, "kgCO2e"] == pytest.approx(20e6 * 94.8 / 111.2 * PHARMA) == pytest.approx(2_177_023.26)
    # 2023/24 pounds are 2023 pounds (DESNZ's majority rule): £19,000,000 x 94.8 / 106.9 x 0.127681955
    assert out.loc[1, "kgCO2e"] == pytest.approx(19e6 * 94.8 / 106.9 * PHARMA)
    # the range: low = the SDU value, high = Defra's SIC 21 factor re-priced to 2020 (0.25342)
    assert out.loc[0, "kgCO2e_high"] == pytest.approx(20e6 * 94.8 / 111.2 * 0.25342)
    assert out.loc[2, "kgCO2e"] == pytest.approx(1_540_000) and "face value" in out.loc[2, "steps"]
    assert out.loc[0, "cost_gbp"] == 20e6 and out.loc[0, "factor_ids"] == "spend_medicines_bnf"
    assert set(out["category"]) == {"medicine"}
    assert out.loc[0, "factor_name"] == "Central Nervous System (BNF chapter 4)"
    assert "leave out inhalers" in out.loc[3, "steps"]  # chapter 3: inhalers are counted by product


def test_bad_rows_are_named_alone(store):
    out = kinds.footprint(store, [
        {"kind": "medicine_spend", "factor": "4", "quantity": "£20,000,000", "period": "2025/26"},
        {"kind": "medicine_spend", "factor": "16", "quantity": "£1", "period": "2024/25"},
        {"kind": "medicine_spend", "factor": "antibiotics", "quantity": "£1", "period": "2024/25"},
        {"kind": "medicine_spend", "factor": "4", "quantity": "-£5", "period": "2024/25"},
        {"kind": "medicine_spend", "factor": "4", "quantity": "5 kg", "period": "2024/25"},
        {"kind": "medicine_spend", "factor": "4", "quantity": "£5", "period": "2024/25"},
    ], "AR5", kinds.PER_YEAR)
    err = out.set_index("position")["error"]
    # a 2025/26 pound is a 2025 pound, and the ONS release used holds no whole-year 2025 deflator
    assert err[1].startswith("price year 2025 has no GDP deflator in factors/gdp_deflators.csv (it holds 2000-2024)")
    assert "BNF chapter '16' is not a chapter" in err[2]
    assert "'antibiotics' is not a BNF chapter number" in err[3]
    assert "cannot be negative" in err[4]
    assert "is not an amount of money" in err[5]
    assert err[6] == "" and out.set_index("position").loc[6, "kgCO2e"] == pytest.approx(5 * 94.8 / 111.2 * PHARMA)


def test_spend_rows_for_the_prescribing_kind(store):
    spend = pd.DataFrame({"bnf_chapter": ["04", "04", "20"], "month": ["2024-01", "2024-02", "2024-01"],
                          "cost_gbp": [1000.0, 2000.0, 100.0], "position": [7, 7, 7]})
    rows = spend_rows(store, spend)
    assert list(rows.columns) == kinds.TIDY
    by = rows.set_index("factor_ids")
    assert by.loc["spend_medicines_bnf", "kgCO2e"] == pytest.approx(3000 * 94.8 / 111.2 * PHARMA)
    assert by.loc["spend_dressings_bnf", "kgCO2e"] == pytest.approx(154)
    assert set(rows["position"]) == {7} and set(rows["category"]) == {"medicine"}
    with pytest.raises(medicines.SpendError, match="spend row 1: BNF chapter '17'"):
        spend_rows(store, pd.DataFrame({"bnf_chapter": [17], "year": [2024], "cost_gbp": [1.0]}))
