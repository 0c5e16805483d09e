"""The door in local mode, through AppTest: who is recorded is shown and never typed, and the app will
not open its pages on a network address without sign-in."""

from __future__ import annotations

import getpass

import pytest
from streamlit import config

PAGE = "pages/1_Pathways.py"


def test_local_mode_shows_who_is_recorded_and_asks_for_no_name(open_page):
    at = open_page(PAGE)
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert f"Working as **{getpass.getuser()}** (this computer's account)" in sidebar
    assert f"{getpass.getuser()} (local account)" in sidebar
    assert len(at.sidebar.text_input) == 0  # no "Your name" box: nobody can type "Chief Pharmacist (verified)"
    assert not at.button(key="pw_save").disabled  # one person at this computer may do everything


@pytest.fixture
def listening_on_the_network():
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    yield
    config.set_option("server.address", before)


def test_no_pages_on_a_network_address_without_sign_in(db_path, listening_on_the_network):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("listening on the network but sign-in is not set up" in e.value for e in at.error)
    assert not at.dataframe and not at.metric  # nothing of the data is shown
