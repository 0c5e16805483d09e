"""Equivalences that fit the size of the number (factors/equivalences.csv), worked by hand on AR5:

* a mile in the DESNZ 2025 average car: 1.609344 km x 0.16725 kgCO2e/km = 0.26916 kgCO2e;
* a return flight Heathrow to New York JFK, one passenger: 2 x 5,540 km x 0.15282 kgCO2e per
  passenger-km (DESNZ 2025 long haul, average passenger, with RF) = 1,693.25 kgCO2e;
* a home's gas and electricity for a year (Ofgem's typical 2,700 kWh and 11,500 kWh): 2,700 x 0.177
  + 11,500 x 0.18296 = 477.90 + 2,104.04 = 2,581.94 kgCO2e.
"""

import pytest

from carbon import equivalence

MILE = 1.609344 * 0.16725
FLIGHT = 11_080 * 0.15282
HOME = 2_700 * 0.177 + 11_500 * 0.18296


def test_each_picture_is_worked_from_the_library(store):
    each = equivalence.table(store).set_index("id")["kg_each"]
    assert each["car_miles"] == pytest.approx(MILE)
    assert each["return_flights_london_new_york"] == pytest.approx(FLIGHT)
    assert each["home_energy_years"] == pytest.approx(HOME)


def test_the_picture_fits_the_size(store):
    assert equivalence.fit(store, 100) == f"= {100 / MILE:,.0f} miles in an average car"       # 372
    assert equivalence.fit(store, 1_999) == f"= {1_999 / MILE:,.0f} miles in an average car"   # 7,427
    # the swap of the asthma template for 1,000 patients: 235.48 tCO2e = 139 flights, not 875,000 miles
    assert equivalence.fit(store, 235_480) == "= 139 return flights London to New York, one passenger each"
    assert equivalence.fit(store, 2 * FLIGHT) == "= 2 return flights London to New York, one passenger each"
    # a board's 38,117 tCO2e a year = 14,763 homes, never "56,695.5 times round the Earth"
    assert equivalence.fit(store, 38_116_800, a_year=True) == (
        f"= {38_116_800 / HOME:,.0f} homes' gas and electricity for a year")
    assert equivalence.fit(store, 242_369, a_year=True) == (
        "= 143 return flights London to New York a year, one passenger each")
    assert equivalence.fit(store, -235_480).startswith("= 139 return flights")  # a saving's size
    assert equivalence.fit(store, 0) == "" and equivalence.fit(store, float("nan")) == ""


def test_a_basis_or_an_override_moves_the_picture_like_every_figure(store):
    from carbon import factors as fx

    fx.set_override(store, "car_unknown_average", 0.33450, "twice the average car, for the test", "test")
    assert equivalence.table(store).set_index("id").loc["car_miles", "kg_each"] == pytest.approx(2 * MILE)
    assert equivalence.fit(store, 100) == f"= {100 / (2 * MILE):,.0f} miles in an average car"
