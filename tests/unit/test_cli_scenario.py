"""`carbon scenario ...` and `carbon report ...` on the real database: the same numbers as the board pack."""

from __future__ import annotations

import csv
import getpass
import io
import json

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
    assert code == 0 and "Emissions in 2024 (baseline)" in out and "nhs_england_net_zero_2040" in out


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
