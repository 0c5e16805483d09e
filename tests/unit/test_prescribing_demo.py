"""The Prescribing page's demonstration board (carbon/prescribing/demo.py): files in PHS's real layout,
loaded through the real import and its log, the same bytes every time, and taken out again without
touching a real import."""

from pathlib import Path

import pandas as pd
import pytest

from carbon import prescribing as rx
from carbon.prescribing import demo

DATA = Path(__file__).resolve().parents[1] / "data" / "prescribing"


def test_the_files_are_in_the_phs_layout_and_the_same_every_time(store, tmp_path):
    first = demo.write(store, tmp_path / "a")
    again = demo.write(store, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert [p.name for p in first[:2]] == ["demo_synthetic_board_pitc202404.csv", "demo_synthetic_board_pitc202405.csv"]
    month = pd.read_csv(first[0], dtype=str)
    assert list(month.columns) == ["HBT", "GPPractice", "DMDCode", "BNFItemCode", "BNFItemDescription",
                                   "PrescribedType", "NumberOfPaidItems", "PaidQuantity", "GrossIngredientCost",
                                   "PaidDateMonth"]
    assert set(month["HBT"]) == {"S08000016"} and set(month["PaidDateMonth"]) == {"202404"}
    assert month["GPPractice"].str.fullmatch(r"990\d\d").all() and month["BNFItemCode"].str.len().eq(15).all()
    sizes = pd.read_csv(first[-1], dtype=str)
    assert list(sizes.columns)[:7] == ["Date", "PracticeCode", "HB", "HSCP", "Sex", "SexQF", "AllAges"]


def test_loaded_through_the_real_import_then_removed(store):
    rx.import_files(store, [DATA / "phs_2024_01.csv"])  # a real import before it
    before, unmapped = rx.totals(store, basis="AR5"), rx.coverage(store)["unmapped_codes"]
    report = demo.load(store, "tester")
    assert report.rows_kept > 0 and report.months[0] == "2024-04" and report.months[-1] == "2025-03"
    assert demo.is_loaded(store)
    log = rx.imports(store)
    assert log["file"].str.startswith(demo.PREFIX).sum() == 12
    assert (log.loc[log["file"].str.startswith(demo.PREFIX), "layout"] == "PHS, boards by HBT, dm+d codes "
            "(DMDCode, PrescribedType)").all()
    board = rx.footprint(store, "board", basis="AR5").set_index("board_code")
    assert board.loc["S08000016", "board"] == "NHS Borders"
    practices = rx.footprint(store, "practice", basis="AR5")
    assert practices["practice"].str.startswith("990").sum() == demo.PRACTICES
    assert rx.coverage(store)["unmapped_codes"] == unmapped  # every inhaler of the demonstration has a factor
    assert rx.has_list_sizes(store)

    assert demo.remove(store) == 12
    assert not demo.is_loaded(store)
    after = rx.totals(store, basis="AR5")
    assert after["kgCO2e"] == pytest.approx(before["kgCO2e"]) and after["practices"] == before["practices"]
