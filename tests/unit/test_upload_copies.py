"""Uploaded files are copied to the temporary folder only while they are imported: removed after each
import (kept or refused), and those a killed app left behind are removed at the next start."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from carbon import prescribing as rx
from carbon import uploads

DATA = Path(__file__).resolve().parents[1] / "data" / "prescribing"


@pytest.fixture
def temp_folder(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def copies(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(uploads.PREFIXES))


def test_no_copy_is_left_after_an_import_kept_or_refused(store, temp_folder):
    good = [(f.name, f.read_bytes()) for f in (DATA / "phs_2024_01.csv", DATA / "epd_2024_01.csv")]
    assert rx.import_uploads(store, good, who="me").rows_kept > 0
    with pytest.raises(rx.PrescribingImportError):
        rx.import_uploads(store, [("bad_negative.csv", (DATA / "bad_negative.csv").read_bytes())], who="me")
    assert rx.import_list_sizes_upload(store, "sizes.csv", (DATA / "list_sizes_phs.csv").read_bytes(), "me") == 3
    assert copies(temp_folder) == []


def test_copies_left_by_a_dead_process_are_removed_at_start_up(temp_folder):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(ended.stdout)
    for name in (f"carbon_rx_{dead}_a1b2", f"carbon_ls_{dead}_c3d4", "carbon_rx_x9y8",  # the last: no pid
                 f"carbon_rx_{os.getpid()}_live", "someone_elses_folder"):
        (temp_folder / name).mkdir()
        (temp_folder / name / "pitc202401.csv").write_text("GPPractice\n")
    removed = uploads.remove_stale()
    assert sorted(p.name for p in removed) == sorted([f"carbon_rx_{dead}_a1b2", f"carbon_ls_{dead}_c3d4",
                                                      "carbon_rx_x9y8"])
    # an import under way in a live process (this one) and other programs' folders are left alone
    assert sorted(p.name for p in temp_folder.iterdir()) == sorted([f"carbon_rx_{os.getpid()}_live",
                                                                   "someone_elses_folder"])
