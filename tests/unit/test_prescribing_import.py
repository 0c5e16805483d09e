"""Importing PHS and NHS England prescribing files: formats, all-or-nothing, replacing a month.

Fixtures (tests/data/prescribing/) are hand-written in the real public formats; the totals below
are worked by hand from their rows and the factor library (AR5):

* PHS January, practice 10002 (NHS Lothian): salbutamol pMDI 12 inhalers (12 units for 10 items is
  at most 9 a item, so inhalers) x 25 = 300; Clenil Modulite 4 x 17.5 = 70; Seretide Accuhaler
  3 x 0.898 = 2.694. February: salbutamol 6 x 25 = 150.  -> 522.694 kgCO2e.
* practice 10017: Ventolin Evohaler 1000 units for 5 items (> 9 a item, so doses) / 200 doses = 5
  inhalers x 28.262 = 141.31; Relvar Ellipta (6 + 3) x 0.776 = 6.984; the nebuliser solution is
  not an inhaler.  -> 148.294;  NHS Lothian 670.988 kgCO2e.
* practice 20005 (NHS Greater Glasgow and Clyde): Salamol (8 + 4) x 11.95 = 143.4; Symbicort
  Turbohaler 2 x 0.8 = 1.6; Bricanyl Turbohaler 1 x 0.8 = 0.8; NEWBRAND (0301011W0...) 2 items
  not mapped.  -> 145.8 kgCO2e.
* EPD January, F84001 (NHS North East London ICB): salbutamol TOTAL_QUANTITY 20 + 10 = 30
  inhalers x 25 = 750; Fostair pMDI 4 x 11.3304 = 45.3216; Fostair NEXThaler 2 x 0.9156 = 1.8312;
  F84002: 600 units for 3 items = doses, / 200 = 3 inhalers x 25 = 75.  -> 872.1528 kgCO2e.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from carbon import prescribing as rx

DATA = Path(__file__).resolve().parents[1] / "data" / "prescribing"
PHS_JAN, PHS_FEB, PHS_FEB_GZ = DATA / "phs_2024_01.csv", DATA / "phs_2024_02.csv", DATA / "phs_2024_02.csv.gz"
EPD_JAN = DATA / "epd_2024_01.csv"
BOARD_KG = {"S08000024": 670.988, "S08000031": 145.8, "QMF": 872.1528}


def _by_board(store) -> dict:
    df = rx.footprint(store, "board")
    return dict(zip(df["board_code"], df["kgCO2e"]))


def _stored(store) -> list:
    return store.execute(
        "SELECT format, strftime(month, '%Y-%m'), count(*), sum(items) FROM rx_item GROUP BY ALL ORDER BY ALL"
    ).fetchall()


def test_detect_format_from_header():
    assert rx.detect_format(["HBT", "GPPractice", "BNFItemCode", "PaidQuantity"]) == "phs"
    assert rx.detect_format(["YEAR_MONTH", "PRACTICE_CODE", "BNF_CODE", "TOTAL_QUANTITY"]) == "epd"
    assert rx.detect_format(["name", "value"]) is None


def test_phs_csv_and_gzip_totals_by_hand(store):
    report = rx.import_files(store, [PHS_JAN, PHS_FEB_GZ])
    assert report.months == ["2024-01", "2024-02"] and report.replaced == []
    # respiratory rows kept: 10 in January (all but the paracetamol, chapter 4), 3 in February
    assert report.rows_kept == 10 + 3
    kg = _by_board(store)
    assert kg["S08000024"] == pytest.approx(300 + 70 + 2.694 + 150 + 141.31 + 6.984)
    assert kg["S08000031"] == pytest.approx(143.4 + 1.6 + 0.8)
    assert set(kg) == {"S08000024", "S08000031"}
    boards = rx.footprint(store, "board").set_index("board_code")
    assert boards.loc["S08000024", "board"] == "NHS Lothian"
    assert boards.loc["S08000031", "unmapped_items"] == 2
    assert boards.loc["S08000024", "inhalers"] == 12 + 4 + 3 + 6 + 5 + 9


def test_epd_totals_by_hand(store):
    rx.import_files(store, [EPD_JAN], fmt="epd")
    prac = rx.footprint(store, "practice").set_index("practice")
    assert prac.loc["F84001", "inhalers"] == 30 + 4 + 2
    assert prac.loc["F84001", "kgCO2e"] == pytest.approx(30 * 25 + 4 * 11.3304 + 2 * 0.9156, rel=1e-6)
    assert prac.loc["F84002", "inhalers"] == 3  # 600 doses / 200 per inhaler
    assert prac.loc["F84002", "kgCO2e"] == pytest.approx(75.0)
    assert prac.loc["F84001", "practice_name"] == "RIVERSIDE MEDICAL CENTRE"
    assert prac.loc["F84001", "cost_gbp"] == pytest.approx(30 + 15 + 117.28 + 58.64)  # NIC, amoxicillin left out
    assert _by_board(store) == pytest.approx({"QMF": 872.1528})


def test_parquet_imports_the_same_as_csv(store, tmp_path):
    pq = tmp_path / "phs_2024_01.parquet"
    # typed columns, as a Parquet export has them (practice and month as integers)
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{PHS_JAN}')) TO '{pq}' (FORMAT parquet)")
    types = dict(duckdb.sql(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{pq}')").fetchall())
    assert types["GPPractice"] == "BIGINT" and types["PaidQuantity"] == "BIGINT"
    report = rx.import_files(store, [pq])
    assert report.files[0]["format"] == "phs" and report.months == ["2024-01"]
    kg = _by_board(store)
    assert kg["S08000024"] == pytest.approx(300 + 70 + 2.694 + 141.31 + 6 * 0.776)
    assert kg["S08000031"] == pytest.approx(8 * 11.95 + 1.6 + 0.8)


def test_reimporting_a_month_replaces_it(store):
    rx.import_files(store, [PHS_JAN, PHS_FEB_GZ])
    before = _stored(store)
    report = rx.import_files(store, [PHS_FEB])
    assert report.replaced == ["2024-02"]
    assert _stored(store) == before  # February replaced, not doubled
    assert _by_board(store)["S08000031"] == pytest.approx(145.8)
    # PHS and EPD months live side by side: EPD January does not replace PHS January
    rx.import_files(store, [EPD_JAN])
    assert _by_board(store) == pytest.approx(BOARD_KG)


def test_the_same_month_twice_in_one_import_is_refused(store):
    with pytest.raises(rx.PrescribingImportError) as err:
        rx.import_files(store, [PHS_FEB, PHS_FEB_GZ])
    assert "month 202402 is also in phs_2024_02.csv" in str(err.value)
    assert _stored(store) == []


@pytest.mark.parametrize("name, row, reason", [
    ("bad_missing_column.csv", 1, "missing column(s) PaidQuantity"),
    ("bad_text_number.csv", 3, "NumberOfPaidItems is 'ten', not a number"),
    ("bad_negative.csv", 4, "PaidQuantity is negative (-4)"),
    ("bad_malformed_code.csv", 3, "BNFItemCode 'SALBUTAMOL' is not a 15-character BNF code"),
    ("bad_duplicate.csv", 2, "month 202403, practice 10002, code 0301011R0AAAPAP appears 2 times in this file"),
])
def test_a_bad_file_imports_nothing_and_says_why(store, name, row, reason):
    rx.import_files(store, [PHS_JAN])
    before = _stored(store)
    n_imports = len(rx.imports(store))
    with pytest.raises(rx.PrescribingImportError) as err:
        rx.import_files(store, [PHS_FEB, DATA / name])  # a good file beside it is not imported either
    first = err.value.problems[0]
    assert (first.where, first.line) == (name, row) and reason in first.what
    assert str(err.value).startswith("nothing was imported")
    assert _stored(store) == before
    assert len(rx.imports(store)) == n_imports


@pytest.mark.parametrize("cells, reason", [
    ("1,50,,40.00,202401", "PaidQuantity is empty"),
    ("1,,3200,40.00,202401", "NumberOfPaidItems is empty"),
    ("1,50,3200,,202401", "GrossIngredientCost is empty"),
])
def test_an_empty_number_in_a_row_that_is_not_an_inhaler_is_refused(store, tmp_path, cells, reason):
    # every row is checked, not only the respiratory ones kept: a paracetamol row (chapter 4) with an
    # empty number makes the file suspect, so nothing is imported (line 13 = header + 11 rows + this)
    path = tmp_path / "empty_cell.csv"
    path.write_text(PHS_JAN.read_text() + f"S08000024,10002,0407010H0AAAMAM,PARACET_TAB 500MG,{cells}\n")
    with pytest.raises(rx.PrescribingImportError) as err:
        rx.import_files(store, [path])
    assert [(p.where, p.line, p.what) for p in err.value.problems] == [("empty_cell.csv", 13, reason)]
    assert _stored(store) == []


def test_duplicate_lists_both_rows(store):
    with pytest.raises(rx.PrescribingImportError) as err:
        rx.import_files(store, [DATA / "bad_duplicate.csv"])
    assert [p.line for p in err.value.problems] == [2, 4] and err.value.total == 2


def test_many_problems_list_the_first_then_count(store, tmp_path):
    lines = PHS_JAN.read_text().splitlines()
    bad = [lines[0]] + [f"S08000024,1{i:04d},0301011R0AAAPAP,SALBUTAMOL,1,x,12,18.00,202401" for i in range(30)]
    path = tmp_path / "many_bad.csv"
    path.write_text("\n".join(bad) + "\n")
    with pytest.raises(rx.PrescribingImportError) as err:
        rx.import_files(store, [path])
    assert err.value.total == 30 and len(err.value.problems) == rx.MAX_PROBLEMS
    first = err.value.problems[0]
    assert (first.where, first.line, first.what) == ("many_bad.csv", 2, "NumberOfPaidItems is 'x', not a number")
    assert "... and 10 more problem(s)" in str(err.value)
    frame = rx.problems_frame(err.value)
    assert len(frame) == rx.MAX_PROBLEMS + 1 and frame["what"].iloc[-1] == "... and 10 more problem(s)"


def test_not_a_prescribing_file(store, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,value\na,1\n")
    with pytest.raises(rx.PrescribingImportError, match="neither a PHS"):
        rx.import_files(store, [path])
    with pytest.raises(rx.PrescribingImportError, match="file not found"):
        rx.import_files(store, [tmp_path / "missing.csv"])


def test_progress_is_reported_and_ends_at_one(store):
    seen = []
    rx.import_files(store, [PHS_JAN, EPD_JAN], progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("epd_2024_01.csv" in m for _, m in seen)


def test_uploads_and_folder(store, tmp_path):
    report = rx.import_uploads(store, [("phs_2024_01.csv", PHS_JAN.read_bytes()),
                                       ("phs_2024_02.csv.gz", PHS_FEB_GZ.read_bytes())])
    assert [f["file"] for f in report.files] == ["phs_2024_01.csv", "phs_2024_02.csv.gz"]
    assert _by_board(store)["S08000024"] == pytest.approx(670.988)
    found = rx.files_in_folder(DATA)
    assert {p.name for p in found} >= {"phs_2024_01.csv", "phs_2024_02.csv.gz", "epd_2024_01.csv"}
    with pytest.raises(rx.PrescribingImportError, match="no .csv"):
        rx.files_in_folder(tmp_path)


def test_list_sizes(store, tmp_path):
    assert rx.import_list_sizes(store, DATA / "list_sizes_phs.csv") == 3
    rx.import_files(store, [PHS_JAN, PHS_FEB_GZ])
    prac = rx.footprint(store, "practice").set_index("practice")
    assert prac.loc["10002", "patients"] == 5000
    assert prac.loc["10002", "kgCO2e_per_1000_patients"] == pytest.approx(522.694 / 5000 * 1000)
    board = rx.footprint(store, "board").set_index("board_code")
    assert board.loc["S08000024", "patients"] == 5000 + 2500
    assert board.loc["S08000024", "kgCO2e_per_1000_patients"] == pytest.approx(670.988 / 7.5)
    bad = tmp_path / "sizes.csv"
    bad.write_text("practice,patients\n10002,5000\n10017,-3\n20005,many\n")
    with pytest.raises(rx.PrescribingImportError) as err:
        rx.import_list_sizes(store, bad)
    assert [(p.where, p.line, p.what) for p in err.value.problems] == [
        ("sizes.csv", 3, "list size is negative"), ("sizes.csv", 4, "list size 'many' is not a number")]
    assert store.execute("SELECT patients FROM rx_list_size WHERE practice = '10002'").fetchall() == [(5000.0,)]
