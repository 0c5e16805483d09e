"""The theatre records section in Chromium at 1440x900: upload a case log and a purchasing file as a
user does, import, and see the tables and the chart (screenshot under pytest's temporary folder)."""

from pathlib import Path

from tests.browser.conftest import assert_no_exception, open_app_page, wait_for_app

DATA = Path(__file__).resolve().parents[1] / "data" / "theatre"


def test_theatre_records_upload_and_tables(browser, app_server, tmp_path):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        open_app_page(page, app_server["url"], "Anaesthetic gases")
        page.get_by_text("Theatre records: case logs and purchasing").first.scroll_into_view_if_needed()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            [str(DATA / "case_log_two_theatres.csv"), str(DATA / "purchases_march_2024.csv")])
        wait_for_app(page)
        page.get_by_role("button", name="Import").click()
        wait_for_app(page)
        page.get_by_text("17 cases, 22 rows in Theatre A, Theatre B").first.wait_for(timeout=30_000)
        assert_no_exception(page)
        page.get_by_text("Purchasing reconciled with the case logs").first.wait_for(timeout=30_000)
        page.get_by_role("tab", name="By theatre").first.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        page.screenshot(path=str(tmp_path / "theatre_section.png"))
        page.screenshot(path=str(tmp_path / "theatre_page.png"), full_page=True)
        assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 2
        assert (tmp_path / "theatre_section.png").stat().st_size > 10_000
    finally:
        context.close()
