"""A clinical team's journey in Chromium: take the asthma template, save it as their own, apply the
swap to dry-powder inhalers and see the footprint per patient fall, then compare the two."""

from tests.browser.conftest import assert_no_exception, open_app_page, wait_for_app

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
    assert "Where clinically appropriate" in page.inner_text("body")

    name = page.get_by_label("Name", exact=True)
    name.fill("Our asthma clinic")
    name.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Save", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Saved “Our asthma clinic”").wait_for(timeout=30_000)
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
