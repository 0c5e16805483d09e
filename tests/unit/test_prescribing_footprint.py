"""Footprint, mapping, coverage, funnel and switching on the hand-written fixtures (AR5).

Per-practice figures are worked by hand in test_prescribing_import.py's docstring; factor values
used here: salbutamol pMDI (brand not known) 25 kgCO2e/inhaler, Ventolin Evohaler 28.262, Ventolin
Accuhaler 0.583, Salamol 11.95, Relvar Ellipta 0.776.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from carbon import prescribing as rx

DATA = Path(__file__).resolve().parents[1] / "data" / "prescribing"
ALL = [DATA / "phs_2024_01.csv", DATA / "phs_2024_02.csv.gz", DATA / "epd_2024_01.csv"]
PRACTICE_KG = {"10002": 522.694, "10017": 148.294, "20005": 145.8, "F84001": 797.1528, "F84002": 75.0}
PRACTICE_INHALERS = {"10002": 25, "10017": 14, "20005": 15, "F84001": 36, "F84002": 3}
LOW_CARBON = {"10002": 3, "10017": 9, "20005": 3, "F84001": 2, "F84002": 0}  # DPI inhalers


@pytest.fixture
def loaded(store):
    rx.import_files(store, ALL)
    return store


def test_footprint_columns_and_groups(loaded):
    for by in rx.GROUPS:
        df = rx.footprint(loaded, by)
        assert {"items", "inhalers", "kgCO2e", "kgCO2e_low", "kgCO2e_high", "low_carbon_share", "cost_gbp",
                "unmapped_items"} <= set(df.columns)
        assert df["kgCO2e"].sum() == pytest.approx(sum(PRACTICE_KG.values()))
        assert (df["kgCO2e_low"] <= df["kgCO2e"] + 1e-9).all() and (df["kgCO2e"] <= df["kgCO2e_high"] + 1e-9).all()
    prac = rx.footprint(loaded, "practice").set_index("practice")
    assert prac["kgCO2e"].to_dict() == pytest.approx(PRACTICE_KG)
    assert prac["inhalers"].to_dict() == pytest.approx(PRACTICE_INHALERS)
    assert prac["low_carbon_share"].to_dict() == pytest.approx(
        {p: LOW_CARBON[p] / PRACTICE_INHALERS[p] for p in PRACTICE_KG})
    month = rx.footprint(loaded, "month").set_index("month")
    assert month.loc["2024-02", "kgCO2e"] == pytest.approx(6 * 25 + 3 * 0.776 + 4 * 11.95)
    product = rx.footprint(loaded, "product").set_index("product")
    assert product.loc["Ventolin Evohaler 100", "kgCO2e"] == pytest.approx(5 * 28.262)
    assert product.loc["(not mapped)", "unmapped_items"] == 2


def test_gwp_basis_changes_derived_factors_only(loaded):
    ar5 = rx.footprint(loaded, "product").set_index("product")["kgCO2e"]
    ar6 = rx.footprint(loaded, "product", "AR6").set_index("product")["kgCO2e"]
    assert ar6["Relvar Ellipta 92/22"] == pytest.approx(ar5["Relvar Ellipta 92/22"])  # published, no propellant
    assert ar6.sum() != pytest.approx(ar5.sum())


def test_mapping_presentation_then_chemical_then_form(loaded):
    m = rx.mapping(loaded).set_index("bnf_code")
    assert m.loc["0301011R0BIAFAP", ["matched_by", "factor_id", "doses_per_inhaler"]].tolist() == [
        "presentation", "ventolin_evohaler", 200]
    assert m.loc["0301011U0BBABAB", ["matched_by", "device", "factor_id"]].tolist() == [
        "chemical", "dpi", "bricanyl_turbohaler"]
    assert m.loc["0301011R0AAAFAF", ["matched_by", "device"]].tolist() == ["form", "nebuliser_other"]
    assert m.loc["0301011W0BBABAB", "matched_by"] == "unmapped"


def test_coverage_by_hand(loaded):
    cov = rx.coverage(loaded)
    # inhaler items: Lothian 37 + GGC 17 + North East London 34 (nebuliser, tablets, antibiotics out)
    assert cov["inhaler_items"] == 88 and cov["mapped_items"] == 86
    assert cov["items_share"] == pytest.approx(86 / 88)
    assert cov["inhaler_cost_gbp"] == pytest.approx(734.42)
    assert cov["cost_share"] == pytest.approx((734.42 - 60.00) / 734.42)
    assert cov["unmapped_codes"] == 1 and cov["practices"] == 5
    assert (cov["first_month"], cov["last_month"]) == ("2024-01", "2024-02")
    un = rx.unmapped_codes(loaded)
    assert un[["bnf_code", "reason", "items", "cost_gbp"]].values.tolist() == [
        ["0301011W0BBABAB", "no mapping for this code", 2.0, 60.0]]


def test_quantity_in_doses_without_doses_per_inhaler_is_unmapped_not_zero(store, tmp_path):
    path = tmp_path / "phs_2024_05.csv"
    path.write_text(
        "HBT,GPPractice,BNFItemCode,BNFItemDescription,NumberOfPaidItems,PaidQuantity,GrossIngredientCost,"
        "PaidDateMonth\n"
        "S08000024,10002,0302000K0AAAAAA,BUDESONIDE 200MICROGRAMS/DOSE DRY POWDER INHALER,1,100,20.00,202405\n"
        "S08000024,10002,0302000K0AAAAAA,BUDESONIDE 200MICROGRAMS/DOSE DRY POWDER INHALER,2,2,40.00,202404\n")
    rx.import_files(store, [path])
    un = rx.unmapped_codes(store)
    assert un["reason"].tolist() == ["quantity is in doses but the doses per inhaler are not known"]
    assert un["items"].tolist() == [1.0]  # May (100 doses) cannot be counted; April (2 inhalers) can
    month = rx.footprint(store, "month").set_index("month")
    assert month.loc["2024-05", "unmapped_items"] == 1 and month.loc["2024-05", "kgCO2e"] == 0
    assert month.loc["2024-04", "inhalers"] == 2 and month.loc["2024-04", "unmapped_items"] == 0
    assert rx.coverage(store)["items_share"] == pytest.approx(2 / 3)


def test_totals(loaded):
    t = rx.totals(loaded)
    assert t["kgCO2e"] == pytest.approx(sum(PRACTICE_KG.values()))
    assert t["inhalers"] == sum(PRACTICE_INHALERS.values()) and t["items"] == 88
    assert t["low_carbon_share"] == pytest.approx(17 / 93)
    assert (t["boards"], t["practices"], t["months"]) == (3, 5, 2)


def test_funnel_low_carbon_share_by_hand(loaded):
    f = rx.funnel(loaded)
    p0 = 17 / 93  # DPI inhalers over all mapped inhalers, pooled
    assert f.target == pytest.approx(p0)
    pts = f.points.set_index("practice")
    se = math.sqrt(p0 * (1 - p0) / 14)  # practice 10017, 14 inhalers
    assert pts.loc["10017", "upper95"] == pytest.approx(p0 + 1.959964 * se, rel=1e-6)
    assert pts.loc["10017", "upper998"] == pytest.approx(p0 + 3.090232 * se, rel=1e-6)
    assert pts.loc["10017", "z"] == pytest.approx((9 / 14 - p0) / se)
    assert pts.loc["10017", "flag"] == "above 99.8% limit"
    assert pts.loc["F84001", "flag"] == "below 95% limit"  # 2/36 is 1.98 standard errors below
    assert rx.outliers(f, "95%")["practice"].tolist() == ["10017", "F84001"]
    assert rx.outliers(f, "99.8%")["practice"].tolist() == ["10017"]
    ranked = rx.ranked(f)
    # by z, lowest first: F84001 2/36 is -1.98 SE; F84002 0/3 is -p0 / sqrt(p0(1-p0)/3) = -0.819 SE; 10002
    # 3/25 is -0.812 SE; 20005 3/15 above p0; 10017 last. The smallest practice (0 %) is not first.
    assert ranked["practice"].tolist() == ["F84001", "F84002", "10002", "20005", "10017"]
    assert ranked.loc[1, "z"] == pytest.approx(-p0 / math.sqrt(p0 * (1 - p0) / 3))
    assert ranked["rank"].tolist() == [1, 2, 3, 4, 5]


def test_funnel_per_patient_needs_list_sizes(loaded):
    with pytest.raises(ValueError, match="list sizes"):
        rx.funnel(loaded, "kgCO2e_per_1000_patients")
    rx.import_list_sizes(loaded, DATA / "list_sizes_phs.csv")
    f = rx.funnel(loaded, "kgCO2e_per_1000_patients")
    kg = PRACTICE_KG["10002"] + PRACTICE_KG["10017"] + PRACTICE_KG["20005"]
    theta = kg / (5000 + 2500 + 8000) * 1000
    w = 1000 * kg / (25 + 14 + 15)
    assert f.target == pytest.approx(theta) and f.weight == pytest.approx(w)
    pts = f.points.set_index("practice")
    se = math.sqrt(theta * w / 5000)
    assert pts.loc["10002", "value"] == pytest.approx(522.694 / 5)
    assert pts.loc["10002", "lower95"] == pytest.approx(theta - 1.959964 * se, rel=1e-6)
    assert pts.loc["10002", "flag"] == "above 99.8% limit"
    assert set(pts.index) == {"10002", "10017", "20005"}  # EPD practices have no list size here


def test_switching_by_hand(loaded):
    sw = rx.switching_opportunity(loaded, "50 %")
    assert sw.share == 0.5
    p = sw.by_practice.set_index("practice")
    # 10017: half of 5 Ventolin Evohalers become Ventolin Accuhalers
    assert p.loc["10017", "saving_switch_kgCO2e"] == pytest.approx(0.5 * 5 * (28.262 - 0.583))
    # 20005: half of 12 Salamol -> Ventolin Accuhaler (equivalent in the mapping)
    assert p.loc["20005", "saving_switch_kgCO2e"] == pytest.approx(0.5 * 12 * (11.95 - 0.583))
    # best quartile of kgCO2e per inhaler over 5 practices: the 2nd lowest, 10017's 148.294 / 14
    bench = 148.294 / 14
    assert sw.benchmark_kg_per_inhaler == pytest.approx(bench)
    assert p.loc["10002", "saving_benchmark_kgCO2e"] == pytest.approx(522.694 - 25 * bench)
    assert p.loc["20005", "saving_benchmark_kgCO2e"] == 0  # already below the benchmark
    assert sw.totals["saving_benchmark_tCO2e"] == pytest.approx(
        sum(PRACTICE_KG[k] - PRACTICE_INHALERS[k] * bench for k in ("10002", "F84001", "F84002")) / 1000)
    b = sw.by_board.set_index("board_code")
    assert b["saving_switch_kgCO2e"].sum() == pytest.approx(sw.totals["saving_switch_kgCO2e"])
    assert rx.switching_opportunity(loaded, 0).totals["saving_switch_kgCO2e"] == 0
    assert rx.switching_opportunity(loaded, 0.2).totals["saving_switch_kgCO2e"] == pytest.approx(
        0.4 * sw.totals["saving_switch_kgCO2e"])
    with pytest.raises(ValueError, match="between 0 % and 100 %"):
        rx.switching_opportunity(loaded, "150 %")
    with pytest.raises(ValueError, match=r"'20 km' is not a share; write e.g. '20 %' or 0.2"):
        rx.switching_opportunity(loaded, "20 km")
    with pytest.raises(ValueError, match="is not a share"):
        rx.switching_opportunity(loaded, "twenty")


def test_trend_chart_tells_fourteen_boards_apart():
    import pandas as pd

    from carbon import charts

    boards = [f"NHS Board {i:02d}" for i in range(14)]  # Scotland's 14 boards; the palette has 8 colours
    df = pd.DataFrame({"month": "2024-04", "board": boards, "kgCO2e": 1.0, "inhalers": 1.0})
    enc = charts.footprint_trend(df).to_dict()["encoding"]
    styles = list(zip(map(str, enc["color"]["scale"]["range"]), map(str, enc["strokeDash"]["scale"]["range"])))
    assert enc["color"]["scale"]["domain"] == boards and len(set(styles)) == 14  # no two boards drawn alike
    assert enc["color"]["legend"]["symbolLimit"] == 0  # every board in the legend
