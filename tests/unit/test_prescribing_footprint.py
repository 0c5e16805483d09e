"""Footprint, mapping, coverage, funnel and switching on the hand-written fixtures (AR5).

Per-practice figures are worked by hand in test_prescribing_import.py's docstring; factor values
used here: salbutamol pMDI (brand not known) 25 kgCO2e/inhaler, Ventolin Evohaler 28.262, Ventolin
Accuhaler 0.583, Salamol 11.95, Relvar Ellipta 0.776, the DPI default 0.8.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from carbon import prescribing as rx

DATA = Path(__file__).resolve().parents[1] / "data" / "prescribing"
ALL = [DATA / "phs_2024_01.csv", DATA / "phs_2024_02.csv.gz", DATA / "epd_2024_01.csv"]
PRACTICE_KG = {"10002": 522.694, "10017": 148.294, "20005": 145.8, "F84001": 797.1528, "F84002": 75.0}
PRACTICE_INHALERS = {"10002": 25, "10017": 14, "20005": 15, "F84001": 36, "F84002": 3}
LOW_CARBON = {"10002": 3, "10017": 9, "20005": 3, "F84001": 2, "F84002": 0}  # DPI inhalers
RELIEVERS = {"10002": 18, "10017": 5, "20005": 13, "F84001": 30, "F84002": 3}


@pytest.fixture
def loaded(store):
    rx.import_files(store, ALL)
    return store


def test_footprint_columns_and_groups(loaded):
    for by in rx.GROUPS:
        df = rx.footprint(loaded, by)
        assert {"items", "inhalers", "kgCO2e", "kgCO2e_low", "kgCO2e_high", "low_carbon_share", "cost_gbp",
                "unmapped_items", "reliever_inhalers", "reliever_share", "months"} <= set(df.columns)
        assert df["kgCO2e"].sum() == pytest.approx(sum(PRACTICE_KG.values()))
        assert (df["kgCO2e_low"] <= df["kgCO2e"] + 1e-9).all() and (df["kgCO2e"] <= df["kgCO2e_high"] + 1e-9).all()
    prac = rx.footprint(loaded, "practice").set_index("practice")
    assert prac["kgCO2e"].to_dict() == pytest.approx(PRACTICE_KG)
    assert prac["inhalers"].to_dict() == pytest.approx(PRACTICE_INHALERS)
    assert prac["low_carbon_share"].to_dict() == pytest.approx(
        {p: LOW_CARBON[p] / PRACTICE_INHALERS[p] for p in PRACTICE_KG})
    # relievers (SABA: salbutamol, terbutaline): 10002 salbutamol 12 + 6; 10017 Ventolin 5 (the nebules are not
    # inhalers); 20005 Salamol 8 + 4 and Bricanyl Turbohaler 1; F84001 30; F84002 3
    assert prac["reliever_inhalers"].to_dict() == pytest.approx(RELIEVERS)
    assert prac["reliever_share"].to_dict() == pytest.approx({p: RELIEVERS[p] / PRACTICE_INHALERS[p] for p in RELIEVERS})
    month = rx.footprint(loaded, "month").set_index("month")
    assert month.loc["2024-02", "kgCO2e"] == pytest.approx(6 * 25 + 3 * 0.776 + 4 * 11.95)
    product = rx.footprint(loaded, "product").set_index("product")
    assert product.loc["Ventolin pMDI", "kgCO2e"] == pytest.approx(5 * 28.262)
    assert product.loc["Combivent pMDI", "unmapped_items"] == 2


def test_gwp_basis_changes_derived_factors_only(loaded):
    ar5 = rx.footprint(loaded, "product").set_index("product")["kgCO2e"]
    ar6 = rx.footprint(loaded, "product", "AR6").set_index("product")["kgCO2e"]
    assert ar6["Relvar Ellipta DPI"] == pytest.approx(ar5["Relvar Ellipta DPI"])  # published, no propellant
    assert ar6.sum() != pytest.approx(ar5.sum())


def test_mapping_from_the_nhsbsa_names(loaded):
    m = rx.mapping(loaded).set_index("bnf_code")
    # Ventolin Evohaler is 0301011R0BEAIAP in the NHSBSA list: the Ventolin product row, 200 doses from its name
    assert m.loc["0301011R0BEAIAP", ["description", "matched_by", "factor_id", "doses_per_inhaler"]].tolist() == [
        "Ventolin_Evohaler 100mcg (200 D)", "product", "ventolin_evohaler", 200]
    assert m.loc["0301011R0BIAFAP", ["description", "factor_id"]].tolist() == [
        "Salamol_Inha 100mcg (200 D) CFF (Teva)", "salamol_pmdi"]
    assert m.loc["0301011V0BBAMAL", ["matched_by", "device", "factor_id"]].tolist() == [
        "chemical", "dpi", "bricanyl_turbohaler"]
    assert m.loc["0301011R0AAAXAX", ["matched_by", "device"]].tolist() == ["not an inhaler", "nebuliser_other"]
    assert m.loc["0301040R0BBAAAA", ["matched_by", "device"]].tolist() == ["unmapped", "pmdi_hfa134a"]
    assert m.loc["0301011R0BEAIAP", "name_source"] == "NHSBSA BNF code list (February 2020)"
    assert m["reliever"].sum() == 4  # the salbutamol pMDI, Ventolin, Salamol and Bricanyl codes


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
    assert un[["bnf_code", "description", "reason", "items", "cost_gbp"]].values.tolist() == [
        ["0301040R0BBAAAA", "Combivent_Inha (200 D)",
         "no factor for a pMDI of Salbutamol in factors/bnf_inhalers.csv", 2.0, 60.0]]


def test_quantity_in_doses_without_doses_per_inhaler_is_unmapped_not_zero(store, tmp_path):
    # Budesonide_Pdr For Inh Cap 200mcg: a capsule DPI whose name gives no doses per inhaler
    path = tmp_path / "phs_2024_05.csv"
    path.write_text(
        "HBT,GPPractice,BNFItemCode,BNFItemDescription,NumberOfPaidItems,PaidQuantity,GrossIngredientCost,"
        "PaidDateMonth\n"
        "S08000024,10002,0302000K0AAARAR,BUDESONIDE_PDR FOR INH CAP 200MCG,1,100,20.00,202405\n"
        "S08000024,10002,0302000K0AAARAR,BUDESONIDE_PDR FOR INH CAP 200MCG,2,2,40.00,202404\n")
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


def _arcsine_by_hand(k, n, trim=0.1):
    """FunnelPlotR's PR method written out: z on the arcsine scale, Winsorised 10 %, phi, tau2."""
    k, n = np.asarray(k, float), np.asarray(n, float)
    p0 = k.sum() / n.sum()
    y, t, s = np.arcsin(np.sqrt(k / n)), np.arcsin(np.sqrt(p0)), 1 / (2 * np.sqrt(n))
    z = (y - t) / s
    lo, hi = np.quantile(z, [trim, 1 - trim])
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    w = 1 / s ** 2
    m = len(z)
    tau2 = max(0.0, (m * phi - (m - 1)) / (w.sum() - (w ** 2).sum() / w.sum())) if m * phi >= m - 1 else 0.0
    return p0, phi, tau2, (y - t) / np.sqrt(s ** 2 + tau2)


def test_funnel_low_carbon_share_over_dispersed_by_hand(loaded):
    f = rx.funnel(loaded)
    order = ["10002", "10017", "20005", "F84001", "F84002"]
    p0, phi, tau2, z = _arcsine_by_hand([LOW_CARBON[p] for p in order], [PRACTICE_INHALERS[p] for p in order])
    assert f.target == pytest.approx(17 / 93) == pytest.approx(p0)
    assert (f.phi, f.tau2) == (pytest.approx(phi), pytest.approx(tau2))
    assert phi > 1 and tau2 > 0  # the five practices vary more than chance alone: the limits widen
    pts = f.points.set_index("practice")
    assert pts.loc[order, "z"].tolist() == pytest.approx(z.tolist())
    # 10017: 14 inhalers, limits sin^2(asin(sqrt(p0)) +/- z sqrt(1/(4 x 14) + tau2))
    half = 1.959964 * math.sqrt(1 / 56 + tau2)
    assert pts.loc["10017", "upper95"] == pytest.approx(math.sin(math.asin(math.sqrt(p0)) + half) ** 2, rel=1e-6)
    assert pts.loc["10017", "flag"] == "above 95% limit"  # 9 of 14 low-carbon is still unusual
    assert pts.loc["F84001", "flag"] == "within limits"  # 2 of 36: -2.45 SE unadjusted, -1.04 once adjusted
    assert rx.outliers(f, "95%")["practice"].tolist() == ["10017"]
    assert rx.outliers(f, "99.8%").empty
    ranked = rx.ranked(f)
    # by adjusted z, lowest first: F84002 (0 of 3, -1.30) before F84001 (2 of 36, -1.04): over-dispersion
    # narrows the gap that size made (unadjusted, F84001 was 2.45 SE below and F84002 1.53)
    assert ranked["practice"].tolist() == ["F84002", "F84001", "10002", "20005", "10017"]
    assert ranked["rank"].tolist() == [1, 2, 3, 4, 5]
    assert "FunnelPlotR" in f.method and "Winsorised" in f.method


def test_funnel_per_patient_needs_list_sizes(loaded):
    with pytest.raises(ValueError, match="list sizes"):
        rx.funnel(loaded, "kgCO2e_per_1000_patients_year")
    rx.import_list_sizes(loaded, DATA / "list_sizes_phs.csv")
    f = rx.funnel(loaded, "kgCO2e_per_1000_patients_year")
    # two months of data for each PHS practice: a year is x 6
    kg = {p: PRACTICE_KG[p] * 6 for p in ("10002", "10017", "20005")}
    patients = {"10002": 5000, "10017": 2500, "20005": 8000}
    theta = sum(kg.values()) / sum(patients.values()) * 1000
    w = 1000 * sum(kg.values()) / sum(PRACTICE_INHALERS[p] * 6 for p in kg)
    assert f.target == pytest.approx(theta) and f.weight == pytest.approx(w)
    # SHMI method: ratio O/E with E = patients x theta / w, z = log(O/E) sqrt(E); phi over the 3 (none truncated)
    e = np.array([patients[p] * theta / w for p in kg])
    r = np.array([kg[p] / patients[p] * 1000 / theta for p in kg])
    z = np.log(r) * np.sqrt(e)
    phi = np.mean(z ** 2)
    wts = e  # 1 / s^2 with s = 1 / sqrt(E)
    tau2 = max(0.0, (3 * phi - 2) / (wts.sum() - (wts ** 2).sum() / wts.sum()))
    assert (f.phi, f.tau2) == (pytest.approx(phi), pytest.approx(tau2))
    pts = f.points.set_index("practice")
    assert pts.loc["10002", "value"] == pytest.approx(522.694 * 6 / 5)
    assert pts.loc["10002", "lower95"] == pytest.approx(theta * math.exp(-1.959964 * math.sqrt(1 / e[0] + tau2)),
                                                        rel=1e-6)
    assert pts.loc[list(kg), "z"].tolist() == pytest.approx((np.log(r) / np.sqrt(1 / e + tau2)).tolist())
    assert set(pts.index) == {"10002", "10017", "20005"}  # EPD practices have no list size here


def test_reliever_share_funnel_and_hot_spots(loaded):
    f = rx.funnel(loaded, "reliever_share")
    assert f.target == pytest.approx(sum(RELIEVERS.values()) / 93)
    ranked = rx.ranked(f)
    assert ranked["practice"].iloc[0] == "F84002"  # 3 of 3 relievers: the highest share is the wrong side
    spots = rx.hot_spots(loaded).set_index("practice")
    # without list sizes: reliever share above the pooled 69/93 and kgCO2e per inhaler above the pooled 1688.94/93
    pooled_share, pooled_kg = 69 / 93, sum(PRACTICE_KG.values()) / 93
    expected = {p for p in PRACTICE_KG if RELIEVERS[p] / PRACTICE_INHALERS[p] > pooled_share
                and PRACTICE_KG[p] / PRACTICE_INHALERS[p] > pooled_kg}
    assert expected == {"F84001", "F84002"}
    assert set(spots.index[spots["hot_spot"]]) == expected
    assert spots.loc["F84001", "carbon"] == pytest.approx(797.1528 / 36)


def test_switching_priced_at_the_matched_product_by_hand(loaded):
    sw = rx.switching_opportunity(loaded, "50 %")
    assert sw.share == 0.5
    m = rx.matches(loaded).set_index("bnf_code")
    # each pMDI's DPI of the same molecule and strength, from the NHSBSA names: salbutamol 100 mcg pMDIs (generic,
    # Ventolin, Salamol) -> Salbutamol_Pdr For Inh 100mcg (200 D) (DPI default 0.8 kg, list price 3.31); Clenil 100
    # -> Beclomet Diprop_Pdr For Inh 100mcg(200 D; Fostair pMDI -> Fostair NEXThaler 100/6 (0.9156 kg, 29.32 in the
    # data: its own cost per inhaler)
    assert m.loc["0301011R0BEAIAP", ["eq_code", "match", "inhaler_ratio"]].tolist() == [
        "0301011R0AABZBZ", "same molecule(s) and strength (100)", 1.0]
    assert m.loc["0302000C0BQAABX", ["eq_code", "eq_cost_per_inhaler", "eq_price_basis"]].tolist() == [
        "0302000C0BRAABY", pytest.approx(29.32), "its cost in the data"]
    assert m.loc["0301011R0AAAPAP", ["eq_cost_per_inhaler", "eq_price_basis"]].tolist() == [
        pytest.approx(3.31), "its list price (factors/prices.csv)"]
    p = sw.by_practice.set_index("practice")
    assert p.loc["10017", "saving_switch_kgCO2e"] == pytest.approx(0.5 * 5 * (28.262 - 0.8))
    assert p.loc["10002", "saving_switch_kgCO2e"] == pytest.approx(0.5 * (18 * (25 - 0.8) + 4 * (17.5 - 0.8)))
    assert p.loc["F84001", "saving_switch_kgCO2e"] == pytest.approx(0.5 * (30 * (25 - 0.8) + 4 * (11.3304 - 0.9156)))
    # cost: half of 30 salbutamol pMDIs at 45.00 / 30 = 1.50 each become DPIs at 3.31; Fostair 29.32 -> 29.32
    assert p.loc["F84001", "cost_change_switch_gbp"] == pytest.approx(0.5 * 30 * (3.31 - 1.50))
    assert p.loc["20005", "cost_change_switch_gbp"] == pytest.approx(0.5 * 12 * (3.31 - (11.68 + 5.84) / 12))
    total = 0.5 * (18 * 24.2 + 4 * 16.7 + 5 * 27.462 + 12 * 11.15 + 30 * 24.2 + 4 * 10.4148 + 3 * 24.2)
    assert sw.totals["saving_switch_kgCO2e"] == pytest.approx(total)
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


def test_spc_trend_per_board(store, tmp_path):
    """Eight months of one board: XmR limits = mean +/- 2.66 x mean moving range, by hand."""
    lines = ["HBT,GPPractice,BNFItemCode,BNFItemDescription,NumberOfPaidItems,PaidQuantity,GrossIngredientCost,"
             "PaidDateMonth"]
    counts = [10, 12, 11, 13, 12, 50, 11, 12]  # salbutamol pMDIs a month; June is unusual
    for i, c in enumerate(counts, start=1):
        lines.append(f"S08000024,10002,0301011R0AAAPAP,SALBUTAMOL_INHA 100MCG (200 D) CFF,{c},{c},{c * 1.5},2024{i:02d}")
    path = tmp_path / "pitc_2024.csv"
    path.write_text("\n".join(lines) + "\n")
    rx.import_files(store, [path])
    spc = rx.trend(store)
    kg = np.array(counts) * 25.0
    mr = np.abs(np.diff(kg))
    amr = mr[mr < 3.267 * mr.mean()].mean()  # moving ranges above 3.267 x their mean are screened out
    assert spc["kgCO2e"].tolist() == pytest.approx(kg.tolist())
    assert spc["mean"].iloc[0] == pytest.approx(kg.mean())
    assert spc["upper"].iloc[0] == pytest.approx(kg.mean() + 2.66 * amr)
    assert spc.loc[spc["month"] == "2024-06", "special_cause"].item() == "above upper limit"
    assert (spc.loc[spc["month"] != "2024-06", "special_cause"] == "common cause").all()


def test_trend_chart_tells_fourteen_boards_apart():
    import pandas as pd

    from carbon import charts

    boards = [f"NHS Board {i:02d}" for i in range(14)]  # Scotland's 14 boards; the palette has 8 colours
    df = pd.DataFrame({"month": "2024-04", "board": boards, "kgCO2e": 1.0, "inhalers": 1.0})
    enc = charts.footprint_trend(df).to_dict()["encoding"]
    styles = list(zip(map(str, enc["color"]["scale"]["range"]), map(str, enc["strokeDash"]["scale"]["range"])))
    assert enc["color"]["scale"]["domain"] == boards and len(set(styles)) == 14  # no two boards drawn alike
    assert enc["color"]["legend"]["symbolLimit"] == 0  # every board in the legend


def _rolled_up(detail, by):
    """The footprint by practice and month (read from rx_item itself) summed by ``by`` in pandas."""
    return detail.groupby(by).agg(kgCO2e=("kgCO2e", "sum"), items=("items", "sum"), inhalers=("inhalers", "sum"),
                                  cost_gbp=("cost_gbp", "sum"), unmapped_items=("unmapped_items", "sum"),
                                  reliever_inhalers=("reliever_inhalers", "sum"), months=("month", "nunique"))


def test_the_summaries_add_up_as_the_rows_they_sum(loaded, tmp_path):
    """Footprints by board, month and practice, totals and coverage read the summaries each import writes
    (migration 102); by practice and month reads rx_item itself. Rolled up, that detail gives every summary's
    figures, and still does after a file replaces a month (its rows and the summaries in one transaction)."""
    def check():
        detail = rx.footprint(loaded, ["practice", "month"])
        for by, key in (("practice", "practice"), ("board", "board"), ("month", "month")):
            want = _rolled_up(detail, key)
            got = rx.footprint(loaded, by).set_index(key)[list(want.columns)].sort_index()
            assert got.index.tolist() == want.index.tolist()
            for column in want.columns:
                assert got[column].to_numpy() == pytest.approx(want[column].to_numpy()), (by, column)
        t = rx.totals(loaded)
        assert t["kgCO2e"] == pytest.approx(detail["kgCO2e"].sum()) and t["items"] == detail["items"].sum()
        assert (t["practices"], t["months"]) == (detail["practice"].nunique(), detail["month"].nunique())
        return detail

    before = check()
    lines = (DATA / "phs_2024_01.csv").read_text().splitlines()
    again = tmp_path / "phs_2024_01_revised.csv"  # January again, without its first salbutamol row (12 inhalers)
    again.write_text("\n".join([lines[0]] + lines[2:]) + "\n")
    assert rx.import_files(loaded, [again]).replaced == ["2024-01"]
    after = check()
    assert after["kgCO2e"].sum() == pytest.approx(before["kgCO2e"].sum() - 12 * 25)
