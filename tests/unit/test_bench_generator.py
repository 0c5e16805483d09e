"""The benchmark's synthetic PHS generator writes a file in the real format (no timing here).

A small file (3,000 rows: 30 practices x 3 months) is enough to check the properties the
benchmark relies on: the PHS columns in order, well-formed codes, one row per practice x code x
month, every practice in every month, about one row in twenty an inhaler from the mapping table,
and inhaler quantities in doses as the import's conversion rule expects.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS, PRACTICES, MONTHS = 3_000, 30, 3
# The 14 territorial boards by their 2019 codes, as in the HBT column of PHS files since 2019.
BOARDS = {f"S080000{n}" for n in (15, 16, 17, 19, 20, 22, 24, 25, 26, 28, 29, 30, 31, 32)}
# The columns of a 2023-onwards pitcYYYYMM.csv, in file order (PHS open data dictionary).
PHS_HEADER = ["HBT", "GPPractice", "DMDCode", "BNFItemCode", "BNFItemDescription", "PrescribedType",
              "NumberOfPaidItems", "PaidQuantity", "GrossIngredientCost", "PaidDateMonth"]


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("generate_phs", ROOT / "bench" / "generate_phs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small(gen, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    mapping = gen.inhaler_codes(folder)  # the product's own map of inhaler codes, from the shipped library
    path = folder / "pitc_small.csv"
    summary = gen.generate(path, rows=ROWS, seed=7, practices=PRACTICES, n_months=MONTHS, mapping=mapping)
    return path, summary, mapping


@pytest.fixture(scope="module")
def con(small):
    con = duckdb.connect()
    con.execute("CREATE TABLE f AS SELECT * FROM read_csv(?, header = true, all_varchar = true)", [str(small[0])])
    con.execute("CREATE TABLE m AS SELECT * FROM read_csv(?, header = true, all_varchar = true)",
                [str(small[2])])
    return con


def test_header_is_the_phs_layout(small):
    header = small[0].read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == PHS_HEADER


def test_codes_and_values_are_well_formed(con):
    rows = con.execute(
        "SELECT HBT, GPPractice, DMDCode, BNFItemCode, PrescribedType, NumberOfPaidItems, PaidQuantity,"
        " GrossIngredientCost, PaidDateMonth FROM f"
    ).fetchall()
    assert len(rows) == ROWS  # exactly the rows asked for
    bnf = re.compile(r"(0[1-9]|1[0-5])[0-9]{5}[0-9A-Z]{8}")  # 15 characters, BNF chapters 1-15
    for hbt, practice, dmd, code, kind, items, qty, cost, month in rows:
        assert hbt in BOARDS
        assert re.fullmatch(r"[1-9][0-9]{4}", practice)  # five-digit practice code
        assert re.fullmatch(r"[1-9][0-9]{15}", dmd)  # a numeric dm+d product code
        assert bnf.fullmatch(code), code
        assert kind in ("VMP", "AMP")
        assert int(items) >= 1 and int(qty) > 0 and float(cost) >= 0
        assert re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", cost)  # pounds and pence
        assert month in ("202404", "202405", "202406")  # April onwards, YYYYMM


def test_one_row_per_practice_code_month_and_every_practice_every_month(con, small):
    keys, grid, practices, months = con.execute(
        "SELECT count(DISTINCT (GPPractice, BNFItemCode, PaidDateMonth)), count(DISTINCT (GPPractice, PaidDateMonth)),"
        " count(DISTINCT GPPractice), count(DISTINCT PaidDateMonth) FROM f"
    ).fetchone()
    assert keys == ROWS  # as in the published file: no duplicate practice x code x month
    assert months == MONTHS
    # about 30 practices spread over all 14 boards (at least one each), every one in every month
    assert 25 <= practices <= 35
    assert con.execute("SELECT count(DISTINCT HBT) FROM f").fetchone()[0] == 14
    assert grid == practices * months
    assert small[1]["practices"] == practices and small[1]["rows"] == ROWS


def test_inhalers_are_about_one_row_in_twenty_and_all_from_the_mapping(con):
    inhaler_rows = con.execute("SELECT count(*) FROM f WHERE BNFItemCode IN (SELECT bnf_code FROM m)").fetchone()[0]
    assert 0.03 * ROWS <= inhaler_rows <= 0.08 * ROWS  # the generator aims at 5 %
    # inhaled corticosteroids (BNF 3.2) only ever appear as codes of the mapping table
    stray = con.execute(
        "SELECT count(*) FROM f WHERE BNFItemCode LIKE '0302%' AND BNFItemCode NOT IN (SELECT bnf_code FROM m)"
    ).fetchone()[0]
    assert stray == 0
    # salbutamol (BNF 0301011R0) is the commonest inhaler by items, as in real prescribing
    top = con.execute(
        "SELECT f.BNFItemCode FROM f JOIN m ON m.bnf_code = f.BNFItemCode"
        " GROUP BY 1 ORDER BY sum(f.NumberOfPaidItems::INTEGER) DESC LIMIT 1"
    ).fetchone()[0]
    assert top.startswith("0301011R0")


def test_inhaler_quantities_are_doses(con):
    # PaidQuantity = items x inhalers per item (1-3) x doses per inhaler, so the import's rule
    # (more than 9 units per item means doses) applies and quantity / doses counts the inhalers.
    bad = con.execute(
        """SELECT count(*) FROM (
             SELECT f.NumberOfPaidItems::BIGINT AS items, f.PaidQuantity::BIGINT AS qty,
                    m.doses_per_inhaler::BIGINT AS doses
             FROM f JOIN m ON m.bnf_code = f.BNFItemCode)
           WHERE qty % doses <> 0 OR qty // doses NOT BETWEEN items AND 3 * items OR qty <= 9 * items"""
    ).fetchone()[0]
    assert bad == 0


def test_same_seed_same_file_other_seed_other_file(gen, small, tmp_path):
    again, other = tmp_path / "again.csv", tmp_path / "other.csv"
    gen.generate(again, rows=ROWS, seed=7, practices=PRACTICES, n_months=MONTHS, mapping=small[2])
    gen.generate(other, rows=ROWS, seed=8, practices=PRACTICES, n_months=MONTHS, mapping=small[2])
    assert again.read_bytes() == small[0].read_bytes()
    assert other.read_bytes() != small[0].read_bytes()
