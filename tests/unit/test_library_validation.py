"""Every way a factor file can be wrong fails at load with file, line and reason."""

from pathlib import Path

import pytest

from carbon import factors as fx


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture does not contain {old!r}"
    path.write_text(text.replace(old, new, 1))


def _problems(directory) -> list[str]:
    with pytest.raises(fx.LibraryError) as err:
        fx.read_library(directory)
    return [str(p) for p in err.value.problems]


def test_fixture_library_is_valid(fixture_library):
    lib = fx.read_library(fixture_library)
    assert len(lib.factors) == 9
    assert set(lib.references) == {"prices"}


def test_unit_that_does_not_parse(fixture_library):
    _edit(fixture_library / "items.csv", "kgCO2e/inhaler,AR5,2020,UK,gsk,,\n", "kgCO2e/inhalr,AR5,2020,UK,gsk,,\n")
    problems = _problems(fixture_library)
    assert any(p.startswith("items.csv:3:") and "unknown unit 'kgCO2e/inhalr'" in p for p in problems), problems


def test_unit_that_is_not_co2e_per_something(fixture_library):
    _edit(fixture_library / "items.csv", "0.16272,kgCO2e/vehicle_km", "0.16272,kg/vehicle_km")
    problems = _problems(fixture_library)
    assert any(p.startswith("items.csv:5:") and "not CO2e per something" in p for p in problems), problems


def test_source_that_does_not_exist(fixture_library):
    _edit(fixture_library / "items.csv", "UK,desnz,", "UK,defra_2019,")
    problems = _problems(fixture_library)
    assert any(p.startswith("items.csv:5:") and "source 'defra_2019' is not in sources.csv" in p for p in problems)


def test_empty_source(fixture_library):
    _edit(fixture_library / "items.csv", "UK,desnz,", "UK,,")
    assert any("items.csv:5:" in p and "source is empty" in p for p in _problems(fixture_library))


def test_low_above_value(fixture_library):
    _edit(fixture_library / "items.csv", "0.583,0.5,0.7", "0.583,0.6,0.7")
    problems = _problems(fixture_library)
    assert any(p.startswith("items.csv:3:") and "low <= value <= high fails (0.6 <= 0.583 <= 0.7)" in p for p in problems)


def test_value_that_is_not_a_number(fixture_library):
    _edit(fixture_library / "items.csv", "0.583,0.5,0.7", "about 0.6,0.5,0.7")
    assert any("items.csv:3:" in p and "must be numbers" in p for p in _problems(fixture_library))


def test_duplicate_id_across_files(fixture_library):
    _edit(fixture_library / "items.csv", "car_petrol_average,travel", "gwp_hfa134a_ar5,travel")
    problems = _problems(fixture_library)
    assert any(p.startswith("items.csv:5:") and "'gwp_hfa134a_ar5' is already used in gwp.csv" in p for p in problems)


def test_formula_naming_an_unknown_constant(fixture_library):
    _edit(fixture_library / "items.csv", "bottle_volume_desflurane * density", "bottle_size_desflurane * density")
    problems = _problems(fixture_library)
    assert any(p.startswith("items.csv:4:") and "'bottle_size_desflurane'" in p for p in problems), problems


def test_formula_whose_result_has_the_wrong_dimension(fixture_library):
    _edit(fixture_library / "items.csv", "bottle_volume_desflurane * density_desflurane * gwp(desflurane)",
          "density_desflurane * gwp(desflurane)")
    problems = _problems(fixture_library)
    assert any(p.startswith("items.csv:4:") and "cannot be converted to kgCO2e/bottle" in p for p in problems), problems


def test_formula_may_not_run_code(fixture_library):
    _edit(fixture_library / "items.csv", "bottle_volume_desflurane * density_desflurane * gwp(desflurane)",
          "__import__('os').system('true')")
    assert any("items.csv:4:" in p and "only arithmetic" in p for p in _problems(fixture_library))


def test_row_with_the_wrong_number_of_fields(fixture_library):
    with (fixture_library / "items.csv").open("a") as f:
        f.write("broken,travel,Broken row,1,1,1\n")
    assert any(p.startswith("items.csv:6:") and "has 6 fields, the header has 13" in p for p in _problems(fixture_library))


def test_every_problem_is_reported_at_once(fixture_library):
    _edit(fixture_library / "items.csv", "0.583,0.5,0.7", "0.583,0.6,0.7")
    _edit(fixture_library / "items.csv", "UK,desnz,", "UK,nobody,")
    assert len(_problems(fixture_library)) == 2


def test_unknown_gwp_basis(fixture_library):
    _edit(fixture_library / "items.csv", "0.583,0.5,0.7,kgCO2e/inhaler,AR5", "0.583,0.5,0.7,kgCO2e/inhaler,AR7")
    assert any("items.csv:3:" in p and "gwp_basis 'AR7'" in p for p in _problems(fixture_library))
