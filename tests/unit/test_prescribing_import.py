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
  Turbohaler 2 x 0.8 = 1.6; Bricanyl Turbohaler 1 x 0.8 = 0.8; Combivent (0301040R0BBAAAA, a
  salbutamol/ipratropium pMDI the library has no figure for) 2 items not mapped.  -> 145.8 kgCO2e.
* EPD January, F84001 (NHS North East London ICB): salbutamol TOTAL_QUANTITY 20 + 10 = 30
  inhalers x 25 = 750; Fostair pMDI 4 x 11.3304 = 45.3216; Fostair NEXThaler 2 x 0.9156 = 1.8312;
  F84002: 600 units for 3 items = doses, / 200 = 3 inhalers x 25 = 75.  -> 872.1528 kgCO2e.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from carbon import prescribing as rx
from tests.unit import rx_layouts as layouts

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
    ("bad_malformed_code.csv", 3, "BNFItemCode 'SALBUTAMOL' is not a BNF code (15 characters, or 11 for an "
                                  "appliance in chapters 20-23)"),
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
    assert "... and 10 more problems" in str(err.value)
    frame = rx.problems_frame(err.value)
    assert len(frame) == rx.MAX_PROBLEMS + 1 and frame["what"].iloc[-1] == "... and 10 more problems"


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
    # two months of data (January, February) scaled to twelve: x 12 / 2
    assert prac.loc["10002", "months"] == 2
    assert prac.loc["10002", "kgCO2e_per_1000_patients_year"] == pytest.approx(522.694 * 6 / 5000 * 1000)
    board = rx.footprint(store, "board").set_index("board_code")
    assert board.loc["S08000024", "patients"] == 5000 + 2500
    # 10002 522.694 and 10017 148.294 kgCO2e, each over its own two months x 6
    assert board.loc["S08000024", "kgCO2e_per_1000_patients_year"] == pytest.approx((522.694 + 148.294) * 6 / 7.5)
    bad = tmp_path / "sizes.csv"
    bad.write_text("practice,patients\n10002,5000\n10017,-3\n20005,many\n")
    with pytest.raises(rx.PrescribingImportError) as err:
        rx.import_list_sizes(store, bad)
    assert [(p.where, p.line, p.what) for p in err.value.problems] == [
        ("sizes.csv", 3, "list size is negative"), ("sizes.csv", 4, "list size 'many' is not a number")]
    assert store.execute("SELECT patients FROM rx_list_size WHERE practice = '10002'").fetchall() == [(5000.0,)]


# --- real layouts, as published ---------------------------------------------------------------
EPD_2016 = DATA / "epd_201601_sample_11rows.csv"


def _chemicals(store) -> dict:
    rows = store.execute("SELECT strftime(month, '%Y-%m'), bnf_chapter, bnf_chemical, sum(items), sum(cost_gbp) "
                         "FROM rx_chemical_month GROUP BY ALL ORDER BY ALL").fetchall()
    return {(m, chem): (chap, items, cost) for m, chap, chem, items, cost in rows}


def test_the_real_2016_epd_sample_loads_whole_with_its_appliance_row(store):
    """The 11 real rows of January 2016: YEAR_MONTH '2016_01', area team and PCO (CCG) columns, an
    appliance (21300000100, 11 characters), and names with commas inside quotes (lines 8 and 10),
    which are one field each, not shifted columns. Every row is valid, so all 11 are read."""
    report = rx.import_files(store, [EPD_2016])
    assert report.months == ["2016-01"] and report.rows_read == 11
    assert report.files[0]["layout"] == "EPD, boards by PCO, BNF_CODE"
    # chapter 3 in detail: one row, Fluticasone/Salmeterol_Inh 125/25mcg120D (generic pMDI), QUANTITY 1 x 2
    # items = 2 inhalers x 17.5 (combination pMDI class figure) at WIGAN BOROUGH CCG
    assert report.rows_kept == 1
    board = rx.footprint(store, "board").set_index("board_code")
    assert board.loc["02H00", "board"] == "WIGAN BOROUGH CCG"
    assert board.loc["02H00", "kgCO2e"] == pytest.approx(2 * 17.5)
    assert board.loc["02H00", "factor_ids"] == "inhaler_pmdi_combination_class"
    # every chapter by month x practice x chemical, worked by hand from the 11 rows (items, NIC pounds)
    chem = _chemicals(store)
    assert chem[("2016-01", "0202010B0")] == ("02", 46 + 23, pytest.approx(15.41 + 15.41))  # one practice, 2 rows
    assert chem[("2016-01", "2130")] == ("21", 1, pytest.approx(8.30))  # the appliance, under its BNF section
    assert chem[("2016-01", "0906040G0")] == ("09", 13 + 13, pytest.approx(46.15 * 2))  # two practices
    assert chem[("2016-01", "0302000N0")] == ("03", 2, pytest.approx(70.00))
    total_items = store.execute("SELECT sum(items), sum(cost_gbp), count(DISTINCT practice) "
                                "FROM rx_chemical_month").fetchone()
    assert total_items[0] == 46 + 23 + 2 + 1 + 1 + 26 + 1 + 1 + 1 + 13 + 13 == 128
    assert total_items[1] == pytest.approx(15.41 * 2 + 70.00 + 2.67 + 24.00 + 5.20 + 27.54 + 8.30 + 5.72 + 46.15 * 2)
    assert total_items[2] == 9
    # a comma inside quotes is part of its field: the rows of lines 8 (FIELD HOUSE SURGERY, BRIDLINGTON) and
    # 10 (area team CUMBRIA,NORTHUMB,TYNE & WEAR) keep their PCO and practice in the right columns
    boards = dict(store.execute("SELECT practice, board FROM rx_chemical_month").fetchall())
    assert boards["B81060"] == "EAST RIDING OF YORKSHIRE CCG" and boards["A82022"] == "CUMBRIA CCG"


def test_a_comma_outside_quotes_is_named_with_its_line(store):
    """The same sample with line 8's practice name unquoted: that row has 27 fields, not 26."""
    with pytest.raises(rx.PrescribingImportError) as err:
        rx.import_files(store, [DATA / "bad_epd_201601_unquoted_comma.csv"])
    first = err.value.problems[0]
    assert (first.where, first.line) == ("bad_epd_201601_unquoted_comma.csv", 8)
    assert "more fields than the header's 26 (27)" in first.what and "comma" in first.what
    assert _stored(store) == []


def test_epd_with_snomed_zip_latin1_by_hand(store, tmp_path):
    """An 'EPD with SNOMED code' month as NHSBSA publishes it: a ZIP of one Latin-1 CSV with
    BNF_PRESENTATION_CODE, BNF_PRESENTATION_NAME and SNOMED_CODE, January 2026 codes.

    Inhalers (AR5): Fostair under its 2026 code 0302000ABBCAAAB, 10 x 11.3304 = 113.304; Trimbow under its
    2025 code 0302000AABBAAAA, 3 x 17.5 = 52.5; salbutamol pMDI in two rows that differ only by SNOMED code
    (VMP and AMP): 1 x 20 + 2 x 5 = 30 inhalers x 25 = 750.  -> 915.804 kgCO2e. The appliance (21300000100)
    and paracetamol are kept by chemical only."""
    path = layouts.epd_snomed_zip(tmp_path, "202601", new_codes=True)
    report = rx.import_files(store, [path])
    f = report.files[0]
    assert f["file"] == "EPD_SNOMED_202601.csv in EPD_SNOMED_202601.zip"
    assert f["layout"] == "EPD, with SNOMED codes, boards by ICB, BNF_PRESENTATION_CODE"
    assert report.rows_read == 6 and report.rows_kept == 4 and report.months == ["2026-01"]
    assert rx.imports(store)["encoding"].iloc[0] == "Latin-1"
    prac = rx.footprint(store, "practice").set_index("practice")
    assert prac.loc["A81001", "practice_name"] == "CAFÉ QUARTER SURGERY"  # read as Latin-1, not mangled
    assert prac.loc["A81001", "kgCO2e"] == pytest.approx(10 * 11.3304 + 3 * 17.5 + 30 * 25)
    assert prac.loc["A81001", "inhalers"] == 10 + 3 + 30
    assert prac.loc["A81001", "cost_gbp"] == pytest.approx(293.20 + 132.00 + 30.00 + 7.50)
    chem = _chemicals(store)
    assert chem[("2026-01", "0302000AB")][1:] == (10, pytest.approx(293.20))
    assert chem[("2026-01", "0301011R0")][1:] == (20 + 5, pytest.approx(37.50))
    assert chem[("2026-01", "2130")] == ("21", 3, pytest.approx(24.90))
    assert chem[("2026-01", "0407010H0")] == ("04", 12, pytest.approx(9.60))


def test_phs_generations_hbt2014_and_dmd(store, tmp_path):
    """PHS October 2015 (HBT2014, no class column) and June 2024 (DMDCode, PrescribedType: the same BNF
    item as VMP and as AMP is two rows, not a duplicate), by hand: 2015 salbutamol 7 x 25 + Seretide
    Accuhaler 1 x 0.898 = 175.898; 2024 salbutamol (10 + 4) x 25 + Clenil 2 x 17.5 = 385."""
    report = rx.import_files(store, [layouts.phs_hbt2014(tmp_path), layouts.phs_dmd(tmp_path)])
    assert [f["layout"] for f in report.files] == [
        "PHS, boards by HBT2014, no class column", "PHS, boards by HBT, dm+d codes (DMDCode, PrescribedType)"]
    month = rx.footprint(store, "month").set_index("month")
    assert month.loc["2015-10", "kgCO2e"] == pytest.approx(7 * 25 + 0.898)
    assert month.loc["2024-06", "kgCO2e"] == pytest.approx(14 * 25 + 2 * 17.5)
    assert _chemicals(store)[("2024-06", "0407010H0")][1:] == (30, pytest.approx(24.00))


def test_a_real_duplicate_row_in_a_snomed_file_is_still_found(store, tmp_path):
    path = layouts.epd_snomed_zip(tmp_path, "202601", new_codes=True)
    import zipfile
    with zipfile.ZipFile(path) as z:
        lines = z.read("EPD_SNOMED_202601.csv").decode("latin-1").splitlines()
    twice = tmp_path / "EPD_SNOMED_202601_twice.csv"
    twice.write_bytes(("\r\n".join(lines + [lines[1]]) + "\r\n").encode("latin-1"))
    with pytest.raises(rx.PrescribingImportError) as err:
        rx.import_files(store, [twice])
    assert [p.line for p in err.value.problems] == [2, 8]
    assert "code 0302000ABBCAAAB appears 2 times" in err.value.problems[0].what
