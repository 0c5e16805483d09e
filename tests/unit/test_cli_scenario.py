"""`carbon scenario ...` and `carbon report ...` on the real database: the same numbers as the board pack."""

from __future__ import annotations

import csv
import getpass
import io
import json
import subprocess

import pytest

from carbon import boardpack as bp
from carbon import pack_files as pf
from carbon import scenarios as sc
from tests.unit.test_cli_factors import run

DEMO_FILE = sc.demo_dir() / "demo_board.toml"


def test_list_shows_the_demo(capsys, store):
    code, out, _ = run(capsys, "scenario", "list", "--format", "json")
    assert code == 0
    assert sc.demo_name() in {r["name"] for r in json.loads(out)}


def test_run_file_json_matches_the_board_pack(capsys, store):
    code, out, _ = run(capsys, "scenario", "run", str(DEMO_FILE), "--format", "json")
    assert code == 0
    data = json.loads(out)
    pack = bp.build(store, sc.read_file(DEMO_FILE.read_text(), DEMO_FILE.name))
    assert data["scenario"] == sc.demo_name() and data["target_set"] == "NHS Scotland"
    by_year = {r["year"]: r for r in data["trajectory"]}
    assert sorted(by_year) == list(range(2024, 2046))
    for r in pack.totals.itertuples():
        assert by_year[r.year]["tCO2e"] == pytest.approx(r.tCO2e)
        assert by_year[r.year]["tCO2e_low"] <= by_year[r.year]["tCO2e"] <= by_year[r.year]["tCO2e_high"]
    assert data["headline"]["tCO2e_2030"] == pytest.approx(by_year[2030]["tCO2e"])
    gaps = {g["target_id"]: g for g in data["gaps"]}
    assert gaps["nhs_scotland_net_zero_2040"]["gap_tCO2e"] == pytest.approx(by_year[2040]["tCO2e"])
    assert data["first_miss"]["target_id"] == pack.miss["target_id"]
    assert data["finance"]["npc_gbp"] == pytest.approx(pack.money["npc_gbp"])
    # the saved demo and the shipped file give the same answer
    code, out2, _ = run(capsys, "scenario", "run", sc.demo_name(), "--format", "json")
    assert json.loads(out2)["trajectory"] == data["trajectory"]


def test_run_csv_and_table(capsys, store):
    code, out, _ = run(capsys, "scenario", "run", str(DEMO_FILE), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 22 and rows[0]["year"] == "2024"
    code, out, _ = run(capsys, "scenario", "run", str(DEMO_FILE), "--targets", "NHS England")
    assert code == 0 and "Emissions in 2024/25 (baseline)" in out and "nhs_england_net_zero_2040" in out


def test_report_csv_is_the_packs_numbers(capsys, store, tmp_path):
    out_file = tmp_path / "numbers.csv"
    code, out, _ = run(capsys, "report", sc.demo_name(), "--out", str(out_file))
    assert code == 0 and "wrote" in out
    pack = bp.build(store, sc.load(store, sc.demo_name()))
    assert out_file.read_text() == pf.to_numbers_csv(pack)


def test_report_pdf_and_html(capsys, store, tmp_path):
    pdf, html = tmp_path / "pack.pdf", tmp_path / "pack.html"
    assert run(capsys, "report", str(DEMO_FILE), "--out", str(pdf))[0] == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert run(capsys, "report", str(DEMO_FILE), "--out", str(html))[0] == 0
    assert "Sources of every factor used" in html.read_text()


def test_bad_input_is_one_line_not_a_traceback(capsys, store, tmp_path):
    code, _, err = run(capsys, "report", sc.demo_name(), "--out", str(tmp_path / "pack.docx"))
    assert code == 2 and ".pdf, .html, .csv or .xlsx" in err
    code, _, err = run(capsys, "scenario", "run", "no such scenario")
    assert code == 2 and "no saved scenario called 'no such scenario'" in err
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nbaseline_year = 2024\n[[lines]]\nkind = "factor"\nlabel = "A"\nref = "ventolin_evohaler"\n'
                   'amount = "3 kg"\n')
    code, _, err = run(capsys, "scenario", "run", str(bad))
    assert code == 2 and "baseline line 1 (A)" in err and "Traceback" not in err


def test_export_then_import_keeps_a_new_version(capsys, store, tmp_path):
    f = tmp_path / "demo.json"
    assert run(capsys, "scenario", "export", sc.demo_name(), "--out", str(f))[0] == 0
    assert sc.read_file(f.read_text(), f.name) == sc.load(store, sc.demo_name())
    code, out, _ = run(capsys, "scenario", "import", str(f))
    assert code == 0 and "saved" in out
    # the version names the operating-system account that ran the command, never a typed name
    assert sc.history(store, sc.demo_name())["saved_by"].tolist()[0] == f"{getpass.getuser()} (local account)"


def test_report_for_a_financial_year_starts_with_the_board_footprint(capsys, store, tmp_path):
    pdf = tmp_path / "pack.pdf"
    code, out, _ = run(capsys, "report", sc.demo_name(), "--year", "2024/25", "--out", str(pdf))
    assert code == 0 and "wrote" in out
    first = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert "Footprint by source, 2024/25 beside 2023/24" in first and "Against each target" in first
    # the year before, as the page's first table: 2023/24 beside 2022/23, which the demo does not record
    code, _, _ = run(capsys, "report", sc.demo_name(), "--year", "2023/24", "--out", str(tmp_path / "p.csv"))
    assert code == 0
    numbers = (tmp_path / "p.csv").read_text()
    assert "board footprint,Building energy,2023,tCO2e,18966.991" in numbers
    code, _, err = run(capsys, "report", sc.demo_name(), "--year", "2022/23", "--out", str(tmp_path / "x.pdf"))
    assert code == 2 and "the scenario records no lines for 2022/23" in err and "2023/24, 2024/25" in err
    code, _, err = run(capsys, "report", sc.demo_name(), "--year", "2024/26", "--out", str(tmp_path / "x.pdf"))
    assert code == 2 and "'2024/26' is not a financial year" in err and not (tmp_path / "x.pdf").exists()


def test_scenario_board_prints_the_table_and_the_verdicts(capsys, store):
    code, out, _ = run(capsys, "scenario", "board", sc.demo_name(), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["year"], data["previous_year"], data["target_set"]) == ("2024/25", "2023/24", "NHS Scotland")
    rows = {r["source"]: r for r in data["rows"]}
    assert rows["building_energy"]["tCO2e"] == pytest.approx(18_010.041)
    assert rows["water"]["target"] == "no target for this source" and rows["water"]["gap_tCO2e"] is None
    assert data["verdicts"][0].startswith("Building energy: 18,010 tonnes CO2e in 2024/25")
    code, out, _ = run(capsys, "scenario", "board", sc.demo_name())
    assert code == 0 and "Refrigerant and SF6 leaks" in out and "Against" not in out.splitlines()[0]


@pytest.mark.parametrize("line, named", [
    ('kind = "energy"\nlabel = "Gas"\nref = "natural_gas"\namount = "-5000 kWh"',
     "amount: '-5000 kWh' cannot be negative"),
    ('kind = "energy"\nlabel = "Gas"\nref = "peat"\namount = "5000 kWh"', "unknown fuel 'peat'"),
    ('kind = "waste"\nlabel = "Gas"\nref = "shredding"\namount = "5 tonne"', "a waste route with no factor"),
    ('kind = "energy"\nlabel = "Gas"\nref = "natural_gas"\namount = "5000 kWh"\nperiod = "2023/26"',
     "'2023/26' is not a financial year"),
    ('kind = "medicine_spend"\nlabel = "Gas"\nref = "4"\namount = "£5000"\nperiod = "2025/26"',
     "price year 2025 has no GDP deflator"),
])
def test_a_scenario_with_a_bad_line_imports_nothing(capsys, store, tmp_path, line, named):
    baseline = "2025/26" if "2025/26" in line else "2024/25"
    f = tmp_path / "bad.toml"
    f.write_text(f'name = "Bad board"\nbaseline_year = "{baseline}"\n[[lines]]\nkind = "manual"\nlabel = "Reported"\n'
                 f'category = "energy"\namount = "10 tCO2e"\n[[lines]]\n{line}\n', encoding="utf-8")
    before = store.execute("SELECT count(*) FROM scenario_version").fetchone()[0]
    code, _, err = run(capsys, "scenario", "import", str(f))
    assert code == 2 and "baseline line 2 (Gas)" in err and named in err, err
    assert store.execute("SELECT count(*) FROM scenario_version").fetchone()[0] == before
    assert not sc.exists(store, "Bad board")
