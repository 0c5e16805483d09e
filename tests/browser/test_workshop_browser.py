"""The finance director's journey in Chromium: open the demo in the Workshop, move an uptake slider,
see the gap to NHS Scotland's target shrink, and download a board pack whose numbers match the CLI's."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from carbon import scenarios as sc
from carbon.units import parse
from tests.browser.conftest import ROOT, assert_no_exception, open_app_page, wait_for_app

pytestmark = pytest.mark.browser
GAP = "Gap to NHS Scotland's 2040 target"


def metric_value(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def tonnes(text: str) -> float:
    return parse(text).to("tCO2e").magnitude


def download(page, label: str, dest: Path) -> Path:
    with page.expect_download(timeout=60_000) as info:
        page.locator('[data-testid="stDownloadButton"] button', has_text=label).first.click()
    info.value.save_as(str(dest))
    return dest


def cli_numbers(seeded_db: Path, tmp: Path, scenario: str) -> str:
    """``carbon report SCENARIO --out numbers.csv`` on its own copy of the database (the app holds its file)."""
    db = tmp / "cli.duckdb"
    if not db.exists():
        shutil.copy(seeded_db, db)
    out = tmp / f"cli_{len(list(tmp.glob('cli_*.csv')))}.csv"
    subprocess.run([sys.executable, "-c", "import sys; from carbon.cli import main; sys.exit(main())", "--db", str(db), "report", scenario, "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True, text=True)
    return out.read_text()


def test_uptake_slider_shrinks_the_gap_and_the_pack_matches_the_cli(app_server, page, seeded_db, tmp_path):
    open_app_page(page, app_server["url"], "Workshop")
    page.locator('[data-testid="stMetric"]', has_text=GAP).first.wait_for(timeout=30_000)
    assert_no_exception(page)
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.nth(1).wait_for(timeout=30_000)
    assert charts.count() == 2  # the trajectory against the target, and the MACC

    # the board pack's numbers, as downloaded, are the CLI's for the saved demo
    csv_before = download(page, "Numbers (CSV)", tmp_path / "numbers_before.csv").read_text()
    assert csv_before == cli_numbers(seeded_db, tmp_path, sc.demo_name())

    before = tonnes(metric_value(page, GAP))
    slider = page.locator('[data-testid="stSlider"]', has_text="Heat pumps and building efficiency").first
    thumb = slider.locator('input[type="range"]')
    assert thumb.input_value() == "75"
    thumb.focus()
    thumb.press("End")  # uptake to 100 %
    page.wait_for_function(
        "([label, old]) => { const m = [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        ".find(e => e.innerText.includes(label)); return m && !m.innerText.includes(old); }",
        arg=[GAP, metric_value(page, GAP)], timeout=30_000)
    wait_for_app(page)
    assert_no_exception(page)
    assert thumb.input_value() == "100"
    after = tonnes(metric_value(page, GAP))
    assert after < before

    # the settings on screen, saved as a file and run through the CLI, give the pack's numbers
    settings = download(page, "These settings (TOML)", tmp_path / "workshop.toml")
    csv_after = download(page, "Numbers (CSV)", tmp_path / "numbers_after.csv").read_text()
    assert csv_after != csv_before
    assert csv_after == cli_numbers(seeded_db, tmp_path, str(settings))
    pdf = download(page, "Board pack (PDF)", tmp_path / "pack.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")

    # measured against NHS England instead: the settings file carries the choice, so the CLI gives the same
    # pack; every download in a row works (a download does not rerun the page and expire the others)
    page.locator('[data-testid="stSelectbox"]', has_text="Targets").locator("input").first.click()
    page.keyboard.type("NHS England")  # the selectbox filters as one types; Enter picks the match
    page.get_by_role("option", name="NHS England").first.wait_for(timeout=30_000)
    page.keyboard.press("Enter")
    page.locator('[data-testid="stMetric"]', has_text="Gap to NHS England's 2040 target").first.wait_for(
        timeout=30_000)
    wait_for_app(page)
    settings = download(page, "These settings (TOML)", tmp_path / "england.toml")
    assert 'target_set = "NHS England"' in settings.read_text()
    csv_england = download(page, "Numbers (CSV)", tmp_path / "numbers_england.csv").read_text()
    assert "nhs_england_net_zero_2040" in csv_england
    assert csv_england == cli_numbers(seeded_db, tmp_path, str(settings))
    for label, name in [("Numbers (Excel)", "n.xlsx"), ("Board pack (HTML)", "p.html"), ("Board pack (PDF)", "p.pdf")]:
        assert download(page, label, tmp_path / name).stat().st_size > 1_000
    page.screenshot(path=str(tmp_path / "workshop.png"), full_page=True)
