"""The pathway, scenario, theatre and estates files of the bad-file corpus (tests/data/bad/, see its README) uploaded
on the Pathways, Scenarios and Anaesthetic gases pages through AppTest (the real app on a real database): each an
error in words on the page, no exception, nothing saved and every table of the store the same
afterwards. A pathway file whose rows cannot be computed opens unsaved with each bad row named (so
the person can fix it there); a file that cannot be read at all is refused whole.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_bad_files_cli import DOCUMENTS, REFUSED
from tests.unit.test_bad_files_cli import store_state as _state

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
PAGE = {"pathway": ("pages/1_Pathways.py", "pw_import"), "scenario": ("pages/6_Scenarios.py", "sc_import")}
#: pathway files read whole whose rows are named on the page (the rest are refused as files)
ROW_PROBLEMS = {"pathway_quantity_nan.toml", "pathway_quantity_1e400.toml", "pathway_quantity_negative.toml",
                "pathway_litres_as_distance.toml", "pathway_unknown_factor.toml"}


def _said(at) -> str:
    """What the page says in its error boxes, markdown's escapes taken out."""
    return " ".join(e.value for e in at.error).replace("\\", "")


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_a_bad_pathway_or_scenario_upload_is_named_on_its_page_and_nothing_is_saved(open_page, store, name):
    kind, words = DOCUMENTS[name]
    page, key = PAGE[kind]
    before = _state(store)
    at = open_page(page)
    at.file_uploader(key=key).set_value([(name, (BAD / name).read_bytes(), "application/octet-stream")]).run()
    assert not at.exception, [e.value for e in at.exception]
    said = _said(at)
    assert words.replace("\ufffd", "") in said.replace("\ufffd", "") or words.split(": ", 1)[-1] in said, said
    assert "Traceback" not in said and "\x00" not in said
    if kind == "scenario":
        assert f"{name} cannot be imported" in said
        assert not any(b.key == "sc_import_save" for b in at.button)  # nothing offered to save
    elif name in ROW_PROBLEMS:
        assert any(s.value == f"Imported {name}: not saved yet." for s in at.success)
    else:
        assert "That file cannot be imported" in said and not at.success
    assert _state(store) == before


#: the theatre and estates files of the corpus -> (page, uploader, import button, what the error box starts with)
UPLOADS = {
    "theatre_extra_field.csv": ("pages/3_Anaesthetic_gases.py", "th_files", "th_import", True),
    "theatre_header_only.csv": ("pages/3_Anaesthetic_gases.py", "th_files", "th_import", True),
    "theatre_fgf_million.csv": ("pages/3_Anaesthetic_gases.py", "th_files", "th_import", True),
    "theatre_duration_nan.csv": ("pages/3_Anaesthetic_gases.py", "th_files", "th_import", True),
    "estates_ragged_row.csv": ("pages/6_Scenarios.py", "sc_estates_file", "sc_estates_import", False),
    "estates_header_only.csv": ("pages/6_Scenarios.py", "sc_estates_file", "sc_estates_import", False),
}


@pytest.mark.parametrize("name", sorted(UPLOADS))
def test_a_bad_theatre_or_estates_upload_is_named_on_its_page_and_nothing_is_kept(open_page, store, name):
    page, key, button, many = UPLOADS[name]
    _, line, words = REFUSED[name]
    before = _state(store)
    at = open_page(page)
    upload = (name, (BAD / name).read_bytes(), "text/csv")
    at.file_uploader(key=key).set_value([upload] if many else upload).run()
    at.button(key=button).click().run()
    assert not at.exception, [e.value for e in at.exception]
    said = _said(at)
    assert words in said and (f"{name}:{line}" in said if line else name in said), said
    assert not [s for s in at.success if name in s.value]
    assert _state(store) == before
