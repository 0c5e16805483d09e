"""Travel against DESNZ 2025 factors and hand arithmetic."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pandas as pd

from carbon.equivalence import car as car_equivalent
from carbon.travel import TravelError, journey, modes, service, service_summary
from carbon.units import ureg


def test_car_journey_in_miles_and_km_agree(store):
    # 18 mile = 28.968 km; x 0.16272 kgCO2e/vehicle_km (DESNZ 2025 average petrol car) = 4.7137 kgCO2e
    miles = journey(store, "car_petrol_average", "18 mile")
    km = journey(store, "car_petrol_average", "28.968 km")
    assert miles.kgCO2e == pytest.approx(28.968192 * 0.16272, rel=1e-9)
    assert km.kgCO2e == pytest.approx(miles.kgCO2e, rel=1e-5)
    assert miles.distance_km == pytest.approx(28.968192)
    assert miles.factor_ids == ["car_petrol_average"] and miles.gwp_basis == "AR5"


@pytest.mark.parametrize("typed", ["18 Miles", "18 MILE", "28.968 KM", "28.968 Km"])
def test_capital_letters_in_a_distance_unit_are_read(store, typed):
    # 18 mile = 28.968 km; x 0.16272 kgCO2e/vehicle_km = 4.7137 kgCO2e, however the unit is capitalised
    assert journey(store, "car_petrol_average", typed).kgCO2e == pytest.approx(28.968 * 0.16272, rel=1e-4)


def test_return_trip_and_occupancy(store):
    # 10 km return = 20 km x 0.16272 = 3.2544 kgCO2e for the car; 2 people => 1.6272 each
    r = journey(store, "car_petrol_average", "10 km", return_trip=True, occupancy=2)
    assert r.distance_km == pytest.approx(20)
    assert r.kgCO2e == pytest.approx(1.6272)
    assert any("÷ 2 people" in s for s in r.steps)


def test_per_mile_factor_gives_the_per_km_answer(store):
    # DESNZ per-mile 0.26187 kgCO2e/vehicle_mile / 1.609344 = 0.16272 kgCO2e/km
    a = journey(store, "car_petrol_average_per_mile", "50 km")
    b = journey(store, "car_petrol_average", "50 km")
    assert a.kgCO2e == pytest.approx(b.kgCO2e, rel=1e-4)


def test_rail_is_per_passenger(store):
    # 100 miles = 160.9344 km x 0.03546 kgCO2e/passenger_km = 5.7067 kgCO2e
    r = journey(store, "rail_national", ureg.Quantity(100, "mile"))
    assert r.kgCO2e == pytest.approx(160.9344 * 0.03546)
    assert r.per == "passenger"


@pytest.mark.parametrize("kwargs, message", [
    (dict(mode="car_petrol_average", distance="3 L"), "cannot be converted to km"),
    (dict(mode="car_petrol_average", distance="20"), "no unit"),
    (dict(mode="rail_national", distance="20 km", occupancy=3), "already per passenger"),
    (dict(mode="car_petrol_average", distance="20 km", occupancy=0), "at least 1"),
    (dict(mode="teleport", distance="20 km"), "unknown travel mode"),
    (dict(mode="desflurane_bottle", distance="20 km"), "not a per-distance"),
    (dict(mode="car_petrol_average", distance="1 litre"), "'1 litre' is not a distance"),
    (dict(mode="car_petrol_average", distance="abc"), "distance by car_petrol_average: cannot read 'abc'"),
    # 1e9 miles = 1.6e9 km: more than once round the Earth (40,075 km), so a typing error
    (dict(mode="car_petrol_average", distance="1e9 mile"), "more than once round the Earth"),
    (dict(mode="car_petrol_average", distance="nan mile"), "'nan mile' is not a number"),
])
def test_bad_input_is_a_clear_error(store, kwargs, message):
    with pytest.raises(TravelError, match=message):
        journey(store, **kwargs)


def test_modes_for_pickers(store):
    df = modes(store).set_index("id")
    assert {"car_petrol_average", "rail_national", "bus_local", "walk_cycle"} <= set(df.index)
    assert not df.index.str.endswith("_wtt").any() and not df.index.str.endswith("_per_mile").any()
    assert df.loc["car_petrol_average", "per"] == "vehicle"
    assert df.loc["rail_national", "kgCO2e_per_km"] == pytest.approx(0.03546)


def test_service_view_by_mode_with_virtual_saving(store):
    # 1,000 appointments, 25 % virtual => 750 face to face; 12 mile each way = 38.624 km return
    df = service(store, 1000, {"car_petrol_average": "80 %", "bus_local": 0.15, "walk_cycle": "5 %"},
                 "12 mile", "25 %").set_index("mode")
    trip_km = 2 * 12 * 1.609344
    car = 750 * 0.80 * trip_km * 0.16272   # 3,771.5 kgCO2e
    bus = 750 * 0.15 * trip_km * 0.12525   # 544.3 kgCO2e
    assert df.loc["car_petrol_average", "kgCO2e"] == pytest.approx(car)
    assert df.loc["bus_local", "kgCO2e"] == pytest.approx(bus)
    assert df.loc["walk_cycle", "kgCO2e"] == 0
    assert df.loc["car_petrol_average", "journeys"] == pytest.approx(600)
    # 250 virtual appointments avoid the same mix: a third of the face-to-face travel
    assert df.loc["virtual", "kgCO2e"] == pytest.approx(-(car + bus) / 3)
    assert df.loc["virtual", "kind"] == "virtual saving"
    assert (df["kgCO2e_low"] <= df["kgCO2e_high"]).all()


def test_service_total_is_the_same_whatever_the_virtual_share(store):
    # face-to-face travel + the saving = travel if every appointment were face to face
    shares = {"car_unknown_average": 0.6, "rail_national": 0.4}
    all_f2f = service(store, 500, shares, "20 km", 0)["kgCO2e"].sum()
    for v in (0.1, 0.5, 1.0):
        df = service(store, 500, shares, "20 km", v)
        assert df.loc[df["kind"] == "travel", "kgCO2e"].sum() == pytest.approx(all_f2f * (1 - v))
        assert df.loc[df["kind"] == "virtual saving", "kgCO2e"].sum() == pytest.approx(-all_f2f * v)


@pytest.mark.parametrize("args, message", [
    ((100, {"car_petrol_average": 0.5}, "10 km", 0), "add up to 50.0 %, not 100 %: 50.0 % of patients have no mode"),
    ((100, {"car_petrol_average": 0.7, "rail_national": "58 %"}, "10 km", 0), "add up to 128.0 %.*28.0 % too many"),
    ((100, {"car_petrol_average": 1}, "10 L", 0), "cannot be converted"),
    ((100, {"car_petrol_average": 1}, "10 km", "150 %"), "between 0 and 100"),
    ((100, {"hovercraft": 1}, "10 km", 0), "unknown travel mode"),
])
def test_service_bad_input(store, args, message):
    with pytest.raises(TravelError, match=message):
        service(store, *args)


def test_service_takes_modes_by_name_as_the_page_shows_them(store):
    # 100 appointments, 10 km each way: 60 by "Average car, petrol" (named), 40 by rail (by id)
    df = service(store, 100, {"Average car, petrol, per vehicle-km": 0.6, "rail_national": 0.4}, "10 km", 0)
    df = df.set_index("mode")
    assert df.loc["car_petrol_average", "kgCO2e"] == pytest.approx(60 * 20 * 0.16272)  # 195.3 kgCO2e
    assert df.loc["rail_national", "kgCO2e"] == pytest.approx(40 * 20 * 0.03546)  # 28.4 kgCO2e


def test_car_equivalent(store):
    # 100 kgCO2e / 0.16725 kgCO2e/km (average car, unknown fuel) = 597.9 km = 371.5 miles
    assert car_equivalent(store, 100) == "= 372 miles in an average car"


def test_service_from_a_table_of_percentages(store):
    # the same mode twice is added up: 50 % + 30 % car, 20 % rail; 200 appointments, 10 km one way
    table = pd.DataFrame({"mode": ["car_petrol_average", "rail_national", "car_petrol_average"],
                          "share_pct": [50, 20, 30]})
    df = service(store, 200, table, "10 km", "50 %")
    car = 100 * 0.8 * 20 * 0.16272   # 260.35 kgCO2e
    rail = 100 * 0.2 * 20 * 0.03546  # 14.18 kgCO2e
    totals = service_summary(df)
    assert totals["travel_kgCO2e"] == pytest.approx(car + rail)
    assert totals["saving_kgCO2e"] == pytest.approx(car + rail)  # half of appointments virtual
    assert totals["all_face_to_face_kgCO2e"] == pytest.approx(2 * (car + rail))
    assert totals["distance_km"] == pytest.approx(100 * 20)
    with pytest.raises(TravelError, match="row 2 of the mode table has no mode"):
        service(store, 200, pd.DataFrame({"mode": ["rail_national", None], "share_pct": [50, 50]}), "1 km", 0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mode=st.sampled_from(["car_petrol_average", "car_bev_small", "rail_national", "bus_local", "taxi_regular"]),
       miles=st.floats(0.1, 500), back=st.booleans())
def test_miles_and_km_give_the_same_answer(store, mode, miles, back):
    a = journey(store, mode, f"{miles} mile", back)
    b = journey(store, mode, f"{miles * 1.609344} km", back)
    assert b.kgCO2e == pytest.approx(a.kgCO2e, rel=1e-9)
    one_way = journey(store, mode, f"{miles} mile")
    assert a.kgCO2e == pytest.approx(one_way.kgCO2e * (2 if back else 1), rel=1e-9)
