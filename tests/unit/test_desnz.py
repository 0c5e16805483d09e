"""DESNZ factors by year: every shipped row against the published figure it was copied from, the
year each financial year uses, and loading a release with `carbon factors import-desnz`.

The published rows are copies in tests/data/desnz/ (see its README): the 2025 flat-file lines and
the 2024 condensed-set cells, read side by side with factors/desnz_2025.csv and desnz_2024.csv.
"""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from carbon import desnz
from carbon import factors as fx
from carbon.cli import main
from carbon.errors import CarbonError

DATA = Path(__file__).resolve().parents[1] / "data" / "desnz"
FLAT_2025 = DATA / "desnz_2025_flat_file_rows.csv"
CONDENSED_2024 = DATA / "desnz_2024_condensed_rows.csv"
FAMILIES = desnz.read_families(fx.FACTORS_DIR)


def shipped(year: int) -> pd.DataFrame:
    return pd.read_csv(fx.FACTORS_DIR / f"desnz_{year}.csv", dtype=str, keep_default_na=False)


def decimals(text: str) -> int:
    return max(0, -Decimal(text).as_tuple().exponent)


def test_2025_rows_match_the_flat_file_line_by_line():
    published = pd.read_csv(FLAT_2025, dtype=str, keep_default_na=False)
    published = published[published["GHG/Unit"] == "kg CO2e"]
    rows = shipped(2025).set_index("id")
    assert len(rows) == len(FAMILIES) == 53
    for fam in FAMILIES.itertuples():
        match = published[(published["Level 1"] == fam.level_1) & (published["Level 2"] == fam.level_2)
                          & (published["Level 3"] == fam.level_3) & (published["Level 4"] == fam.level_4)
                          & (published["Column Text"] == fam.column_text) & (published["UOM"] == fam.uom)]
        assert len(match) == 1, fam.family
        text = match["GHG Conversion Factor 2025"].iloc[0]
        row = rows.loc[f"{fam.family}_2025"]
        # the same figure to the precision DESNZ states it (up to 5 decimal places), low = high = value
        assert round(float(row["value"]), decimals(text)) == float(text), fam.family
        assert row["value"] == row["low"] == row["high"] == text
        assert match["ID"].iloc[0] in row["notes"]
        assert (row["unit"], row["source"], row["year"], row["gwp_basis"]) == (fam.unit, "desnz_ghg_2025", "2025", "AR5")


def test_2024_rows_match_the_condensed_set_cell_by_cell():
    cells = pd.read_csv(CONDENSED_2024, dtype=str, keep_default_na=False).set_index("family")
    rows = shipped(2024).set_index("id")
    assert len(rows) == len(cells) == 32
    fams = FAMILIES.set_index("family")
    for family, cell in cells.iterrows():
        fam = fams.loc[family]
        # the workbook's labels are the flat file's: same fuel or type, same unit
        assert (cell["item"], cell["unit"]) == (fam["level_3"], fam["uom"]), family
        assert cell["column"] in ("kg CO2e", fam["column_text"]) or (
            cell["column"], fam["column_text"]) == ("Combustion", "Incineration with Energy Recovery"), family
        row = rows.loc[f"{family}_2024"]
        assert round(float(row["value"]), 5) == round(float(cell["value"]), 5), family
        assert row["value"] == row["low"] == row["high"]
        assert f"sheet '{cell['sheet']}' row {cell['row']}" in row["notes"]


def test_the_grid_factors_the_issue_quotes():
    lib = fx.Library(*[getattr(fx.read_library(fx.FACTORS_DIR), k) for k in ("sources", "bases", "constants", "factors")])
    assert lib.quantity("grid_electricity_kwh_2024").value.to("kgCO2e/kWh").magnitude == pytest.approx(0.20705, abs=5e-6)
    assert lib.quantity("grid_electricity_kwh_2025").value.to("kgCO2e/kWh").magnitude == pytest.approx(0.17700, abs=5e-6)
    # natural gas, gross CV, per kWh and per cubic metre (DESNZ 2025)
    assert lib.quantity("natural_gas_kwh_2025").value.magnitude == pytest.approx(0.18296, abs=5e-6)
    assert lib.quantity("natural_gas_m3_2025").value.to("kgCO2e/m**3").magnitude == pytest.approx(2.06672, abs=5e-6)


def test_every_desnz_row_is_a_family_in_its_year():
    for year in (2024, 2025):
        rows = shipped(year)
        fam = rows["id"].str.removesuffix(f"_{year}")
        assert rows["id"].str.endswith(f"_{year}").all()
        assert fam.isin(FAMILIES["family"]).all()
        assert (rows["year"] == str(year)).all() and (rows["source"] == f"desnz_ghg_{year}").all()
        assert (rows["category"].to_numpy() == FAMILIES.set_index("family").loc[fam, "category"].to_numpy()).all()


def test_recycling_routes_share_one_desnz_transport_figure():
    # The recycling route uses mixed paper and board; DESNZ 2025 gives every material's closed loop the same figure.
    published = pd.read_csv(FLAT_2025, dtype=str, keep_default_na=False)
    paper = published[(published["Level 3"] == "Paper and board: mixed") & (published["Column Text"] == "Closed-loop")
                      & (published["GHG/Unit"] == "kg CO2e")]
    combustion = published[(published["Level 3"] == "Commercial and industrial waste")
                           & (published["Column Text"] == "Incineration with Energy Recovery")
                           & (published["GHG/Unit"] == "kg CO2e")]
    assert paper["GHG Conversion Factor 2025"].tolist() == combustion["GHG Conversion Factor 2025"].tolist() == ["4.68568"]


def test_a_financial_year_picks_its_years_set(store):
    wanted = pd.DataFrame({"family": ["grid_electricity_kwh", "grid_electricity_kwh", "natural_gas_kwh"],
                           "factor_year": [2024, 2025, 2024]})
    got = desnz.for_years(store, wanted)
    assert got["factor_id"].tolist() == ["grid_electricity_kwh_2024", "grid_electricity_kwh_2025", "natural_gas_kwh_2024"]
    assert got["kgCO2e_per"].tolist() == pytest.approx([0.20705, 0.17700, 0.1829])
    assert set(desnz.years(store)) >= {2024, 2025}


def test_a_year_the_library_lacks_is_an_error_or_the_nearest_year_named(store):
    wanted = pd.DataFrame({"family": ["grid_electricity_kwh", "district_heat_kwh"], "factor_year": [2016, 2024]})
    with pytest.raises(CarbonError) as err:
        desnz.for_years(store, wanted)
    text = str(err.value)
    assert "no 2016 figure in the factor library for grid_electricity_kwh (held: 2024, 2025)" in text
    assert "no 2024 figure in the factor library for district_heat_kwh (held: 2025)" in text
    assert "import-desnz" in text
    near = desnz.for_years(store, wanted, missing="nearest")
    assert near["year_used"].tolist() == [2024, 2025]
    assert near["factor_id"].tolist() == ["grid_electricity_kwh_2024", "district_heat_kwh_2025"]


# ---------------------------------------------------------------------------------------------
# carbon factors import-desnz
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def library_without_2025(tmp_path, monkeypatch):
    lib = tmp_path / "factors"
    shutil.copytree(fx.FACTORS_DIR, lib)
    (lib / "desnz_2025.csv").unlink()
    monkeypatch.setenv("CARBON_FACTORS_DIR", str(lib))
    return lib


def snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_import_rebuilds_the_shipped_2025_table_from_the_published_rows(capsys, library_without_2025):
    code = main(["factors", "import-desnz", str(FLAT_2025)])
    out = capsys.readouterr().out
    assert code == 0 and "wrote 53 DESNZ 2025 factors" in out
    assert (library_without_2025 / "desnz_2025.csv").read_bytes() == (fx.FACTORS_DIR / "desnz_2025.csv").read_bytes()
    fx.read_library(library_without_2025)  # the library with it still validates


def test_a_new_year_adds_its_source(tmp_path, library_without_2025):
    text = FLAT_2025.read_text(encoding="utf-8").replace("GHG Conversion Factor 2025", "GHG Conversion Factor 2026")
    (tmp_path / "flat_2026.csv").write_text(text, encoding="utf-8", newline="")
    result = desnz.import_flat_file(tmp_path / "flat_2026.csv")
    assert result.year == 2026 and result.source_added
    assert "desnz_ghg_2026,Department for Energy Security and Net Zero" in (library_without_2025 / "sources.csv").read_text()
    rows = pd.read_csv(library_without_2025 / "desnz_2026.csv", dtype=str)
    assert rows["id"].str.endswith("_2026").all() and (rows["source"] == "desnz_ghg_2026").all()


def _broken(tmp_path, edit) -> Path:
    lines = FLAT_2025.read_bytes().decode("utf-8").split("\r\n")
    lines = edit(lines)
    path = tmp_path / "broken.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("edit, line, says", [
    (lambda ls: [ls[0].replace("Level 3", "Level three")] + ls[1:], 1, "is not the DESNZ flat-file layout"),
    (lambda ls: [x for x in ls if not x.startswith("1_100_1004_6_1,")], None,
     "no row for natural_gas_kwh (Fuels > Gaseous fuels > Natural gas > kWh (Gross CV), kg CO2e)"),
    (lambda ls: [x.replace(",0.177", ",n/a") if x.startswith("7_400_4000_5_1,") else x for x in ls], "line",
     "the figure for grid_electricity_kwh 'n/a' is not a number"),
    (lambda ls: [x.replace(",0.1913", ",") if x.startswith("17_404_4005_1_1,") else x for x in ls], "line",
     "the figure for water_supply_m3 is empty"),
])
def test_bad_releases_name_the_row_and_write_nothing(tmp_path, capsys, library_without_2025, edit, line, says):
    path = _broken(tmp_path, edit)
    before = snapshot(library_without_2025)
    code = main(["factors", "import-desnz", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "nothing was written" in err and says in err
    if line == "line":  # the problem names the file and its line
        assert "broken.csv:" in err
    elif line == 1:
        assert "broken.csv:1:" in err
    assert snapshot(library_without_2025) == before


def test_the_condensed_workbook_is_not_a_flat_file(tmp_path, capsys, library_without_2025):
    path = tmp_path / "condensed.csv"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows([["Activity", "Fuel", "Unit", "kg CO2e"], ["Gaseous fuels", "LPG", "litres", "1.55713"]])
    code = main(["factors", "import-desnz", str(path)])
    assert code == 2 and "the 'flat file' set, not the condensed" in capsys.readouterr().err


def test_a_year_already_held_needs_replace(tmp_path, capsys, monkeypatch):
    lib = tmp_path / "factors"
    shutil.copytree(fx.FACTORS_DIR, lib)
    monkeypatch.setenv("CARBON_FACTORS_DIR", str(lib))
    code = main(["factors", "import-desnz", str(FLAT_2025)])
    assert code == 2 and "already holds DESNZ 2025" in capsys.readouterr().err
    assert main(["factors", "import-desnz", str(FLAT_2025), "--replace", "--dry-run"]) == 0
    assert "would write 53 DESNZ 2025 factors" in capsys.readouterr().out
    assert (lib / "desnz_2025.csv").read_bytes() == (fx.FACTORS_DIR / "desnz_2025.csv").read_bytes()
