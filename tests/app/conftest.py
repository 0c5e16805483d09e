"""AppTest helpers: run the real app (app.py and its pages) on this test's real database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def tracebacks_raise(monkeypatch):
    """A page's unexpected error raises in AppTest (``at.exception``) instead of being shown in words:
    app.py's last-resort handler re-raises under CARBON_DEBUG, so these tests still see every failure."""
    monkeypatch.setenv("CARBON_DEBUG", "1")


@pytest.fixture
def open_page(db_path):
    """``open_page("pages/9_Factor_library.py")`` -> an AppTest that has run that page."""

    def _open(page: str, timeout: float = 60) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open
