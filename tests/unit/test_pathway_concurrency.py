"""Several people at once: two sessions saving pathways at the same time both keep their work."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from carbon import pathways as pw

TEMPLATE = "Asthma: preventer and reliever on pMDIs"


def _mine(store, name: str, cohort: float) -> pw.Pathway:
    return replace(pw.load(store, TEMPLATE), name=name, cohort=cohort, is_template=False, template_id=None)


def test_two_people_editing_the_same_pathway_neither_loses_work(store):
    pw.save(store, _mine(store, "Ward 7 asthma", 100), "A")
    opened_by_a = pw.load(store, "Ward 7 asthma")
    opened_by_b = pw.load(store, "Ward 7 asthma")

    pw.save(store, replace(opened_by_a, cohort=250), "A", opened=opened_by_a)
    with pytest.raises(pw.PathwayConflict, match="A saved a pathway called 'Ward 7 asthma'"):
        pw.save(store, replace(opened_by_b, cohort=400), "B", opened=opened_by_b)
    assert pw.load(store, "Ward 7 asthma").cohort == 250  # A's save stands

    # B keeps their edits and saves them under another name: both versions are kept.
    pw.save(store, replace(opened_by_b, name="Ward 7 asthma (B)", cohort=400), "B", opened=opened_by_b)
    assert pw.load(store, "Ward 7 asthma").cohort == 250
    assert pw.load(store, "Ward 7 asthma (B)").cohort == 400


def test_saving_again_after_your_own_save_is_not_a_conflict(store):
    first = pw.save(store, _mine(store, "Clinic asthma", 10), "A")
    second = pw.save(store, replace(first, cohort=20), "A", opened=first)
    third = pw.save(store, replace(second, cohort=30), "A", opened=second)
    assert third.saved_at is not None and pw.load(store, "Clinic asthma").cohort == 30


def test_a_new_name_taken_meanwhile_is_not_overwritten(store):
    template = pw.load(store, TEMPLATE)
    pw.save(store, _mine(store, "My asthma", 11), "A", opened=template)
    with pytest.raises(pw.PathwayConflict, match="while you were editing"):
        pw.save(store, _mine(store, "My asthma", 22), "B", opened=template)
    assert pw.load(store, "My asthma").cohort == 11


def test_many_sessions_saving_at_once_all_keep_their_work(store):
    template = pw.load(store, TEMPLATE)

    def session(i: int) -> str:
        return pw.save(store, _mine(store, f"Practice {i} asthma", 100 + i), f"user {i}", opened=template).name

    with ThreadPoolExecutor(max_workers=8) as pool:
        names = list(pool.map(session, range(16)))
    listing = pw.list_pathways(store).set_index("name")
    for i, name in enumerate(names):
        assert listing.loc[name, "cohort"] == 100 + i
        assert listing.loc[name, "updated_by"] == f"user {i}"


def test_duplicate_never_replaces_an_existing_pathway(store):
    pw.save(store, _mine(store, "Taken", 5), "A")
    with pytest.raises(pw.PathwayError):
        pw.duplicate(store, TEMPLATE, "Taken", "B")
    assert pw.load(store, "Taken").cohort == 5
