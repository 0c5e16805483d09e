"""Real-browser journeys: the app served by streamlit on a free port, driven by headless Chromium.

Chromium is Debian's (/usr/bin/chromium, installed by `make test` / .ci/run); Playwright only
drives it, it downloads nothing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_app(folder: Path, db: Path, *args: str, env: dict | None = None, port: int | None = None):
    """``streamlit run app.py`` on loopback with ``db`` as the store, until the block ends.

    ``args`` are more streamlit options; the secrets come only from ``folder/secrets.toml`` (absent
    unless a test writes it), never from a developer's own .streamlit/secrets.toml.
    """
    port = port or free_port()
    env = {**os.environ, "CARBON_DB": str(db), **(env or {})}
    env.pop("CARBON_FACTORS_DIR", None)
    log_path = folder / "streamlit.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--secrets.files", str(folder / "secrets.toml"), *args],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(log_path.read_text())
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start in 60 s:\n" + log_path.read_text())
        yield {"url": url, "db": db, "log": log_path, "port": port, "pid": proc.pid}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def seeded_app(folder: Path, seeded_db: Path):
    """The app on a free port with a copy of the seeded database of its own, in ``folder``."""
    db = folder / "carbon.duckdb"
    shutil.copy(seeded_db, db)
    with serve_app(folder, db) as server:
        yield server


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, seeded_db):
    """The app on a free port, with a temporary copy of the seeded database."""
    with seeded_app(tmp_path_factory.mktemp("browser"), seeded_db) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = context.new_page()
    yield p
    context.close()


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script (its status widget has gone).

    The widget shows only once a run has lasted a moment, so it is looked for again after a pause:
    on a busy machine a run can still be going when the first look finds nothing.
    """
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    # While a run lasts the widget shows a "Stop" button (aria-label "Running..."); it goes when done.
    idle = ("() => { const w = document.querySelector('[data-testid=\"stStatusWidget\"]');"
            " return !w || !(w.innerText.includes('Stop') || w.innerText.includes('Running')"
            " || w.querySelector('[aria-label^=\"Running\"]')); }")
    for _ in range(5):
        page.wait_for_function(idle, timeout=timeout)
        page.wait_for_timeout(500)
        if page.evaluate(idle):
            return


def open_app_page(page, base_url: str, title: str) -> None:
    """Open the app at its root and click ``title`` in the sidebar navigation, as a user does.

    Use this rather than page.goto(base_url + "/Page"): with a pages/ folder beside st.navigation,
    Streamlit may serve a deep link in its legacy multipage mode (a known Streamlit quirk).
    """
    page.goto(base_url)
    wait_for_app(page)
    link = page.locator('[data-testid="stSidebarNav"] a', has_text=title)
    if link.count():
        link.first.click()
        wait_for_app(page)
    page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)


def save_pathway_as(page, name: str) -> None:
    """On the Pathways page: type ``name`` and press Save, as a user does; wait for the confirmation."""
    box = page.get_by_label("Name", exact=True)
    box.fill(name)
    box.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Save", exact=True).click()
    wait_for_app(page)
    page.get_by_text(f"Saved “{name}”").wait_for(timeout=30_000)


def assert_no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]').first.inner_text()


def go(page, title: str) -> None:
    """Click ``title`` in the sidebar, as a person moves between pages (the session, and its work, stay)."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    wait_for_app(page)
    page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)


def type_into(page, label: str, text: str) -> None:
    """Type ``text`` into the text or number box labelled ``label`` and press Enter."""
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    wait_for_app(page)


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``."""
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def edit_cell(page, grid, row: int, old: str, new: str) -> None:
    """Edit the cell of ``grid`` (a data editor) in data row ``row`` (1 = first) that holds ``old``, as a
    person does: double-click it, type ``new``, press Enter. The grid draws on a canvas, so the cell
    is found by double-clicking along the row until its editor opens with ``old``."""
    for attempt in range(3):  # a loaded machine may still be drawing the grid: look along the row again
        wait_for_app(page)
        grid.evaluate("e => e.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(500 + 1000 * attempt)
        box = grid.bounding_box()
        y = box["y"] + 35 * row + 17  # rows and the header are 35 px high
        for x in range(int(box["x"]) + 50, int(box["x"] + box["width"]) - 10, 40):
            page.mouse.dblclick(x, y)
            page.wait_for_timeout(150 + 100 * attempt)
            editor = page.locator("textarea.gdg-input")
            if editor.count() and editor.first.input_value() == old:
                editor.first.fill(new)
                page.keyboard.press("Enter")
                wait_for_app(page)
                return
            page.keyboard.press("Escape")
    raise AssertionError(f"no cell holding {old!r} in row {row}")


def metric_value(page, label: str) -> str:
    """The big number of the metric whose label starts with ``label``."""
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


#: Every piece of text on the page, shown or folded away (expanders, other tabs), one text node at a
#: time: icons (drawn from a font by name, e.g. "keyboard_arrow_down") and code (ids shown on purpose,
#: to be typed into files, and the arithmetic of a row) left out, and the hidden copy of each table.
READ_TEXT = """() => {
  const skip = '[data-testid="stIconMaterial"], .material-symbols-rounded, code, pre, style, script, noscript, '
             + 'canvas, [data-testid="stDataFrameResizable"] table';
  const walker = document.createTreeWalker(document.querySelector('[data-testid="stApp"]'), NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement && !n.parentElement.closest(skip) && n.textContent.trim()) out.push(n.textContent.trim());
  }
  return out.join(String.fromCharCode(10));
}"""


def read_text(page) -> str:
    return page.evaluate(READ_TEXT)


AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's WCAG 2.2 A and AA violations of ``impacts`` on the page as drawn (installed from npm
    by `make test`, pinned in tests/axe/package-lock.json)."""
    if not AXE.exists():
        pytest.fail(f"axe-core not found at {AXE}: run `make test` (it runs npm ci in tests/axe)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
      const r = await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
      return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + (n.failureSummary || ''))}));
    }""")
    return [v for v in found if v["impact"] in impacts]
