"""The factor library in a real browser: the table renders and nothing raises."""

from tests.browser.conftest import assert_no_exception, open_app_page


def test_factor_library_renders_in_chromium(app_server, page, lib, tmp_path):
    open_app_page(page, app_server["url"], "Factor library")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
    assert_no_exception(page)
    # every shipped factor is listed, on the default basis
    assert f"{len(lib.factors)} factors on AR5" in page.inner_text("body")
    search = page.get_by_role("textbox", name="Search")
    search.fill("desflurane")  # the bottle comes first, and is the factor explained
    search.press("Enter")
    page.get_by_text("Derived: desflurane_bottle = bottle_volume_desflurane").first.wait_for(timeout=30_000)
    # 240 mL x 1.465 g/mL = 351.6 g; x 1,790 kgCO2e/kg (AR5) = 629.4 kgCO2e a bottle
    value = page.locator('[data-testid="stMetric"]', has_text="Value on AR5").first
    assert value.locator('[data-testid="stMetricValue"]').inner_text().strip() == f"{0.3516 * 1790:,.1f}"
    assert_no_exception(page)
    shot = tmp_path / "factor_library.png"  # kept in pytest's temporary folder for a person to look at
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
