"""A clinician's work is kept (issue 12), in Chromium at 1440x900: the COPD template opened, given a
name, a condition, 250 patients a year and an edit, is exactly as left after a visit to Compare and
Travel; saved, it reopens after a refresh; the DPI variant made from it has its true name, opens in
Compare beside it, and making it again asks first.

Figures by hand (AR5): Trimbow pMDI 12 x 17.5 = 210, salbutamol pMDI 4 x 25 = 100 (edited to 2 x 25 =
50), the review 6 miles x 1.609344 x 0.16272 kgCO2e/km = 1.571: 261.6 kgCO2e per patient once edited.
Its DPI variant: Trelegy Ellipta 12 x 0.78 = 9.36, the salbutamol DPI 2 x 0.8 = 1.6, the same review:
12.5 kgCO2e per patient.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (assert_no_exception, choose, edit_cell, go, metric_value, open_app_page,
                                    seeded_app, type_into, wait_for_app)

CAR = 6 * 1.609344 * 0.16272
EDITED = 12 * 17.5 + 2 * 25 + CAR     # 261.57 kgCO2e per patient
VARIANT = 12 * 0.78 + 2 * 0.8 + CAR   # 12.53 kgCO2e per patient
NAME = "Our COPD clinic on pMDIs"
TRUE_NAME = "Our COPD clinic on DPIs (switched from pMDIs)"


@pytest.fixture
def own_app(tmp_path, seeded_db):
    """The app on a database of its own: the pathways it lists are the templates and what this test saves."""
    with seeded_app(tmp_path, seeded_db) as server:
        yield server


def _as_left(page) -> None:
    assert page.get_by_label("Name", exact=True).input_value() == NAME
    assert page.get_by_label("Condition or population", exact=True).input_value() == "Adults with COPD, our practices"
    assert page.get_by_label("Patients a year", exact=True).input_value() == "250"
    assert page.get_by_label("Pathway", exact=True).input_value() == "COPD triple therapy: pMDI (template)"
    assert metric_value(page, "Per patient") == f"{EDITED:,.1f} kgCO2e"
    page.get_by_text("Per year (250 patients)").first.wait_for(timeout=30_000)


def test_pathway_work_survives_other_pages_and_the_variant_opens_in_compare(own_app, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    open_app_page(page, own_app["url"], "Pathways")
    choose(page, "Pathway", "COPD triple therapy: pMDI (template)")
    type_into(page, "Name", NAME)
    type_into(page, "Condition or population", "Adults with COPD, our practices")
    type_into(page, "Patients a year", "250")
    edit_cell(page, page.locator('[data-testid="stDataFrame"]').first, 2, "4 inhaler/year", "2 inhaler/year")
    _as_left(page)
    page.get_by_text("Unsaved changes").first.wait_for(timeout=30_000)

    for other in ("Compare", "Travel", "Pathways"):  # away and back, as a person does
        go(page, other)
    _as_left(page)
    page.get_by_text("Unsaved changes").first.wait_for(timeout=30_000)
    assert_no_exception(page)

    page.get_by_role("button", name="Save", exact=True).click()
    wait_for_app(page)
    page.get_by_text(f"Saved “{NAME}”").first.wait_for(timeout=30_000)
    page.reload()  # a new session: the saved pathway is in the address, so it reopens
    wait_for_app(page)
    expect(page.get_by_label("Name", exact=True)).to_have_value(NAME, timeout=30_000)
    assert metric_value(page, "Per patient") == f"{EDITED:,.1f} kgCO2e"

    page.get_by_role("button", name="Create the variant pathway with this swap").click()
    wait_for_app(page)
    page.get_by_text(f"Saved the variant “{TRUE_NAME}”").first.wait_for(timeout=30_000)
    expect(page.get_by_label("Name", exact=True)).to_have_value(TRUE_NAME, timeout=30_000)
    expect(page.get_by_label("Patients a year", exact=True)).to_have_value("250", timeout=30_000)
    assert metric_value(page, "Per patient") == f"{VARIANT:,.1f} kgCO2e"

    go(page, "Compare")  # it opens on the original and the variant
    picker = page.locator('[data-testid="stMultiSelect"]').first
    assert NAME in picker.inner_text() and TRUE_NAME in picker.inner_text()
    assert metric_value(page, TRUE_NAME) == f"{VARIANT:,.1f} kgCO2e"
    assert metric_value(page, NAME) == f"{EDITED:,.1f} kgCO2e"
    assert "250 patients a year" in page.inner_text("body")
    # the picker offers every saved pathway and template: 14 templates, the clinic and its variant
    # (the list draws about ten at a time, so it is scrolled to the end to read them all)
    picker.locator("input").first.click()
    page.get_by_role("option").first.wait_for(timeout=30_000)
    offered = set()
    for _ in range(10):
        offered |= set(page.get_by_role("option").all_inner_texts())
        page.get_by_role("listbox").first.evaluate("e => { e.scrollTop += 200; }")
        page.wait_for_timeout(200)
    page.keyboard.press("Escape")
    assert len(offered) == 16 - 2 and TRUE_NAME not in offered  # the two chosen are not offered again
    assert "Type 2 diabetes annual review" in offered
    assert_no_exception(page)

    go(page, "Pathways")  # the variant is still open; make it again from the clinic: asked first
    choose(page, "Pathway", NAME)
    page.get_by_role("button", name="Create the variant pathway with this swap").click()
    wait_for_app(page)
    page.get_by_text(f"There is already a pathway called “{TRUE_NAME}”").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Open the saved variant").click()
    wait_for_app(page)
    # the click's rerun may not have begun when the app first looks idle: wait for the field itself
    expect(page.get_by_label("Name", exact=True)).to_have_value(TRUE_NAME, timeout=30_000)
    # no second copy was made (the duplicate form's suggested name for a copy, "... (2)", is only a
    # suggestion): the store, read by the real command beside the app, holds the variant once
    env = {**os.environ, "CARBON_DB": str(own_app["db"]), "CARBON_DB_WAIT": "60"}
    listed = subprocess.run([str(Path(sys.executable).with_name("carbon")), "pathway", "list"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count(TRUE_NAME) == 1 and f"{TRUE_NAME} (2)" not in listed.stdout, listed.stdout
    assert_no_exception(page)
    context.close()
