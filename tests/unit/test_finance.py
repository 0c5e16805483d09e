"""Finance: discounting, carbon values, cost per tonne, MACC and budget by hand arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from carbon import finance as fin
from carbon import scenarios as sc
from carbon.scenarios import Intervention, Line, Scenario


def scenario(**kw) -> Scenario:
    """1,000 tCO2e of energy, no growth; two reductions with simple costs."""
    return Scenario(
        name="Money", baseline_year=2024, end_year=2028,
        lines=[Line(kind="manual", label="Energy", category="energy", amount="1000 tCO2e")],
        interventions=[
            # 10 % at once from 2025: 100 tCO2e a year for 4 years (2025-2028) = 400 tCO2e
            Intervention(name="Cheap", kind="reduction", category="energy", start_year=2025, end_year=2025,
                         target_pct=10, one_off_gbp=1000, yearly_gbp=-500),
            # 20 % at once from 2027: 200 tCO2e a year for 2 years = 400 tCO2e
            Intervention(name="Dear", kind="reduction", category="energy", start_year=2027, end_year=2027,
                         target_pct=20, one_off_gbp=100000),
        ],
        **kw,
    )


def test_green_book_schedule_by_hand(store):
    sched = fin.discount_schedule(store)
    assert sched["value"].tolist()[:2] == [3.5, 3.0] and sched["source"].iloc[0] == "hm_treasury_green_book_2022"
    df = fin.discount_factors(np.array([0, 1, 2, 30, 31]), None, sched)
    # 3.5 % for years 1-30, then 3.0 %: year 31 = 1.035^-30 / 1.03
    assert df == pytest.approx([1, 1 / 1.035, 1 / 1.035 ** 2, 1.035 ** -30, 1.035 ** -30 / 1.03])
    assert fin.discount_factors(np.array([0, 2]), 5.0) == pytest.approx([1, 1 / 1.05 ** 2])


def test_carbon_values_interpolate_between_published_years(store):
    cv = fin.carbon_values(store, [2028, 2029, 2030, 2060]).set_index("year")
    # published: 2028 central 285.73, 2030 294.50 (GBP/tCO2e, 2022 prices); 2029 is halfway: 290.115
    assert cv.loc[2029, "central"] == pytest.approx((285.73 + 294.50) / 2)
    assert cv.loc[2029, "low"] == pytest.approx((142.87 + 147.25) / 2)
    assert bool(cv.loc[2028, "published"]) and not bool(cv.loc[2029, "published"])
    assert cv.loc[2060, "central"] == pytest.approx(397.54)  # after 2050: the last published value


def test_cost_per_tonne_and_npc_by_hand(store):
    p = sc.run(store, scenario())
    a = fin.appraise(store, p).set_index("name")
    d = [1, 1 / 1.035, 1 / 1.035 ** 2, 1 / 1.035 ** 3]  # 2025-2028, year 0 = 2025
    # Cheap: GBP 1,000 in 2025 plus -500 a year from 2025
    npc_cheap = (1000 - 500) * d[0] - 500 * (d[1] + d[2] + d[3])
    assert a.loc["Cheap", "npc_gbp"] == pytest.approx(npc_cheap)
    assert a.loc["Cheap", "abated_tCO2e"] == pytest.approx(400)
    assert a.loc["Cheap", "cost_per_tCO2e"] == pytest.approx(npc_cheap / 400)
    assert a.loc["Cheap", "cost_gbp"] == pytest.approx(1000 - 4 * 500)
    # Dear: GBP 100,000 in 2027 (year 2): 100000 / 1.035^2 over 400 tCO2e
    assert a.loc["Dear", "npc_gbp"] == pytest.approx(100000 * d[2])
    assert a.loc["Dear", "cost_per_tCO2e"] == pytest.approx(100000 * d[2] / 400)
    # carbon value, central: 100 t in each of 2025-2028 at 273.06, 277.22, 281.44, 285.73, discounted
    cv = 100 * (273.06 * d[0] + 277.22 * d[1] + 281.44 * d[2] + 285.73 * d[3])
    assert a.loc["Cheap", "carbon_value_central_gbp"] == pytest.approx(cv)
    assert a.loc["Cheap", "npv_central_gbp"] == pytest.approx(cv - npc_cheap)


def test_flat_discount_rate_setting(store):
    a = fin.appraise(store, sc.run(store, scenario(discount_pct=0.0))).set_index("name")
    assert a.loc["Dear", "npc_gbp"] == pytest.approx(100000)  # undiscounted at 0 %


def test_macc_ordering_and_widths(store):
    a = fin.appraise(store, sc.run(store, scenario()))
    m = fin.macc(a)
    assert m["name"].tolist() == ["Cheap", "Dear"]  # cheapest per tonne first
    assert m["cost_per_tCO2e"].is_monotonic_increasing
    # widths are the tonnes abated: 400 and 400 tCO2e, edges at 0 | 400 | 800
    assert m["abated_tCO2e"].tolist() == pytest.approx([400, 400])
    assert m["x0"].tolist() == pytest.approx([0, 400]) and m["x1"].tolist() == pytest.approx([400, 800])


def test_cumulative_budget(store):
    b = fin.budget(sc.run(store, scenario()))
    cheap = b[b["name"] == "Cheap"].set_index("year")["cumulative_gbp"]
    # 2024: 0; 2025: 1000 - 500 = 500; 2026: 0; 2027: -500; 2028: -1000
    assert cheap.tolist() == pytest.approx([0, 500, 0, -500, -1000])
    total = b.drop_duplicates("year").set_index("year")["total_cumulative_gbp"]
    assert total[2027] == pytest.approx(-500 + 100000)


def test_assumptions_name_the_sources(store):
    text = " ".join(fin.assumptions(store, scenario()))
    assert "Green Book" in text and "3.5%" in text and "linearly interpolated" in text


def test_cost_per_tonne_in_words_by_hand(store):
    """Undiscounted (0 %): Cheap costs GBP 1,000 once and saves GBP 500 a year for 4 years over 400 tCO2e:
    -1,000 / 400 = GBP 2.50 saved a tonne; Dear costs GBP 100,000 over 400 tCO2e = GBP 250 a tonne."""
    a = fin.appraise(store, sc.run(store, scenario(discount_pct=0.0)))
    side = fin.side_by_side(a)
    assert side["name"].tolist() == ["Cheap", "Dear"]  # cheapest per tonne first
    assert side["per_tonne"].tolist() == ["Saves £2.50 for each tonne of CO2e saved",
                                          "Costs £250.00 for each tonne of CO2e saved"]
    assert side["abated_tCO2e"].tolist() == pytest.approx([400, 400])
    assert side["npc_gbp"].tolist() == pytest.approx([-1000, 100000])
    words = fin.package_words(fin.summary(a))
    # the package: 800 tCO2e for GBP 99,000: GBP 123.75 a tonne
    assert words.startswith("Over the appraisal period the changes save 800.00 tCO2e and cost £99,000.00 in net present terms. "
                            "Costs £123.75 for each tonne of CO2e saved; the government's central carbon value")
    assert fin.per_tonne_words(float("nan"), 0.0) == "Saves no carbon at these settings"
    assert fin.package_words(fin.summary(a.iloc[0:0])) == ("At these settings the changes save no carbon over the "
                                                          "appraisal period.")
