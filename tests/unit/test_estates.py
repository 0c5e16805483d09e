"""Estates returns: the real ERIC 2016-17 file, the estates template, the footprint by source
with each period's DESNZ factors, and bad input that imports nothing.

Hand arithmetic, DESNZ 2025 (the library holds no 2016 set, so the ERIC year is footprinted with
an explicit factor year), trust R1A (Worcestershire Health and Care NHS Trust), line 3 of the file:
* gas 13,799,131 kWh x 0.18296 = 2,524,689.0 kgCO2e = 2,524.69 tCO2e
* electricity 5,625,790 kWh x (0.177 generation + 0.01853 T&D) = 1,100,010.7 kgCO2e = 1,100.01 t
* water 59,093 m3 x (0.1913 supply + 0.17088 treatment) = 21,402.3 kgCO2e = 21.40 t
* waste: landfill 131.73 t x 520.5327 = 68,569.77; recycling 190.73 t x 4.68568 = 893.70;
  other recovery 328.83 t x 4.68568 = 1,540.79 -> 71,004.26 kgCO2e = 71.00 t
* oil 33,126 kWh x 0.26813 (fuel oil) = 8,882.1 kgCO2e
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from carbon import estates
from carbon.cli import main
from carbon.errors import CarbonError

DATA = Path(__file__).resolve().parents[1] / "data"
ERIC = DATA / "eric" / "eric_2016_17_trust_dollar_delimited.csv"
TEMPLATE = DATA / "estates" / "board_template_2024_25.csv"


def kg(result, **where) -> float:
    df = result
    for col, value in where.items():
        df = df[df[col].isin(value if isinstance(value, list) else [value])]
    return float(df["kgCO2e"].sum())


def stored(store) -> tuple:
    return (store.execute("SELECT count(*) FROM estates_activity").fetchone()[0],
            store.execute("SELECT count(*) FROM estates_import").fetchone()[0])


@pytest.fixture
def eric_loaded(store):
    estates.import_file(store, ERIC)
    return store


def test_the_real_eric_year_loads(store):
    report = estates.import_file(store, ERIC)
    assert (report.format, report.periods, len(report.organisations)) == ("eric", ["2016/17"], 236)
    names = estates.organisations(store).set_index("organisation_code")["organisation_name"]
    # the five trusts whose names the publisher's export split at the comma are joined again
    assert names["RF4"] == "BARKING, HAVERING AND REDBRIDGE UNIVERSITY HOSPITALS NHS TRUST"
    assert names["RRF"] == "WRIGHTINGTON, WIGAN AND LEIGH NHS FOUNDATION TRUST"
    assert names["RX3"] == "TEES, ESK AND WEAR VALLEYS NHS FOUNDATION TRUST"
    assert not names.str.contains("COMMISSIONING REGION").any()
    r1a = estates.activity(store, ["R1A"])
    assert dict(zip(r1a["item"], r1a["quantity"])) == {
        "electricity": 5625790, "fuel_oil": 33126, "natural_gas": 13799131, "landfill": 131730,
        "other_recovery": 328830, "recycling": 190730, "water_supply": 59093, "water_treatment": 59093}
    assert set(r1a["line"]) == {3}


def test_one_trust_by_hand_with_the_2025_factors(eric_loaded):
    fp = estates.footprint(eric_loaded, ["R1A"], factor_year=2025)
    assert kg(fp, item="natural_gas") / 1000 == pytest.approx(13_799_131 * 0.18296 / 1000)
    assert kg(fp, item="natural_gas") / 1000 == pytest.approx(2524.689, abs=0.001)
    assert kg(fp, item="electricity") / 1000 == pytest.approx(5_625_790 * (0.177 + 0.01853) / 1000)
    assert kg(fp, item="electricity") / 1000 == pytest.approx(1100.011, abs=0.001)
    assert kg(fp, source="water") / 1000 == pytest.approx(59_093 * (0.1913 + 0.17088) / 1000)
    assert kg(fp, source="water") / 1000 == pytest.approx(21.402, abs=0.001)
    assert kg(fp, source="waste") / 1000 == pytest.approx(
        (131.73 * 520.5327 + 190.73 * 4.68568 + 328.83 * 4.68568) / 1000)
    assert kg(fp, source="waste") / 1000 == pytest.approx(71.004, abs=0.001)
    assert kg(fp, item="fuel_oil") == pytest.approx(33_126 * 0.26813)
    by = estates.by_source(fp).set_index("source")
    assert by.loc["building_energy", "kgCO2e"] == pytest.approx(
        13_799_131 * 0.18296 + 5_625_790 * 0.19553 + 33_126 * 0.26813)
    assert by.loc["building_energy", "factor_ids"] == (
        "fuel_oil_kwh_2025 grid_electricity_kwh_2025 grid_td_kwh_2025 natural_gas_kwh_2025")
    assert set(fp["scope"]) == {"1", "2", "3"} and (fp["note"] == "").all()


def test_green_tariff_and_third_party_renewables_take_the_grid_figure(eric_loaded):
    # RF4 (line 56): 0 kWh plain, 19,456,042 green tariff, 8,083,822 third-party renewable
    fp = estates.footprint(eric_loaded, ["RF4"], factor_year=2024)
    assert kg(fp, item="electricity") == pytest.approx((19_456_042 + 8_083_822) * (0.20705 + 0.0183))
    assert set(fp.loc[fp["item"] == "electricity", "origin"]) == {
        "ERIC Energy > Electricity consumed - green energy tariff (kWh)",
        "ERIC Energy > Electricity consumed - third party owned renewable (kWh)"}


def test_the_periods_own_year_or_a_named_error(eric_loaded):
    with pytest.raises(CarbonError) as err:
        estates.footprint(eric_loaded, ["R1A"])
    assert "no 2016 figure in the factor library for grid_electricity_kwh (held: 2024, 2025)" in str(err.value)
    near = estates.footprint(eric_loaded, ["R1A"], missing="nearest")
    assert set(near["factor_year"]) == {2024}
    assert set(near["note"]) == {"DESNZ 2024 figure used: the library has no 2016 figure"}


def test_well_to_tank_is_added_when_asked(eric_loaded):
    fp = estates.footprint(eric_loaded, ["R1A"], factor_year=2025, include_wtt=True)
    wtt = fp[fp["part"] == "wtt"]
    assert kg(wtt) == pytest.approx(13_799_131 * 0.03021 + 5_625_790 * (0.0459 + 0.00397) + 33_126 * 0.05913)
    assert (wtt["scope"] == "3").all()


def test_the_board_template_by_hand(store):
    estates.import_file(store, TEMPLATE)
    fp = estates.footprint(store, ["S08000024"])
    fy = fp[fp["period"] == "2024/25"]
    assert set(fy["factor_year"]) == {2024}  # 2024/25 uses the DESNZ 2024 set
    assert kg(fy, item="natural_gas", site="Site A") == pytest.approx(1_000_000 * 0.1829)
    assert kg(fy, item="natural_gas", site="Site B") == pytest.approx(1000 * 2.04542)  # cubic metres
    assert kg(fy, item="electricity") == pytest.approx(500_000 * (0.20705 + 0.0183))  # 0.5 GWh
    assert kg(fy, item="gas_oil") == pytest.approx(10_000 * 2.75541)  # litres
    assert kg(fy, item="electricity_onsite_renewable") == 0
    assert kg(fy, source="water") == pytest.approx(1000 * 0.15311 + 950 * 0.18574)
    assert kg(fy, source="waste") == pytest.approx(10 * 520.3342 + 4 * 6.41061)
    assert kg(fy, source="refrigerants") == pytest.approx(2 * 1924)
    assert kg(fy, source="building_energy") == pytest.approx(325_174.52)
    heat = fp[fp["period"] == "2025/26"]
    assert kg(heat) == pytest.approx(100_000 * (0.17529 + 0.00945))
    assert set(heat["factor_id"]) == {"district_heat_kwh_2025", "district_heat_loss_kwh_2025"}
    assert "counted as zero" in fy.loc[fy["item"] == "electricity_onsite_renewable", "note"].iloc[0]


def test_reimporting_a_return_replaces_it_and_keeps_other_sites(store, tmp_path):
    estates.import_file(store, TEMPLATE)
    n = stored(store)[0]
    again = estates.import_file(store, TEMPLATE)
    assert stored(store)[0] == n and again.replaced == n
    one_site = tmp_path / "site_b.csv"
    lines = TEMPLATE.read_text().splitlines()
    one_site.write_text("\n".join([lines[0], lines[4].replace(",1000,", ",2000,")]) + "\n")
    estates.import_file(store, one_site)
    act = estates.activity(store, ["S08000024"], ["2024/25"])
    # Site B's 2024/25 return is now the one-row file (its on-site solar row went with the old return)
    assert act.loc[act["site"] == "Site B", ["item", "quantity"]].values.tolist() == [["natural_gas", 2000]]
    assert (act["site"] == "Site A").sum() == 8


def _template_with(tmp_path, *rows) -> Path:
    path = tmp_path / "board.csv"
    header = "organisation_code,organisation_name,site,financial_year,stream,item,quantity,unit,notes"
    path.write_text("\n".join([header, "S08000024,NHS Lothian,Site A,2024/25,energy,natural_gas,1000,kWh,"]
                              + list(rows)) + "\n")
    return path


@pytest.mark.parametrize("row, says", [
    ("S08000024,NHS Lothian,Site A,2024/25,energy,natural_gas,-500,kWh,", "board.csv:3: quantity -500 kWh is negative"),
    ("S08000024,NHS Lothian,Site A,2024/25,energy,whale_oil,500,kWh,", "board.csv:3: unknown fuel 'whale_oil'"),
    ("S08000024,NHS Lothian,Site A,2024/25,waste,pyrolysis,5,tonne,",
     "board.csv:3: unknown waste route 'pyrolysis' (a waste route with no factor)"),
    ("S08000024,NHS Lothian,Site A,2024/26,energy,natural_gas,500,kWh,",
     "board.csv:3: '2024/26' is not a financial year"),
    ("S08000024,NHS Lothian,Site A,2024/25,energy,electricity,500,m3,",
     "board.csv:3: electricity cannot be measured in m3: give it as energy (kWh)"),
    ("S08000024,NHS Lothian,Site A,2024/25,energy,natural_gas,lots,kWh,", "board.csv:3: quantity 'lots' is not a number"),
    ("S08000024,NHS Lothian,Site A,2024/25,energy,natural_gas,5,furlong,", "board.csv:3: unit 'furlong' is not an energy"),
    ("S08000024,NHS Lothian,Site A,2024/25,heat,natural_gas,5,kWh,", "board.csv:3: stream 'heat' is not one of"),
    (",NHS Lothian,Site A,2024/25,energy,natural_gas,5,kWh,", "board.csv:3: the organisation code is empty"),
])
def test_bad_template_rows_are_named_and_nothing_is_saved(store, tmp_path, capsys, row, says):
    path = _template_with(tmp_path, row)
    before = stored(store)
    code = main(["estates", "import", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "nothing was imported" in err and says in err, err
    assert stored(store) == before


def test_the_shipped_template_is_refused_until_filled(store, capsys):
    assert main(["estates", "template"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0] == ",".join(estates.TEMPLATE_COLUMNS)
    with pytest.raises(estates.EstatesError) as err:
        estates.import_file(store, estates.TEMPLATE)
    assert "this is the template's example row" in str(err.value) and err.value.total == len(text.splitlines()) - 1


def _eric_variant(tmp_path, name, edit) -> Path:
    text = ERIC.read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_text(edit(text), encoding="utf-8")
    return path


def test_eric_bad_value_is_named_by_line(store, tmp_path):
    path = _eric_variant(tmp_path, "eric_2016_17.csv", lambda t: t.replace("$13799131$", "$13,799,131 kWh$"))
    with pytest.raises(estates.EstatesError) as err:
        estates.import_file(store, path)
    assert str(err.value).count("\n") == 1 and "eric_2016_17.csv:3: quantity '13,799,131 kWh' is not a number" in str(err.value)
    path = _eric_variant(tmp_path, "eric_2016_17_neg.csv", lambda t: t.replace("$13799131$", "$-13799131$"))
    with pytest.raises(estates.EstatesError, match="eric_2016_17_neg.csv:3: quantity -1.37991e\\+07 kWh is negative"):
        estates.import_file(store, path)
    assert stored(store) == (0, 0)


def test_eric_waste_route_with_no_factor_is_refused(store, tmp_path):
    path = _eric_variant(tmp_path, "eric_2016_17.csv",
                         lambda t: t.replace("Other recovery volume (Tonnes)", "Pyrolysis volume (Tonnes)"))
    with pytest.raises(estates.EstatesError) as err:
        estates.import_file(store, path)
    text = str(err.value)
    assert "waste column 'Pyrolysis volume (Tonnes)' is a waste route with no factor" in text
    assert "lacks the ERIC column Waste > Other recovery volume (Tonnes)" in text
    assert stored(store) == (0, 0)


def test_eric_needs_its_financial_year(store, tmp_path):
    path = tmp_path / "estates_return.csv"
    shutil.copy(ERIC, path)
    with pytest.raises(estates.EstatesError, match="does not say its financial year"):
        estates.import_file(store, path)
    report = estates.import_file(store, path, period="2016-17")
    assert report.periods == ["2016/17"]


def test_validate_reads_a_plain_frame_of_lines(store):
    lines = pd.DataFrame({"organisation_code": ["S08000024"] * 2, "organisation_name": ["NHS Lothian"] * 2,
                          "site": ["", ""], "period": ["2024/25", "2024/26"], "stream": ["energy", "energy"],
                          "item": ["lpg", "lpg"], "quantity": [100, 100], "unit": ["litre", "litre"]})
    with pytest.raises(estates.EstatesError) as err:
        estates.validate(store, lines, where="baseline")
    assert err.value.problems[0].where == "baseline row 2"
    ok = estates.validate(store, lines.iloc[:1])
    assert (ok["quantity"].iloc[0], ok["unit"].iloc[0], ok["measure"].iloc[0]) == (pytest.approx(0.1), "m3", "volume")
    fp = estates.footprint_lines(store, lines.iloc[:1])
    assert fp["kgCO2e"].iloc[0] == pytest.approx(100 * 1.55713)  # litres of LPG, DESNZ 2024
    assert fp["factor_id"].iloc[0] == "lpg_litre_2024"


def test_cli_footprint_json(eric_loaded, capsys):
    code = main(["estates", "footprint", "--organisation", "R1A", "--factor-year", "2025", "--format", "json"])
    rows = {r["source"]: r for r in json.loads(capsys.readouterr().out)}
    assert code == 0
    assert rows["building_energy"]["tCO2e"] == pytest.approx(3633.582, abs=0.001)
    assert rows["water"]["tCO2e"] == pytest.approx(21.402, abs=0.001)
