"""Medicines, dressings and appliances by spend: factors per BNF chapter, re-priced pounds, bad rows.

Hand arithmetic (ONS GDP deflator, 2022 = 100: 2020 94.8, 2023 106.9, 2024 111.2):
* £1,000 of chapter 1 in 2024 at the SDU 2020-21 pharmaceuticals factor 0.127681955 kgCO2e/£(2020):
  1000 x 94.8 / 111.2 = £852.52 of 2020 -> 108.851 kgCO2e; high 852.52 x 0.25342 = 216.045.
* £100 of dressings (chapter 20) at 1.54 kgCO2e/£, no price year: 154 kgCO2e, low 100 x 0.240242 = 24.024.
* £50 of appliances (chapter 21) at 1.54: 77 kgCO2e, low 50 x 0.464915667 = 23.246.
"""

import json

import pandas as pd
import pytest

from carbon import factors as fx
from carbon import medicines as md
from carbon.cli import main


def test_every_bnf_chapter_has_a_sourced_spend_factor(store):
    chap = md.chapters(store)
    assert chap["bnf_chapter"].tolist() == list(range(1, 16)) + list(range(18, 24))
    assert chap["factor_id"].notna().all() and chap["source_title"].str.len().gt(0).all()
    assert set(chap.loc[chap["bnf_chapter"] <= 19, "factor_id"]) == {"spend_medicines_bnf"}
    assert chap.set_index("bnf_chapter").loc[[20, 21, 22, 23], "factor_id"].tolist() == [
        "spend_dressings_bnf", "spend_appliances_bnf", "spend_appliances_bnf", "spend_appliances_bnf"]
    assert (chap["kgCO2e_per_gbp_low"] <= chap["kgCO2e_per_gbp"]).all()
    assert (chap["kgCO2e_per_gbp"] <= chap["kgCO2e_per_gbp_high"]).all()


def test_the_sdu_figures_are_the_published_ones():
    # shared/data/sdu/sdu_srp_carbon_factors_2007_2021.csv: SDU - Trust Pharmaceuticals 2020-21,
    # eClass E Dressings and G Patients Appliances (every year), SDU - Trust Medical Instruments 2020-21
    lib = fx.read_library(fx.FACTORS_DIR).factors.set_index("id")
    assert lib.loc["spend_medicines_bnf", "value"] == 0.127681955
    assert lib.loc["spend_dressings_bnf", "value"] == lib.loc["spend_appliances_bnf", "value"] == 1.54
    assert lib.loc["spend_medical_equipment_sdu_2020", "value"] == 0.464915667
    assert lib.loc["spend_water_sanitation_sdu_2020", "value"] == 6.359549133


def test_ranges_are_the_spread_to_defras_sic_factors(store):
    lib = fx.read_library(fx.FACTORS_DIR).factors.set_index("id")
    index = md.deflators(store)
    sic21 = lib.loc["spend_sic21_pharmaceuticals_2022", "value"]
    # SIC 21 at 2022 prices, in 2020 pounds: x deflator(2022) / deflator(2020)
    assert lib.loc["spend_medicines_bnf", "high"] == pytest.approx(sic21 * index[2022] / index[2020], rel=1e-5)
    assert lib.loc["spend_medicines_bnf", "low"] == lib.loc["spend_medicines_bnf", "value"]
    assert lib.loc["spend_dressings_bnf", "low"] == pytest.approx(sic21, rel=1e-5)
    assert lib.loc["spend_appliances_bnf", "low"] == lib.loc["spend_medical_equipment_sdu_2020", "value"]
    sic32 = lib.loc["spend_sic32_other_manufactured_2022", "value"]
    assert lib.loc["spend_appliances_bnf", "low"] < sic32 < lib.loc["spend_appliances_bnf", "high"]


def test_deflators_are_the_ons_series(store):
    index = md.deflators(store)
    assert (index[2020], index[2022], index[2023], index[2024]) == (94.8, 100.0, 106.9, 111.2)
    assert 2025 not in index.index


def test_spend_footprint_by_hand(store):
    spend = pd.DataFrame({"bnf_chapter": ["01", 20, 21], "year": [2024, 2024, "2023/24"],
                          "cost_gbp": [1000, 100, 50], "practice": ["A81001"] * 3})
    out = md.spend_footprint(store, spend)
    assert out["practice"].tolist() == ["A81001"] * 3  # the caller's columns come back
    assert out["kgCO2e"].tolist() == pytest.approx([1000 * 94.8 / 111.2 * 0.127681955, 154, 77])
    assert out["kgCO2e_low"].tolist() == pytest.approx([108.851163, 24.0241960, 50 * 0.464915667])
    assert out["kgCO2e_high"].tolist() == pytest.approx([1000 * 94.8 / 111.2 * 0.25342, 154, 77])
    assert out["method"].unique().tolist() == ["spend"]
    assert out["repriced"].tolist() == [True, False, False]
    assert out["note"].iloc[0] == "2024 pounds priced at 2020 prices (ONS GDP deflator 94.8 / 111.2)"
    assert "no deflator can be applied" in out["note"].iloc[1]
    assert out["price_year"].tolist() == [2024, 2024, 2023]


def test_monthly_spend_and_the_chapter_total(store):
    spend = pd.DataFrame({"bnf_chapter": [4, 4, 4], "month": ["2023-11", "2023-12", "2024-01"],
                          "cost_gbp": [106.9, 106.9, 111.2]})
    out = md.by_chapter(md.spend_footprint(store, spend))
    # each month's pounds are exactly 94.8 pounds of 2020 -> 3 x 94.8 x 0.127681955
    assert out.loc[0, "kgCO2e"] == pytest.approx(3 * 94.8 * 0.127681955)
    assert (out.loc[0, "chapter_name"], out.loc[0, "cost_gbp"]) == ("Central Nervous System", pytest.approx(325.0))


@pytest.mark.parametrize("rows, says", [
    ({"bnf_chapter": [16], "year": [2024], "cost_gbp": [1]}, "row 1: BNF chapter '16' is not a chapter"),
    ({"bnf_chapter": [1, 2], "year": [2024, 2024], "cost_gbp": [1, "twelve"]}, "row 2: cost 'twelve' is not a number"),
    ({"bnf_chapter": [1], "year": [2024], "cost_gbp": [-5]}, "row 1: cost -5.00 is negative"),
    ({"bnf_chapter": [1], "year": ["2024/26"], "cost_gbp": [1]}, "row 1: '2024/26' is not a financial year"),
    ({"bnf_chapter": [3, 1], "year": [2024, 2025], "cost_gbp": [1, 1]}, "row 2: price year 2025 has no GDP deflator"),
    ({"bnf_chapter": [1], "cost_gbp": [1]}, "lacks year or month"),
])
def test_bad_spend_rows_are_named(store, rows, says):
    with pytest.raises(md.SpendError) as err:
        md.spend_footprint(store, pd.DataFrame(rows))
    assert says in str(err.value) and "no medicines footprint" in str(err.value)


def test_factors_list_shows_price_year_range_and_source(capsys, store):
    code = main(["factors", "list", "--category", "medicine", "--format", "json"])
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert code == 0 and set(rows) >= {"spend_medicines_bnf", "spend_dressings_bnf", "spend_appliances_bnf",
                                       "spend_sic21_pharmaceuticals_2022"}
    assert all(r["source_title"] for r in rows.values())
    med = rows["spend_medicines_bnf"]
    assert (med["price_year"], med["low"], med["high"]) == (2020, 0.127681955, 0.25342)
    assert med["deflator"] == "ONS GDP deflator 94.8 (2022 = 100)"
    assert rows["spend_dressings_bnf"]["price_year"] is None
    assert rows["spend_dressings_bnf"]["deflator"] == "no price year stated: no deflator"


def test_cli_footprint_of_a_spend_file_names_the_bad_line(capsys, store, tmp_path):
    good = tmp_path / "spend.csv"
    good.write_text("bnf_chapter,month,cost_gbp\n04,2024-01,111.2\n04,2024-02,111.2\n23,2024-01,10\n")
    assert main(["medicines", "footprint", str(good), "--format", "json"]) == 0
    rows = {r["bnf_chapter"]: r for r in json.loads(capsys.readouterr().out.split("\nnote:")[0])}
    assert rows[4]["kgCO2e"] == pytest.approx(2 * 94.8 * 0.127681955)
    assert rows[23]["kgCO2e"] == pytest.approx(15.4) and rows[23]["repriced"] is False
    bad = tmp_path / "bad.csv"
    bad.write_text("bnf_chapter,year,cost_gbp\n04,2024,10\n04,2024/26,10\n")
    assert main(["medicines", "footprint", str(bad)]) == 2
    assert "bad.csv:3: '2024/26' is not a financial year" in capsys.readouterr().err
