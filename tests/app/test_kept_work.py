"""Work is kept (carbon.ui.kept, ui.editor): what a person sets on a page is as they left it after a
visit to other pages, through AppTest on the real app and database; unsaved edits are marked."""

from __future__ import annotations

from pathlib import Path

from carbon import prescribing as rx
from carbon import scenarios as sc
from tests.app.test_pathway_pages import edit, metric

DATA = Path(__file__).resolve().parents[1] / "data" / "prescribing"
PATHWAYS, COMPARE, ANAESTHETIC, TRAVEL = ("pages/1_Pathways.py", "pages/2_Compare.py", "pages/3_Anaesthetic_gases.py",
                                          "pages/4_Travel.py")
PRESCRIBING, SCENARIOS, WORKSHOP, FACTORS = ("pages/5_Prescribing.py", "pages/6_Scenarios.py", "pages/7_Workshop.py",
                                             "pages/9_Factor_library.py")


def _away_and_back(at, page: str, *via: str):
    for other in (*via, page):
        at.switch_page(other).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def _badges(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_a_pathway_being_edited_survives_compare_and_travel(open_page):
    at = open_page(PATHWAYS)
    at.selectbox(key="pw_pick").select("COPD triple therapy: pMDI").run()
    at.text_input(key="pw_name").input("Our COPD clinic").run()
    at.text_input(key="pw_condition").input("Adults with COPD").run()
    at.number_input(key="pw_cohort").set_value(250).run()
    edit(at, {1: {"quantity": "2 inhaler/year"}})
    assert metric(at, "Per patient") == "261.6 kgCO2e"  # 12 x 17.5 + 2 x 25 + 1.571 (the edit)
    assert "Unsaved changes" in _badges(at)
    _away_and_back(at, PATHWAYS, COMPARE, TRAVEL)
    assert at.selectbox(key="pw_pick").value == "COPD triple therapy: pMDI"
    assert at.text_input(key="pw_name").value == "Our COPD clinic"
    assert at.text_input(key="pw_condition").value == "Adults with COPD"
    assert at.number_input(key="pw_cohort").value == 250
    assert metric(at, "Per patient") == "261.6 kgCO2e" and metric(at, "Per year (250 patients)")
    assert "Unsaved changes" in _badges(at)
    # opening another pathway starts again from it, as saved
    at.selectbox(key="pw_pick").select("Asthma: preventer and reliever on pMDIs").run()
    assert at.text_input(key="pw_name").value == "Asthma: preventer and reliever on pMDIs"
    assert metric(at, "Per patient") == "242.4 kgCO2e" and "Unsaved changes" not in _badges(at)


def test_compare_and_the_calculators_keep_their_choices(open_page):
    at = open_page(COMPARE)
    at.multiselect(key="cmp_pick").set_value(["Outpatient follow-up: face-to-face",
                                              "Outpatient follow-up: virtual"]).run()
    at.radio(key="cmp_per").set_value("Per year (cohort)").run()
    _away_and_back(at, COMPARE, ANAESTHETIC)
    assert at.multiselect(key="cmp_pick").value == ["Outpatient follow-up: face-to-face",
                                                    "Outpatient follow-up: virtual"]
    assert at.radio(key="cmp_per").value == "Per year (cohort)"

    at.switch_page(ANAESTHETIC).run()
    at.selectbox(key="an_agent").select("sevoflurane").run()
    at.text_input(key="an_fgf").input("2 L/min").run()
    at.text_input(key="buy_amount_True").input("25 bottle").run()
    _away_and_back(at, ANAESTHETIC, TRAVEL, FACTORS)
    assert at.selectbox(key="an_agent").value == "sevoflurane" and at.text_input(key="an_fgf").value == "2 L/min"
    assert at.text_input(key="buy_amount_True").value == "25 bottle"
    assert next(m for m in at.metric if m.label == "Carbon").value == "4.31 kgCO2e"  # sevoflurane, 1 MAC, 2 L/min

    at.switch_page(TRAVEL).run()
    at.text_input(key="tr_distance").input("35 km").run()
    at.slider(key="svc_virtual").set_value(60).run()
    at.session_state["svc_mix"] = {"edited_rows": {0: {"share_pct": 60.0}, 3: {"share_pct": 20.0}},
                                   "added_rows": [], "deleted_rows": []}
    at.run()
    before = {m.label: m.value for m in at.metric}
    _away_and_back(at, TRAVEL, PATHWAYS)
    assert at.text_input(key="tr_distance").value == "35 km" and at.slider(key="svc_virtual").value == 60
    mix = at.data_editor(key="svc_mix").value
    assert mix["share_pct"].tolist() == [60.0, 15.0, 5.0, 20.0]  # the edited shares, not the defaults
    assert {m.label: m.value for m in at.metric} == before


def test_prescribing_scenarios_workshop_and_factors_keep_theirs(open_page, store):
    rx.import_files(store, [DATA / "phs_2024_01.csv", DATA / "epd_2024_01.csv"])
    at = open_page(PRESCRIBING)
    at.slider(key="rx_share").set_value(50).run()
    at.radio(key="rx_metric").set_value("reliever_share").run()
    _away_and_back(at, PRESCRIBING, WORKSHOP)
    assert at.slider(key="rx_share").value == 50 and at.radio(key="rx_metric").value == "reliever_share"

    name = sc.demo_name()
    at.switch_page(SCENARIOS).run()
    assert "Saved" in _badges(at) and "Unsaved changes" not in _badges(at)
    at.number_input(key=f"sc_growth_{name}").set_value(0.5).run()
    assert "Unsaved changes" in _badges(at)
    _away_and_back(at, SCENARIOS, PATHWAYS)
    assert at.number_input(key=f"sc_growth_{name}").value == 0.5 and "Unsaved changes" in _badges(at)

    at.switch_page(WORKSHOP).run()
    at.slider(key=f"ws_uptake::{name}::Electric fleet vans").set_value(40).run()
    _away_and_back(at, WORKSHOP, FACTORS)
    assert at.slider(key=f"ws_uptake::{name}::Electric fleet vans").value == 40 and "Unsaved changes" in _badges(at)

    at.switch_page(FACTORS).run()
    at.text_input(key="factor_search").input("sevoflurane").run()
    _away_and_back(at, FACTORS, TRAVEL)
    assert at.text_input(key="factor_search").value == "sevoflurane"
