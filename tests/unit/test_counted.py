"""Counts in words: '1 file', '12 files', never 'file(s)' (issue 12's plain English)."""

import subprocess

import pytest

from carbon.formatting import counted, plural
from carbon.store import PROJECT_DIR


@pytest.mark.parametrize("n, word, many, shown", [
    (1, "file", None, "1 file"),
    (0, "file", None, "0 files"),
    (12, "file", None, "12 files"),
    (1200, "practice", None, "1,200 practices"),
    (2, "propellant inhaler", None, "2 propellant inhalers"),
    (3, "analysis", "analyses", "3 analyses"),
])
def test_a_count_and_its_noun(n, word, many, shown):
    assert counted(n, word, many) == shown
    assert plural(n, word, many) == shown.split(" ", 1)[1]


def test_no_page_or_engine_message_says_s_in_brackets():
    """Every '(s)' left in the code is in a docstring or comment about columns or molecules, not a message
    a person reads."""
    out = subprocess.run(["grep", "-rn", "--include=*.py", r"[a-z](s)", "carbon", "pages", "app.py"],
                         cwd=PROJECT_DIR, capture_output=True, text=True).stdout.splitlines()
    said = [line for line in out if 'f"' in line and "len(s)" not in line
            and not any(w in line for w in ("column(s)", "field(s)", "mode(s)"))]
    assert said == []
