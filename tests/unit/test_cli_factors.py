"""`carbon factors ...` and `carbon db ...` on the real library and a real database file."""

import csv
import io
import json

import pytest

from carbon.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_csv_gives_every_factor_with_a_source(capsys, store):
    code, out, _ = run(capsys, "factors", "list", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    n = store.execute("SELECT count(*) FROM factor").fetchone()[0]
    assert len(rows) == n > 100
    assert all(r["source"].strip() for r in rows)
    assert all(r["source_title"].strip() for r in rows)


def test_list_by_category(capsys, store):
    code, out, _ = run(capsys, "factors", "list", "--category", "travel", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data and {d["category"] for d in data} == {"travel"}


def test_show_a_derived_inhaler_factor(capsys, store):
    code, out, _ = run(capsys, "factors", "show", "ventolin_evohaler", "--basis", "AR6", "--format", "json")
    info = json.loads(out)
    assert code == 0
    assert info["unit"] == "kgCO2e/inhaler" and info["basis_used"] == "AR6"
    # Published 28.262 kgCO2e on AR5; the HFA-134a part is re-based from 1300 to 1530 kgCO2e/kg.
    assert info["value"] > 28.262
    assert any("gwp(hfa134a)" in line for line in info["derivation"])


def test_show_an_anaesthetic_agent_explains_the_arithmetic(capsys, store):
    code, out, _ = run(capsys, "factors", "show", "desflurane_bottle", "--basis", "SA2012")
    assert code == 0
    # 240 mL x 1.465 g/mL x 2540 kgCO2e/kg = 893.1 kgCO2e per bottle (reference sheet: 893)
    assert "893.1 kgCO2e/bottle" in out
    assert "How it is calculated" in out


def test_search(capsys, store):
    code, out, _ = run(capsys, "factors", "search", "desflurane", "--format", "csv")
    assert code == 0 and "desflurane_bottle" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (("factors", "show", "no_such_factor"), "no factor with id 'no_such_factor'"),
        (("factors", "list", "--category", "spaceships"), "unknown category 'spaceships'"),
        (("factors", "list", "--basis", "AR9"), "unknown GWP basis 'AR9'"),
        (("factors", "search", "zzzzqqq"), "no factor matches"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(capsys, store, argv, message):
    code, out, err = run(capsys, *argv)
    assert code != 0
    assert message in err and "Traceback" not in err


def test_db_path_and_init(capsys, db_path, store):
    code, out, _ = run(capsys, "db", "path")
    assert code == 0 and out.strip() == str(db_path)
    code, out, _ = run(capsys, "db", "init")
    assert code == 0 and "factors loaded" in out and "schema version" in out
