"""A saved scenario that no longer passes the checks (written by an older release before the bounds
existed, or edited in the database by hand) shows its own error in its own place: it never takes the
Scenarios or Workshop page down for everyone else (issue 11)."""

from __future__ import annotations

import json

from carbon import scenarios as sc

SCENARIOS = "pages/6_Scenarios.py"
WORKSHOP = "pages/7_Workshop.py"
BAD = "Horizon of a thousand years"


def _store_bad_scenario(store) -> None:
    """The demo scenario with an end year of 3000, written straight into the tables as an older
    release would have saved it (``sc.save`` now refuses it)."""
    body = json.loads(sc.load(store, sc.demo_name()).to_json())
    body["name"], body["end_year"] = BAD, 3000
    with store.transaction() as cur:
        sid = cur.execute("INSERT INTO scenario (name, origin, created_by) VALUES (?, 'user', 'older release') "
                          "RETURNING id", [BAD]).fetchone()[0]
        cur.execute("INSERT INTO scenario_version (scenario_id, body, saved_by) VALUES (?, ?, 'older release')",
                    [sid, json.dumps(body)])


def _errors(at) -> str:
    return " ".join(e.value for e in at.error)


def test_save_refuses_what_the_old_row_holds(store):
    bad = sc.load(store, sc.demo_name())
    bad.name, bad.end_year = BAD, 3000
    try:
        sc.save(store, bad, "Alice")
    except sc.ScenarioError as exc:
        assert "end_year 3000 must be between 2000 and 2100" in str(exc)
    else:
        raise AssertionError("an end year of 3000 was saved")


def test_opening_a_bad_scenario_names_it_and_the_page_stays_usable(open_page, store):
    _store_bad_scenario(store)
    at = open_page(SCENARIOS)
    at.selectbox(key="sc_pick").set_value(BAD).run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"“{BAD}” cannot be opened" in _errors(at)
    assert "end_year 3000 must be between 2000 and 2100" in _errors(at)
    # another scenario opens as before (the compare tab, which picks the two newest, still names the bad one)
    at.selectbox(key="sc_pick").set_value(sc.demo_name()).run()
    assert not at.exception
    assert "cannot be opened" not in _errors(at)
    assert any(m.label.startswith("Emissions in 2024") for m in at.metric)


def test_compare_shows_the_bad_one_in_its_place_and_draws_the_rest(open_page, store):
    _store_bad_scenario(store)
    other = sc.load(store, sc.demo_name())
    other.name, other.growth_pct = "No growth", 0.0
    sc.save(store, other, "Alice")
    at = open_page(SCENARIOS)
    at.multiselect(key="sc_compare").set_value([sc.demo_name(), "No growth", BAD]).run()
    assert not at.exception
    assert BAD in _errors(at) and "end_year 3000" in _errors(at)
    table = next(d.value for d in at.dataframe if "2045 (tCO2e)" in d.value.columns)
    assert set(table["scenario"]) == {sc.demo_name(), "No growth"}


def test_the_workshop_names_a_bad_scenario_and_opens_the_others(open_page, store):
    _store_bad_scenario(store)  # the newest save: the Workshop would open it first were the demo not there
    at = open_page(WORKSHOP)
    at.selectbox(key="ws_scenario").set_value(BAD).run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"“{BAD}” cannot be opened" in _errors(at)
    assert "end_year 3000 must be between 2000 and 2100" in _errors(at)
    at.selectbox(key="ws_scenario").set_value(sc.demo_name()).run()
    assert not at.exception and not _errors(at)
    assert any(m.label.startswith("Gap to NHS Scotland") for m in at.metric)
