"""The factor library in a real browser: the table renders and nothing raises."""

from tests.browser.conftest import assert_no_exception, open_app_page


def test_factor_library_renders_in_chromium(app_server, page, tmp_path):
    open_app_page(page, app_server["url"], "Factor library")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
    assert_no_exception(page)
    assert "factors on" in page.inner_text("body")
    shot = tmp_path / "factor_library.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
