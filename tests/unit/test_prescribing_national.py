"""A partitioned Parquet set of EPD months read in place (carbon.prescribing.national).

The set is written from the EPD fixture (tests/data/prescribing/epd_2024_01.csv, hand-made in the
real layout) by ``add_month``; its footprint by board and month must be the import's, worked by
hand in test_prescribing_import.py: NHS North East London ICB (QMF), January 2024, 872.1528 kgCO2e
on AR5 (salbutamol 30 inhalers x 25 = 750; Fostair pMDI 4 x 11.3304 = 45.3216; Fostair NEXThaler
2 x 0.9156 = 1.8312; F84002's 600 doses for 3 items / 200 = 3 inhalers x 25 = 75).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carbon import prescribing as rx
from carbon.prescribing import national

DATA = Path(__file__).resolve().parents[1] / "data" / "prescribing"


def test_a_month_added_to_the_set_gives_the_imported_footprint(store, tmp_path):
    folder = tmp_path / "epd_set"
    path = national.add_month(DATA / "epd_2024_01.csv", folder)
    assert path.relative_to(folder).parts[:2] == ("year=2024", "month=01")
    df = national.footprint(store, folder, by=["board", "month"])
    row = df.set_index("board_code").loc["QMF"]
    assert row["month"] == "2024-01" and row["kgCO2e"] == pytest.approx(872.1528)
    rx.import_files(store, [DATA / "epd_2024_01.csv"])
    imported = rx.footprint(store, ["board", "month"]).set_index("board_code").loc["QMF"]
    for col in ("items", "inhalers", "kgCO2e", "kgCO2e_low", "kgCO2e_high", "cost_gbp", "unmapped_items"):
        assert row[col] == pytest.approx(imported[col]), col


def test_the_same_month_twice_is_refused_and_a_month_filter_prunes(store, tmp_path):
    folder = tmp_path / "epd_set"
    national.add_month(DATA / "epd_2024_01.csv", folder)
    with pytest.raises(rx.PrescribingImportError, match="already holds month 202401"):
        national.add_month(DATA / "epd_2024_01.csv", folder)
    assert national.footprint(store, folder, by=["board"], months=["2024-02"]).empty
    with pytest.raises(rx.PrescribingImportError, match="holds no year=YYYY"):
        national.footprint(store, tmp_path, by=["board"])


def test_the_command_adds_a_month_and_gives_its_footprint(tmp_path, capsys):
    from carbon.cli import main

    db, folder = tmp_path / "carbon.duckdb", tmp_path / "set"
    assert main(["--db", str(db), "prescribing", "national", "add", str(DATA / "epd_2024_01.csv"), str(folder)]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "prescribing", "national", "footprint", str(folder), "--format", "json"]) == 0
    rows = __import__("json").loads(capsys.readouterr().out)
    assert [(r["board_code"], r["month"], round(r["kgCO2e"], 4)) for r in rows] == [("QMF", "2024-01", 872.1528)]
