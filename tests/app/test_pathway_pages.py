"""The Pathways and Compare pages through AppTest, on the real app and a real database."""

import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto

from carbon import pathways as pw

PATHWAYS = "pages/1_Pathways.py"
COMPARE = "pages/2_Compare.py"
MILE_KM = 1.609344
CAR = 6 * MILE_KM * 0.16272  # the asthma review: 3 miles each way by an average petrol car
ASTHMA_PMDI = 7.3 * 17.5 + 4 * 28.262 + CAR  # 242.37 kgCO2e (AR5)


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def table_with(at, column: str):
    """The first table on the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def edit(at, rows: dict):
    """Edit cells of the activities editor as a person would, and rerun."""
    key = at.data_editor[0].key
    at.session_state[key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def test_asthma_template_footprint_and_swaps(open_page):
    at = open_page(PATHWAYS)
    assert at.selectbox(key="pw_pick").value == "Asthma: preventer and reliever on pMDIs"
    assert metric(at, "Per patient") == "242.4 kgCO2e"
    assert metric(at, "Per year") == "242.37 tCO2e"
    assert any("miles in an average car" in c.value for c in at.caption)
    swaps = table_with(at, "per_patient")
    assert swaps["name"].iloc[0].startswith("Every swap of this kind")
    assert swaps["per_patient"].iloc[0] == "235.5 kgCO2e"  # 127.75 - 2.117 + 113.048 - 3.2
    assert any("Where clinically appropriate" in w.value for w in at.warning)
    # the chosen swap's saving for the cohort, with an equivalence that fits its size: 1,000 x 235.48 kgCO2e =
    # 235.48 tCO2e a year = 139 return flights London to New York (11,080 km x 0.15282 kgCO2e = 1,693.2 kg each)
    assert any("For 1,000 patients a year this saves **235.48 tCO2e** a year = 139 return flights London to "
               "New York" in m.value for m in at.markdown)


def test_editing_a_row_changes_the_totals(open_page):
    at = open_page(PATHWAYS)
    edit(at, {0: {"quantity": "14.6 inhaler/year"}})  # twice the Clenil
    assert not at.exception
    assert metric(at, "Per patient") == f"{ASTHMA_PMDI + 7.3 * 17.5:,.1f} kgCO2e"  # 370.1


def test_a_bad_unit_is_an_error_on_its_row(open_page):
    at = open_page(PATHWAYS)
    edit(at, {0: {"quantity": "7.3 inhalr/year"}, 2: {"distance": "3 litre"}})
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith("Row 1:") and "inhalr" in e for e in errors)
    assert any(e.startswith("Row 3:") and "cannot be converted" in e for e in errors)
    assert metric(at, "Per patient") == f"{4 * 28.262:,.1f} kgCO2e"  # only the reliever computes
    at.button(key="pw_save").click().run()  # the template name is taken and rows are bad: nothing saved
    assert not at.exception and any("row 1" in e.value for e in at.error)


def test_save_under_a_new_name_then_delete(open_page, store):
    at = open_page(PATHWAYS)
    at.text_input(key="pw_name").input("Our asthma clinic").run()
    at.number_input(key="pw_cohort").set_value(250).run()
    edit(at, {1: {"quantity": "2 inhaler/year"}})
    at.button(key="pw_save").click().run()
    assert not at.exception
    saved = pw.load(store, "Our asthma clinic")
    assert saved.cohort == 250 and saved.activities[1].quantity == "2 inhaler/year"
    assert at.selectbox(key="pw_pick").value == "Our asthma clinic"
    assert metric(at, "Per patient") == f"{7.3 * 17.5 + 2 * 28.262 + CAR:,.1f} kgCO2e"
    at.checkbox(key="pw_confirm_delete").check().run()
    at.button(key="pw_delete").click().run()
    assert not at.exception and not pw.exists(store, "Our asthma clinic")


def test_create_the_dpi_variant(open_page, store):
    at = open_page(PATHWAYS)
    at.button(key="pw_make_variant").click().run()
    assert not at.exception
    name = at.selectbox(key="pw_pick").value
    # its true name: both inhalers are now DPIs (the name once said "on pMDIs, variant: ...")
    assert name == "Asthma: preventer and reliever on DPIs (switched from pMDIs)"
    variant = pw.load(store, name)
    assert [a.factor for a in variant.activities][:2] == ["easyhaler_beclometasone", "inhaler_dpi_generic"]
    assert "pressurised metered-dose" not in variant.description and variant.description.startswith(
        "A variant of “Asthma: preventer and reliever on pMDIs”")
    assert variant.cohort == 1000
    assert metric(at, "Per patient") == "6.89 kgCO2e"  # 3.65 x 0.580 + 4 x 0.8 + 1.571
    assert at.session_state["cmp_pick"] == ["Asthma: preventer and reliever on pMDIs", name]  # opens in Compare

    # the same swap again, from the template: asked first, never a silent "(2)" copy
    at.selectbox(key="pw_pick").select("Asthma: preventer and reliever on pMDIs").run()
    at.button(key="pw_make_variant").click().run()
    assert any("There is already a pathway called" in w.value for w in at.warning)
    assert not pw.exists(store, f"{name} (2)")
    at.button(key="pw_variant_copy").click().run()
    assert pw.exists(store, f"{name} (2)") and at.selectbox(key="pw_pick").value == f"{name} (2)"


def test_compare_page(open_page):
    at = open_page(COMPARE)
    assert metric(at, "Asthma: preventer and reliever on pMDIs") == "242.4 kgCO2e"
    dpi = next(m for m in at.metric if m.label == "Asthma: preventer and reliever on DPIs")
    assert dpi.value == "6.89 kgCO2e" and dpi.delta == "-235.5 kgCO2e"  # 6.89 - 242.37
    # a saving is shown falling, in green (delta_color="inverse": lower carbon is better)
    assert dpi.proto.direction == MetricProto.MetricDirection.DOWN
    assert dpi.proto.color == MetricProto.MetricColor.GREEN
    table = table_with(at, "difference_cost_gbp")
    assert table["difference_kgCO2e"].iloc[1] == pytest.approx((3.65 * 0.580 + 4 * 0.8) - (7.3 * 17.5 + 4 * 28.262))
    at.radio(key="cmp_per").set_value("Per year (cohort)").run()
    assert metric(at, "Asthma: preventer and reliever on pMDIs") == "242.37 tCO2e"
    at.radio(key="cmp_by").set_value("stage").run()
    assert not at.exception
    at.multiselect(key="cmp_pick").set_value(["Outpatient follow-up: face-to-face"]).run()
    assert any("two to four" in i.value for i in at.info)


def test_two_sessions_saving_the_same_pathway_both_keep_their_work(open_page, store):
    from dataclasses import replace

    pw.save(store, replace(pw.load(store, "asthma_pmdi"), name="Shared asthma", is_template=False,
                           template_id=None), "setup")
    a, b = open_page(PATHWAYS), open_page(PATHWAYS)
    for at in (a, b):
        at.selectbox(key="pw_pick").select("Shared asthma").run()
    a.number_input(key="pw_cohort").set_value(250).run()
    b.number_input(key="pw_cohort").set_value(400).run()

    a.button(key="pw_save").click().run()
    assert not a.exception and any("Saved" in s.value for s in a.success)
    b.button(key="pw_save").click().run()
    assert not b.exception
    assert any("after you opened it" in e.value for e in b.error)
    assert b.number_input(key="pw_cohort").value == 400  # B's edit is still on screen
    assert pw.load(store, "Shared asthma").cohort == 250

    b.text_input(key="pw_name").set_value("Shared asthma (B)").run()
    b.button(key="pw_save").click().run()
    assert not b.exception
    assert pw.load(store, "Shared asthma").cohort == 250
    assert pw.load(store, "Shared asthma (B)").cohort == 400
