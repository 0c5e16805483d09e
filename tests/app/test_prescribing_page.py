"""The Prescribing page through AppTest, on the real app and a real database with the fixtures imported.

(Uploads of bad files: tests/app/test_bad_files_page.py; the browser test uploads good ones.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carbon import prescribing as rx
from carbon.formatting import co2e
from carbon.prescribing import chapters as rx_chapters
from carbon.prescribing import demo

PAGE = "pages/5_Prescribing.py"
DATA = Path(__file__).resolve().parents[1] / "data" / "prescribing"


@pytest.fixture
def loaded(store):
    rx.import_files(store, [DATA / "phs_2024_01.csv", DATA / "phs_2024_02.csv.gz", DATA / "epd_2024_01.csv"])
    return store


def _metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def _frame(at, *columns: str):
    """The first table on the page having all ``columns`` (AppTest does not keep a table's key)."""
    for d in at.dataframe:
        if set(columns) <= set(d.value.columns):
            return d.value
    raise AssertionError(f"no table with columns {columns}")


def _charts(at) -> int:
    return len(at.get("vega_lite_chart"))


def test_empty_store_invites_an_import(open_page):
    at = open_page(PAGE)
    assert any("No prescribing data yet" in i.value for i in at.info)
    assert at.button(key="rx_import").disabled  # nothing chosen yet
    assert not at.metric


def test_footprint_by_board_and_practice(open_page, loaded):
    at = open_page(PAGE)
    m = _metrics(at)
    # 670.988 + 145.8 + 872.1528 kgCO2e (worked by hand in tests/unit/test_prescribing_import.py)
    assert m["Inhaler carbon"] == "1.69 tCO2e" and m["Inhalers"] == "93" and m["Low-carbon share"] == "18%"
    text = " ".join(md.value for md in at.markdown)
    assert "miles in an average car" in text and "5 practices in 3 boards" in text
    assert any("97.7% of inhaler items and 91.8% of inhaler cost" in c.value for c in at.caption)
    board = _frame(at, "board_code", "kgCO2e_low").set_index("board_code")
    assert board["kgCO2e"].to_dict() == pytest.approx({"QMF": 872.1528, "S08000024": 670.988, "S08000031": 145.8})
    practice = _frame(at, "practice", "kgCO2e_low").set_index("practice")
    assert practice.loc["10017", "kgCO2e"] == pytest.approx(148.294)
    assert _frame(at, "bnf_code", "reason")["bnf_code"].tolist() == ["0301040R0BBAAAA"]
    # board bars, trend, product bars, chapters, SPC, reliever quadrant, funnel, switching bars
    assert _charts(at) == 8
    # all of prescribing by chapter: the inhalers by product are the same 1.69 t; the rest of chapter 3 by spend
    assert m["Inhalers (product footprints)"] == "1.69 tCO2e"
    whole = rx_chapters.summary(rx_chapters.by_chapter(loaded))
    assert m["All prescribing carbon"] == co2e(whole["kgCO2e"]) and whole["spend_kgCO2e"] > 0
    # the shipped NHSBSA list's own coverage (tests/unit/test_prescribing_mapping.py)
    assert any("Of the 546 inhalers in NHSBSA's BNF 3.1/3.2 list, 462 have a factor" in c.value for c in at.caption)


def test_funnel_outliers_and_per_patient_metric(open_page, loaded):
    at = open_page(PAGE)
    ranked = _frame(at, "rank", "z")
    # by over-dispersion-adjusted standard errors below the pooled share 17/93 (worked by hand in
    # tests/unit/test_prescribing_footprint.py): F84002 (0 of 3, z = -1.30) before F84001 (2 of 36, z = -1.04)
    assert ranked["practice"].tolist()[:2] == ["F84002", "F84001"] and ranked["rank"].tolist() == [1, 2, 3, 4, 5]
    assert any("**1 practice** outside the 95% limits" in md.value for md in at.markdown)
    assert any("FunnelPlotR" in c.value and "Winsorised" in c.value for c in at.caption)
    funnel = [c.proto.spec for c in at.get("vega_lite_chart") if "99.8% limits" in c.proto.spec]
    assert len(funnel) == 1 and "above 95% limit" in funnel[0] and "Inhalers prescribed (volume)" in funnel[0]
    assert len(at.radio(key="rx_metric").options) == 2  # no list sizes yet: the two shares
    rx.import_list_sizes(loaded, DATA / "list_sizes_phs.csv")
    at.run()
    at.radio(key="rx_metric").set_value("kgCO2e_per_1000_patients_year").run()
    assert not at.exception
    ranked = _frame(at, "rank", "z")
    assert ranked["practice"].tolist() == ["10002", "10017", "20005"]  # highest kgCO2e per 1,000 patients first
    assert ranked["value"].iloc[0] == pytest.approx(522.694 * 6 / 5)  # two months of data, scaled to a year
    assert any("scaled to twelve months" in c.value and "list sizes of a month not stated" in c.value
               for c in at.caption)


def test_switching_slider_and_caveat(open_page, loaded):
    at = open_page(PAGE)
    assert any("Where clinically appropriate" in w.value for w in at.warning)
    # best quartile: the 2nd lowest of 5 practices' kgCO2e per inhaler, 10017's 148.294 / 14; practices above it
    # (10002: 522.694 kgCO2e / 25 inhalers, F84001: 797.1528 / 36, F84002: 75 / 3) come down to it
    bench = 148.294 / 14
    best = (522.694 - 25 * bench) + (797.1528 - 36 * bench) + (75 - 3 * bench)
    line = next(md.value for md in at.markdown if "matching the best quartile" in md.value)
    assert f"**{best:.1f} kgCO2e** = " in line and "miles in an average car" in line
    at.slider(key="rx_share").set_value(50).run()
    m = _metrics(at)
    # half of each propellant inhaler becomes its DPI of the same molecule and strength (kgCO2e per inhaler, AR5):
    # salbutamol 100 mcg pMDIs -> Salbutamol_Pdr For Inh 100mcg (200 D) (the DPI default, 0.8), Clenil 100 ->
    # Beclomet Diprop_Pdr For Inh 100mcg (0.8), Fostair -> Fostair NEXThaler (0.9156).
    # 10002 salbutamol 18 x (25 - 0.8) + Clenil 4 x (17.5 - 0.8); 10017 Ventolin Evohaler 5 x (28.262 - 0.8)
    lothian = 0.5 * (18 * (25 - 0.8) + 4 * (17.5 - 0.8)) + 0.5 * 5 * (28.262 - 0.8)
    # 20005 Salamol 12 x (11.95 - 0.8); F84001 salbutamol 30 x 24.2 + Fostair 4 x (11.3304 - 0.9156);
    # F84002 salbutamol 3 x 24.2
    total = lothian + 0.5 * (12 * (11.95 - 0.8) + 30 * 24.2 + 4 * (11.3304 - 0.9156) + 3 * 24.2)
    assert m["Switching 50%: saving"] == f"{total:.1f} kgCO2e" == "806.9 kgCO2e"
    matches = _frame(at, "eq_description", "match").set_index("bnf_code")
    assert matches.loc["0302000C0BQAABX", "eq_description"] == "Fostair NEXThaler_Inh 100mcg/6mcg (120D)"
    board = _frame(at, "board_code", "saving_switch_kgCO2e").set_index("board_code")
    assert board.loc["S08000024", "saving_switch_kgCO2e"] == pytest.approx(lothian)


def test_gwp_basis_changes_the_footprint(open_page, loaded):
    at = open_page(PAGE)
    ar5 = _frame(at, "board_code", "kgCO2e_low")["kgCO2e"].sum()
    at.sidebar.selectbox(key="_gwp_basis").select("AR6").run()
    assert not at.exception
    ar6 = _frame(at, "board_code", "kgCO2e_low")["kgCO2e"].sum()
    assert ar6 != pytest.approx(ar5)


def test_the_demonstration_button_loads_a_board_through_the_real_import(open_page, store):
    """On an empty store the page offers the demonstration board; its button writes PHS-layout files and
    imports them as any upload is imported, so the page shows a year of 24 practices, marked as made up."""
    at = open_page(PAGE, timeout=300)
    at.button(key="rx_demo").click().run(timeout=300)
    assert not at.exception
    assert any(s.value.startswith("Loaded the demonstration board: imported 12 files") for s in at.success)
    assert any("This is the **demonstration board**" in w.value for w in at.warning)
    tot = rx.totals(store, basis="AR5")
    assert tot["practices"] == 24
    assert _metrics(at)["Inhaler carbon"] == co2e(tot["kgCO2e"], unit="t")
    assert rx.imports(store)["file"].str.startswith(demo.PREFIX).all()
    assert _charts(at) > 0
    at.button(key="rx_demo_remove").click().run(timeout=120)
    assert not rx.has_data(store) and any("No prescribing data yet" in i.value for i in at.info)
