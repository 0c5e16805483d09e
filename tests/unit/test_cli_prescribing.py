"""``carbon prescribing``: the same figures as the engine, from a terminal (run in-process on a real DB)."""

from __future__ import annotations

import getpass
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from carbon import bootstrap
from carbon import prescribing as rx
from carbon.cli import main
from carbon.cli.prescribing import ProgressBar

DATA = Path(__file__).resolve().parents[1] / "data" / "prescribing"
FILES = [str(DATA / "phs_2024_01.csv"), str(DATA / "phs_2024_02.csv.gz"), str(DATA / "epd_2024_01.csv")]


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def imported(db_path, capsys):
    code, out, err = run(capsys, "--db", str(db_path), "prescribing", "import", *FILES)
    assert code == 0, err
    return db_path, out, err


def test_import_reports_and_shows_progress(imported):
    _, out, err = imported
    assert ("imported 3 files: 20 rows read, every one summed into 17 month x practice x chemical rows (all BNF "
            "chapters), 18 respiratory (BNF chapter 3) rows kept") in out
    assert "months 2024-01, 2024-02" in out
    assert "0301040R0BBAAAA" in out  # the unmapped code is listed
    assert "100% Done" in err and "[" in err  # the progress bar went to stderr


def test_the_import_log_names_the_account_that_ran_the_command(imported, capsys):
    db, _, _ = imported
    run(capsys, "--db", str(db), "prescribing", "list-sizes", str(DATA / "list_sizes_phs.csv"))
    store = bootstrap.open_store(db)
    me = f"{getpass.getuser()} (local account)"
    assert rx.imports(store)["imported_by"].tolist() == [me, me, me]
    assert {r[0] for r in store.execute("SELECT loaded_by FROM rx_list_size").fetchall()} == {me}


def test_footprint_by_board_csv_matches_hand_totals(imported, capsys):
    db, _, _ = imported
    code, out, _ = run(capsys, "--db", str(db), "prescribing", "footprint", "--by", "board", "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out)).set_index("board_code")
    assert list(df.columns[:13]) == ["board", "items", "inhalers", "kgCO2e", "kgCO2e_low", "kgCO2e_high",
                                     "low_carbon_share", "cost_gbp", "unmapped_items", "reliever_inhalers",
                                     "reliever_share", "months", "factor_ids"]
    assert df["kgCO2e"].to_dict() == pytest.approx({"QMF": 872.1528, "S08000024": 670.988, "S08000031": 145.8})
    assert df.loc["S08000031", "unmapped_items"] == 2
    assert df.loc["S08000024", "low_carbon_share"] == pytest.approx(12 / 39)


def test_cli_and_engine_give_the_same_numbers(imported, capsys):
    db, _, _ = imported
    store = bootstrap.open_store(db)
    for by in ("practice", "month", "product"):
        code, out, _ = run(capsys, "--db", str(db), "prescribing", "footprint", "--by", by, "--format", "json")
        assert code == 0
        cli = pd.DataFrame(json.loads(out))
        engine = rx.footprint(store, by)
        assert cli["kgCO2e"].tolist() == pytest.approx(engine["kgCO2e"].tolist())
        assert cli["items"].tolist() == engine["items"].tolist()


def test_coverage_json(imported, capsys):
    db, _, _ = imported
    code, out, _ = run(capsys, "--db", str(db), "prescribing", "coverage", "--format", "json")
    cov = json.loads(out)
    assert cov["items_share"] == pytest.approx(86 / 88) and cov["cost_share"] == pytest.approx(674.42 / 734.42)
    assert [u["bnf_code"] for u in cov["unmapped"]] == ["0301040R0BBAAAA"]
    assert cov["unmapped"][0]["reason"] == "no factor for a pMDI of Salbutamol in factors/bnf_inhalers.csv"
    code, out, _ = run(capsys, "--db", str(db), "prescribing", "coverage", "--list", "--format", "json")
    listed = json.loads(out)
    assert code == 0 and all(r["reason"] for r in listed)  # every presentation without a factor says why
    assert "0301040R0BBAAAA" in {r["bnf_code"] for r in listed}


def test_funnel_and_switching(imported, capsys):
    db, _, _ = imported
    code, out, _ = run(capsys, "--db", str(db), "prescribing", "funnel", "--outliers", "95%", "--format", "json")
    assert code == 0 and [r["practice"] for r in json.loads(out)] == ["10017"]
    code, out, _ = run(capsys, "--db", str(db), "prescribing", "funnel", "--outliers", "99.8%", "--format", "json")
    assert code == 0 and json.loads(out) == []  # over-dispersion widens the limits (test_prescribing_footprint)
    code, out, _ = run(capsys, "--db", str(db), "prescribing", "trend")
    assert code == 0 and "Making Data Count" in out and "common cause" in out
    code, out, _ = run(capsys, "--db", str(db), "prescribing", "quality", "--format", "json")
    spots = {r["practice"] for r in json.loads(out) if r["hot_spot"]}
    assert code == 0 and spots == {"F84001", "F84002"}
    code, out, _ = run(capsys, "--db", str(db), "prescribing", "switching", "--by", "matches", "--format", "json")
    matched = {r["bnf_code"]: r["eq_code"] for r in json.loads(out)}
    assert matched["0302000C0BQAABX"] == "0302000C0BRAABY"  # Fostair pMDI -> Fostair NEXThaler
    code, out, _ = run(capsys, "--db", str(db), "prescribing", "switching", "--share", "50 %", "--by", "total",
                       "--format", "json")
    totals = json.loads(out)
    assert totals["saving_switch_kgCO2e"] == pytest.approx(806.8846)  # worked in test_prescribing_footprint.py
    code, out, _ = run(capsys, "--db", str(db), "prescribing", "switching", "--share", "50 %")
    assert code == 0 and "Where clinically appropriate" in out and "NHS Lothian" in out
    code, out, _ = run(capsys, "--db", str(db), "prescribing", "list-sizes", str(DATA / "list_sizes_phs.csv"))
    assert "3 practices: Public Health Scotland, GP practice contact details and list sizes, month not stated" in out
    code, out, _ = run(capsys, "--db", str(db), "prescribing", "footprint", "--by", "practice", "--format", "csv")
    df = pd.read_csv(io.StringIO(out), dtype={"practice": str}).set_index("practice")
    assert df.loc["10002", "kgCO2e_per_1000_patients_year"] == pytest.approx(522.694 * 6 / 5)


def test_a_bad_file_exits_2_and_imports_nothing(db_path, capsys):
    code, out, err = run(capsys, "--db", str(db_path), "prescribing", "import", FILES[0],
                         str(DATA / "bad_negative.csv"), "--quiet")
    assert code == 2 and out == ""
    assert "nothing was imported" in err and "bad_negative.csv:4: PaidQuantity is negative (-4)" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, "--db", str(db_path), "prescribing", "footprint")
    assert code == 2 and "no prescribing data yet" in err


def test_bad_arguments_are_one_line_errors(imported, capsys):
    db, _, _ = imported
    code, _, err = run(capsys, "--db", str(db), "prescribing", "footprint", "--by", "postcode")
    assert code == 2 and "group by one or more of board, practice, month, product" in err
    code, _, err = run(capsys, "--db", str(db), "prescribing", "switching", "--share", "3 mile")
    assert code == 2 and "share of propellant inhalers switched" in err


def test_progress_bar_lines_when_not_a_terminal():
    stream = io.StringIO()
    bar = ProgressBar(stream)
    for f in (0.0, 0.05, 0.12, 0.5, 1.0):
        bar(f, "Reading x.csv")
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[..............................]   0%")
    assert lines[-1] == "[##############################] 100% Reading x.csv"
    assert len(lines) == 4  # 0.05 is in the same 10 % step as 0.0
