"""Invariants of pathway footprints (hypothesis): additive over activities, linear in quantity and
cohort, and the same whatever unit a quantity is written in."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbon import pathways as pw
from carbon.pathways import Activity, Pathway

# footprint() only reads the store, so one store per test function is safe across examples
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
amounts = st.floats(min_value=0.01, max_value=500, allow_nan=False, allow_infinity=False)


def make(kind: str, x: float) -> Activity:
    """One activity of each kind whose amount is ``x`` (in the unit natural to it)."""
    return {
        "inhaler": Activity(factor="clenil_pmdi", quantity=f"{x!r} inhaler"),
        "waste": Activity(factor="waste_hti_clinical", quantity=f"{x!r} kg"),
        "electricity": Activity(factor="grid_electricity_uk", quantity=f"{x!r} kWh"),
        "travel": Activity(kind="travel", factor="car_petrol_average", quantity=f"{x!r} appointment",
                           distance="9 mile", return_trip=True),
        # x / 100 km: scaled by up to 100 it stays under once round the Earth, which is refused as a typo
        "bus": Activity(kind="travel", factor="bus_local_average", quantity="2 journey", distance=f"{x / 100!r} km"),
        "anaesthetic": Activity(kind="anaesthetic", factor="sevoflurane", quantity=f"{x!r} min", fgf="1 L/min"),
        "n2o": Activity(kind="anaesthetic", factor="n2o", quantity=f"{x!r} min", fgf="2 L/min"),
        "bottle": Activity(kind="purchase", factor="desflurane", quantity=f"{x!r} bottle"),
    }[kind]


kinds = st.sampled_from(["inhaler", "waste", "electricity", "travel", "bus", "anaesthetic", "n2o", "bottle"])
activities = st.lists(st.tuples(kinds, amounts), min_size=1, max_size=6)
KG = ["kgCO2e", "kgCO2e_low", "kgCO2e_high"]


def kg(store, acts: list[Activity]) -> dict:
    fp = pw.footprint(store, Pathway(name="p", activities=acts))
    assert pw.errors(fp) == []
    return pw.totals(fp, 1)


@SETTINGS
@given(activities)
def test_additive_over_activities(store, spec):
    acts = [make(k, x) for k, x in spec]
    whole = kg(store, acts)
    parts = [kg(store, [a]) for a in acts]
    for col in KG:
        assert whole[col] == pytest.approx(sum(p[col] for p in parts), rel=1e-9)


@SETTINGS
@given(kinds, amounts, st.floats(min_value=0.01, max_value=100))
def test_linear_in_quantity(store, kind, x, k):
    one, scaled = kg(store, [make(kind, x)]), kg(store, [make(kind, x * k)])
    for col in KG:
        assert scaled[col] == pytest.approx(one[col] * k, rel=1e-9)


@SETTINGS
@given(activities, st.floats(min_value=1, max_value=1e6))
def test_linear_in_cohort(store, spec, cohort):
    fp = pw.footprint(store, Pathway(name="p", activities=[make(k, x) for k, x in spec]))
    t = pw.totals(fp, cohort)
    for col in KG:
        assert t[f"cohort_{col}"] == pytest.approx(t[col] * cohort, rel=1e-12)


@SETTINGS
@given(amounts)
def test_unit_does_not_change_the_footprint(store, x):
    same = [
        (Activity(factor="clenil_pmdi", quantity=f"{x!r} inhaler/month", duration="12 month"),
         Activity(factor="clenil_pmdi", quantity=f"{x * 12!r} inhaler/year", duration="1 year")),
        (Activity(factor="waste_hti_clinical", quantity=f"{x!r} kg"),
         Activity(factor="waste_hti_clinical", quantity=f"{x * 1000!r} g")),
        (Activity(kind="travel", factor="car_petrol_average", quantity="3", distance=f"{x!r} mile"),
         Activity(kind="travel", factor="car_petrol_average", quantity="3", distance=f"{x * 1.609344!r} km")),
        (Activity(kind="anaesthetic", factor="desflurane", quantity=f"{x!r} min", fgf="1 L/min"),
         Activity(kind="anaesthetic", factor="desflurane", quantity=f"{x / 60!r} h", fgf="1000 mL/min")),
        (Activity(kind="purchase", factor="sevoflurane", quantity=f"{x!r} mL"),
         Activity(kind="purchase", factor="sevoflurane", quantity=f"{x / 1000!r} L")),
    ]
    for a, b in same:
        ka, kb = kg(store, [a]), kg(store, [b])
        for col in KG:
            assert ka[col] == pytest.approx(kb[col], rel=1e-9)


@SETTINGS
@given(activities, activities, st.floats(min_value=1, max_value=1e5), st.floats(min_value=1, max_value=1e5),
       st.sampled_from(["category", "stage"]))
def test_the_gap_by_group_adds_up_to_the_gap_in_totals(store, spec_a, spec_b, cohort_a, cohort_b, by):
    """What drives the gap (per patient and per year, each pathway on its own cohort) sums to the
    difference of the totals, whatever the two cohorts."""
    a = Pathway(name="a", cohort=cohort_a, activities=[make(k, x) for k, x in spec_a])
    b = Pathway(name="b", cohort=cohort_b, activities=[make(k, x) for k, x in spec_b])
    totals = pw.compare(store, [a, b]).set_index("pathway")
    gap = pw.compare_breakdown(store, [a, b], by=by).groupby("pathway")[
        ["difference_kgCO2e", "cohort_difference_kgCO2e"]].sum()
    for col in ("difference_kgCO2e", "cohort_difference_kgCO2e"):
        assert gap.loc["b", col] == pytest.approx(totals.loc["b", col], rel=1e-9, abs=1e-6)
        assert gap.loc["a", col] == pytest.approx(0.0, abs=1e-6)
