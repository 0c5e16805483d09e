"""The anaesthetic-gas and travel calculators through AppTest, on the real app and database."""

import pytest

ANAESTHETIC = "pages/3_Anaesthetic_gases.py"
TRAVEL = "pages/4_Travel.py"


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def table_with(at, column: str):
    """The displayed frame that has ``column`` (dataframes are found by content, not position)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table with a {column} column"
    return found[0]


def test_anaesthetic_default_is_desflurane_one_mac_hour(open_page):
    at = open_page(ANAESTHETIC)
    m = metrics(at)
    # 1 L/min x 60 min x 6 % = 3.6 L; / 24.055 L/mol x 168.04 g/mol = 25.15 g; / 1.465 g/mL = 17.17 mL
    # 0.02515 kg x 1790 kgCO2e/kg (AR5) = 45.0 kgCO2e
    assert m["Carbon"] == "45.0 kgCO2e"
    assert m["Liquid agent used"] == "17.17 mL"
    assert m["Agent released"] == "25.15 g"
    text = " ".join(md.value for md in at.markdown)
    assert "miles in an average car" in text and "3.6 L of desflurane vapour" in text
    assert any("clinically appropriate" in i.value for i in at.info)
    alts = table_with(at, "saving_kgCO2e").set_index("name")
    assert alts["kgCO2e"].iloc[1:].eq(0).all()
    # the comparison chart of agents at the same settings, with its unit on the axis
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert any("kgCO2e per anaesthetic (agent vented)" in s for s in specs)


def test_anaesthetic_gwp_switch_changes_the_figure(open_page):
    at = open_page(ANAESTHETIC)
    assert metrics(at)["Carbon"] == "45.0 kgCO2e"
    at.sidebar.selectbox(key="_gwp_basis").select("SA2012").run()
    # 25.15 g x 2540 kgCO2e/kg (SA2012) = 63.9 kgCO2e
    assert metrics(at)["Carbon"] == "63.9 kgCO2e"
    at.sidebar.selectbox(key="_gwp_basis").select("AR6").run()
    # 25.15 g x 2590 = 65.1 kgCO2e
    assert metrics(at)["Carbon"] == "65.1 kgCO2e"


def test_sevoflurane_at_a_dial_setting(open_page):
    at = open_page(ANAESTHETIC)
    at.selectbox(key="an_agent").select("sevoflurane").run()
    at.text_input(key="an_concentration").input("2 %").run()
    m = metrics(at)
    # 1 L/min x 60 x 2 % = 1.2 L -> 9.98 g -> 6.566 mL; x 216 (AR5) = 2.16 kgCO2e
    assert m["Liquid agent used"] == "6.566 mL"
    assert m["Carbon"] == "2.16 kgCO2e"


def test_bad_unit_shows_an_error_not_a_traceback(open_page):
    at = open_page(ANAESTHETIC)
    at.text_input(key="an_fgf").input("1 L").run()
    assert not at.exception
    assert any("fresh gas flow" in e.value for e in at.error)
    at.text_input(key="an_fgf").input("2 L/min").run()
    assert not at.error
    assert metrics(at)["Carbon"] == "90.0 kgCO2e"  # 50.30 g x 1790 (reference sheet: 90)


def test_odd_theatre_inputs_are_errors_that_say_what_to_type(open_page):
    at = open_page(ANAESTHETIC)
    at.text_input(key="an_duration").input("1 litre").run()
    assert not at.exception and any("duration: '1 litre'" in e.value and "90 min" in e.value for e in at.error)
    at.text_input(key="an_duration").input("abc").run()
    assert not at.exception
    assert any(e.value.startswith("Cannot calculate: duration: cannot read 'abc'") for e in at.error)
    at.text_input(key="an_duration").input("1 h").run()
    at.text_input(key="an_concentration").input("99 %").run()  # no desflurane vaporiser goes above 18 %
    assert not at.exception and any("highest vaporiser setting" in e.value for e in at.error)
    assert "Carbon" not in metrics(at)
    at.text_input(key="an_concentration").input("").run()
    at.text_input(key="an_fgf").input("0 L/min").run()
    assert not at.error and metrics(at)["Carbon"] == "0 kgCO2e"  # nothing flows, nothing is vented
    at.text_input(key="buy_amount_True").input("-3 bottle").run()
    assert not at.exception and any("cannot be negative" in e.value for e in at.error)
    assert "Carbon a year" not in metrics(at)


def test_purchasing_cylinders(open_page):
    at = open_page(ANAESTHETIC)
    at.selectbox(key="buy_agent").select("n2o").run()
    at.text_input(key="buy_amount_False").input("3 cylinder").run()
    # 3 x 1,800 L (size E) / 23.645 L/mol x 44.013 g/mol = 10.05 kg; x 265 = 2,664 kgCO2e
    assert metrics(at)["Carbon a year"] == "2.66 tCO2e"
    at.selectbox(key="buy_cyl_n2o").select("g").run()
    # size G: 121,415 L / 13.5 cylinders = 8,993.7 L each (Perth Royal Infirmary audit);
    # 3 x 8,993.7 L / 23.645 L/mol x 44.013 g/mol = 50.22 kg; x 265 = 13.31 tCO2e
    assert metrics(at)["Carbon a year"] == "13.31 tCO2e"


def test_travel_journey_in_miles_and_km(open_page):
    at = open_page(TRAVEL)
    at.selectbox(key="tr_mode").select("car_petrol_average").run()
    at.checkbox(key="tr_return").uncheck().run()
    at.text_input(key="tr_distance").input("18 mile").run()
    # 28.968 km x 0.16272 kgCO2e/vehicle_km = 4.714 kgCO2e
    assert metrics(at)["Carbon per traveller"] == "4.71 kgCO2e"
    at.text_input(key="tr_distance").input("28.968 km").run()
    assert metrics(at)["Carbon per traveller"] == "4.71 kgCO2e"
    at.number_input(key="tr_occupancy").set_value(2).run()
    assert metrics(at)["Carbon per traveller"] == "2.36 kgCO2e"


def test_travel_bad_unit_and_passenger_modes(open_page):
    at = open_page(TRAVEL)
    at.text_input(key="tr_distance").input("3 L").run()
    assert not at.exception and any("cannot be converted to km" in e.value for e in at.error)
    at.text_input(key="tr_distance").input("100 km").run()
    at.selectbox(key="tr_mode").select("rail_national").run()
    assert not at.error
    assert not [n for n in at.number_input if n.key == "tr_occupancy"]
    # 200 km return x 0.03546 kgCO2e/passenger_km = 7.09 kgCO2e
    assert metrics(at)["Carbon per traveller"] == "7.09 kgCO2e"


def test_service_view_virtual_share(open_page):
    at = open_page(TRAVEL)
    at.slider(key="svc_virtual").set_value(50).run()
    table = table_with(at, "journeys")
    travel = table.iloc[:-1]["kgCO2e"].sum()
    saving = table.iloc[-1]["kgCO2e"]
    # half the appointments virtual: the saving equals the remaining face-to-face travel
    assert saving == pytest.approx(-travel)
    # 600 face-to-face appointments x 70 % by car x 24 mile (38.62 km) x 0.16725 kgCO2e/km = 2,713 kgCO2e
    car = table.set_index("factor_ids").loc["car_unknown_average", "kgCO2e"]
    assert car == pytest.approx(600 * 0.70 * 2 * 12 * 1.609344 * 0.16725)
    m = metrics(at)
    assert m["Saved by virtual appointments"] == m["Face-to-face travel a year"]
    assert any("kgCO2e a year" in c.proto.spec for c in at.get("vega_lite_chart"))
    at.text_input(key="svc_distance").input("12 kg").run()
    assert not at.exception and any("cannot be converted" in e.value for e in at.error)


def test_service_mix_by_name_and_shares_that_do_not_add_up(open_page):
    at = open_page(TRAVEL)
    mix = at.data_editor(key="svc_mix")
    assert list(mix.value["mode"])[0] == "Average car, unknown fuel, per vehicle-km"  # names, not ids
    at.session_state["svc_mix"] = {"edited_rows": {0: {"share_pct": 60.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    # 60 + 15 + 5 + 10 = 90 %
    assert not at.exception
    assert any("add up to 90.0 %, not 100 %: 10.0 % of patients have no mode" in e.value for e in at.error)
    at.session_state["svc_mix"] = {"edited_rows": {0: {"share_pct": 60.0}},
                                   "added_rows": [{"mode": "Average car, petrol, per vehicle-km", "share_pct": 10.0}],
                                   "deleted_rows": []}
    at.run()
    assert not at.error
    table = table_with(at, "journeys").set_index("factor_ids")
    # 900 face-to-face appointments (25 % virtual) x 10 % by petrol car x 24 mile return x 0.16272 kgCO2e/km
    assert table.loc["car_petrol_average", "kgCO2e"] == pytest.approx(900 * 0.10 * 2 * 12 * 1.609344 * 0.16272)


def test_a_journey_round_the_earth_is_a_typing_error(open_page):
    at = open_page(TRAVEL)
    at.text_input(key="tr_distance").input("1e9 mile").run()
    assert not at.exception and any("more than once round the Earth" in e.value for e in at.error)
    at.text_input(key="tr_distance").input("18 mile").run()
    assert not at.error and any("miles in an average car" in c.value for c in at.caption)
    assert next(m for m in at.metric if m.label == "Carbon per traveller").help.startswith("range ")


def test_theatre_records_section_shows_the_imported_logs(open_page, store):
    from pathlib import Path

    from carbon import theatre
    from carbon.theatre import purchases

    data = Path(__file__).parent.parent / "data" / "theatre"
    theatre.import_file(store, data / "case_log_two_theatres.csv")
    purchases.import_file(store, data / "purchases_march_2024.csv")
    at = open_page(ANAESTHETIC)
    assert not at.exception
    frames = [d.value for d in at.dataframe if "kgCO2e_per_hour" in d.value.columns]
    by_theatre = next(f for f in frames if "theatre" in f.columns).set_index("theatre")
    # worked by hand in tests/unit/test_theatre.py: Theatre A 241.14, Theatre B 259.06 kgCO2e (AR5)
    assert by_theatre.loc["Theatre A", "kgCO2e"] == pytest.approx(241.14, abs=0.01)
    assert by_theatre.loc["Theatre B", "kgCO2e"] == pytest.approx(259.06, abs=0.01)
    assert any("month" in f.columns for f in frames) and any("agent_name" in f.columns for f in frames)
    recon = table_with(at, "gap_share")
    assert recon["gap_share"].max() == pytest.approx(0.9)
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert any("kgCO2e a month (anaesthetic gases)" in s for s in specs)
    assert "17 cases" in " ".join(md.value for md in at.markdown)
