"""The prescribing and list-size files of the bad-file corpus (tests/data/bad/, see its README), every one
the command refuses, uploaded on the Prescribing page through AppTest (the real app and page on a real
database already holding a good month): an error in words and a table naming the file, the line and the
reason, no exception on the page, and every table of the store the same afterwards; a file only in
another encoding imports whole.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from carbon import prescribing as rx
from tests.unit.test_bad_files_cli import REFUSED as CLI_REFUSED
from tests.unit.test_bad_files_cli import store_state as _state

PAGE = "pages/5_Prescribing.py"
DATA = Path(__file__).resolve().parents[1] / "data"
BAD = DATA / "bad"

#: every prescribing file the command refuses (tests/unit/test_bad_files_cli.py), refused the same way on
#: the page: file -> (the line named, or None for the whole file; words the reason must hold)
REFUSED = {name: (line, words) for name, (importer, line, words) in CLI_REFUSED.items() if importer == "prescribing"}


@pytest.fixture
def with_a_month(store):
    rx.import_files(store, [DATA / "prescribing" / "phs_2024_01.csv"])
    return store


def _upload(at, name: str, key: str = "rx_upload_Files", button: str = "rx_import"):
    at.file_uploader(key=key).set_value([(name, (BAD / name).read_bytes(), "application/octet-stream")]).run()
    at.button(key=button).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _problems(at):
    for d in at.dataframe:
        if {"where", "line", "what"} <= set(d.value.columns):
            return d.value
    raise AssertionError("no table of problems on the page")


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_bad_upload_is_refused_in_words_naming_file_line_and_reason(open_page, with_a_month, name):
    line, words = REFUSED[name]
    before = _state(with_a_month)
    at = _upload(open_page(PAGE), name)
    assert any(e.value.startswith("Nothing was imported: ") for e in at.error), [e.value for e in at.error]
    assert not at.success
    first = _problems(at).iloc[0]
    assert name in first["where"] and words in first["what"], first.to_dict()
    assert pd.isna(first["line"]) if line is None else first["line"] == line, first.to_dict()
    assert _state(with_a_month) == before


def test_list_sizes_that_are_not_finite_are_refused_on_the_page(open_page, with_a_month):
    before = _state(with_a_month)
    at = _upload(open_page(PAGE), "list_sizes_nan_inf_1e400.csv", key="rx_sizes_upload", button="rx_sizes")
    assert any(e.value.startswith("No list sizes were loaded: 3 problems") for e in at.error)
    problems = _problems(at)
    assert problems["line"].tolist() == [2, 3, 4]
    assert problems["what"].tolist() == ["list size 'NaN' is not a number", "list size 'inf' is not a finite number",
                                         "list size '1e400' is not a finite number"]
    assert _state(with_a_month) == before


def test_a_latin1_upload_imports_whole_and_the_log_says_latin1(open_page, with_a_month):
    at = _upload(open_page(PAGE), "phs_latin1_pound.csv")
    assert not at.error and "11 rows read" in at.success[0].value
    log = rx.imports(with_a_month)
    assert log.iloc[0]["encoding"] == "Latin-1" and log.iloc[0]["rows_read"] == 11
