"""All of prescribing by BNF chapter: inhalers by their product footprints, every other pound by its
chapter's spend factor, no pound counted twice (issue 10). Worked by hand on the real January 2016
EPD rows NHSBSA published (tests/data/prescribing/epd_201601_sample_11rows.csv, unedited)."""

from pathlib import Path

import pytest

from carbon import periods
from carbon import prescribing as rx
from carbon import scenarios as sc
from carbon.prescribing import chapters
from carbon.scenarios import Line, Scenario
from tests.unit.test_cli_factors import run

DATA = Path(__file__).resolve().parents[1] / "data" / "prescribing"
SAMPLE = DATA / "epd_201601_sample_11rows.csv"
#: 2016 pounds in 2020 prices (ONS GDP deflator, 2022 = 100: 94.8 in 2020, 85.2 in 2016), times the NHS SDU
#: 2020-21 pharmaceuticals factor, 0.127681955 kgCO2e per pound (factors/medicines.csv)
PHARMA_2016 = 94.8 / 85.2 * 0.127681955
APPLIANCES = 1.54  # SDU procurement category for appliances: no price year stated, so pounds at face value


@pytest.fixture
def sample(store):
    rx.import_files(store, [SAMPLE])
    return store


def test_every_chapter_present_has_a_row_inhalers_by_product_the_rest_by_spend(sample):
    t = chapters.by_chapter(sample).set_index(["bnf_chapter", "method"])
    assert sorted({c for c, _ in t.index}) == [1, 2, 3, 7, 9, 10, 11, 21]
    # chapter 3: the one inhaler row (Fluticasone/Salmeterol 125/25 pMDI, 2 inhalers) by its product footprint;
    # its £70 is not also priced by spend
    assert t.loc[(3, chapters.LCA), "cost_gbp"] == pytest.approx(70.00)
    assert t.loc[(3, chapters.LCA), "kgCO2e"] == pytest.approx(2 * 17.5)
    assert (3, chapters.SPEND) not in t.index
    # chapter 1: senna £2.67 + hyoscine £24.00; chapter 2: bendroflumethiazide £15.41 twice; chapter 9: Fultium-D3
    assert t.loc[(1, chapters.SPEND), "kgCO2e"] == pytest.approx((2.67 + 24.00) * PHARMA_2016)
    assert t.loc[(2, chapters.SPEND), "kgCO2e"] == pytest.approx(2 * 15.41 * PHARMA_2016)
    assert t.loc[(9, chapters.SPEND), "kgCO2e"] == pytest.approx(2 * 46.15 * PHARMA_2016)
    # the appliance (an 11-character code, chapter 21) by its procurement factor, pounds at face value
    assert t.loc[(21, chapters.SPEND), "kgCO2e"] == pytest.approx(8.30 * APPLIANCES)
    assert "no price year" in t.loc[(21, chapters.SPEND), "note"]
    assert "2016 pounds priced at 2020 prices" in t.loc[(1, chapters.SPEND), "note"]
    whole = chapters.summary(chapters.by_chapter(sample))
    spend = (26.67 + 30.82 + 27.54 + 92.30 + 5.20 + 5.72) * PHARMA_2016 + 8.30 * APPLIANCES
    assert whole["product_kgCO2e"] == pytest.approx(35.0) and whole["spend_kgCO2e"] == pytest.approx(spend)
    assert whole["cost_gbp"] == pytest.approx(266.55)  # every pound of the file, once


def test_no_pound_is_lost_or_counted_twice_when_chapter_3_holds_more_than_inhalers(store):
    rx.import_files(store, [DATA / "phs_2024_01.csv", DATA / "epd_2024_01.csv", SAMPLE])
    t = chapters.by_chapter(store)
    ch3 = t[t["bnf_chapter"] == 3].set_index("method")
    all_ch3 = store.execute("SELECT sum(cost_gbp) FROM rx_chemical_month WHERE CAST(bnf_chapter AS INTEGER) = 3"
                            ).fetchone()[0]
    # the mapped inhalers' pounds and the rest of chapter 3 add up to the chapter's spend, exactly
    assert ch3.loc[chapters.LCA, "cost_gbp"] + ch3.loc[chapters.SPEND, "cost_gbp"] == pytest.approx(all_ch3)
    # the product part is exactly the inhaler footprint the rest of the page shows
    assert ch3.loc[chapters.LCA, "kgCO2e"] == pytest.approx(rx.totals(store)["kgCO2e"])
    # a year picks its own months: 2016 holds only the sample's
    only_2016 = chapters.by_chapter(store, period=periods.parse("2016"))
    assert only_2016["months"].max() == 1 and only_2016["cost_gbp"].sum() == pytest.approx(266.55)


def test_cli_footprint_by_chapter(capsys, sample, db_path):
    code, out, _ = run(capsys, "--db", str(db_path), "prescribing", "footprint", "--by", "chapter", "--format", "json")
    assert code == 0
    import json

    rows = json.loads(out)
    assert {(r["bnf_chapter"], r["method"]) for r in rows} >= {(3, chapters.LCA), (21, chapters.SPEND)}
    code, _, err = run(capsys, "--db", str(db_path), "prescribing", "footprint", "--by", "board", "--year", "2016")
    assert code == 2 and "--year and --board go with --by chapter" in err


def test_a_scenario_prescribing_line_counts_other_medicines_by_spend(sample):
    s = Scenario(name="Rx", baseline_year=2016, lines=[Line(kind="prescribing", label="Rx", ref="")])
    base = sc.baseline(sample, s).set_index("category")
    # one month of data x 12: the inhalers by product, the rest of the file's spend as other medicines
    assert base.loc["inhaler", "tCO2e"] == pytest.approx(35.0 * 12 / 1000)
    spend = (26.67 + 30.82 + 27.54 + 92.30 + 5.20 + 5.72) * PHARMA_2016 + 8.30 * APPLIANCES
    assert base.loc["medicine", "tCO2e"] == pytest.approx(spend * 12 / 1000)
    # a baseline year the data does not reach is a clear error, not a year of nothing
    s2 = Scenario(name="Rx", baseline_year=2024, lines=[Line(kind="prescribing", label="Rx", ref="")])
    with pytest.raises(sc.ScenarioError, match="no imported prescribing month falls in 2024"):
        sc.baseline(sample, s2)


def test_a_month_past_the_last_deflator_is_priced_at_it_and_says_so(store, tmp_path):
    from tests.unit import rx_layouts as layouts

    rx.import_files(store, [layouts.epd_snomed_zip(tmp_path, "202601", new_codes=True)])
    t = chapters.by_chapter(store)
    spend = t[t["method"] == chapters.SPEND]
    assert len(spend) and spend["note"].str.contains("no GDP deflator after 2024 yet: priced as 2024 pounds").all()
