"""The swap catalogue (factors/alternatives.csv) and the savings of swaps, against hand arithmetic.

AR5 figures used by hand: Clenil Modulite pMDI 17.5 kgCO2e/inhaler (GBP 7.42), Beclometasone
Easyhaler 0.580 (GBP 14.93), Ventolin Evohaler 28.262 (GBP 1.50), salbutamol DPI 0.8 (GBP 3.31),
Salamol 11.95, average petrol car 0.16272 kgCO2e/km, UK grid 0.177 kgCO2e/kWh.
"""

import shutil
from dataclasses import replace

import pytest

from carbon import alternatives as al
from carbon import factors as fx
from carbon import pathways as pw
from carbon.pathways import Activity, Pathway

MILE_KM = 1.609344


def test_catalogue_is_valid_sourced_and_caveated(store, lib):
    assert al.validate(store) == []
    cat = al.catalogue(store)
    assert len(cat) >= 20 and cat["id"].is_unique
    assert cat["caveat"].str.len().gt(20).all()
    assert set(cat["source"]) <= set(lib.sources.index)
    assert (cat["source_title"] != "").all()
    groups = set(cat["group"])
    for g in ("Propellant inhaler to dry-powder inhaler", "Lower-volume or low-GWP propellant",
              "Volatile agent to sevoflurane", "Volatile agent to TIVA or regional anaesthesia",
              "Nitrous oxide reduction", "Face-to-face to virtual", "Car to public transport",
              "Car to active travel", "Car to electric car", "Single-use to reusable"):
        assert g in groups


def test_a_bad_catalogue_row_is_named(store):
    store.execute(
        "INSERT INTO ref_alternatives (id, \"group\", name, from_kind, from_factor, to_kind, to_factor, "
        "quantity_ratio, source, caveat) VALUES ('bad_swap', 'x', 'x', 'factor', 'no_such_inhaler', 'factor', "
        "'inhaler_dpi_generic', 0, 'janson_2020_thorax', '')")
    problems = al.validate(store)
    assert any("bad_swap" in p and "no_such_inhaler" in p for p in problems)
    assert any("bad_swap" in p and "caveat" in p for p in problems)
    assert any("bad_swap" in p and "quantity_ratio" in p for p in problems)
    with pytest.raises(al.AlternativeError, match="alternatives.csv"):
        al.catalogue(store)


def test_alternatives_csv_sources_are_checked_at_load(tmp_path):
    lib_dir = tmp_path / "factors"
    shutil.copytree(fx.FACTORS_DIR, lib_dir)
    path = lib_dir / "alternatives.csv"
    path.write_text(path.read_text().replace(",janson_2020_thorax,", ",no_such_source,", 1))
    with pytest.raises(fx.LibraryError, match="alternatives.csv:[0-9]+: source 'no_such_source'"):
        fx.read_library(lib_dir)


def test_asthma_swaps_and_savings(store):
    p = pw.load(store, "asthma_pmdi")
    table = al.applicable(store, p).set_index("swap")
    clenil = 7.3 * 17.5 - 3.65 * 0.580  # one Easyhaler 200 for two Clenil 100: 3.65 a year
    ventolin = 4 * 28.262 - 4 * 0.8
    assert table.loc["clenil_to_easyhaler", "saving_kgCO2e"] == pytest.approx(clenil)
    assert table.loc["ventolin_evohaler_to_dpi", "saving_kgCO2e"] == pytest.approx(ventolin)
    assert table.loc["ventolin_to_salamol", "saving_kgCO2e"] == pytest.approx(4 * (28.262 - 11.95))
    every = table.loc["every: Propellant inhaler to dry-powder inhaler"]
    assert every["saving_kgCO2e"] == pytest.approx(clenil + ventolin)
    assert every["cohort_saving_kgCO2e"] == pytest.approx(1000 * (clenil + ventolin))
    # pounds saved: negative means the DPIs cost more
    assert every["saving_cost_gbp"] == pytest.approx((7.3 * 7.42 - 3.65 * 14.93) + (4 * 1.50 - 4 * 3.31))
    # low end: Clenil low 10 kg, Easyhaler low 0.514; Ventolin 28.262, DPI low 0.359
    assert every["saving_kgCO2e_low"] == pytest.approx((7.3 * 10 - 3.65 * 0.514) + 4 * (28.262 - 0.359))
    assert al.best(al.applicable(store, p))["swap"] == every.name
    assert "where clinically appropriate" in every["caveat"].lower()
    # both swaps' caveats, under one "where clinically appropriate", not one per swap
    assert every["caveat"].lower().count("where clinically appropriate") == 1
    assert "same molecule" in every["caveat"] and "young children" in every["caveat"]
    # the 3-mile review is short enough to walk or cycle; never a hip clinic 10 miles away
    assert table.loc["car_to_active", "saving_kgCO2e"] == pytest.approx(6 * MILE_KM * 0.16272)
    assert "car_to_active" not in set(al.applicable(store, pw.load(store, "hip_ga_desflurane"))["swap"])


def test_dpi_variant_is_the_dpi_template(store):
    p = pw.load(store, "asthma_pmdi")
    every = al.best(al.applicable(store, p))
    variant = al.apply(store, p, every["swaps"])
    assert [a.factor for a in variant.activities] == ["easyhaler_beclometasone", "inhaler_dpi_generic",
                                                      "car_petrol_average"]
    assert variant.activities[0].quantity.startswith("3.65 inhaler")
    assert any("clinically appropriate" in a.lower() for a in variant.assumptions)
    mine = pw.totals(pw.footprint(store, variant), p.cohort)["kgCO2e"]
    template = pw.totals(pw.footprint(store, pw.load(store, "asthma_dpi")), p.cohort)["kgCO2e"]
    assert mine == pytest.approx(template)
    assert mine == pytest.approx(3.65 * 0.580 + 4 * 0.8 + 6 * MILE_KM * 0.16272)
    saved = pw.save(store, replace(variant, name=al.free_name(store, variant.name)), "tester")
    assert pw.load(store, saved.name).activities == variant.activities
    assert al.free_name(store, saved.name) == f"{saved.name} (2)"


def test_virtual_variant_is_the_virtual_template(store):
    p = pw.load(store, "outpatient_f2f")
    row = al.applicable(store, p).set_index("swap").loc["face_to_face_to_virtual"]
    car = 3 * 18 * MILE_KM * 0.16272
    video = 3 * 0.05 * 0.177
    assert row["saving_kgCO2e"] == pytest.approx(car - video)
    variant = al.apply(store, p, "face_to_face_to_virtual")
    a = variant.activities[0]
    assert (a.kind, a.factor, a.quantity, a.duration, a.distance) == (
        "factor", "grid_electricity_uk", "0.05 kWh/appointment", "3 appointment", "")
    virtual = pw.load(store, "outpatient_virtual")
    assert pw.totals(pw.footprint(store, variant), 1)["kgCO2e"] == pytest.approx(
        pw.totals(pw.footprint(store, virtual), 1)["kgCO2e"])


def test_desflurane_swaps(store):
    p = pw.load(store, "hip_ga_desflurane")
    table = al.applicable(store, p).set_index("swap")
    des = 1 * 120 * 0.06 / 24.055 * 168.04 / 1000 * 1790  # 1 L/min, 2 h, 1 MAC: 90.03 kgCO2e
    sevo = 1 * 120 * 0.02 / 24.055 * 200.05 / 1000 * 216  # 4.31 kgCO2e
    assert table.loc["desflurane_to_sevoflurane", "saving_kgCO2e"] == pytest.approx(des - sevo, rel=1e-4)
    assert table.loc["volatile_to_tiva_regional", "saving_kgCO2e"] == pytest.approx(des, rel=1e-4)
    assert "Only the anaesthetic gas avoided is counted" in table.loc["volatile_to_tiva_regional", "caveat"]
    gone = al.apply(store, p, ["volatile_to_tiva_regional"])
    assert "desflurane" not in [a.factor for a in gone.activities] and len(gone.activities) == 4
    # a dial setting in % becomes the same depth in MAC for the new agent
    dialled = Pathway(name="d", activities=[Activity(kind="anaesthetic", factor="desflurane", quantity="1 h",
                                                     fgf="1 L/min", concentration="7.2 %")])
    assert al.apply(store, dialled, "desflurane_to_sevoflurane").activities[0].concentration == "1.2 MAC"


def test_nitrous_oxide_and_reusables(store):
    p = Pathway(name="n", cohort=10, activities=[
        Activity(kind="anaesthetic", factor="n2o", quantity="1 h", fgf="1 L/min"),
        Activity(factor="laryngoscope_single_use_ambu", quantity="1 procedure"),
    ])
    table = al.applicable(store, p).set_index("swap")
    assert table.loc["n2o_carrier_to_air", "saving_kgCO2e"] == pytest.approx(39.6 / 23.645 * 44.013 / 1000 * 265,
                                                                             rel=1e-4)
    assert table.loc["laryngoscope_to_reusable", "saving_kgCO2e"] == pytest.approx(7.46 - 0.114)
    assert table.loc["laryngoscope_to_reusable", "cohort_saving_kgCO2e"] == pytest.approx(10 * (7.46 - 0.114))


def test_bus_swap_drops_the_car_occupancy(store):
    p = Pathway(name="b", activities=[Activity(kind="travel", factor="car_petrol_average", quantity="1",
                                               distance="10 km", occupancy="2")])
    variant = al.apply(store, p, "car_to_bus")
    assert variant.activities[0].occupancy == "" and variant.activities[0].factor == "bus_local_average"
    assert pw.errors(pw.footprint(store, variant)) == []


def test_apply_explains_what_does_not_fit(store):
    p = pw.load(store, "asthma_dpi")
    with pytest.raises(al.AlternativeError, match="no swap called"):
        al.apply(store, p, "no_such_swap")
    with pytest.raises(al.AlternativeError, match="fits"):
        al.apply(store, p, "desflurane_to_sevoflurane")


def test_every_template_has_a_best_swap_except_the_virtual_one(store):
    summary = al.summary(store).set_index("template")
    assert summary.loc["asthma_pmdi", "saving_kgCO2e"] == pytest.approx(7.3 * 17.5 - 3.65 * 0.580 + 4 * (28.262 - 0.8))
    has = summary.drop(index="outpatient_virtual")
    assert (has["saving_kgCO2e"] > 0).all()
    assert (has["saving_kgCO2e"] <= has["kgCO2e"] + 1e-9).all()


def test_join_caveats_says_where_clinically_appropriate_once():
    assert al.join_caveats(["Where clinically appropriate: a DPI needs a fast breath.",
                            "where clinically appropriate: agree it with the patient.",
                            "Where clinically appropriate: a DPI needs a fast breath."]) == (
        "Where clinically appropriate: a DPI needs a fast breath. Agree it with the patient.")
    assert al.join_caveats(["Check technique."]) == "Where clinically appropriate: Check technique."
    assert al.join_caveats([]) == ""


def test_every_swap_offered_says_where_clinically_appropriate(store):
    for t in pw.templates():
        swaps = al.applicable(store, pw.load(store, t.template_id))
        assert swaps["caveat"].str.startswith("Where clinically appropriate: ").all(), t.template_id
        assert (swaps["caveat"].str.len() > len("Where clinically appropriate: ") + 20).all(), t.template_id
