"""A clinical team's journey in Chromium: take the asthma template, save it as their own, apply the
swap to dry-powder inhalers and see the footprint per patient fall, then compare the two."""

import pandas as pd
import pytest

from tests.browser.conftest import assert_no_exception, open_app_page, save_pathway_as, wait_for_app

MILE_KM = 1.609344
CAR = 6 * MILE_KM * 0.16272
PMDI = 7.3 * 17.5 + 4 * 28.262 + CAR  # 242.37 kgCO2e per patient (AR5)
DPI = 3.65 * 0.580 + 4 * 0.8 + CAR  # 6.89 kgCO2e per patient


def per_patient(page) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text="Per patient").first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_asthma_template_to_dpi_variant(app_server, page, tmp_path):
    open_app_page(page, app_server["url"], "Pathways")
    assert per_patient(page) == f"{PMDI:,.1f} kgCO2e"
    # the swaps render after the footprint: wait for them rather than read the page half drawn
    page.get_by_text("Where clinically appropriate", exact=False).first.wait_for(timeout=30_000)
    assert "Where clinically appropriate" in page.inner_text("body")

    save_pathway_as(page, "Our asthma clinic")
    assert per_patient(page) == f"{PMDI:,.1f} kgCO2e"

    page.get_by_role("button", name="Create the variant pathway with this swap").click()
    wait_for_app(page)
    page.get_by_text("Saved the variant").wait_for(timeout=30_000)
    assert per_patient(page) == f"{DPI:,.2f} kgCO2e"  # 6.89: the total fell by 235.5 kgCO2e
    assert_no_exception(page)
    page.screenshot(path=str(tmp_path / "pathway_variant.png"), full_page=True)

    open_app_page(page, app_server["url"], "Compare")
    body = page.inner_text("body")
    assert f"{PMDI:,.1f} kgCO2e" in body and f"{DPI:,.2f} kgCO2e" in body
    assert_no_exception(page)
    # the DPI pathway is lower: its difference reads as a fall, not a rise
    dpi = page.locator('[data-testid="stMetric"]', has_text="on DPIs").first
    assert dpi.locator('[data-testid="stMetricDelta"]').inner_text().strip().endswith(f"-{PMDI - DPI:,.1f} kgCO2e")
    assert dpi.locator('[data-testid="stMetricDeltaIcon-Down"]').count() == 1
    assert dpi.locator('[data-testid="stMetricDeltaIcon-Up"]').count() == 0

    page.get_by_text("Per year (cohort)").click()
    wait_for_app(page)
    page.get_by_text(f"{PMDI:,.2f} tCO2e", exact=True).first.wait_for(timeout=30_000)  # 1,000 x 242.37 kg
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the comparison (CSV)").click()
    csv = pd.read_csv(download.value.path())
    rows = csv.set_index("Pathway")  # the download speaks the vocabulary (carbon/labels.csv), units in its headings
    assert rows.loc["Asthma: preventer and reliever on DPIs", "Difference a year (kgCO2e)"] == pytest.approx(
        1000 * (DPI - PMDI), rel=1e-3)  # 1,000 patients a year x -235.5 kgCO2e
    assert_no_exception(page)
