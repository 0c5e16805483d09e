"""The `carbon` command and the app on one store at once: the real streamlit server with a Chromium
session open on a page, and the real command-line tool in other processes. Reads answer while the app
is open, writes finish within 10 s, and the open session shows them on its next rerun."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.browser.conftest import assert_no_exception, open_app_page, serve_app, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "prescribing"
CARBON = Path(sys.executable).with_name("carbon")
ME = f"{getpass.getuser()} (local account)"


def carbon(db: Path, *args: str, timeout: float = 10) -> tuple[subprocess.CompletedProcess, float]:
    """Run the real `carbon` command on ``db``; it must finish within ``timeout`` seconds."""
    env = {**os.environ, "CARBON_DB": str(db), "CARBON_DB_WAIT": str(timeout)}
    started = time.monotonic()
    out = subprocess.run([str(CARBON), *args], capture_output=True, text=True, env=env, timeout=timeout)
    return out, time.monotonic() - started


def test_the_command_reads_and_writes_while_the_app_is_open(tmp_path, seeded_db, browser):
    db = tmp_path / "carbon.duckdb"
    shutil.copy(seeded_db, db)
    scenario = tmp_path / "cli_plan.toml"
    demo = (ROOT / "factors" / "scenarios" / "demo_board.toml").read_text(encoding="utf-8")
    first = next(line for line in demo.splitlines() if line.startswith("name = "))
    scenario.write_text(demo.replace(first, 'name = "Written from the terminal"', 1), encoding="utf-8")

    with serve_app(tmp_path, db) as server:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        open_app_page(page, server["url"], "Prescribing")
        page.get_by_text("No prescribing data yet").first.wait_for(timeout=30_000)

        # a read while a browser session is open on a page
        listed, read_s = carbon(db, "pathway", "list")
        assert listed.returncode == 0, listed.stderr
        assert "Asthma: preventer and reliever on pMDIs" in listed.stdout

        # two writes: a month of prescribing data and a scenario file
        imported, import_s = carbon(db, "prescribing", "import", str(DATA / "phs_2024_01.csv"), "--quiet")
        assert imported.returncode == 0, imported.stderr
        assert "imported 1 file" in imported.stdout
        saved, save_s = carbon(db, "scenario", "import", str(scenario))
        assert saved.returncode == 0, saved.stderr
        print(f"\ncarbon pathway list {read_s:.2f} s, prescribing import {import_s:.2f} s, "
              f"scenario import {save_s:.2f} s, with the app open")

        # the same session's next rerun (any widget) shows the import, and who made it
        page.get_by_text("A folder", exact=True).click()
        wait_for_app(page)
        metric = page.locator('[data-testid="stMetric"]').filter(has_text="Inhaler carbon").first
        metric.wait_for(timeout=30_000)
        total, _ = carbon(db, "prescribing", "footprint", "--by", "board", "--format", "json", timeout=60)
        kg = sum(row["kgCO2e"] for row in json.loads(total.stdout))
        assert page.get_by_text(f"{kg:,.1f} kgCO2e from 3 practices").count() == 1  # the CLI's figure, on the page
        page.get_by_text("Import prescribing data").first.click()
        page.get_by_text("phs_2024_01.csv").first.wait_for(state="attached", timeout=30_000)  # the import log
        page.get_by_text(ME).first.wait_for(state="attached", timeout=30_000)  # ... and who imported it
        assert_no_exception(page)

        # and the scenario written from the terminal is there to open, with the account that saved it
        open_app_page(page, server["url"], "Scenarios")
        page.locator('[data-testid="stSelectbox"]').filter(has_text="Scenario").first.click()
        page.get_by_role("option", name="Written from the terminal").wait_for(timeout=30_000)
        assert_no_exception(page)

        # and the app is still writable afterwards: a command that asks for the file gets it again
        again, _ = carbon(db, "db", "init")
        assert again.returncode == 0, again.stderr
        context.close()
    shown = subprocess.run([str(CARBON), "scenario", "list", "--format", "csv"], capture_output=True, text=True,
                           env={**os.environ, "CARBON_DB": str(db)}, timeout=60)
    assert "Written from the terminal" in shown.stdout and ME in shown.stdout
