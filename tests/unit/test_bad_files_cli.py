"""Every file of the bad-file corpus (tests/data/bad/, see its README) through its importer by the
real ``carbon`` command (``carbon.cli.main``, as the console script runs it), on a store already
holding a good month: a one-line-a-problem error naming the file, the line and the reason, exit
status 2 and no traceback, and every table of the store the same afterwards (row counts and a hash
of every row); or, for a file only in another encoding, a whole import.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from carbon import bootstrap
from carbon.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
BAD = DATA / "bad"
PHS_JAN = DATA / "prescribing" / "phs_2024_01.csv"

IMPORT = {"prescribing": ["prescribing", "import", "--quiet"], "list sizes": ["prescribing", "list-sizes"],
          "estates": ["estates", "import"], "theatre": ["theatre", "import"], "desnz": ["factors", "import-desnz"]}

#: file -> (its importer, the line named (None: the whole file), words the error must hold)
REFUSED = {
    "phs_utf16_no_bom.csv": ("prescribing", None, "UTF-16 text without a byte-order mark"),
    "phs_3mb_line.csv": ("prescribing", 4, "line 4 is 2.9 MiB long"),
    "phs_ragged_row.csv": ("prescribing", 4, "has fewer fields than the header's 9 (8)"),
    "phs_header_only.csv": ("prescribing", None, "has a header but no rows"),
    "phs_empty.csv": ("prescribing", None, "is empty (0 bytes)"),
    "phs_nan_items.csv": ("prescribing", 3, "NumberOfPaidItems is 'NaN', not a finite number"),
    "phs_inf_quantity.csv": ("prescribing", 6, "PaidQuantity is 'inf', not a finite number"),
    "phs_1e308_quantity.csv": ("prescribing", 7, "PaidQuantity is 1e308, more than 10,000,000,000 on one row"),
    "phs_1e400_cost.csv": ("prescribing", 9, "GrossIngredientCost is '1e400', not a finite number"),
    "phs_month_299903.csv": ("prescribing", 10, "PaidDateMonth is '299903', not a month (YYYYMM or YYYY_MM) of the "
                                                "years 2000-2100"),
    "phs_nul_in_practice.csv": ("prescribing", 11, "holds a control character (a NUL byte or a tab): not a practice "
                                                   "code"),
    "phs_not_gzip.csv.gz": ("prescribing", None, "is not a gzip file that can be read"),
    "bomb_phs_256mib.csv.gz": ("prescribing", None, "expands more than 100 times"),
    "zip_bomb_epd_snomed_256mib.zip": ("prescribing", None, "expands more than 100 times"),
    "list_sizes_nan_inf_1e400.csv": ("list sizes", 2, "list size 'NaN' is not a number"),
    "estates_ragged_row.csv": ("estates", 3, "has fewer fields than the header's 9 (8)"),
    "estates_header_only.csv": ("estates", None, "has a header but no rows"),
    "theatre_extra_field.csv": ("theatre", 2, "has more fields than the header's 14 (15)"),
    "theatre_header_only.csv": ("theatre", None, "has a header but no rows"),
    "desnz_header_only.csv": ("desnz", None, "has a header but no rows"),
    "desnz_utf16_no_bom.csv": ("desnz", None, "UTF-16 text without a byte-order mark"),
    "epd_inf_items.csv": ("prescribing", 2, "ITEMS is 'inf', not a finite number"),
    "epd_negative_quantity.csv": ("prescribing", 3, "TOTAL_QUANTITY is negative (-10)"),
    "theatre_fgf_million.csv": ("theatre", 2, "a flow of 1e+06 L/min (fgf_l_min) is more than 20 L/min"),
    "theatre_duration_nan.csv": ("theatre", 3, "duration_min 'NaN' is not a number"),
}

#: pathway and scenario files -> (the command, words the error must hold): a pathway file's footprint
#: (`carbon pathway footprint FILE`) and a scenario file's import (`carbon scenario import FILE`); a
#: problem in one row is named by the row's own label, a problem of the whole file by the file
DOCUMENTS = {
    "pathway_quantity_nan.toml": ("pathway", "quantity 'nan inhaler/year' for '1 year' is not a finite number"),
    "pathway_quantity_1e400.toml": ("pathway", "quantity '1e400 inhaler/year' for '1 year' is not a finite number"),
    "pathway_quantity_negative.toml": ("pathway", "Ventolin Evohaler 100 micrograms, as needed: quantity: "
                                                  "'-4 inhaler/year' cannot be negative"),
    "pathway_cohort_inf.toml": ("pathway", "pathway_cohort_inf.toml: cohort must be a number of patients a year "
                                           "above zero (got inf)"),
    "pathway_litres_as_distance.toml": ("pathway", "'3 L' is not a distance and cannot be converted to km"),
    "pathway_unknown_factor.toml": ("pathway", "no factor with id 'no_such_factor'"),
    "pathway_latin1.toml": ("pathway", "pathway_latin1.toml: not a text file in UTF-8 (byte 824 is 0xa3, as in "
                                       "Latin-1 or Windows-1252)"),
    "pathway_nested_5000.json": ("pathway", "pathway_nested_5000.json: lists or tables are nested 5,001 deep"),
    "pathway_nul_in_name.toml": ("pathway", "pathway_nul_in_name.toml: the name holds control characters (U+0000)"),
    "pathway_1_2mb.toml": ("pathway", "pathway_1_2mb.toml: the file is 1,171,998 bytes"),
    "scenario_end_year_3000.toml": ("scenario", "end_year 3000 must be between 2000 and 2100"),
    "scenario_end_year_1e9.toml": ("scenario", "end_year 1000000000 must be between 2000 and 2100"),
    "scenario_unknown_target_set.toml": ("scenario", "target_set 'NHS Atlantis' is not a set of targets in the "
                                                     "library"),
    "scenario_amount_1e400.toml": ("scenario", "baseline line 1 (Grid electricity): amount '1e400 kWh' is not a "
                                               "finite number"),
    "scenario_growth_nan.toml": ("scenario", "growth_pct nan is not a finite number"),
    "scenario_kwh_as_water.toml": ("scenario", "baseline line 4 (Water supplied): amount '300000 kWh' is not a "
                                               "volume (m3, litres)"),
    "scenario_nul_in_label.toml": ("scenario", "baseline line 1 (Grid\ufffdelectricity): label holds control "
                                               "characters (U+0000)"),
    "scenario_nested_5000.json": ("scenario", "scenario_nested_5000.json: lists or tables are nested 5,001 deep"),
}
DOCUMENT_COMMAND = {"pathway": ["pathway", "footprint"], "scenario": ["scenario", "import"]}

#: file -> (its importer, words the command's report must hold): files only in another encoding
IMPORTED = {
    "phs_utf16_bom.csv": ("prescribing", "11 rows read"),
    "phs_latin1_pound.csv": ("prescribing", "11 rows read"),
    "estates_utf16_bom.csv": ("estates", "estates_utf16_bom.csv: 11 estates rows for 1 organisation"),
}


def store_state(store) -> dict:
    """Every base table of the store: its row count and the sum of a hash of each whole row."""
    tables = [r[0] for r in store.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
    return {t: store.execute(f'SELECT count(*), sum(hash(t::VARCHAR)) FROM "{t}" t').fetchone() for t in tables}


def _store_state(db: Path) -> dict:
    return store_state(bootstrap.open_store(db))


def _folder_state(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def with_a_month(db_path, capsys, tmp_path, monkeypatch) -> Path:
    """The store with one good PHS month imported by the command, and a private copy of the factor
    library for the DESNZ importer to (not) write into."""
    code, _, err = run(capsys, "--db", str(db_path), "prescribing", "import", "--quiet", str(PHS_JAN))
    assert code == 0, err
    library = tmp_path / "factors"
    shutil.copytree(Path(__file__).resolve().parents[2] / "factors", library)
    monkeypatch.setenv("CARBON_FACTORS_DIR", str(library))
    return db_path


def test_the_tables_here_name_every_file_of_the_corpus():
    corpus = {p.name for p in BAD.iterdir() if p.is_file() and p.name not in ("README.md", "make.py")}
    assert corpus == set(REFUSED) | set(IMPORTED) | set(DOCUMENTS)
    assert len(set(REFUSED) | set(DOCUMENTS)) >= 40  # issue 11: at least forty bad inputs
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in corpus)  # each corruption described


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_bad_file_is_refused_by_the_command_naming_file_line_and_reason(with_a_month, capsys, name):
    importer, line, words = REFUSED[name]
    library = Path(os.environ["CARBON_FACTORS_DIR"])
    before, files_before = _store_state(with_a_month), _folder_state(library)
    code, out, err = run(capsys, "--db", str(with_a_month), *IMPORT[importer], str(BAD / name))
    assert code == 2, (out, err)
    assert "Traceback" not in err and err.startswith("carbon: "), err
    assert words in err, err
    place = f"{name}:{line}: " if line else f"{name}: "
    assert place in err or (name.endswith(".zip") and f" in {name}: " in err), err  # a ZIP names its member too
    assert "imported" not in out.lower()
    assert _store_state(with_a_month) == before
    assert _folder_state(library) == files_before


@pytest.mark.parametrize("name", sorted(IMPORTED))
def test_a_file_only_in_another_encoding_imports_whole_by_the_command(with_a_month, capsys, name):
    importer, words = IMPORTED[name]
    before = _store_state(with_a_month)
    code, out, err = run(capsys, "--db", str(with_a_month), *IMPORT[importer], str(BAD / name))
    assert code == 0, err
    assert words in out, out
    after = _store_state(with_a_month)
    if importer == "prescribing":  # the store's month again (a pound sign in a name): as many rows, one log row more
        assert after["rx_item"][0] == before["rx_item"][0] and after["rx_chemical"][0] == before["rx_chemical"][0]
        assert after["rx_import"][0] == before["rx_import"][0] + 1
    else:  # the estates template's rows (the UTF-8 template's lines less its header)
        rows = len((DATA / "estates" / "board_template_2024_25.csv").read_text(encoding="utf-8").splitlines()) - 1
        assert after["estates_activity"][0] == before["estates_activity"][0] + rows


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_a_bad_pathway_or_scenario_file_is_refused_by_the_command(with_a_month, capsys, name):
    kind, words = DOCUMENTS[name]
    before = _store_state(with_a_month)
    code, out, err = run(capsys, "--db", str(with_a_month), *DOCUMENT_COMMAND[kind], str(BAD / name))
    assert code == 2, (out, err)
    assert "Traceback" not in err and err.startswith("carbon: "), err
    assert words in err and "\x00" not in err, err  # the NUL refused is never written back
    assert "saved" not in out and "kgCO2e" not in out
    assert _store_state(with_a_month) == before
