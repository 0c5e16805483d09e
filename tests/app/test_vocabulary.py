"""One vocabulary on every page (carbon/labels.csv), through AppTest with data on every page: each
column a table shows has a heading in words (with its unit), none shows a None, NaN or an internal
id, a missing value is a dash, and the user's own text is shown as text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from carbon import estates, labels, theatre
from carbon import pathways as pw
from carbon import prescribing as rx
from carbon.theatre import purchases

DATA = Path(__file__).resolve().parents[1] / "data"
PAGES = ["pages/1_Pathways.py", "pages/2_Compare.py", "pages/3_Anaesthetic_gases.py", "pages/4_Travel.py",
         "pages/5_Prescribing.py", "pages/6_Scenarios.py", "pages/7_Workshop.py", "pages/9_Factor_library.py"]
ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+){2,}$")


@pytest.fixture
def with_data(store):
    rx.import_files(store, [DATA / "prescribing" / "phs_2024_01.csv", DATA / "prescribing" / "epd_2024_01.csv"])
    rx.import_list_sizes(store, DATA / "prescribing" / "list_sizes_phs.csv")
    theatre.import_file(store, DATA / "theatre" / "case_log_two_theatres.csv")
    purchases.import_file(store, DATA / "theatre" / "purchases_march_2024.csv")
    estates.import_file(store, DATA / "estates" / "board_template_2024_25.csv")
    return store


def _shown(table) -> list[tuple[str, dict]]:
    """The columns a table shows, in order, with their settings."""
    config = json.loads(table.proto.columns or "{}")
    order = list(table.proto.column_order) or list(table.value.columns)
    return [(c, config.get(c, {})) for c in order if not config.get(c, {}).get("hidden")]


@pytest.mark.parametrize("page", PAGES)
def test_every_table_speaks_the_vocabulary(open_page, with_data, page):
    at = open_page(page)
    assert at.dataframe, f"{page} shows no table"
    for table in at.dataframe:
        frame = table.value
        for column, config in _shown(table):
            heading = config.get("label") or column
            assert labels.is_plain(heading), f"{page}: column {column!r} has no heading in words"
            values = frame[column]
            if values.dtype == object:
                text = values.dropna().astype(str)
                assert not text.isin(["None", "nan", "NaN"]).any(), f"{page}: {column!r} shows None"
                assert not text.str.match(ID).any(), f"{page}: {column!r} shows an id: {text[text.str.match(ID)][:3]}"
        assert table.proto.placeholder in ("–", ""), f"{page}: a missing value is not a dash"


def test_user_text_is_shown_as_text(open_page, store):
    """A shared pathway's description with a link, an image and HTML is escaped: nothing is fetched,
    nothing links anywhere (issue 11)."""
    evil = ("See [our site](https://evil.example/x) ![pixel](https://evil.example/p.png) <img src=x onerror=alert(1)> "
            "or www.evil.example and https://evil.example/y")
    p = pw.load(store, "asthma_pmdi")
    from dataclasses import replace
    pw.save(store, replace(p, name="Shared [click](https://evil.example)", description=evil,
                           assumptions=["**Bold** claim [here](https://evil.example)"], is_template=False,
                           template_id=None), "someone")
    at = open_page("pages/1_Pathways.py")
    at.selectbox(key="pw_pick").select("Shared [click](https://evil.example)").run()
    assert not at.exception
    shown = [c.value for c in at.caption if "our site" in c.value]
    assert shown and "\\[our site\\]" in shown[0] and "\\!\\[pixel\\]" in shown[0] and "\\<img" in shown[0]
    assert "https\\://evil.example/y" in shown[0] and "www\\.evil.example" in shown[0]  # no bare link either
    assert any("\\*\\*Bold\\*\\* claim \\[here\\]" in m.value for m in at.markdown)


def test_downloads_read_in_words(open_page):
    at = open_page("pages/2_Compare.py")
    frame = next(t.value for t in at.dataframe if "difference_kgCO2e" in t.value.columns)
    out = labels.export(frame)
    assert not labels.unknown(frame.columns) and all(labels.is_plain(c) for c in out.columns)
    assert not [c for c in out.columns if "_" in c]
    assert isinstance(out, pd.DataFrame)
