"""A sustainability lead's journey in Chromium: upload the fixtures, see the footprint, the funnel plot
and the saving from switching; a bad file imports nothing and says why."""

from pathlib import Path

from tests.browser.conftest import assert_no_exception, open_app_page, wait_for_app
from tests.unit import rx_layouts as layouts

DATA = Path(__file__).resolve().parents[1] / "data" / "prescribing"


def _upload(page, *files: Path) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files([str(f) for f in files])
    for f in files:  # Streamlit shortens a long name in the middle ("epd_201...11rows.csv")
        page.get_by_text(f.name[:7]).first.wait_for(timeout=30_000)
    wait_for_app(page)
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)


def test_upload_fixtures_and_see_the_funnel(app_server, page, tmp_path):
    open_app_page(page, app_server["url"], "Prescribing")
    page.get_by_text("No prescribing data yet").first.wait_for(timeout=30_000)

    # a bad file first: nothing is imported, and the row and reason are shown
    _upload(page, DATA / "bad_negative.csv")
    page.get_by_text("Nothing was imported").first.wait_for(timeout=30_000)
    page.get_by_text("PaidQuantity is negative (-4)").first.wait_for(state="attached", timeout=30_000)  # grid cell
    page.get_by_text("No prescribing data yet").first.wait_for(timeout=30_000)
    page.reload()
    wait_for_app(page)
    open_app_page(page, app_server["url"], "Prescribing")

    _upload(page, DATA / "phs_2024_01.csv", DATA / "phs_2024_02.csv.gz", DATA / "epd_2024_01.csv")
    page.get_by_text("imported 3 files").first.wait_for(timeout=60_000)
    wait_for_app(page)
    page.locator('[data-testid="stMetric"]').filter(has_text="Inhaler carbon").first.wait_for(timeout=30_000)
    page.get_by_text("What switching would save").first.wait_for(timeout=60_000)
    wait_for_app(page)
    body = page.inner_text("body")
    assert "1.69 tCO2e" in body and "miles in an average car" in body
    assert "Unwarranted variation" in body and "outside the 95% limits" in body
    assert "Where clinically appropriate" in body
    assert_no_exception(page)

    # the funnel plot is drawn: its Vega view holds the limit legend
    funnel = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="99.8% limits")
    funnel.first.wait_for(timeout=30_000)
    funnel.first.scroll_into_view_if_needed()
    shot = tmp_path / "funnel.png"
    funnel.first.screenshot(path=str(shot))
    assert shot.stat().st_size > 5_000
    page.screenshot(path=str(tmp_path / "prescribing.png"), full_page=True)

    # files exactly as NHSBSA publishes them: the real January 2016 sample (YEAR_MONTH 2016_01, an appliance
    # row) and an 'EPD with SNOMED code' ZIP of Latin-1 CSV
    open_app_page(page, app_server["url"], "Prescribing")
    page.locator('[data-testid="stExpander"] summary').filter(has_text="Import prescribing data").first.click()
    wait_for_app(page)  # folded away once there is data
    page.get_by_text("Monthly prescribing files as downloaded").first.wait_for(timeout=30_000)
    zipped = layouts.epd_snomed_zip(tmp_path, "202601", new_codes=True)
    _upload(page, DATA / "epd_201601_sample_11rows.csv", zipped)
    page.get_by_text("imported 2 files").first.wait_for(timeout=60_000)
    wait_for_app(page)
    # the import log says which generation and encoding each file was read as (grid cells)
    page.get_by_text("EPD, with SNOMED codes, boards by ICB, BNF_PRESENTATION_CODE").first.wait_for(
        state="attached", timeout=30_000)
    page.get_by_text("Latin-1").first.wait_for(state="attached", timeout=30_000)
    page.get_by_text("EPD, boards by PCO, BNF_CODE").first.wait_for(state="attached", timeout=30_000)
    body = page.inner_text("body")
    # 1,688.94 + 35 (2016: 2 generic fluticasone/salmeterol pMDIs) + 915.804 (2026, worked in test_prescribing_import)
    assert "2.64 tCO2e" in body
    assert "Each board month by month (SPC)" in body and "Reliever use beside carbon" in body
    assert_no_exception(page)
