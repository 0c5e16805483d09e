"""The one pint registry: CO2e units, travel distances, countables, and clear unit errors."""

import pytest

from carbon.units import Q_, UnitError, convert, denominator, is_co2e_per_something, kg, parse, ureg


def test_co2e_units_scale_by_thousands():
    assert parse("1 tCO2e").to("kgCO2e").magnitude == pytest.approx(1000)
    assert parse("2500 gCO2e").to("kgCO2e").magnitude == pytest.approx(2.5)
    assert parse("1 ktCO2e").to("tCO2e").magnitude == pytest.approx(1000)


def test_co2e_is_not_a_mass():
    """kgCO2e and kg are different things: a GWP (kgCO2e/kg) is what joins them."""
    with pytest.raises(UnitError, match="cannot be converted"):
        convert(parse("1 kgCO2e"), "kg", "footprint")
    gwp = parse("1300 kgCO2e/kg")
    assert (parse("19.8 g") * gwp).to("kgCO2e").magnitude == pytest.approx(25.74)


def test_miles_and_km_of_a_passenger_km_factor_agree():
    factor = Q_(0.03546, "kgCO2e/passenger_km")  # DESNZ 2025 national rail
    by_miles = kg(parse("18 mile") * factor)
    by_km = kg(parse("28.968192 km") * factor)
    assert by_miles == pytest.approx(by_km, rel=1e-9)
    assert by_miles == pytest.approx(18 * 1.609344 * 0.03546)


def test_litres_where_a_distance_belongs_is_a_clear_error():
    with pytest.raises(UnitError) as err:
        convert(parse("3 L"), "vehicle_km", "journey to clinic")
    msg = str(err.value)
    assert "journey to clinic" in msg and "3 l" in msg.lower() and "[length]" in msg


def test_countables_are_their_own_dimensions():
    yearly = parse("2 inhaler/month") * parse("12 month")
    assert yearly.to_reduced_units().magnitude == pytest.approx(24)
    assert str(yearly.to_reduced_units().units) == "inhaler"
    with pytest.raises(UnitError):
        convert(parse("3 bottle"), "inhaler", "inhalers")


def test_factor_unit_shape():
    assert is_co2e_per_something("kgCO2e/passenger_km")
    assert is_co2e_per_something("kgCO2e/kg")
    assert is_co2e_per_something("gCO2e/actuation")
    assert not is_co2e_per_something("kgCO2e")
    assert not is_co2e_per_something("kg/km")
    assert not is_co2e_per_something("kgCO2e*km")
    assert str(denominator("kgCO2e/vehicle_mile")) == "vehicle_mile"


def test_unreadable_quantities_name_the_text():
    with pytest.raises(UnitError, match="furlongz"):
        parse("3 furlongz")
    with pytest.raises(UnitError, match="empty"):
        parse("   ")


def test_money_is_a_unit():
    assert (parse("1.50 GBP/inhaler") * parse("24 inhaler")).to("GBP").magnitude == pytest.approx(36)
    assert parse("150 pence").to("GBP").magnitude == pytest.approx(1.5)
    assert ureg.GBP.dimensionality != ureg.kgCO2e.dimensionality


def test_a_unit_typo_names_the_word_and_suggests_the_unit():
    with pytest.raises(UnitError, match=r"'inhalr' is not a unit this calculator knows \(did you mean 'inhaler'\?\)"):
        parse("7.3 inhalr/year")
    with pytest.raises(UnitError, match=r"'zzqx' is not a unit this calculator knows$"):
        parse("2 zzqx")
