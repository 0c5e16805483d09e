"""Bad files (tests/data/bad/, see its README) through every file importer: each a clear error
naming the file, line and reason, with nothing stored, or (a file only in another encoding) a
whole import; two files of one name from two folders; a header-only file never an import of 0 rows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from carbon import desnz, estates
from carbon import prescribing as rx
from carbon.errors import CarbonError
from carbon.theatre import caselog

DATA = Path(__file__).resolve().parents[1] / "data"
BAD = DATA / "bad"
PHS_JAN = DATA / "prescribing" / "phs_2024_01.csv"


def _state(store) -> list:
    return [store.execute(f"SELECT count(*), sum(hash(t::VARCHAR)) FROM {t} t").fetchone() for t in
            ("rx_item", "rx_chemical", "rx_import", "rx_code", "rx_list_size", "estates_activity", "theatre_step")]


@pytest.mark.parametrize("name, line, words", [
    ("phs_utf16_no_bom.csv", None, "UTF-16 text without a byte-order mark"),
    ("phs_3mb_line.csv", 4, "line 4 is 2.9 MiB long"),
    ("phs_ragged_row.csv", 4, "has fewer fields than the header's 9 (8)"),
    ("phs_header_only.csv", None, "has a header but no rows"),
    ("phs_empty.csv", None, "is empty (0 bytes)"),
    ("phs_nan_items.csv", 3, "NumberOfPaidItems is 'NaN', not a finite number"),
    ("phs_inf_quantity.csv", 6, "PaidQuantity is 'inf', not a finite number"),
    ("phs_1e308_quantity.csv", 7, "PaidQuantity is 1e308, more than 10,000,000,000 on one row"),
    ("phs_1e400_cost.csv", 9, "GrossIngredientCost is '1e400', not a finite number"),
    ("phs_month_299903.csv", 10, "PaidDateMonth is '299903', not a month (YYYYMM or YYYY_MM) of the years 2000-2100"),
    ("phs_nul_in_practice.csv", 11, "holds a control character (a NUL byte or a tab): not a practice code"),
    ("phs_not_gzip.csv.gz", None, "is not a gzip file that can be read"),
    ("bomb_phs_256mib.csv.gz", None, "expands more than 100 times"),
    ("zip_bomb_epd_snomed_256mib.zip", None, "expands more than 100 times"),
])
def test_a_bad_prescribing_file_says_where_and_why_and_imports_nothing(store, name, line, words):
    rx.import_files(store, [PHS_JAN])
    before = _state(store)
    with pytest.raises(rx.PrescribingImportError) as err:
        rx.import_files(store, [BAD / name])
    first = err.value.problems[0]
    assert words in first.what and first.line == line, first
    assert name in first.where  # the file (a ZIP's member: "EPD_SNOMED_202401.csv in <the zip>")
    assert _state(store) == before


@pytest.mark.parametrize("name, encoding", [("phs_utf16_bom.csv", "UTF-16"), ("phs_latin1_pound.csv", "Latin-1")])
def test_a_file_in_another_encoding_imports_whole_and_the_log_says_which(store, name, encoding):
    report = rx.import_files(store, [BAD / name])
    assert report.rows_read == 11 and report.files[0]["encoding"] == encoding
    log = rx.imports(store).iloc[0]
    assert log["encoding"] == encoding and log["rows_read"] == 11 and log["rows_kept"] == 10
    # the same footprint as the file in UTF-8: NHS Lothian in January, by hand (test_prescribing_import.py):
    # salbutamol 12 x 25 + Clenil 4 x 17.5 + Seretide 3 x 0.898 + Ventolin 5 x 28.262 + Relvar 6 x 0.776
    kg = rx.footprint(store, "board").set_index("board_code")["kgCO2e"]
    assert kg["S08000024"] == pytest.approx(300 + 70 + 2.694 + 141.31 + 6 * 0.776)


def test_the_import_log_says_exactly_what_was_kept(store):
    report = rx.import_files(store, [PHS_JAN])
    log = rx.imports(store).iloc[0]
    # 11 rows; 10 of chapter 3 kept in detail; every row summed by month x practice x chemical: practice
    # 10002 salbutamol, beclometasone, fluticasone, paracetamol (4); 10017 salbutamol (two codes, one
    # chemical), fluticasone furoate (2); 20005 salbutamol, budesonide, terbutaline, ipratropium (4)
    assert (log["rows_read"], log["rows_kept"], log["chemical_rows"]) == (11, 10, 10)
    assert log["bytes"] == PHS_JAN.stat().st_size and log["fingerprint"].startswith(f"{PHS_JAN.stat().st_size}:")
    assert "every one summed into 10 month x practice x chemical rows" in report.summary()


def test_two_files_of_one_name_from_two_folders_are_both_named_and_never_replace_each_other(store, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    same_a, same_b = tmp_path / "a" / "pitc202401.csv", tmp_path / "b" / "pitc202401.csv"
    shutil.copyfile(PHS_JAN, same_a)
    shutil.copyfile(PHS_JAN, same_b)
    with pytest.raises(rx.PrescribingImportError) as err:
        rx.import_files(store, [same_a, same_b])
    assert str(err.value.problems[0]) == "b/pitc202401.csv: month 202401 is also in a/pitc202401.csv; import each month once"
    assert _state(store)[0][0] == 0
    feb = tmp_path / "b" / "phs_2024_01.csv"  # another month under the first one's name, in another folder
    (tmp_path / "a" / "phs_2024_01.csv").write_bytes(PHS_JAN.read_bytes())
    feb.write_bytes((DATA / "prescribing" / "phs_2024_02.csv").read_bytes())
    report = rx.import_files(store, [tmp_path / "a" / "phs_2024_01.csv", feb])
    assert [f["file"] for f in report.files] == ["a/phs_2024_01.csv", "b/phs_2024_01.csv"]
    assert report.months == ["2024-01", "2024-02"]
    assert set(rx.imports(store)["file"]) == {"a/phs_2024_01.csv", "b/phs_2024_01.csv"}
    with pytest.raises(rx.PrescribingImportError, match="is given twice"):
        rx.import_files(store, [feb, feb])


def test_two_uploads_of_one_name_are_told_apart(store):
    jan, feb = PHS_JAN.read_bytes(), (DATA / "prescribing" / "phs_2024_02.csv").read_bytes()
    report = rx.import_uploads(store, [("pitc.csv", jan), ("pitc.csv", feb)])
    assert [f["file"] for f in report.files] == ["upload 1/pitc.csv", "upload 2/pitc.csv"]


def test_list_sizes_that_are_not_finite_are_named_by_line(store):
    with pytest.raises(rx.PrescribingImportError) as err:
        rx.import_list_sizes(store, BAD / "list_sizes_nan_inf_1e400.csv")
    assert [(p.line, p.what) for p in err.value.problems] == [
        (2, "list size 'NaN' is not a number"), (3, "list size 'inf' is not a finite number"),
        (4, "list size '1e400' is not a finite number")]
    assert rx.list_sizes(store).empty


@pytest.mark.parametrize("importer, name, line, words", [
    ("estates", "estates_ragged_row.csv", 3, "has fewer fields than the header's 9 (8)"),
    ("estates", "estates_header_only.csv", None, "has a header but no rows"),
    ("theatre", "theatre_extra_field.csv", 2, "has more fields than the header's 14 (15)"),
    ("theatre", "theatre_header_only.csv", None, "has a header but no rows"),
    ("desnz", "desnz_header_only.csv", None, "has a header but no rows"),
    ("desnz", "desnz_utf16_no_bom.csv", None, "UTF-16 text without a byte-order mark"),
])
def test_the_other_importers_read_through_the_same_guarded_reader(store, tmp_path, importer, name, line, words):
    before = _state(store)
    run = {"estates": lambda p: estates.import_file(store, p), "theatre": lambda p: caselog.import_file(store, p),
           "desnz": lambda p: desnz.import_flat_file(p, directory=tmp_path / "factors", dry_run=True)}[importer]
    with pytest.raises(CarbonError) as err:
        run(BAD / name)
    first = err.value.problems[0]
    assert words in first.what and first.line == line and first.where == name, first
    assert _state(store) == before


def test_an_estates_template_in_utf16_imports_whole(store):
    report = estates.import_file(store, BAD / "estates_utf16_bom.csv")
    plain = DATA / "estates" / "board_template_2024_25.csv"
    assert report.rows_kept == len(plain.read_text(encoding="utf-8").splitlines()) - 1
