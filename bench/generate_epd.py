"""Write a synthetic English Prescribing Dataset (EPD) month, every BNF chapter, in the real layout.

Why: a real EPD month is about 17 million rows and 6.5 GB of CSV (all chapters), and all English
months since 2014 are over a billion rows; the benchmark and the decade run need files of that
shape that anyone can make again. The columns are the EPD's ICB generation (2022 on), in file
order: ``YEAR_MONTH, REGIONAL_OFFICE_NAME, REGIONAL_OFFICE_CODE, ICB_NAME, ICB_CODE, PCO_NAME,
PCO_CODE, PRACTICE_NAME, PRACTICE_CODE, ADDRESS_1 .. ADDRESS_4, POSTCODE, BNF_CHEMICAL_SUBSTANCE,
CHEMICAL_SUBSTANCE_BNF_DESCR, BNF_CODE, BNF_DESCRIPTION, BNF_CHAPTER_PLUS_CODE, QUANTITY, ITEMS,
TOTAL_QUANTITY, ADQUSAGE, NIC, ACTUAL_COST, UNIDENTIFIED``. One row per practice x BNF presentation
x quantity per item (as the EPD is), so a presentation has 1-3 rows at a practice:

* NHS England's 7 regions by their real codes (Y56 London ... Y63 North East and Yorkshire) and
  42 synthetic ICBs (``QA1`` ..., named ``NHS SYNTHETIC ICB NN INTEGRATED CARE BOARD``: the real
  boundaries are not needed to time a file) with a sub-ICB location each, about 6,400 practices
  (``A81001``-like codes) with names, four address lines and a postcode, so a row is about as wide
  as the real one (some 380 bytes);
* the BNF code universe and popularity of ``generate_phs`` (every inhaler the product maps, 24
  real common medicines, synthetic but well-formed codes in 45 real BNF sections), the same items
  and quantity rules; NIC in pounds and ACTUAL_COST a little below it.

Set-wise in DuckDB like ``generate_phs``: the same seed and options give the same bytes. A month
of 17 million rows takes about a minute and a half on 2 cores; ``--months N`` writes N months
into a partitioned Parquet set (``OUT/year=YYYY/month=MM/epd.parquet``), the layout
``carbon.prescribing.national`` reads (see bench/README.md, *A decade at once*).

Usage::

    python bench/generate_epd.py --rows 17000000 --out bench/out/epd_synthetic_17000000_s1.csv
    python bench/generate_epd.py --rows 17000000 --months 12 --out bench/out/epd_set   # Parquet set
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import duckdb

BENCH = Path(__file__).resolve().parent
DEFAULT_OUT_DIR = BENCH / "out"
EPD_ROWS = 17_000_000
EPD_COLUMNS = [
    "YEAR_MONTH", "REGIONAL_OFFICE_NAME", "REGIONAL_OFFICE_CODE", "ICB_NAME", "ICB_CODE", "PCO_NAME", "PCO_CODE",
    "PRACTICE_NAME", "PRACTICE_CODE", "ADDRESS_1", "ADDRESS_2", "ADDRESS_3", "ADDRESS_4", "POSTCODE",
    "BNF_CHEMICAL_SUBSTANCE", "CHEMICAL_SUBSTANCE_BNF_DESCR", "BNF_CODE", "BNF_DESCRIPTION", "BNF_CHAPTER_PLUS_CODE",
    "QUANTITY", "ITEMS", "TOTAL_QUANTITY", "ADQUSAGE", "NIC", "ACTUAL_COST", "UNIDENTIFIED",
]
# NHS England's commissioning regions (real codes and names, as in REGIONAL_OFFICE_*), with a
# rough share of practices.
REGIONS = [
    ("Y56", "LONDON", 0.18), ("Y58", "SOUTH WEST", 0.10), ("Y59", "SOUTH EAST", 0.15), ("Y60", "MIDLANDS", 0.19),
    ("Y61", "EAST OF ENGLAND", 0.11), ("Y62", "NORTH WEST", 0.14), ("Y63", "NORTH EAST AND YORKSHIRE", 0.13),
]
ICBS = 42
PRACTICES = 6_400
# BNF chapters by their two-digit code, as BNF_CHAPTER_PLUS_CODE prints them.
CHAPTERS = {
    "01": "Gastro-Intestinal System", "02": "Cardiovascular System", "03": "Respiratory System",
    "04": "Central Nervous System", "05": "Infections", "06": "Endocrine System",
    "07": "Obstetrics, Gynaecology and Urinary-Tract Disorders", "08": "Malignant Disease and Immunosuppression",
    "09": "Nutrition and Blood", "10": "Musculoskeletal and Joint Diseases", "11": "Eye",
    "12": "Ear, Nose and Oropharynx", "13": "Skin", "14": "Immunological Products and Vaccines",
}


def _phs():
    """bench/generate_phs.py as a module: the code universe, its popularity and the calibration."""
    spec = importlib.util.spec_from_file_location("generate_phs", BENCH / "generate_phs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _practices(con: duckdb.DuckDBPyConnection, seed: int, practices: int) -> None:
    """Regions, 42 ICBs and their practices (codes, names, addresses, log-normal list sizes)."""
    con.execute("CREATE TABLE regions (region_no INTEGER, code VARCHAR, name VARCHAR, share DOUBLE)")
    con.executemany("INSERT INTO regions VALUES (?, ?, ?, ?)", [(i, *r) for i, r in enumerate(REGIONS)])
    con.execute("DROP TABLE IF EXISTS practices")
    con.execute(f"""
        CREATE TABLE practices AS
        WITH icb AS (
            SELECT i AS icb_no, 'Q' || chr(65 + (i // 10)::INTEGER) || (i % 10)::VARCHAR AS icb_code,
                   'NHS SYNTHETIC ICB ' || lpad((i + 1)::VARCHAR, 2, '0') || ' INTEGRATED CARE BOARD' AS icb_name,
                   (SELECT code FROM regions r WHERE r.region_no = i % 7) AS region_code,
                   (SELECT name FROM regions r WHERE r.region_no = i % 7) AS region_name
            FROM range({ICBS}) t(i))
        SELECT p.i AS practice_no, icb.*,
               'NHS SYNTHETIC ICB ' || lpad((icb.icb_no + 1)::VARCHAR, 2, '0') || ' ICB - ' || icb.icb_code || 'X' AS pco_name, icb.icb_code || 'X' AS pco_code,
               chr(65 + (p.i % 26)::INTEGER) || lpad((81001 + p.i)::VARCHAR, 5, '0') AS practice,
               upper(list_extract(['ABBEY', 'BRIDGE', 'CASTLE', 'CHURCH', 'GREEN', 'HIGH STREET', 'MILL', 'PARK',
                                   'RIVERSIDE', 'STATION', 'VALLEY', 'WEST'], (p.i % 12)::INTEGER + 1))
                 || ' ' || list_extract(['MEDICAL CENTRE', 'SURGERY', 'HEALTH CENTRE', 'MEDICAL PRACTICE',
                                         'FAMILY PRACTICE'], (p.i % 5)::INTEGER + 1) AS practice_name,
               (1 + p.i % 200)::VARCHAR || ' ' || list_extract(['CHURCH ROAD', 'HIGH STREET', 'STATION ROAD',
                   'MAIN STREET', 'PARK ROAD', 'LONDON ROAD', 'VICTORIA ROAD'], (p.i % 7)::INTEGER + 1) AS address_1,
               CASE WHEN p.i % 3 = 0 THEN '' ELSE 'UNIT ' || (p.i % 9 + 1)::VARCHAR || ' HEALTH CAMPUS' END AS address_2,
               'TOWN ' || lpad((p.i % 900)::VARCHAR, 3, '0') AS address_3,
               upper(icb.region_name) AS address_4,
               chr(65 + (p.i % 23)::INTEGER) || chr(65 + (p.i % 19)::INTEGER) || (p.i % 30 + 1)::VARCHAR || ' '
                 || (p.i % 9)::VARCHAR || chr(65 + (p.i % 20)::INTEGER) || chr(65 + (p.i % 17)::INTEGER) AS postcode,
               1.3 * exp(0.6 * sqrt(-2 * ln(greatest(unif(p.i, 11, 1, 0), 1e-12)))
                         * cos(2 * pi() * unif(p.i, 11, 2, 0))) AS size
        FROM range({int(practices)}) p(i) JOIN icb ON icb.icb_no = p.i % {ICBS}
        ORDER BY practice""")


def generate(out: Path, rows: int = EPD_ROWS, seed: int = 1, practices: int = PRACTICES, month: int = 202404,
             mapping: Path | None = None, threads: int | None = None) -> dict:
    """Write one EPD month of ``rows`` rows to ``out`` (.csv, .csv.gz or .parquet); return a summary."""
    gp = _phs()
    mapping = Path(mapping) if mapping else gp.inhaler_codes()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET memory_limit = '4GB'")  # spill the sort rather than take half the machine
    con.execute("SET temp_directory = ?", [str(out.parent / ".duckdb_spill")])
    gp._setup(con, seed, 925, mapping, 1)  # the code universe; its Scottish practices are replaced below
    _practices(con, seed, practices)
    variants = 1.5  # quantity-per-item rows a presentation has at a practice, on average (1-3)
    a = gp._calibrate(con, int(rows / variants * 1.01), 1)
    name = out.name.lower()
    options = ("FORMAT parquet, COMPRESSION zstd" if name.endswith(".parquet") else
               "FORMAT csv, HEADER, COMPRESSION gzip" if name.endswith(".csv.gz") else
               "FORMAT csv, HEADER" if name.endswith(".csv") else None)
    if options is None:
        raise SystemExit(f"{out}: the file name must end in .csv, .csv.gz or .parquet")
    # Candidates: practice x code (probability min(1, a x weight x size)) x 1-3 quantities per
    # item; exactly ``rows`` kept by a second hash, as generate_phs does.
    con.execute(f"""
        CREATE TEMP TABLE cand AS
        WITH pc AS (
            SELECT p.practice_no, c.code_no FROM practices p, codes c
            WHERE unif(p.practice_no, c.code_no, {month}, 0) < least(1.0, {a!r} * c.weight * p.size))
        SELECT pc.*, v.v, hash({int(seed)}, pc.practice_no, pc.code_no, v.v, {month}) AS k
        FROM pc, range(3) v(v)
        WHERE v.v < 1 + (hash({int(seed)}, pc.practice_no, pc.code_no, 5) % 100 >= 55)::INTEGER
                      + (hash({int(seed)}, pc.practice_no, pc.code_no, 6) % 100 >= 95)::INTEGER""")
    found = con.execute("SELECT count(*) FROM cand").fetchone()[0]
    if found < rows:
        raise SystemExit(f"drew {found:,} candidate rows, fewer than the {rows:,} asked for; try another --seed")
    threshold = con.execute("SELECT max(k) FROM (SELECT k FROM cand ORDER BY k LIMIT ?)", [int(rows)]).fetchone()[0]
    chapters = " ".join(f"WHEN '{k}' THEN '{k}: {v}'" for k, v in CHAPTERS.items())
    con.execute(f"""
        COPY (
          WITH kept AS (
            SELECT p.*, c.*, x.v, {a!r} * c.weight * p.size AS lam,
                   unif(p.practice_no, c.code_no, x.v, {month}) AS u2, unif(p.practice_no, c.code_no, x.v, 8) AS u3
            FROM cand x JOIN practices p USING (practice_no) JOIN codes c USING (code_no)
            WHERE x.k <= {int(threshold)}),
          sized AS (
            SELECT *, 1 + floor(-ln(greatest(u2, 1e-12)) * ({gp.ITEMS_BASE} + {gp.ITEMS_SCALE}
                                                          * least(lam, {gp.ITEMS_CAP})) / 1.6)::BIGINT AS items,
                   (v + 1) * qty_per_item * doses AS per_item
            FROM kept)
          SELECT {month} AS YEAR_MONTH, region_name AS REGIONAL_OFFICE_NAME, region_code AS REGIONAL_OFFICE_CODE,
                 icb_name AS ICB_NAME, icb_code AS ICB_CODE, pco_name AS PCO_NAME, pco_code AS PCO_CODE,
                 practice_name AS PRACTICE_NAME, practice AS PRACTICE_CODE, address_1 AS ADDRESS_1,
                 address_2 AS ADDRESS_2, address_3 AS ADDRESS_3, address_4 AS ADDRESS_4, postcode AS POSTCODE,
                 left(code, 9) AS BNF_CHEMICAL_SUBSTANCE,
                 upper(left(split_part(description, ' ', 1), 1)) || lower(split_part(description, ' ', 1)[2:]) AS CHEMICAL_SUBSTANCE_BNF_DESCR,
                 code AS BNF_CODE, description AS BNF_DESCRIPTION,
                 CASE left(code, 2) {chapters} ELSE left(code, 2) END AS BNF_CHAPTER_PLUS_CODE,
                 per_item AS QUANTITY, items AS ITEMS, items * per_item AS TOTAL_QUANTITY,
                 round(items * per_item / 28.0, 3) AS ADQUSAGE,
                 round(items * per_item * unit_price * (0.97 + 0.06 * u3), 2)::DECIMAL(14, 2) AS NIC,
                 round(items * per_item * unit_price * (0.97 + 0.06 * u3) * 0.93, 2)::DECIMAL(14, 2) AS ACTUAL_COST,
                 'False' AS UNIDENTIFIED
          FROM sized
          ORDER BY REGIONAL_OFFICE_CODE, ICB_CODE, PRACTICE_CODE, BNF_CODE, QUANTITY
        ) TO '{out.as_posix()}' ({options})""")
    con.execute("DROP TABLE cand")
    reader = "read_parquet" if name.endswith(".parquet") else "read_csv"
    summary = con.execute(f"""
        SELECT count(*) AS rows, count(DISTINCT PRACTICE_CODE) AS practices, count(DISTINCT ICB_CODE) AS icbs,
               count(DISTINCT BNF_CODE) AS codes, sum(ITEMS) AS items,
               count(*) FILTER (WHERE starts_with(BNF_CODE, '03')) AS chapter3_rows,
               round(sum(NIC)) AS nic_gbp
        FROM {reader}('{out.as_posix()}')""").df().iloc[0].to_dict()
    con.close()
    summary["bytes"] = out.stat().st_size
    return summary


def generate_set(folder: Path, months: int, rows: int, seed: int = 1, start: int = 202404, **kw) -> list[Path]:
    """``months`` EPD months as a partitioned Parquet set ``folder/year=YYYY/month=MM/epd.parquet``."""
    out = []
    for ym in _phs().months(months, (start // 100, start % 100)):
        path = Path(folder) / f"year={ym // 100}" / f"month={ym % 100:02d}" / "epd.parquet"
        if not path.exists():
            started = time.perf_counter()
            tmp = path.with_name("epd.partial.parquet")  # a month half written is never taken for a whole one
            generate(tmp, rows, seed + ym, month=ym, **kw)
            tmp.rename(path)
            print(f"  {path} ({time.perf_counter() - started:.0f} s)", flush=True)
        out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=EPD_ROWS, help=f"rows a month (default {EPD_ROWS:,})")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--practices", type=int, default=PRACTICES)
    p.add_argument("--month", type=int, default=202404, help="YYYYMM of the (first) month (default 202404)")
    p.add_argument("--months", type=int, default=0, help="write this many months as a partitioned Parquet set")
    p.add_argument("--mapping", type=Path, default=None, help="CSV of inhaler codes (default: the product's own map)")
    p.add_argument("--out", type=Path, required=True, help=".csv, .csv.gz or .parquet; with --months, a folder")
    args = p.parse_args(argv)
    started = time.perf_counter()
    if args.months:
        paths = generate_set(args.out, args.months, args.rows, args.seed, args.month, practices=args.practices,
                             mapping=args.mapping)
        print(f"wrote {len(paths)} months to {args.out} in {time.perf_counter() - started:.0f} s")
        return 0
    summary = generate(args.out, args.rows, args.seed, args.practices, args.month, args.mapping)
    print(f"wrote {args.out} in {time.perf_counter() - started:.1f} s")
    for key, value in summary.items():
        print(f"  {key:>14}: {value:,.0f}" if isinstance(value, (int, float)) else f"  {key:>14}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
