"""`carbon anaesthetic` and `carbon travel` on the real library and a real database file."""

import json

import pytest

from carbon.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_anaesthetic_json_defaults_to_one_mac(capsys, store):
    code, out, _ = run(capsys, "anaesthetic", "--agent", "desflurane", "--fgf", "2 L/min", "--duration", "1 h",
                       "--format", "json")
    data = json.loads(out)
    assert code == 0
    # 2 L/min x 60 min x 6 % / 24.055 L/mol x 168.04 g/mol = 50.30 g; / 1.465 g/mL = 34.33 mL; x 1790 = 90.0
    assert data["agent_kg"] == pytest.approx(0.05030, abs=1e-5)
    assert data["liquid_ml"] == pytest.approx(34.33, abs=0.01)
    assert data["kgCO2e"] == pytest.approx(90.03, abs=0.01)
    assert data["kgCO2e_low"] <= data["kgCO2e"] <= data["kgCO2e_high"]
    assert data["gwp_basis"] == "AR5" and "gwp_desflurane_ar5" in data["factor_ids"]


def test_anaesthetic_concentration_and_basis(capsys, store):
    code, out, _ = run(capsys, "anaesthetic", "--agent", "sevoflurane", "--fgf", "1 L/min", "--duration", "60 min",
                       "--concentration", "2 %", "--basis", "SA2012", "--format", "json")
    data = json.loads(out)
    # 9.980 g x 130 kgCO2e/kg (SA2012) = 1.297 kgCO2e (sheet: 1.30)
    assert code == 0 and data["kgCO2e"] == pytest.approx(1.297, abs=0.001)
    assert data["gwp_basis"] == "SA2012"


def test_anaesthetic_table_shows_the_arithmetic(capsys, store):
    code, out, _ = run(capsys, "anaesthetic", "--agent", "n2o", "--fgf", "1 L/min", "--duration", "1 h")
    assert code == 0
    # 39.6 L of N2O at 66 %; 73.71 g; x 265 = 19.53 kgCO2e
    assert "39.6 L" in out and "19.53 kgCO2e" in out


def test_anaesthetic_by_amount_bought(capsys, store):
    code, out, _ = run(capsys, "anaesthetic", "--agent", "desflurane", "--amount", "12 bottle", "--format", "json")
    data = json.loads(out)
    # 12 x 240 mL x 1.465 g/mL = 4.2192 kg; x 1790 = 7,552.4 kgCO2e
    assert code == 0 and data["kgCO2e"] == pytest.approx(4.2192 * 1790)
    assert data["liquid_ml"] == pytest.approx(2880)


def test_travel_json(capsys, store):
    code, out, _ = run(capsys, "travel", "--mode", "car_petrol_average", "--distance", "20 mile", "--return",
                       "--format", "json")
    data = json.loads(out)
    # 2 x 20 mile = 64.374 km x 0.16272 kgCO2e/vehicle_km = 10.475 kgCO2e
    assert code == 0
    assert data["distance_km"] == pytest.approx(64.37376)
    assert data["kgCO2e"] == pytest.approx(64.37376 * 0.16272)
    assert data["factor_ids"] == ["car_petrol_average"] and data["gwp_basis"] == "AR5"


def test_travel_occupancy(capsys, store):
    code, out, _ = run(capsys, "travel", "--mode", "car_diesel_average", "--distance", "100 km", "--occupancy", "4",
                       "--format", "json")
    # 100 km x 0.17304 / 4 = 4.326 kgCO2e each
    assert code == 0 and json.loads(out)["kgCO2e"] == pytest.approx(4.326)


@pytest.mark.parametrize("argv, message", [
    (("travel", "--mode", "car_petrol_average", "--distance", "3 L"), "cannot be converted to km"),
    (("travel", "--mode", "spaceship", "--distance", "3 km"), "unknown travel mode"),
    (("anaesthetic", "--agent", "xenon", "--fgf", "1 L/min", "--duration", "1 h"), "unknown agent"),
    (("anaesthetic", "--agent", "sevoflurane", "--fgf", "1 L/min"), "give --fgf and --duration"),
    (("anaesthetic", "--agent", "sevoflurane", "--fgf", "1 kg", "--duration", "1 h"), "fresh gas flow"),
])
def test_bad_input_is_one_line_and_non_zero(capsys, store, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err and out == ""
