"""Pathway footprints against hand arithmetic, one activity of every kind, and the pathway store.

Constants used by hand (AR5, factors/): Clenil Modulite pMDI 17.5 kgCO2e/inhaler; Ventolin Evohaler
28.262; average petrol car 0.16272 kgCO2e/vehicle-km; clinical waste to incineration 1074
kgCO2e/tonne; desflurane 168.04 g/mol, 1.465 g/mL, MAC 6 %, GWP 1790; sevoflurane 200.05 g/mol,
MAC 2 %, GWP 216; N2O 44.013 g/mol, GWP 265; molar volume 24.055 L/mol at 20 C, 23.645 at 15 C.
"""

import pytest

from carbon import equivalence, formatting
from carbon import pathways as pw
from carbon.pathways import Activity, Pathway

MILE_KM = 1.609344


def one(store, **fields) -> dict:
    """The footprint of a one-activity pathway, as a dict of that row."""
    fp = pw.footprint(store, Pathway(name="t", activities=[Activity(**fields)]))
    return fp.iloc[0].to_dict()


def test_inhaler_rate_over_a_duration(store):
    r = one(store, factor="clenil_pmdi", quantity="2 inhaler/month", duration="12 month")
    assert r["error"] == ""
    assert r["amount"] == pytest.approx(24)
    assert r["kgCO2e"] == pytest.approx(24 * 17.5)
    assert r["kgCO2e_low"] == pytest.approx(24 * 10) and r["kgCO2e_high"] == pytest.approx(24 * 25)
    assert r["cost_gbp"] == pytest.approx(24 * 7.42)  # prices.csv: Clenil 100, GBP 7.42 an inhaler
    assert r["factor_ids"] == "clenil_pmdi"


def test_anaesthetic_by_flow_desflurane(store):
    r = one(store, kind="anaesthetic", factor="desflurane", quantity="120 min", fgf="1 L/min")
    # 1 L/min x 120 min x 6 % = 7.2 L of vapour; / 24.055 L/mol x 168.04 g/mol = 50.297 g; x 1790
    grams = 7.2 / 24.055 * 168.04
    assert r["amount"] == pytest.approx(grams / 1000, rel=1e-4)
    assert r["kgCO2e"] == pytest.approx(grams / 1000 * 1790, rel=1e-4)
    assert r["kgCO2e"] == pytest.approx(90.03, abs=0.01)
    assert r["category"] == "anaesthetic"


def test_anaesthetic_by_flow_sevoflurane_as_in_the_issue(store):
    r = one(store, kind="anaesthetic", factor="sevoflurane", quantity="90 min", fgf="1 L/min")
    # 1 x 90 x 2 % = 1.8 L; / 24.055 x 200.05 = 14.969 g; x 216 = 3.233 kgCO2e
    assert r["kgCO2e"] == pytest.approx(1.8 / 24.055 * 200.05 / 1000 * 216, rel=1e-4)
    assert r["kgCO2e"] == pytest.approx(3.233, abs=0.001)


def test_anaesthetic_by_bottle(store):
    r = one(store, kind="purchase", factor="desflurane", quantity="1 bottle")
    # 240 mL x 1.465 g/mL = 351.6 g x 1790 = 629.36 kgCO2e
    assert r["kgCO2e"] == pytest.approx(0.3516 * 1790, rel=1e-6)
    half = one(store, kind="purchase", factor="desflurane", quantity="120 mL")
    assert half["kgCO2e"] == pytest.approx(0.3516 * 1790 / 2, rel=1e-6)


def test_nitrous_oxide_carrier(store):
    r = one(store, kind="anaesthetic", factor="n2o", quantity="1 h", fgf="1 L/min")
    # 60 L x 66 % = 39.6 L; / 23.645 L/mol x 44.013 g/mol = 73.71 g; x 265 = 19.53 kgCO2e
    assert r["kgCO2e"] == pytest.approx(39.6 / 23.645 * 44.013 / 1000 * 265, rel=1e-4)
    assert r["kgCO2e"] == pytest.approx(19.53, abs=0.01)


def test_travel_in_miles_and_km(store):
    miles = one(store, kind="travel", factor="car_petrol_average", quantity="3 appointment", distance="9 mile",
                return_trip=True)
    # 3 x 18 miles x 1.609344 km/mile x 0.16272 kgCO2e/km = 14.141 kgCO2e
    assert miles["kgCO2e"] == pytest.approx(3 * 18 * MILE_KM * 0.16272, rel=1e-9)
    assert miles["kgCO2e"] == pytest.approx(14.141, abs=0.001)
    km = one(store, kind="travel", factor="car_petrol_average", quantity="3", distance=f"{9 * MILE_KM} km",
             return_trip=True)
    assert km["kgCO2e"] == pytest.approx(miles["kgCO2e"], rel=1e-12)


def test_waste(store):
    r = one(store, factor="waste_hti_clinical", quantity="8 kg")
    assert r["kgCO2e"] == pytest.approx(8 / 1000 * 1074)  # 8.592 kgCO2e
    assert r["category"] == "waste"


def test_bad_units_are_errors_on_their_row_not_exceptions(store):
    p = Pathway(name="t", activities=[
        Activity(activity="good", factor="clenil_pmdi", quantity="1 inhaler"),
        Activity(activity="typo", factor="clenil_pmdi", quantity="1 inhalr"),
        Activity(activity="litres of inhaler", factor="clenil_pmdi", quantity="3 L"),
        Activity(activity="no such factor", factor="no_such_factor", quantity="1 inhaler"),
        Activity(activity="litres of road", kind="travel", factor="car_petrol_average", quantity="1", distance="3 L"),
        Activity(activity="no flow", kind="anaesthetic", factor="desflurane", quantity="1 h"),
    ])
    fp = pw.footprint(store, p)
    assert fp.loc[0, "error"] == "" and fp.loc[0, "kgCO2e"] == pytest.approx(17.5)
    assert "typo" in fp.loc[1, "error"] and "inhalr" in fp.loc[1, "error"]
    assert "litres of inhaler" in fp.loc[2, "error"] and "cannot be converted" in fp.loc[2, "error"]
    assert "clenil_pmdi is kgCO2e per inhaler; write e.g. '3 inhaler'" in fp.loc[2, "error"]
    assert "no_such_factor" in fp.loc[3, "error"]
    assert "litres of road" in fp.loc[4, "error"]
    assert "no flow" in fp.loc[5, "error"] and "fresh gas flow" in fp.loc[5, "error"]
    t = pw.totals(fp, 10)
    assert t["kgCO2e"] == pytest.approx(17.5) and len(t["errors"]) == 5
    problems = pw.validate(store, p)
    assert [q.where for q in problems] == ["row 2", "row 3", "row 4", "row 5", "row 6"]


def test_a_litre_of_anaesthetic_time_says_what_to_type(store):
    r = one(store, kind="anaesthetic", factor="desflurane", quantity="1 litre", fgf="1 L/min")
    assert r["error"] == ("desflurane: duration: '1 litre' cannot be converted to min; "
                          "write a time, e.g. '90 min' or '1.5 h'")


def test_asthma_template_totals_and_breakdown(store):
    p = pw.load(store, "asthma_pmdi")
    fp = pw.footprint(store, p)
    t = pw.totals(fp, p.cohort)
    car = 6 * MILE_KM * 0.16272  # 3 miles each way
    assert t["kgCO2e"] == pytest.approx(7.3 * 17.5 + 4 * 28.262 + car, rel=1e-9)
    assert t["cohort_kgCO2e"] == pytest.approx(1000 * t["kgCO2e"])
    assert t["cost_gbp"] == pytest.approx(7.3 * 7.42 + 4 * 1.50)  # the car row has no price
    assert t["priced_rows"] == 2 and t["gwp_basis"] == "AR5"
    assert t["factor_ids"] == ["car_petrol_average", "clenil_pmdi", "ventolin_evohaler"]
    by = pw.breakdown(fp, "category", p.cohort).set_index("category")
    assert by.loc["inhaler", "kgCO2e"] == pytest.approx(7.3 * 17.5 + 4 * 28.262)
    assert by["share"].sum() == pytest.approx(1.0)
    stages = pw.breakdown(fp, "stage", p.cohort).set_index("stage")
    assert stages.loc["review", "cohort_kgCO2e"] == pytest.approx(1000 * car)
    assert "miles in an average car" in equivalence.car(store, t["kgCO2e"])


def test_every_template_computes_and_states_its_sources(store, lib):
    templates = pw.templates()
    assert len(templates) >= 8
    sources = set(lib.sources.index)
    for p in templates:
        fp = pw.footprint(store, p)
        assert pw.errors(fp) == [], p.template_id
        assert p.assumptions, p.template_id
        assert all(a.source in sources for a in p.activities), p.template_id
        assert pw.totals(fp, p.cohort)["kgCO2e"] > 0 or p.template_id == "outpatient_virtual"


def test_compare_and_what_drives_the_gap(store):
    pmdi, dpi = pw.load(store, "asthma_pmdi"), pw.load(store, "asthma_dpi")
    df = pw.compare(store, [pmdi, dpi]).set_index("pathway")
    # DPI pathway: 3.65 Easyhaler x 0.580 + 4 DPIs x 0.8 (same car journey)
    gap = (3.65 * 0.580 + 4 * 0.8) - (7.3 * 17.5 + 4 * 28.262)
    assert df.loc[dpi.name, "difference_kgCO2e"] == pytest.approx(gap)
    assert df.loc[dpi.name, "cohort_difference_kgCO2e"] == pytest.approx(1000 * gap)
    long = pw.compare_breakdown(store, [pmdi, dpi], by="category")
    row = long[(long["pathway"] == dpi.name)].set_index("category")
    assert row.loc["inhaler", "difference_kgCO2e"] == pytest.approx(gap)
    assert row.loc["travel", "difference_kgCO2e"] == pytest.approx(0.0)


def test_gap_per_year_adds_up_when_cohorts_differ(store):
    """Per year, the gap by category adds up to the difference of the two totals, each pathway on
    its own cohort (1,000 patients on pMDIs, 500 on DPIs)."""
    from dataclasses import replace

    pmdi, dpi = pw.load(store, "asthma_pmdi"), replace(pw.load(store, "asthma_dpi"), cohort=500)
    car = 6 * MILE_KM * 0.16272
    pmdi_inhalers, dpi_inhalers = 7.3 * 17.5 + 4 * 28.262, 3.65 * 0.580 + 4 * 0.8
    total = pw.compare(store, [pmdi, dpi]).set_index("pathway").loc[dpi.name, "cohort_difference_kgCO2e"]
    assert total == pytest.approx(500 * (dpi_inhalers + car) - 1000 * (pmdi_inhalers + car))  # -238,925
    long = pw.compare_breakdown(store, [pmdi, dpi], by="category")
    row = long[long["pathway"] == dpi.name].set_index("category")
    assert row.loc["inhaler", "cohort_difference_kgCO2e"] == pytest.approx(500 * dpi_inhalers - 1000 * pmdi_inhalers)
    assert row.loc["travel", "cohort_difference_kgCO2e"] == pytest.approx(-500 * car)  # 500 fewer journeys
    assert row["cohort_difference_kgCO2e"].sum() == pytest.approx(total)
    assert row.loc["travel", "difference_kgCO2e"] == pytest.approx(0.0)  # per patient: the same journey


def test_a_saving_reads_as_a_fall_on_a_metric():
    # Streamlit reads a delta's direction from a leading ASCII '-': a typographic minus shows a rise
    assert formatting.delta(-235.48) == "-235.5 kgCO2e"
    assert formatting.delta(1234.0) == "+1.23 tCO2e"


def test_save_load_duplicate_delete(store):
    p = Pathway(name="My asthma clinic", condition="asthma", cohort=250,
                activities=[Activity(stage="maintenance", factor="clenil_pmdi", quantity="7.3 inhaler")])
    pw.save(store, p, "A. Tester")
    back = pw.load(store, "My asthma clinic")
    assert back.cohort == 250 and back.activities[0].quantity == "7.3 inhaler" and not back.is_template
    copy = pw.duplicate(store, "My asthma clinic", "Copy of my clinic", "A. Tester")
    assert pw.load(store, copy.name).activities == back.activities
    with pytest.raises(pw.PathwayError, match="already a pathway"):
        pw.duplicate(store, "My asthma clinic", "Copy of my clinic", "A. Tester")
    assert pw.delete(store, "Copy of my clinic") is True
    assert not pw.exists(store, "Copy of my clinic")
    with pytest.raises(pw.PathwayError, match="template"):
        pw.delete(store, pw.load(store, "asthma_pmdi").name)


def test_save_refuses_bad_rows_and_templates(store):
    bad = Pathway(name="Bad", activities=[Activity(factor="clenil_pmdi", quantity="3 L")])
    with pytest.raises(pw.PathwayError) as exc:
        pw.save(store, bad, "me")
    assert str(exc.value.problems[0]).startswith("row 1:")
    assert not pw.exists(store, "Bad")
    template = pw.load(store, "asthma_pmdi")
    with pytest.raises(pw.PathwayError, match="template"):
        pw.save(store, template, "me")


def test_toml_and_json_round_trip(store):
    p = pw.load(store, "hip_ga_desflurane")
    for text, read in ((pw.to_toml(p), pw.from_toml), (pw.to_json(p), pw.from_json)):
        back = read(text)
        assert back.activities == p.activities and back.cohort == p.cohort and back.assumptions == p.assumptions
    with pytest.raises(pw.PathwayError, match="unknown field"):
        pw.from_toml('name = "x"\n[[activity]]\nfactr = "clenil_pmdi"\n')
    with pytest.raises(pw.PathwayError, match="not valid JSON"):
        pw.from_file(b"{", "x.json")
    with pytest.raises(pw.PathwayError, match="cohort"):
        pw.from_json('{"name": "x", "cohort": -3}')


@pytest.mark.parametrize("quantity, duration", [("nan inhaler", ""), ("inf inhaler", ""),
                                                ("2 inhaler/month", "1e308 year")])
def test_a_quantity_that_is_not_a_finite_number_is_an_error_not_left_out(store, quantity, duration):
    # NaN used to compute to NaN with no error, so the totals silently skipped the row
    r = one(store, factor="clenil_pmdi", quantity=quantity, duration=duration)
    assert "is not a finite number" in r["error"]


@pytest.mark.parametrize("data, name, message", [
    (b"\xff\xfe not text", "scan.toml", "not a text file in UTF-8"),  # a binary file renamed .toml
    (b"name = 'x'\nassumptions = 5\n", "x.toml", "'assumptions' must be a list"),
    (b"name = ['x']\n", "x.toml", "the name must be text"),
    (b'{"name": "x", "cohort": 1e400}', "x.json", "above zero"),  # JSON's 1e400 is infinity
    (b"a,b", "x.csv", "must end in .toml or .json"),
])
def test_a_malformed_file_is_a_pathway_error_not_a_crash(data, name, message):
    with pytest.raises(pw.PathwayError, match=message):
        pw.from_file(data, name)


def test_seeding_keeps_a_users_pathway(store):
    assert pw.seed_demo(store) is False  # already seeded by open_store, files unchanged
    mine = Pathway(name="Mine", activities=[Activity(factor="waste_hti_clinical", quantity="1 kg")])
    pw.save(store, mine, "me")
    store.execute("DELETE FROM pathway_meta")  # as if the template files had changed
    assert pw.seed_demo(store) is True
    assert pw.exists(store, "Mine")
    assert len(pw.list_pathways(store).query("is_template")) == len(pw.templates())
