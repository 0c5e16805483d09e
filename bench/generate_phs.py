"""Write a synthetic national-scale file in the PHS "Prescriptions in the Community" format.

Why: the prescribing import and footprint must stay set-wise at the scale of a year of Scottish
data (a monthly PHS file is some 85 MB, most of a million rows; 10 million rows is about a year).
Real extracts are large and change every month, so the benchmark runs on a reproducible synthetic
file with the same columns, the same kinds of codes and a similar shape:

* the 14 territorial NHS Scotland boards by their 2019 codes (``HBT`` S08000015 ... S08000032), with
  roughly the real number of GP practices in each (about 925 in all), each practice a 5-digit code
  and a list size drawn from a log-normal distribution (islands smaller);
* one row per practice x BNF presentation x month (``PaidDateMonth`` YYYYMM, April to March);
* the BNF presentation codes (15 characters) of every inhaler the product maps (``inhaler_codes``: NHSBSA's
  BNF 3.1/3.2 list as ``carbon.prescribing`` maps it) with their NHSBSA names, plus several thousand non-inhaler codes from the other BNF chapters (a few real
  common medicines, the rest synthetic but well formed inside real chapters and sections);
* popularity follows a Zipf-like curve, so the common medicines appear at every practice every month
  and the long tail at few; inhalers carry 5 % of the popularity (about 4 % of rows and 5-6 % of
  items), salbutamol about half of the inhaler items;
* ``NumberOfPaidItems`` grows with how common the code is at that practice (10 million rows give
  about 90 million items, near Scotland's real yearly total); ``PaidQuantity`` is the total paid
  quantity (tablets, mL, or doses for inhalers: items x inhalers per item x doses per inhaler);
  ``GrossIngredientCost`` is pounds at a per-code unit price.

Everything is generated set-wise in DuckDB SQL (cross joins filtered by a seeded hash) and written
with ``COPY ... TO``; no Python loop touches a row. The only Python arithmetic is the calibration of
one scale constant over the small practices x codes grid (numpy, vectorised) so that a little more
than the requested number of rows is drawn; a second hash then keeps exactly that many, uniformly.
The same seed and options give the same bytes (rows are sorted by month, board, practice, code).

Usage::

    python bench/generate_phs.py                         # 200,000 rows, quick
    python bench/generate_phs.py --rows 10000000 --seed 1 --out bench/out/pitc_10m.csv
    python bench/generate_phs.py --rows 2000 --out /tmp/x.parquet   # .csv, .csv.gz or .parquet
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT_DIR = ROOT / "bench" / "out"
DEFAULT_ROWS = 200_000

# The columns of the PHS open-data monthly files (pitcYYYYMM.csv, 2023 onwards), in file order.
PHS_COLUMNS = [
    "HBT", "GPPractice", "DMDCode", "BNFItemCode", "BNFItemDescription", "PrescribedType",
    "NumberOfPaidItems", "PaidQuantity", "GrossIngredientCost", "PaidDateMonth",
]

# NHS Scotland territorial boards (2019 codes, as in HBT) and their approximate number of GP
# practices (PHS GP workforce and practice population statistics, order of magnitude only); the
# last figure shrinks list sizes on the islands.
BOARDS = [
    ("S08000015", "Ayrshire and Arran", 53, 1.0),
    ("S08000016", "Borders", 23, 1.0),
    ("S08000017", "Dumfries and Galloway", 32, 0.9),
    ("S08000019", "Forth Valley", 52, 1.1),
    ("S08000020", "Grampian", 76, 1.0),
    ("S08000022", "Highland", 100, 0.7),
    ("S08000024", "Lothian", 120, 1.3),
    ("S08000025", "Orkney", 16, 0.4),
    ("S08000026", "Shetland", 10, 0.4),
    ("S08000028", "Western Isles", 13, 0.4),
    ("S08000029", "Fife", 53, 1.2),
    ("S08000030", "Tayside", 61, 1.1),
    ("S08000031", "Greater Glasgow and Clyde", 224, 1.0),
    ("S08000032", "Lanarkshire", 92, 1.1),
]

# Real BNF chapters and sections outside the inhalers: (section code, stem for synthetic
# descriptions, dosage form, quantity per item, unit price GBP, relative share of rows, number of
# substances to generate).
SECTIONS = [
    ("0101", "ANTACID", "TABLETS", 100, 0.03, 2, 20),
    ("0103", "ANTISECRETORY", "GASTRO-RESISTANT CAPSULES", 28, 0.04, 8, 25),
    ("0105", "BOWEL PREPARATION", "GASTRO-RESISTANT TABLETS", 84, 0.20, 2, 25),
    ("0106", "LAXATIVE", "ORAL POWDER SACHETS", 30, 0.15, 5, 40),
    ("0202", "DIURETIC", "TABLETS", 28, 0.03, 5, 45),
    ("0204", "BETA-ADRENOCEPTOR BLOCKER", "TABLETS", 28, 0.03, 5, 40),
    ("0205", "ANTIHYPERTENSIVE", "TABLETS", 28, 0.04, 8, 60),
    ("0206", "CALCIUM-CHANNEL BLOCKER", "TABLETS", 28, 0.04, 6, 50),
    ("0208", "ANTICOAGULANT", "TABLETS", 56, 0.90, 5, 30),
    ("0209", "ANTIPLATELET", "DISPERSIBLE TABLETS", 28, 0.03, 4, 20),
    ("0212", "LIPID-REGULATING", "TABLETS", 28, 0.04, 7, 30),
    ("0301", "BRONCHODILATOR", "NEBULISER LIQUID UNIT DOSE VIALS", 20, 0.15, 1, 6),
    ("0303", "LEUKOTRIENE RECEPTOR ANTAGONIST", "TABLETS", 28, 0.05, 2, 10),
    ("0304", "ANTIHISTAMINE", "TABLETS", 30, 0.04, 4, 40),
    ("0401", "HYPNOTIC", "TABLETS", 28, 0.05, 3, 50),
    ("0402", "ANTIPSYCHOTIC", "TABLETS", 28, 0.20, 4, 70),
    ("0403", "ANTIDEPRESSANT", "TABLETS", 28, 0.06, 9, 60),
    ("0404", "CNS STIMULANT", "MODIFIED-RELEASE TABLETS", 30, 1.10, 1, 20),
    ("0406", "ANTIEMETIC", "TABLETS", 28, 0.10, 2, 30),
    ("0407", "ANALGESIC", "TABLETS", 100, 0.03, 9, 80),
    ("0408", "ANTIEPILEPTIC", "CAPSULES", 56, 0.08, 5, 70),
    ("0409", "ANTIPARKINSONIAN", "TABLETS", 84, 0.15, 2, 40),
    ("0411", "DEMENTIA DRUG", "TABLETS", 28, 0.05, 1, 10),
    ("0501", "ANTIBACTERIAL", "CAPSULES", 21, 0.07, 6, 110),
    ("0502", "ANTIFUNGAL", "CAPSULES", 7, 0.30, 1, 30),
    ("0503", "ANTIVIRAL", "TABLETS", 25, 0.40, 1, 60),
    ("0601", "ANTIDIABETIC", "TABLETS", 56, 0.05, 6, 80),
    ("0602", "THYROID", "TABLETS", 28, 0.05, 3, 10),
    ("0603", "CORTICOSTEROID", "TABLETS", 28, 0.06, 2, 25),
    ("0604", "SEX HORMONE", "TABLETS", 28, 0.15, 3, 80),
    ("0606", "BONE METABOLISM", "TABLETS", 4, 0.30, 2, 25),
    ("0703", "CONTRACEPTIVE", "TABLETS", 84, 0.05, 3, 60),
    ("0704", "URINARY TRACT", "MODIFIED-RELEASE CAPSULES", 30, 0.10, 3, 40),
    ("0801", "CYTOTOXIC", "TABLETS", 30, 2.00, 1, 80),
    ("0901", "ANAEMIA", "TABLETS", 28, 0.03, 2, 40),
    ("0906", "VITAMIN", "CAPSULES", 30, 0.10, 3, 60),
    ("1001", "NSAID", "TABLETS", 56, 0.05, 4, 60),
    ("1103", "ANTI-INFECTIVE EYE", "EYE DROPS", 10, 0.40, 1, 30),
    ("1106", "GLAUCOMA", "EYE DROPS", 3, 1.20, 1, 40),
    ("1108", "OCULAR LUBRICANT", "EYE DROPS", 10, 0.30, 2, 60),
    ("1202", "NASAL", "NASAL SPRAY", 1, 3.00, 2, 40),
    ("1302", "EMOLLIENT", "CREAM", 500, 0.01, 4, 150),
    ("1304", "TOPICAL CORTICOSTEROID", "CREAM", 30, 0.10, 2, 80),
    ("1310", "TOPICAL ANTI-INFECTIVE", "CREAM", 15, 0.20, 1, 70),
    ("1404", "VACCINE", "SUSPENSION FOR INJECTION", 1, 8.00, 1, 40),
]

# A few real, very common non-inhaler medicines, so the head of the distribution reads like the
# real file: (chemical substance code, name, strength, form, quantity per item, unit price GBP).
COMMON = [
    ("0407010H0", "PARACETAMOL", "500MG", "TABLETS", 100, 0.01),
    ("0103050P0", "OMEPRAZOLE", "20MG", "GASTRO-RESISTANT CAPSULES", 28, 0.03),
    ("0103050L0", "LANSOPRAZOLE", "30MG", "GASTRO-RESISTANT CAPSULES", 28, 0.04),
    ("0212000B0", "ATORVASTATIN", "20MG", "TABLETS", 28, 0.03),
    ("0212000Y0", "SIMVASTATIN", "40MG", "TABLETS", 28, 0.03),
    ("0206020A0", "AMLODIPINE", "5MG", "TABLETS", 28, 0.02),
    ("0205051R0", "RAMIPRIL", "5MG", "CAPSULES", 28, 0.04),
    ("0205051L0", "LISINOPRIL", "10MG", "TABLETS", 28, 0.03),
    ("0204000H0", "BISOPROLOL FUMARATE", "2.5MG", "TABLETS", 28, 0.03),
    ("0202010B0", "BENDROFLUMETHIAZIDE", "2.5MG", "TABLETS", 28, 0.04),
    ("0202020L0", "FUROSEMIDE", "40MG", "TABLETS", 28, 0.03),
    ("0209000A0", "ASPIRIN", "75MG", "DISPERSIBLE TABLETS", 28, 0.02),
    ("0601022B0", "METFORMIN HYDROCHLORIDE", "500MG", "TABLETS", 56, 0.03),
    ("0602010V0", "LEVOTHYROXINE SODIUM", "50MICROGRAMS", "TABLETS", 28, 0.05),
    ("0403030Q0", "SERTRALINE", "50MG", "TABLETS", 28, 0.04),
    ("0403010B0", "AMITRIPTYLINE HYDROCHLORIDE", "10MG", "TABLETS", 28, 0.04),
    ("0408010G0", "GABAPENTIN", "300MG", "CAPSULES", 100, 0.05),
    ("0408010AE", "PREGABALIN", "75MG", "CAPSULES", 56, 0.05),
    ("0501013B0", "AMOXICILLIN", "500MG", "CAPSULES", 21, 0.05),
    ("0303020G0", "MONTELUKAST", "10MG", "TABLETS", 28, 0.05),
    ("0703021Q0", "DESOGESTREL", "75MICROGRAMS", "TABLETS", 84, 0.03),
    ("1001010J0", "IBUPROFEN", "400MG", "TABLETS", 84, 0.03),
    ("1001010P0", "NAPROXEN", "500MG", "TABLETS", 56, 0.05),
    ("0401020K0", "DIAZEPAM", "2MG", "TABLETS", 28, 0.03),
]

# Rough shares of inhaler items by chemical substance in UK primary care (salbutamol the most
# prescribed inhaler by far), for a realistic mix; any other chemical of the mapping gets
# OTHER_INHALER_SHARE. Illustrative, not published figures.
INHALER_CHEMICALS = [
    ("0301011R0", 0.45, "salbutamol"),
    ("0302000C0", 0.20, "beclometasone, alone or with formoterol"),
    ("0302000N0", 0.12, "fluticasone propionate, alone or with salmeterol"),
    ("0302000K0", 0.10, "budesonide, alone or with formoterol"),
    ("0302000V0", 0.07, "fluticasone furoate with vilanterol"),
]
OTHER_INHALER_SHARE = 0.02
# Items on a row: 1 + an exponential draw with mean ITEMS_BASE + ITEMS_SCALE x the code's
# expected rows at that practice (uncapped, at most ITEMS_CAP), so that common medicines at
# large practices have many items; about 10 items a row on average, as in the real file.
ITEMS_BASE, ITEMS_SCALE, ITEMS_CAP = 0.4, 7.0, 40.0

START_MONTH = (2024, 4)  # a financial year: April 2024 to March 2025
INHALER_ROW_SHARE = 0.05  # share of the popularity mass on inhaler presentations
MEDIAN_LIST_SIZE = 5_700  # patients; Scottish practices are typically 2,000-12,000


def months(n: int, start: tuple[int, int] = START_MONTH) -> list[int]:
    """``n`` consecutive months as YYYYMM integers from ``start``."""
    year, month = start
    out = []
    for _ in range(n):
        out.append(year * 100 + month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _setup(con: duckdb.DuckDBPyConnection, seed: int, practices: int, mapping: Path, n_months: int) -> None:
    """Build the small dimension tables: boards, practices, months and the BNF code universe."""
    con.execute(f"CREATE MACRO unif(a, b, c, d) AS (hash({int(seed)}, a, b, c, d) % 4294967296)::DOUBLE / 4294967296")
    scale = practices / sum(b[2] for b in BOARDS)
    con.execute("CREATE TABLE boards (board_no INTEGER, hbt VARCHAR, name VARCHAR, n INTEGER, size_factor DOUBLE)")
    con.executemany(
        "INSERT INTO boards VALUES (?, ?, ?, ?, ?)",
        [(i, code, name, max(1, round(n * scale)), f) for i, (code, name, n, f) in enumerate(BOARDS)],
    )
    # Practice codes 1xxxx..8xxxx, unique, grouped by board; list size log-normal (Box-Muller).
    con.execute(
        """
        CREATE TABLE practices AS
        SELECT b.hbt, (10000 + b.board_no * 5000 + 7 * i.i + 1)::VARCHAR AS practice,
               b.size_factor * exp(0.55 * sqrt(-2 * ln(greatest(unif(b.board_no, i.i, 1, 0), 1e-12)))
                                   * cos(2 * pi() * unif(b.board_no, i.i, 2, 0))) AS size
        FROM boards b, range(b.n) AS i(i)
        ORDER BY practice
        """
    )
    con.execute("CREATE TABLE months (month INTEGER)")
    con.executemany("INSERT INTO months VALUES (?)", [(m,) for m in months(n_months)])
    con.execute(
        "CREATE TABLE sections (section VARCHAR, stem VARCHAR, form VARCHAR, qty INTEGER, price DOUBLE,"
        " share DOUBLE, n_sub INTEGER)"
    )
    con.executemany("INSERT INTO sections VALUES (?, ?, ?, ?, ?, ?, ?)", SECTIONS)
    con.execute(
        "CREATE TABLE common (chem VARCHAR, name VARCHAR, strength VARCHAR, form VARCHAR, qty INTEGER, price DOUBLE)"
    )
    con.executemany("INSERT INTO common VALUES (?, ?, ?, ?, ?, ?)", COMMON)
    letters = "ABCDEFGHIJKLMNPQRSTUVWXYZ"
    con.execute(f"CREATE MACRO letter(n) AS substr('{letters}', (n % 25)::INTEGER + 1, 1)")
    # Synthetic substances: chemical code = section + paragraph (01-04) + subparagraph 0 + two
    # characters (letter + 0, as in most real codes); skip any code a real common medicine holds.
    con.execute(
        """
        CREATE TABLE substances AS
        WITH raw AS (
          SELECT s.*, j.j AS sub_rank,
                 s.section || lpad(((j.j % 4) + 1)::VARCHAR, 2, '0') || '0'
                   || letter(j.j // 4) || CASE WHEN j.j // 100 = 0 THEN '0' ELSE letter(j.j // 100) END AS chem
          FROM sections s, range(s.n_sub) AS j(j)
        )
        SELECT r.chem, coalesce(c.name, r.stem || ' SUBSTANCE ' || substr(r.chem, 5, 5)) AS name,
               coalesce(c.form, r.form) AS form, coalesce(c.qty, r.qty) AS qty,
               coalesce(c.price, r.price * exp(0.8 * (unif(r.sub_rank, 0, 3, r.section) - 0.5))) AS price,
               r.share / pow(r.sub_rank + 1, 1.05) * CASE WHEN c.chem IS NULL THEN 1 ELSE 3 END AS weight,
               c.strength
        FROM raw r LEFT JOIN common c ON c.chem = r.chem
        UNION ALL
        SELECT c.chem, c.name, c.form, c.qty, c.price, 6.0, c.strength
        FROM common c WHERE c.chem NOT IN (SELECT chem FROM raw)
        """
    )
    # Presentations: generic (AA) and branded (BB, BC, ...) products in 1-6 strengths each; the
    # last four characters are strength and equivalent-generic strength codes (AAAA, ABAB, ...).
    strengths = ["5MG", "10MG", "20MG", "40MG", "100MG", "250MG"]
    con.execute(
        f"""
        CREATE TABLE non_inhaler AS
        SELECT s.chem || CASE WHEN k.k < 3 THEN 'AA' ELSE 'B' || letter(k.k - 2) END
                      || letter(k.k % 3) || letter(k.k % 3) || letter(k.k % 3) || letter(k.k % 3) AS code,
               upper(s.name) || ' ' || CASE WHEN k.k = 0 AND s.strength IS NOT NULL THEN s.strength
                                            ELSE list_extract({strengths}, (k.k % 6)::INTEGER + 1) END
                 || ' ' || s.form AS description,
               FALSE AS is_inhaler, 1.0 AS doses, s.qty AS qty_per_item,
               s.price * (1 + 0.6 * k.k) AS unit_price,
               s.weight / pow(k.k + 1, 1.3) AS weight
        FROM substances s, range(1 + (hash({int(seed)}, s.chem) % 6)::INTEGER) AS k(k)
        """
    )
    # Inhalers: every presentation-level (15-character) code of the mapping table, with its own
    # description and doses per inhaler. Each chemical substance gets a share of the inhaler
    # mass (INHALER_CHEMICALS; salbutamol by far the commonest), split over its codes Zipf-wise.
    shares = " ".join(f"WHEN '{chem}' THEN {share}" for chem, share, _ in INHALER_CHEMICALS)
    con.execute(
        f"""
        CREATE TABLE inhaler AS
        WITH m AS (
          SELECT DISTINCT ON (bnf_code) bnf_code AS code, upper(description) AS description,
                 doses_per_inhaler::DOUBLE AS doses, factor_id, left(bnf_code, 9) AS chem
          FROM read_csv('{mapping.as_posix()}', header = true, all_varchar = true)
          WHERE length(bnf_code) = 15 AND try_cast(doses_per_inhaler AS DOUBLE) > 0
        ), ranked AS (
          SELECT *, row_number() OVER (PARTITION BY chem ORDER BY hash({int(seed)}, code)) AS r,
                 CASE chem {shares} ELSE {OTHER_INHALER_SHARE} END AS chem_share
          FROM m
        )
        SELECT code, description, TRUE AS is_inhaler, doses, 1 AS qty_per_item,
               CASE WHEN chem = '0301011R0' THEN 2.5 WHEN description LIKE '%BECLOMETASONE%' THEN 12
                    ELSE 25 END * exp(0.5 * (unif(r, 0, 4, code) - 0.5)) / doses AS unit_price,
               chem_share * (1.0 / r) / sum(1.0 / r) OVER (PARTITION BY chem) AS weight
        FROM ranked
        """
    )
    n_inh = con.execute("SELECT count(*) FROM inhaler").fetchone()[0]
    if n_inh == 0:
        raise SystemExit(f"no presentation-level inhaler codes with doses_per_inhaler in {mapping}")
    # One code universe; popularity normalised so inhalers carry INHALER_ROW_SHARE of the mass.
    con.execute(
        f"""
        CREATE TABLE codes AS
        WITH u AS (SELECT * FROM non_inhaler WHERE code NOT IN (SELECT code FROM inhaler)
                   UNION ALL SELECT * FROM inhaler)
        SELECT row_number() OVER (ORDER BY code) AS code_no, code, description, is_inhaler, doses,
               qty_per_item, unit_price,
               weight / sum(weight) OVER (PARTITION BY is_inhaler)
                 * CASE WHEN is_inhaler THEN {INHALER_ROW_SHARE} ELSE {1 - INHALER_ROW_SHARE} END AS weight,
               (1000000000000000 + hash({int(seed)}, code) % 9000000000000000)::VARCHAR AS dmd
        FROM u
        ORDER BY code
        """
    )


def _calibrate(con: duckdb.DuckDBPyConnection, rows: int, n_months: int) -> float:
    """The scale ``a`` with sum over practices x codes x months of min(1, a*w*s) = rows (bisection)."""
    w = con.execute("SELECT weight FROM codes").fetchnumpy()["weight"]
    s = con.execute("SELECT size FROM practices").fetchnumpy()["size"]
    ws = np.outer(s, w).ravel()
    capacity = ws.size * n_months
    if rows > 0.9 * capacity:
        raise SystemExit(
            f"--rows {rows:,} is too many for {s.size} practices x {w.size} codes x {n_months} months; "
            "raise --practices"
        )
    lo, hi = 0.0, 1.0
    while np.minimum(1.0, hi * ws).sum() * n_months < rows:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.minimum(1.0, mid * ws).sum() * n_months < rows else (lo, mid)
    # A little over (five standard deviations of the binomial count); generate() keeps exactly ``rows``.
    return float(hi * (1.001 + 5 / np.sqrt(rows)))


def inhaler_codes(folder: Path = DEFAULT_OUT_DIR) -> Path:
    """The product's own map of inhaler presentations as CSV (bnf_code, description, doses_per_inhaler,
    factor_id): every code of NHSBSA's BNF 3.1/3.2 list that ``carbon.prescribing`` maps to an inhaler
    with a factor and doses per inhaler, under its NHSBSA name. Written once per factor library
    (the file name carries the library's content hash) from a throw-away store."""
    # carbon is imported here, not at the top: the generator's own work needs only DuckDB, and this
    # keeps `python bench/generate_phs.py --mapping FILE` free of the product's start-up.
    from carbon import factors as fx
    from carbon.prescribing.mapping import refresh
    from carbon.store import Store

    path = Path(folder) / f"inhaler_codes_{fx.content_hash(fx.factors_dir())[:12]}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="carbon-bench-map-") as tmp:
        store = Store(Path(tmp) / "map.duckdb")
        fx.sync_library(store, fx.factors_dir())
        refresh(store)
        store.execute("""COPY (SELECT bnf_code, upper(name) AS description, doses_per_inhaler, factor_id
                               FROM rx_code_map
                               WHERE inhaler AND factor_id IS NOT NULL AND doses_per_inhaler > 0
                                 AND name_source = 'NHSBSA BNF code list (February 2020)'
                               ORDER BY bnf_code) TO ? (HEADER)""", [str(path)])
        store.close()
    return path


def generate(
    out: Path,
    rows: int = DEFAULT_ROWS,
    seed: int = 1,
    practices: int = 925,
    n_months: int = 12,
    mapping: Path | None = None,
    threads: int | None = None,
) -> dict:
    """Write ``rows`` rows to ``out`` (.csv, .csv.gz or .parquet); return a summary of the file.

    ``mapping`` is a CSV of inhaler codes (``inhaler_codes``, the product's own map, by default)."""
    mapping = Path(mapping) if mapping else inhaler_codes()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    _setup(con, seed, practices, Path(mapping), n_months)
    a = _calibrate(con, rows, n_months)
    name = out.name.lower()
    if name.endswith(".parquet"):
        options = "FORMAT parquet, COMPRESSION zstd"
    elif name.endswith(".csv.gz"):
        options = "FORMAT csv, HEADER, COMPRESSION gzip"
    elif name.endswith(".csv"):
        options = "FORMAT csv, HEADER"
    else:
        raise SystemExit(f"{out}: the file name must end in .csv, .csv.gz or .parquet")
    # One row per practice x code x month is a candidate with probability min(1, a * weight *
    # size). The calibration aims a little high; exactly ``rows`` candidates are then kept by a
    # second, independent hash (the ``rows`` smallest), so the trim is uniform and no practice or
    # month loses its tail. Only the keys are materialised (about 30 bytes a candidate).
    con.execute(
        f"""
        CREATE TEMP TABLE cand AS
        SELECT m.month, p.practice, c.code_no, hash({int(seed)}, p.practice, c.code_no, m.month, 9) AS k
        FROM months m, practices p, codes c
        WHERE unif(p.practice, c.code_no, m.month, 0) < least(1.0, {a!r} * c.weight * p.size)
        """
    )
    found = con.execute("SELECT count(*) FROM cand").fetchone()[0]
    if found < rows:  # more than five standard deviations short: practically never
        raise SystemExit(f"drew {found:,} candidate rows, fewer than the {rows:,} asked for; try another --seed")
    threshold = con.execute("SELECT max(k) FROM (SELECT k FROM cand ORDER BY k LIMIT ?)", [int(rows)]).fetchone()[0]
    # Items are 1 + an exponential draw scaled by how common the code is at that practice; rows
    # come out in the order of the published files (month, board, practice, code).
    con.execute(
        f"""
        COPY (
          WITH kept AS (
            SELECT p.hbt, p.practice, p.size, x.month, c.*, {a!r} * c.weight * p.size AS lam,
                   unif(p.practice, c.code_no, x.month, 7) AS u2, unif(p.practice, c.code_no, x.month, 8) AS u3
            FROM cand x JOIN practices p ON p.practice = x.practice JOIN codes c ON c.code_no = x.code_no
            WHERE x.k <= {int(threshold)}
          ), sized AS (
            SELECT *, 1 + floor(-ln(greatest(u2, 1e-12))
                                * ({ITEMS_BASE} + {ITEMS_SCALE} * least(lam, {ITEMS_CAP})))::BIGINT AS items,
                   CASE WHEN u3 < 0.80 THEN 1 WHEN u3 < 0.95 THEN 2 ELSE 3 END AS per_item
            FROM kept
          )
          SELECT hbt AS HBT, practice AS GPPractice, dmd AS DMDCode, code AS BNFItemCode,
                 description AS BNFItemDescription,
                 CASE WHEN substr(code, 10, 1) = 'A' THEN 'VMP' ELSE 'AMP' END AS PrescribedType,
                 items AS NumberOfPaidItems,
                 (items * per_item * qty_per_item * doses)::BIGINT AS PaidQuantity,
                 round(items * per_item * qty_per_item * doses * unit_price * (0.97 + 0.06 * u3), 2)::DECIMAL(14, 2)
                   AS GrossIngredientCost,
                 month AS PaidDateMonth
          FROM sized
          ORDER BY PaidDateMonth, HBT, GPPractice, BNFItemCode
          LIMIT {int(rows)}
        ) TO '{out.as_posix()}' ({options})
        """
    )
    con.execute("DROP TABLE cand")
    reader = "read_parquet" if name.endswith(".parquet") else "read_csv"
    summary = con.execute(
        f"""
        SELECT count(*) AS rows, count(DISTINCT GPPractice) AS practices, count(DISTINCT HBT) AS boards,
               count(DISTINCT BNFItemCode) AS codes, count(DISTINCT PaidDateMonth) AS months,
               sum(NumberOfPaidItems) AS items,
               sum(NumberOfPaidItems) FILTER (WHERE BNFItemCode IN (SELECT code FROM inhaler)) AS inhaler_items,
               count(*) FILTER (WHERE BNFItemCode IN (SELECT code FROM inhaler)) AS inhaler_rows,
               round(sum(GrossIngredientCost)) AS cost_gbp
        FROM {reader}('{out.as_posix()}')
        """
    ).df().iloc[0].to_dict()
    con.close()
    summary["bytes"] = out.stat().st_size
    return summary


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=DEFAULT_ROWS, help=f"rows to write (default {DEFAULT_ROWS:,})")
    p.add_argument("--seed", type=int, default=1, help="seed: the same seed and options give the same file")
    p.add_argument("--practices", type=int, default=925, help="GP practices across the 14 boards (default 925)")
    p.add_argument("--months", type=int, default=12, help="months from April 2024 (default 12)")
    p.add_argument("--mapping", type=Path, default=None,
                   help="CSV of inhaler codes: bnf_code, description, doses_per_inhaler, factor_id "
                        "(default: the product's own map, bench/out/inhaler_codes_<library hash>.csv)")
    p.add_argument("--out", type=Path,
                   help="output .csv, .csv.gz or .parquet (default bench/out/pitc_synthetic_<rows>_s<seed>.csv)")
    args = p.parse_args(argv)
    out = args.out or DEFAULT_OUT_DIR / f"pitc_synthetic_{args.rows}_s{args.seed}.csv"
    started = time.perf_counter()
    summary = generate(out, args.rows, args.seed, args.practices, args.months, args.mapping)
    took = time.perf_counter() - started
    print(f"wrote {out} in {took:.1f} s")
    for key, value in summary.items():
        print(f"  {key:>14}: {value:,.0f}" if isinstance(value, (int, float)) else f"  {key:>14}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
