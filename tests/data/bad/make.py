"""Write the bad files of this folder from the good fixtures, each with one corruption (see README.md).

Run from the project folder (``python tests/data/bad/make.py``); the same bytes come out every
time. Each file starts from a real-layout fixture (tests/data/prescribing, estates, theatre) and
breaks it the way a careless export, a spreadsheet or a hostile upload would.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
PHS = (DATA / "prescribing" / "phs_2024_01.csv").read_text(encoding="utf-8")
PHS_LINES = PHS.splitlines(keepends=True)
HEADER, ROWS = PHS_LINES[0], PHS_LINES[1:]
LIST = (DATA / "prescribing" / "list_sizes_phs.csv").read_text(encoding="utf-8").splitlines(keepends=True)
ESTATES = (DATA / "estates" / "board_template_2024_25.csv").read_text(encoding="utf-8")
DESNZ = (DATA / "desnz" / "desnz_2025_flat_file_rows.csv").read_text(encoding="utf-8")
CASES = (DATA / "theatre" / "case_log_two_theatres.csv").read_text(encoding="utf-8").splitlines(keepends=True)
EPD = (DATA / "prescribing" / "epd_2024_01.csv").read_text(encoding="utf-8").splitlines(keepends=True)
PROJECT = DATA.parents[1]
PATHWAY = (PROJECT / "factors" / "templates" / "asthma_pmdi.toml").read_text(encoding="utf-8")
SCENARIO = (PROJECT / "factors" / "scenarios" / "demo_board.toml").read_text(encoding="utf-8")
SCENARIO_NAME = 'name = "Demo: a board\'s route to net zero"'


def replace_row(n: int, old: str, new: str) -> str:
    """The PHS fixture with ``old`` replaced by ``new`` in data row ``n`` (1-based; file line n + 1)."""
    rows = list(ROWS)
    assert old in rows[n - 1], (n, old)
    rows[n - 1] = rows[n - 1].replace(old, new, 1)
    return HEADER + "".join(rows)


def files() -> dict[str, bytes]:
    out = {
        "phs_utf16_bom.csv": PHS.replace("SALBUTAMOL_INHA 100MCG (200 D) CFF", "SALBUTAMOL_INHA 100MCG (200 D) CFF £")
                             .encode("utf-16"),
        "phs_utf16_no_bom.csv": PHS.encode("utf-16-le"),
        "phs_latin1_pound.csv": replace_row(4, "PARACET_TAB 500MG", "PARACET_TAB 500MG £0.01 A TAB").encode("latin-1"),
        "phs_3mb_line.csv": replace_row(3, "SERETIDE 250_ACCUHALER 250MCG/50MCG(60D)",
                                        "SERETIDE " + "X" * 3_000_000).encode(),
        "phs_ragged_row.csv": replace_row(3, ",3,3,105.00,", ",3,105.00,").encode(),
        "phs_header_only.csv": HEADER.encode(),
        "phs_empty.csv": b"",
        "phs_nan_items.csv": replace_row(2, ",3,4,4,29.68,", ",3,NaN,4,29.68,").encode(),
        "phs_inf_quantity.csv": replace_row(5, ",3,5,1000,7.50,", ",3,5,inf,7.50,").encode(),
        "phs_1e308_quantity.csv": replace_row(6, ",3,6,6,132.00,", ",3,6,1e308,132.00,").encode(),
        "phs_1e400_cost.csv": replace_row(8, ",3,8,8,11.68,", ",3,8,8,1e400,").encode(),
        "phs_month_299903.csv": replace_row(9, ",202401\n", ",299903\n").encode(),
        "phs_nul_in_practice.csv": replace_row(10, "S08000031,20005,", "S08000031,200\x0005,").encode(),
        "estates_utf16_bom.csv": ESTATES.encode("utf-16"),
        "estates_ragged_row.csv": _ragged_estates().encode(),
        "estates_header_only.csv": ESTATES.splitlines(keepends=True)[0].encode(),
        "theatre_extra_field.csv": (CASES[0] + CASES[1].rstrip("\n") + ",extra\n" + "".join(CASES[2:])).encode(),
        "theatre_header_only.csv": CASES[0].encode(),
        "phs_not_gzip.csv.gz": b"\x1f\x8b\x08\x00" + b"this is not deflate data" * 10,
    }
    out["list_sizes_nan_inf_1e400.csv"] = _list_sizes().encode()
    out["bomb_phs_256mib.csv.gz"] = _bomb(256 * 2**20)
    out["zip_bomb_epd_snomed_256mib.zip"] = _zip_bomb(256 * 2**20)
    out["desnz_header_only.csv"] = DESNZ.splitlines(keepends=True)[0].encode()
    out["desnz_utf16_no_bom.csv"] = DESNZ.encode("utf-16-le")
    out["epd_inf_items.csv"] = _epd(1, ",1,20,20,0,30.00,", ",1,inf,20,0,30.00,").encode()
    out["epd_negative_quantity.csv"] = _epd(2, ",2,5,10,0,15.00,", ",2,5,-10,0,15.00,").encode()
    out["theatre_fgf_million.csv"] = _case(1, ",sevoflurane,6,", ",sevoflurane,1000000,").encode()
    out["theatre_duration_nan.csv"] = _case(2, ",60,maintenance,", ",NaN,maintenance,").encode()
    out.update(_documents())
    return out


def _epd(n: int, old: str, new: str) -> str:
    """The EPD month with ``old`` replaced by ``new`` in data row ``n`` (file line n + 1)."""
    rows = list(EPD)
    assert old in rows[n], (n, old)
    rows[n] = rows[n].replace(old, new, 1)
    return "".join(rows)


def _case(n: int, old: str, new: str) -> str:
    """The theatre case log with ``old`` replaced by ``new`` in data row ``n`` (file line n + 1)."""
    rows = list(CASES)
    assert old in rows[n], (n, old)
    rows[n] = rows[n].replace(old, new, 1)
    return "".join(rows)


def _pathway(old: str, new: str) -> str:
    assert old in PATHWAY, old
    return PATHWAY.replace(old, new, 1)


def _scenario(name: str, old: str, new: str) -> str:
    assert old in SCENARIO, old
    return SCENARIO.replace(SCENARIO_NAME, f'name = "{name}"', 1).replace(old, new, 1)


def _documents() -> dict[str, bytes]:
    """Pathway files (the asthma template) and scenario files (the demo board), each broken once."""
    deep = '{"name": "Deep", "activity": ' + "[" * 5000 + "]" * 5000 + "}"
    return {
        "pathway_quantity_nan.toml": _pathway('quantity = "7.3 inhaler/year"', 'quantity = "nan inhaler/year"').encode(),
        "pathway_quantity_1e400.toml": _pathway('quantity = "7.3 inhaler/year"',
                                                'quantity = "1e400 inhaler/year"').encode(),
        "pathway_quantity_negative.toml": _pathway('quantity = "4 inhaler/year"', 'quantity = "-4 inhaler/year"').encode(),
        "pathway_cohort_inf.toml": _pathway("cohort = 1000", "cohort = inf").encode(),
        "pathway_litres_as_distance.toml": _pathway('distance = "3 mile"', 'distance = "3 L"').encode(),
        "pathway_unknown_factor.toml": _pathway('factor = "clenil_pmdi"', 'factor = "no_such_factor"').encode(),
        "pathway_latin1.toml": _pathway("Cohort: 1,000", "Cohort: £1,000").encode("latin-1"),
        "pathway_nested_5000.json": deep.encode(),
        "pathway_nul_in_name.toml": _pathway('name = "Asthma: preventer', 'name = "Asthma:\\u0000 preventer').encode(),
        "pathway_1_2mb.toml": _pathway("assumptions = [", "assumptions = [\n" + '  "padding",\n' * 90_000).encode(),
        "scenario_end_year_3000.toml": _scenario("End year 3000", "end_year = 2045", "end_year = 3000").encode(),
        "scenario_end_year_1e9.toml": _scenario("End year 10^9", "end_year = 2045", "end_year = 1000000000").encode(),
        "scenario_unknown_target_set.toml": _scenario("No such targets", 'target_set = "NHS Scotland"',
                                                      'target_set = "NHS Atlantis"').encode(),
        "scenario_amount_1e400.toml": _scenario("Beyond a double", 'amount = "30000000 kWh"',
                                                'amount = "1e400 kWh"').encode(),
        "scenario_growth_nan.toml": _scenario("Growth NaN", "growth_pct = 1.5", "growth_pct = nan").encode(),
        "scenario_kwh_as_water.toml": _scenario("Water in kWh", 'amount = "300000 m3"', 'amount = "300000 kWh"').encode(),
        "scenario_nul_in_label.toml": _scenario("A NUL in a label", 'label = "Grid electricity"',
                                                'label = "Grid\\u0000electricity"').encode(),
        "scenario_nested_5000.json": deep.replace('"activity"', '"lines"').encode(),
    }


def _ragged_estates() -> str:
    lines = ESTATES.splitlines(keepends=True)
    parts = lines[2].split(",")
    lines[2] = ",".join(parts[:6] + parts[7:])  # the quantity left out: one field too few
    return "".join(lines)


def _list_sizes() -> str:
    """The plain list-size file with NaN, inf and 1e400 as list sizes (lines 2, 3 and 4)."""
    header, rows = LIST[0], LIST[1:]
    cols = header.strip().split(",")
    i = cols.index("PracticeListSize")
    out = [header]
    for row, bad in zip(rows, ["NaN", "inf", "1e400"]):
        fields = row.rstrip("\n").split(",")
        fields[i] = bad
        out.append(",".join(fields) + "\n")
    return "".join(out)


def _bomb(size: int) -> bytes:
    """A gzip of the PHS header and one of its rows repeated until ``size`` bytes: about 1,000 to 1."""
    buf = io.BytesIO()
    block = ROWS[0].encode() * (8 << 20 // len(ROWS[0]))
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as z:
        z.write(HEADER.encode())
        written = 0
        while written < size:
            z.write(block)
            written += len(block)
    return buf.getvalue()


def _zip_bomb(size: int) -> bytes:
    """A ZIP, named as an EPD with SNOMED month, of one CSV: the PHS header and a row repeated to ``size`` bytes."""
    buf = io.BytesIO()
    block = ROWS[0].encode() * (8 << 20 // len(ROWS[0]))
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        info = zipfile.ZipInfo("EPD_SNOMED_202401.csv", date_time=(2024, 2, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w") as member:
            member.write(HEADER.encode())
            written = 0
            while written < size:
                member.write(block)
                written += len(block)
    return buf.getvalue()


if __name__ == "__main__":
    for name, content in files().items():
        (HERE / name).write_bytes(content)
        print(f"{name}: {len(content):,} bytes")
