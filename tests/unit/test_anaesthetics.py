"""Anaesthetic gases against the reference sheet (factors.md §2b, §2c) and hand arithmetic.

Model: vapour (L) = FGF (L/min) x minutes x concentration; mol = L / molar volume (24.055 L/mol
at 20 C, 23.645 at 15 C for N2O); g = mol x molar mass; mL = g / density; kgCO2e = kg x GWP.
"""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbon import factors as fx
from carbon.anaesthetics import (
    AnaestheticError,
    alternatives,
    anaesthetic,
    compare_agents,
    cylinder_sizes,
    purchased,
    range_note,
)
from carbon.units import ureg


def test_desflurane_one_mac_hour_at_2_l_min_matches_the_sheet(store):
    # 2 L/min x 60 min x 6.0 % = 7.2 L vapour; 7.2 / 24.055 = 0.29931 mol; x 168.04 g/mol = 50.30 g
    r = anaesthetic(store, "desflurane", "2 L/min", "1 h", basis="AR5")
    assert r.agent_kg * 1000 == pytest.approx(50.30, abs=0.01)
    # liquid: 50.30 g / 1.465 g/mL = 34.33 mL (sheet: 34.3 mL/h)
    assert r.liquid_ml == pytest.approx(34.33, abs=0.01)
    # 0.05030 kg x 1790 kgCO2e/kg (AR5) = 90.0 kgCO2e (sheet: 90)
    assert r.kgCO2e == pytest.approx(0.050296 * 1790, rel=1e-4)
    assert round(r.kgCO2e) == 90
    assert r.gwp_basis == "AR5" and r.gwp_basis_used == "AR5"
    assert set(r.factor_ids) == {"mac_desflurane", "molar_volume_20c", "molar_mass_desflurane",
                                 "density_desflurane", "gwp_desflurane_ar5"}
    # MAC range 6.0-6.6 % gives the high end: x 6.6/6.0
    assert r.kgCO2e_low == pytest.approx(r.kgCO2e)
    assert r.kgCO2e_high == pytest.approx(r.kgCO2e * 6.6 / 6.0, rel=1e-9)
    assert any("7.2 L" in s for s in r.steps) and any("50.3 g" in s for s in r.steps)


@pytest.mark.parametrize("basis, sheet", [("SA2012", 128), ("AR5", 90), ("AR6", 130)])
def test_desflurane_gwp_basis_switch(store, basis, sheet):
    # sheet: 50.3 g => 128 (SA2012, 2540) / 90 (AR5, 1790) / 130 (AR6, 2590) kgCO2e
    r = anaesthetic(store, "desflurane", "2 L/min", "60 min", basis=basis)
    assert round(r.kgCO2e) == sheet
    assert f"gwp_desflurane_{basis.lower()}" in r.factor_ids


def test_ryan_and_nielsen_2010_mass_basis(store):
    # Ryan & Nielsen 2010: desflurane 1 MAC-h at 2 L/min = 187.2 kgCO2e at GWP20 3714 => 50.4 g
    published_g = 187.186 / 3714 * 1000
    r = anaesthetic(store, "desflurane", "2 L/min", "1 h")
    assert published_g == pytest.approx(50.4, abs=0.05)
    assert r.agent_kg * 1000 == pytest.approx(published_g, rel=0.005)


def test_derived_result_agrees_with_the_library_mac_hour_factor(store, lib):
    # desflurane_mac_hour_fgf_2 is the same model written as a factor formula (kgCO2e/hour)
    for basis in ("AR5", "SA2012", "AR6"):
        r = anaesthetic(store, "desflurane", "2 L/min", "1 h", basis=basis)
        f = lib.quantity("desflurane_mac_hour_fgf_2", basis).value.to("kgCO2e/hour").magnitude
        assert r.kgCO2e == pytest.approx(f, rel=1e-9)


def test_sevoflurane_one_mac_hour_at_1_l_min(store):
    # 1 L/min x 60 min x 2.0 % = 1.2 L; / 24.055 = 0.049886 mol; x 200.05 = 9.980 g; / 1.52 = 6.566 mL
    r = anaesthetic(store, "sevoflurane", "1 L/min", "60 min")
    assert r.agent_kg * 1000 == pytest.approx(9.980, abs=0.001)
    assert r.liquid_ml == pytest.approx(6.566, abs=0.001)  # sheet: 6.6 mL
    assert r.kgCO2e == pytest.approx(0.009980 * 216, rel=1e-3)  # sheet AR5: 2.16
    assert round(anaesthetic(store, "sevoflurane", "1 L/min", "1 h", basis="SA2012").kgCO2e, 2) == 1.30


def test_sevoflurane_has_no_ar4_gwp_and_falls_back(store):
    # bases.csv: AR4 falls back to SA2012 (130) for sevoflurane
    r = anaesthetic(store, "sevoflurane", "1 L/min", "1 h", basis="AR4")
    assert r.gwp_basis == "AR4" and r.gwp_basis_used == "SA2012"
    assert "gwp_sevoflurane_sa2012" in r.factor_ids
    assert any("no AR4 GWP" in s for s in r.steps)


def test_isoflurane_one_mac_hour(store):
    # 1 L/min x 60 x 1.15 % = 0.69 L; / 24.055 x 184.49 = 5.292 g; / 1.496 = 3.537 mL (sheet 5.3 g, 3.5 mL)
    r = anaesthetic(store, "isoflurane", "1 L/min", "1 h", basis="SA2012")
    assert r.agent_kg * 1000 == pytest.approx(5.292, abs=0.001)
    assert r.liquid_ml == pytest.approx(3.537, abs=0.001)
    assert round(r.kgCO2e, 2) == 2.70  # x 510 (SA2012); sheet 2.70


def test_concentration_and_mac_multiples(store):
    # 3 % desflurane is half of 1 MAC (6 %), and "0.5 MAC" says the same
    full = anaesthetic(store, "desflurane", "1 L/min", "1 h")
    half = anaesthetic(store, "desflurane", "1 L/min", "1 h", "3 %")
    mac = anaesthetic(store, "desflurane", "1 L/min", "1 h", "0.5 MAC")
    assert half.kgCO2e == pytest.approx(full.kgCO2e / 2)
    assert mac.kgCO2e == pytest.approx(half.kgCO2e)
    # a given concentration carries no MAC range
    assert half.kgCO2e_high == pytest.approx(half.kgCO2e)


def test_units_do_not_change_the_answer(store):
    a = anaesthetic(store, "sevoflurane", "1 L/min", "90 min", "2 %")
    b = anaesthetic(store, "sevoflurane", "1000 mL/min", "1.5 h", 0.02 * ureg.dimensionless)
    c = anaesthetic(store, "sevoflurane", ureg.Quantity(60, "L/h"), "5400 s", "20 permille")
    assert a.kgCO2e == pytest.approx(b.kgCO2e) == pytest.approx(c.kgCO2e)


def test_theatre_shorthand_lpm_is_litres_a_minute(store):
    # '2 lpm' and '2 LPM' are 2 L/min: sevoflurane 1 MAC (2 %) for 90 min = 3.6 L of vapour
    a = anaesthetic(store, "sevoflurane", "2 L/min", "90 min")
    for typed in ("2 lpm", "2 LPM", "2lpm"):
        assert anaesthetic(store, "sevoflurane", typed, "90 min").kgCO2e == pytest.approx(a.kgCO2e)


def test_nitrous_oxide_carrier_gas(store):
    # 1 L/min x 60 min x 66 % = 39.6 L; / 23.645 L/mol (15 C) = 1.6748 mol; x 44.013 = 73.71 g
    r = anaesthetic(store, "n2o", "1 L/min", "1 h")
    assert r.agent_kg == pytest.approx(0.07371, abs=1e-5)  # sheet: 0.074 kg
    assert r.kgCO2e == pytest.approx(0.07371 * 265, rel=1e-4)  # 19.53 (sheet: 19.5, AR5)
    assert r.liquid_ml is None
    assert set(r.factor_ids) == {"molar_volume_15c", "molar_mass_n2o", "gwp_n2o_ar5"}
    # 2 L/min: 0.14742 kg x 273 (AR6) = 40.25 kgCO2e (sheet: 40.3)
    assert anaesthetic(store, "n2o", "2 L/min", "1 h", basis="AR6").kgCO2e == pytest.approx(40.25, abs=0.01)


def test_nitrous_oxide_agrees_with_per_litre_factor(store, lib):
    # n2o_per_litre (kgCO2e/L at 15 C) x litres of pure N2O
    r = anaesthetic(store, "n2o", "2 L/min", "30 min", "100 %")
    per_l = lib.quantity("n2o_per_litre", "AR5").value.to("kgCO2e/L").magnitude
    assert r.kgCO2e == pytest.approx(60 * per_l, rel=1e-9)


def test_entonox_is_half_nitrous_oxide(store):
    # 10 L/min of Entonox for 30 min = 300 L of mixture = 150 L N2O; /23.645 x 44.013 = 279.2 g
    r = anaesthetic(store, "entonox", "10 L/min", "30 min")
    assert r.agent_kg == pytest.approx(150 / 23.645 * 44.013 / 1000, rel=1e-4)
    assert r.kgCO2e == pytest.approx(r.agent_kg * 265, rel=1e-9)
    assert r.gas_litres == pytest.approx(300)
    assert "entonox_n2o_fraction" in r.factor_ids


def test_purchased_bottles_match_the_bottle_factor(store, lib):
    # 12 bottles x 240 mL x 1.465 g/mL = 4,219.2 g desflurane; x 1790 = 7,552 kgCO2e (AR5)
    r = purchased(store, "desflurane", "12 bottle")
    assert r.liquid_ml == pytest.approx(2880)
    assert r.agent_kg == pytest.approx(4.2192)
    assert r.kgCO2e == pytest.approx(4.2192 * 1790)
    bottle = lib.quantity("desflurane_bottle", "AR5").value.to("kgCO2e/bottle").magnitude
    assert r.kgCO2e == pytest.approx(12 * bottle)
    # 250 mL at the high end of the bottle volume, 1.6115 g/mL at the high end of density
    assert r.kgCO2e_high == pytest.approx(12 * 250 * 1.6115 / 1000 * 1790, rel=1e-9)


def test_purchased_rate_is_a_year_and_ml_and_kg_agree(store):
    a = purchased(store, "sevoflurane", "40 bottle/year")
    b = purchased(store, "sevoflurane", "10 L")  # 40 x 250 mL of liquid
    c = purchased(store, "sevoflurane", "15.2 kg")  # 10,000 mL x 1.52 g/mL
    assert a.kgCO2e == pytest.approx(15.2 * 216) == pytest.approx(b.kgCO2e) == pytest.approx(c.kgCO2e)


def test_purchased_cylinders(store, lib):
    # size E N2O cylinder = 1,800 L; / 23.645 x 44.013 = 3.3505 kg; x 265 = 887.9 kgCO2e
    r = purchased(store, "n2o", "3 cylinder", cylinder="e")
    assert r.agent_kg == pytest.approx(3 * 1800 / 23.645 * 44.013 / 1000, rel=1e-4)  # 23.6447 L/mol exactly
    assert r.kgCO2e == pytest.approx(3 * 887.9, rel=1e-3)
    assert r.kgCO2e == pytest.approx(3 * lib.quantity("n2o_cylinder_e", "AR5").value.magnitude, rel=1e-6)
    # Entonox size G = 5,000 L of mixture, half of it N2O
    e = purchased(store, "entonox", "2 cylinder", cylinder="G")
    assert e.kgCO2e == pytest.approx(2 * lib.quantity("entonox_cylinder_g", "AR5").value.magnitude, rel=1e-6)
    assert "cylinder_volume_entonox_g" in e.factor_ids
    assert {"c", "d", "e", "f", "g"} <= set(cylinder_sizes(store, "n2o"))


@pytest.mark.parametrize("call, message", [
    (lambda s: anaesthetic(s, "halothane", "1 L/min", "1 h"), "unknown agent"),
    (lambda s: anaesthetic(s, "sevoflurane", "1 L", "1 h"), "fresh gas flow"),
    (lambda s: anaesthetic(s, "sevoflurane", "1 L/min", "1 kg"), "duration"),
    (lambda s: anaesthetic(s, "sevoflurane", "1 L/min", "60"), "no unit"),
    (lambda s: anaesthetic(s, "sevoflurane", "1 L/min", "1 h", "2"), "did you mean '2 %'"),
    (lambda s: anaesthetic(s, "sevoflurane", "1 L/min", "1 h", basis="AR9"), "unknown GWP basis"),
    (lambda s: anaesthetic(s, "sevoflurane", "-1 L/min", "1 h"), "negative"),
    (lambda s: purchased(s, "desflurane", "3 cylinder"), "not bottles"),
    (lambda s: purchased(s, "n2o", "2 bottle"), "not litres of gas"),
    (lambda s: purchased(s, "n2o", "1 cylinder", cylinder="z"), "no size 'z'"),
    (lambda s: purchased(s, "n2o", "12"), "no unit"),
    (lambda s: purchased(s, "desflurane", "-3 bottle"), "cannot be negative"),
    (lambda s: purchased(s, "desflurane", "nan bottle"), "not a finite number"),
    (lambda s: anaesthetic(s, "sevoflurane", "inf L/min", "1 h"), "fresh gas flow: 'inf L/min' is not a finite number"),
    (lambda s: purchased(s, "n2o", "-1 cylinder"), "cannot be negative"),
    (lambda s: anaesthetic(s, "desflurane", "1 L/min", "1 litre"), "duration: '1 litre' .* write a time"),
    (lambda s: anaesthetic(s, "desflurane", "abc", "1 h"), "fresh gas flow: cannot read 'abc'"),
    (lambda s: purchased(s, "desflurane", "abc"), "amount of desflurane: cannot read 'abc'"),
    # no vaporiser delivers these: desflurane dials stop at 18 %, sevoflurane at 8 % (5 x 2 % MAC = 10 %)
    (lambda s: anaesthetic(s, "desflurane", "1 L/min", "1 h", "99 %"),
     r"above the highest vaporiser setting .*\(18 %\)"),
    (lambda s: anaesthetic(s, "sevoflurane", "1 L/min", "1 h", "5 MAC"), r"is 10 %, which is above .*\(8 %\)"),
])
def test_bad_input_is_a_clear_error(store, call, message):
    with pytest.raises(AnaestheticError, match=message):
        call(store)


def test_override_of_a_gwp_applies(store):
    fx.set_override(store, "gwp_desflurane_ar5", 2000, "sensitivity test", "tester")
    r = anaesthetic(store, "desflurane", "2 L/min", "1 h")
    assert r.kgCO2e == pytest.approx(0.050296 * 2000, rel=1e-4)


def test_alternatives_are_comparable_and_honest(store):
    r = anaesthetic(store, "desflurane", "1 L/min", "2 h")
    alt = alternatives(r).set_index("option")
    assert list(alt.index) == ["desflurane", "tiva", "regional"]
    assert alt.loc["desflurane", "kgCO2e"] == pytest.approx(r.kgCO2e)
    assert alt.loc["tiva", "kgCO2e"] == 0 and alt.loc["tiva", "saving_kgCO2e"] == pytest.approx(r.kgCO2e)
    assert "propofol" in alt.loc["tiva", "not_counted"].lower()
    assert alt["caveat"].str.contains("clinically appropriate").all()


def test_compare_agents_at_the_same_settings(store):
    df = compare_agents(store, "1 L/min", "1 h", basis="SA2012").set_index("agent")
    # SA2012 sheet at 1 L/min: desflurane 64, isoflurane 2.70, sevoflurane 1.30 kgCO2e
    assert round(df.loc["desflurane", "kgCO2e"]) == 64
    assert round(df.loc["isoflurane", "kgCO2e"], 2) == 2.70
    assert round(df.loc["sevoflurane", "kgCO2e"], 2) == 1.30
    assert df.loc["tiva", "kgCO2e"] == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(agent=st.sampled_from(["desflurane", "sevoflurane", "isoflurane", "n2o", "entonox"]),
       flow=st.floats(0.1, 10), minutes=st.floats(1, 600), k=st.floats(0.1, 10))
def test_linear_in_duration_and_blind_to_the_unit(store, agent, flow, minutes, k):
    a = anaesthetic(store, agent, f"{flow} L/min", f"{minutes} min")
    # the same flow in mL/h and the same time in hours
    b = anaesthetic(store, agent, f"{flow * 60000} mL/h", f"{minutes / 60} h")
    assert b.kgCO2e == pytest.approx(a.kgCO2e, rel=1e-9)
    longer = anaesthetic(store, agent, f"{flow} L/min", f"{minutes * k} min")
    assert longer.kgCO2e == pytest.approx(a.kgCO2e * k, rel=1e-9)
    assert longer.agent_kg == pytest.approx(a.agent_kg * k, rel=1e-9)
    assert a.kgCO2e_low <= a.kgCO2e <= a.kgCO2e_high


def test_the_readmes_sevoflurane_figures_are_the_calculators(store):
    """README.md quotes sevoflurane at 1 MAC for an hour at 2 L/min: by hand 2 L/min x 60 min x 2 % =
    2.4 L; / 24.055 L/mol x 200.05 g/mol = 19.96 g; x 216 (AR5) = 4.311, x 130 (SA2012) = 2.595,
    x 195 (AR6) = 3.892 kgCO2e; the low end at 1.8 % MAC = 0.9 x 4.311 = 3.880 kgCO2e."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    quoted = re.search(r"anaesthetic with sevoflurane \(1 MAC = 2 %, also at 2 L/min for an hour\): (.*?) A chart",
                       readme, re.S).group(1)
    grams = 2.4 / 24.055 * 200.05
    r = {b: anaesthetic(store, "sevoflurane", "2 L/min", "1 h", basis=b) for b in ("AR5", "SA2012", "AR6")}
    assert r["AR5"].agent_kg * 1000 == pytest.approx(grams, rel=1e-3)
    assert f"{r['AR5'].agent_kg * 1000:.1f} g of agent ({r['AR5'].liquid_ml:.1f} mL of liquid)" in quoted
    assert " ".join(quoted.split()).startswith(
        f"20.0 g of agent (13.1 mL of liquid), {r['AR5'].kgCO2e:.2f} kgCO2e on AR5, {r['SA2012'].kgCO2e:.2f} on SA2012, "
        f"{r['AR6'].kgCO2e:.2f} on AR6")
    assert r["AR5"].kgCO2e == pytest.approx(grams / 1000 * 216, rel=1e-3)
    assert f"from {r['AR5'].kgCO2e_low:.2f} to {r['AR5'].kgCO2e_high:.2f} kgCO2e" in " ".join(quoted.split())
    assert r["AR5"].kgCO2e_low == pytest.approx(0.9 * r["AR5"].kgCO2e) and r["AR5"].kgCO2e_high == r["AR5"].kgCO2e
    half = anaesthetic(store, "sevoflurane", "1 L/min", "1 h")
    assert "2.16 on AR5" in quoted and round(half.kgCO2e, 2) == 2.16


def test_a_figure_at_the_end_of_its_range_says_why(store):
    """1 MAC of sevoflurane is 2.0 %, the top of constants.csv's 1.8-2.0 %: the figure is the top of its
    range (3.880 = 0.9 x 4.311 to 4.311 kgCO2e); desflurane's 6.0 % is the bottom of 6.0-6.6 %."""
    sevo = anaesthetic(store, "sevoflurane", "2 L/min", "1 h")
    assert sevo.kgCO2e == sevo.kgCO2e_high
    assert range_note(store, sevo) == ("The figure is the top of its range: Sevoflurane minimum alveolar concentration "
                                       "(adult, about 40 yr) is taken as 2%, the top of its published 1.8–2%.")
    des = anaesthetic(store, "desflurane", "2 L/min", "1 h")
    assert range_note(store, des).startswith("The figure is the bottom of its range: Desflurane minimum alveolar")
    assert "6–6.6%" in range_note(store, des)
    # a dial setting typed in takes no range from the MAC: nothing to explain
    assert range_note(store, anaesthetic(store, "sevoflurane", "2 L/min", "1 h", "2 %")) == ""
