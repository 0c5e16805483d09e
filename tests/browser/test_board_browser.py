"""A sustainability lead's journey in Chromium at 1440 x 900: the demo's board footprint on the
Scenarios page, an estates template with a negative kWh that imports nothing and names its line, then
the real-layout template imported and footprinted by source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import assert_no_exception, open_app_page, wait_for_app

pytestmark = pytest.mark.browser
TEMPLATE = Path(__file__).resolve().parents[1] / "data" / "estates" / "board_template_2024_25.csv"


@pytest.fixture
def wide_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    p = context.new_page()
    yield p
    context.close()


def _upload(page, path: Path) -> None:
    box = page.locator('[data-testid="stFileUploader"]', has_text="Estates return")
    box.locator('input[type="file"]').set_input_files(str(path))
    # the chip shortens a long name in the middle ("board_t...024_25.csv"): wait for its end
    box.get_by_text(re.compile(re.escape(path.name[-9:]))).first.wait_for(timeout=30_000)
    wait_for_app(page)
    page.get_by_role("button", name="Import the return").click()
    wait_for_app(page)


def test_board_footprint_and_an_estates_return(app_server, wide_page, tmp_path):
    page = wide_page
    open_app_page(page, app_server["url"], "Scenarios")
    page.get_by_role("tab", name="Board footprint and estates").click()
    wait_for_app(page)
    page.get_by_text("Against each target").first.wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "Building energy: 18,010 tonnes CO2e in 2024/25, 5% less than in 2023/24" in body
    chart = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="tCO2e a year").first
    chart.wait_for(timeout=30_000)
    assert_no_exception(page)
    page.screenshot(path=str(tmp_path / "board_footprint.png"))
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "board_chart.png"))

    # a negative kWh: nothing is imported, the file and line are named
    bad = tmp_path / "board_negative.csv"
    # the real-layout template with its first quantity made negative (line 2 of the file)
    text = TEMPLATE.read_text(encoding="utf-8")
    bad.write_text(text.replace(",natural_gas,1000000,kWh,", ",natural_gas,-1000000,kWh,"), encoding="utf-8")
    _upload(page, bad)
    page.get_by_text("board_negative.csv was not imported").first.wait_for(timeout=30_000)
    assert "board_negative.csv:2: quantity -1e+06 kWh is negative" in page.inner_text("body")
    page.get_by_text("No estates return has been imported yet").first.wait_for(timeout=30_000)

    _upload(page, TEMPLATE)
    page.get_by_text("board_template_2024_25.csv").first.wait_for(timeout=30_000)
    page.get_by_text("To use it in the scenario, add a baseline line").first.wait_for(timeout=30_000)
    assert "S08000024" in page.inner_text("body")
    assert_no_exception(page)
    page.get_by_text("To use it in the scenario, add a baseline line").first.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "estates.png"))
