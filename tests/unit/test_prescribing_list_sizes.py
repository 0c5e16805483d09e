"""List sizes from the real published layouts: the total row, never a sum of the breakdowns.

The fixtures are the shared real files, unchanged or cut by whole practices (tests/data/prescribing/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carbon import prescribing as rx

DATA = Path(__file__).resolve().parents[1] / "data" / "prescribing"


def _sizes(store) -> dict:
    return {p: (n, m) for p, n, m in store.execute(
        "SELECT practice, patients, strftime(month, '%Y-%m') FROM rx_list_size ORDER BY practice").fetchall()}


def test_nhs_england_patients_registered_takes_the_all_all_row(store):
    """172 rows for 4 practices (each sex x five-year band, plus FEMALE/ALL, MALE/ALL and ALL/ALL): the list size is
    the ALL/ALL row. B85010: 6,939 (FEMALE 3,517 + MALE 3,422 = 6,939; a sum of every row would be 6,939 x 3)."""
    assert rx.import_list_sizes(store, DATA / "gp_list_size_quin_age_201709_4practices.csv") == 4
    assert _sizes(store) == {"B85010": (6939, "2017-09"), "B85054": (10529, "2017-09"),
                             "L84018": (6632, "2017-09"), "L84073": (4181, "2017-09")}
    loaded = rx.list_sizes(store)
    assert loaded["layout"].tolist() == ["NHS England, Patients Registered at a GP Practice (SEX = ALL, age ALL)"]


def test_phs_list_sizes_take_the_sex_all_row(store):
    """PHS October 2024, practice 10002: Male 4,109 + Female 4,221, All 8,330 (not 16,660)."""
    assert rx.import_list_sizes(store, DATA / "phs_practice_listsizes_oct2024_3practices.csv") == 3
    assert _sizes(store) == {"10002": (8330, "2024-10"), "10017": (7463, "2024-10"), "10036": (4864, "2024-10")}


def test_phs_contact_details_one_row_a_practice_month_from_the_name(store):
    assert rx.import_list_sizes(store, DATA / "phs_practice_contactdetails_oct2024_3practices.csv") == 3
    assert _sizes(store) == {"10002": (8330, "2024-10"), "10017": (7463, "2024-10"), "10036": (4864, "2024-10")}


def test_breakdowns_without_a_total_are_refused_not_summed(store, tmp_path):
    path = tmp_path / "breakdown_only.csv"
    lines = (DATA / "phs_practice_listsizes_oct2024_3practices.csv").read_text().splitlines()
    path.write_text("\n".join([lines[0]] + [x for x in lines[1:] if ",All," not in x]) + "\n")
    with pytest.raises(rx.PrescribingImportError, match="no Sex = All row"):
        rx.import_list_sizes(store, path)
    assert _sizes(store) == {}


def test_a_practice_twice_is_named(store, tmp_path):
    path = tmp_path / "twice.csv"
    lines = (DATA / "gp_list_size_quin_age_201709_4practices.csv").read_text().splitlines()
    path.write_text("\n".join(lines + [lines[1]]) + "\n")
    with pytest.raises(rx.PrescribingImportError) as err:
        rx.import_list_sizes(store, path)
    p = err.value.problems[0]
    assert (p.line, p.what) == (174, "practice B85010 has 2 total rows (lines 2, 174); each practice's list size "
                                     "must appear once")


def test_per_1000_patients_a_year_with_a_real_list_size(store, tmp_path):
    """A year of kgCO2e per 1,000 patients from one month of data: x 12, and the month of the list size is kept."""
    path = tmp_path / "pitc202410.csv"
    path.write_text("HBT,GPPractice,BNFItemCode,BNFItemDescription,NumberOfPaidItems,PaidQuantity,"
                    "GrossIngredientCost,PaidDateMonth\n"
                    "S08000030,10002,0301011R0AAAPAP,SALBUTAMOL_INHA 100MCG (200 D) CFF,100,100,150.00,202410\n")
    rx.import_files(store, [path])
    rx.import_list_sizes(store, DATA / "phs_practice_listsizes_oct2024_3practices.csv")
    prac = rx.footprint(store, "practice").set_index("practice")
    assert prac.loc["10002", "kgCO2e_per_1000_patients_year"] == pytest.approx(100 * 25 * 12 / 8330 * 1000)
    assert prac.loc["10002", "relievers_per_1000_patients_year"] == pytest.approx(100 * 12 / 8330 * 1000)
    assert prac.loc["10002", "list_size_month"] == "2024-10"
    board = rx.footprint(store, "board").set_index("board_code")
    assert board.loc["S08000030", "board"] == "NHS Tayside"
    assert board.loc["S08000030", "kgCO2e_per_1000_patients_year"] == pytest.approx(100 * 25 * 12 / 8330 * 1000)
