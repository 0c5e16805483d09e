"""Demonstration data for the Prescribing page: a realistic synthetic board, in the real layouts,
loaded through the real import.

So that the page is never empty on a first run, ``load`` writes a year of monthly files in Public
Health Scotland's *Prescriptions in the Community* layout (``pitcYYYYMM.csv``, the 2023-on
generation: ``HBT, GPPractice, DMDCode, BNFItemCode, BNFItemDescription, PrescribedType,
NumberOfPaidItems, PaidQuantity, GrossIngredientCost, PaidDateMonth``) and a practice list-size
file in PHS's *GP Practice Populations* layout, then imports them exactly as a person's downloads
are imported (every row checked, one transaction, the import log). Nothing about it is real but
the layout, the board's code and the BNF codes and names:

* one board, NHS Borders' code (``S08000016``), 24 practices with made-up codes ``99001``-``99024``
  (no real Scottish practice has them) and list sizes from 1,800 to about 11,000;
* April 2024 to March 2025 (the financial year 2024/25), a row per practice x presentation x month;
* the inhalers are NHSBSA's own presentations of 21 products the library has a footprint for
  (salbutamol pMDIs, Clenil, Fostair, Symbicort Turbohaler, Relvar, Trimbow, Respimat, ...), at an
  illustrative mix of about 85 inhaler items per 1,000 patients a month; each practice leans more
  or less to dry-powder inhalers and to relievers, so the variation charts have something to show;
  propellant inhalers fall by about 1 % a month, so the trend has a direction;
* a dozen common medicines of other chapters (real BNF chemical codes, made-up presentation
  suffixes), so the whole-of-prescribing view by chapter has spend to price.

Everything is generated set-wise by DuckDB from a fixed seed: the same bytes every time. The files
are named ``demo_synthetic_board_*``, which is how the page knows the data is the demonstration
and ``remove`` finds it again.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from carbon import uploads
from carbon.prescribing.importing import ImportReport, import_files
from carbon.prescribing.list_sizes import import_list_sizes
from carbon.prescribing.mapping import LOW_CARBON_DEVICES, RELIEVER_CHEMICALS, ensure, refresh
from carbon.store import Store

PREFIX = "demo_synthetic_board_"
BOARD = "S08000016"
PRACTICES = 24
MONTHS = [2024_04, 2024_05, 2024_06, 2024_07, 2024_08, 2024_09, 2024_10, 2024_11, 2024_12, 2025_01, 2025_02,
          2025_03]
SEED = 12

#: Inhaler products (the library's factor ids), items per 1,000 patients a month and £ per inhaler:
#: an illustrative mix, salbutamol pMDIs by far the commonest, as in Scottish primary care.
INHALERS = [
    ("salbutamol_pmdi_generic", 30.0, 1.50), ("ventolin_evohaler", 8.0, 1.50), ("salamol_pmdi", 6.0, 1.46),
    ("easyhaler", 4.0, 3.31), ("ventolin_accuhaler", 1.0, 3.60), ("bricanyl_turbohaler", 1.0, 6.92),
    ("clenil_pmdi", 6.0, 7.42), ("easyhaler_beclometasone", 2.0, 14.93), ("fostair_pmdi", 6.0, 29.32),
    ("fostair_nexthaler", 2.0, 29.32), ("symbicort_turbohaler", 4.0, 28.00), ("relvar_ellipta", 3.0, 22.00),
    ("seretide_evohaler_25_250", 1.5, 59.48), ("seretide_accuhaler", 1.0, 40.92),
    ("flixotide_evohaler_250", 1.0, 36.14), ("trimbow_pmdi", 2.0, 44.50), ("trelegy_ellipta", 2.0, 44.50),
    ("spiriva_respimat", 1.5, 23.00), ("incruse_ellipta", 1.0, 27.50), ("anoro_ellipta", 1.0, 32.50),
    ("serevent_evohaler", 0.5, 29.26),
]
#: Common medicines of other chapters: chemical code, name as PHS prints it, items per 1,000
#: patients a month, units per item, £ per unit.
OTHERS = [
    ("0407010H0", "PARACETAMOL 500MG TABLETS", 40.0, 100, 0.01),
    ("0103050P0", "OMEPRAZOLE 20MG GASTRO-RESISTANT CAPSULES", 45.0, 28, 0.03),
    ("0212000B0", "ATORVASTATIN 20MG TABLETS", 50.0, 28, 0.03),
    ("0206020A0", "AMLODIPINE 5MG TABLETS", 35.0, 28, 0.02),
    ("0205051R0", "RAMIPRIL 5MG CAPSULES", 25.0, 28, 0.04),
    ("0601022B0", "METFORMIN HYDROCHLORIDE 500MG TABLETS", 30.0, 56, 0.03),
    ("0602010V0", "LEVOTHYROXINE SODIUM 50MICROGRAMS TABLETS", 25.0, 28, 0.05),
    ("0403030Q0", "SERTRALINE 50MG TABLETS", 25.0, 28, 0.04),
    ("0501013B0", "AMOXICILLIN 500MG CAPSULES", 12.0, 21, 0.05),
    ("0303020G0", "MONTELUKAST 10MG TABLETS", 6.0, 28, 0.05),
    ("1001010J0", "IBUPROFEN 400MG TABLETS", 10.0, 84, 0.03),
    ("0408010AE", "PREGABALIN 75MG CAPSULES", 12.0, 56, 0.05),
]
PHS_COLUMNS = "HBT, GPPractice, DMDCode, BNFItemCode, BNFItemDescription, PrescribedType, NumberOfPaidItems, " \
              "PaidQuantity, GrossIngredientCost, PaidDateMonth"


def _codes(store: Store) -> pd.DataFrame:
    """One NHSBSA presentation per product of ``INHALERS`` (its name, device, doses per inhaler), and
    the other medicines, with their rates and prices."""
    ensure(store)
    wanted = pd.DataFrame(INHALERS, columns=["factor_id", "rate", "price"])
    found = store.df(
        "SELECT DISTINCT ON (factor_id) factor_id, bnf_code AS code, upper(name) AS description, device,"
        " left(bnf_code, 9) AS chem FROM rx_code_map"
        " WHERE inhaler AND doses_per_inhaler > 0 AND name_source = 'NHSBSA BNF code list (February 2020)'"
        " AND list_contains(?, factor_id) ORDER BY factor_id, bnf_code", [list(wanted["factor_id"])])
    inhalers = wanted.merge(found, on="factor_id")
    inhalers = inhalers.assign(per_item=1, low_carbon=inhalers["device"].isin(LOW_CARBON_DEVICES),
                               reliever=inhalers["chem"].isin(RELIEVER_CHEMICALS), inhaler=True)
    others = pd.DataFrame(OTHERS, columns=["chem", "description", "rate", "per_item", "price"])
    others = others.assign(code=others["chem"] + "AAAAAA", low_carbon=False, reliever=False, inhaler=False)
    return pd.concat([inhalers, others], ignore_index=True)[
        ["code", "description", "rate", "per_item", "price", "low_carbon", "reliever", "inhaler"]]


def write(store: Store, folder: Path) -> list[Path]:
    """The demonstration files in ``folder``: one PHS file a month, then the list sizes (last)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.register("codes_in", _codes(store))
        con.execute(f"CREATE MACRO u(a, b, c) AS (hash({SEED}, a, b, c) % 1000003)::DOUBLE / 1000003")
        # practices: list size log-normal around 5,000 (1,800 to about 11,000); how much each leans to
        # dry-powder inhalers (x0.4 to x2.5) and to relievers (x0.7 to x1.6), and its overall rate
        con.execute(f"""
            CREATE TABLE practices AS
            SELECT (99001 + i)::VARCHAR AS practice,
                   round(1800 + 9000 * pow(u(i, 0, 1), 1.6))::INTEGER AS patients,
                   exp(ln(0.4) + (ln(2.5) - ln(0.4)) * u(i, 0, 2)) AS dpi_lean,
                   0.7 + 0.9 * u(i, 0, 3) AS reliever_lean,
                   0.8 + 0.4 * u(i, 0, 4) AS rate
            FROM range({PRACTICES}) AS r(i)""")
        con.execute("CREATE TABLE months AS SELECT unnest(?) AS month, generate_subscripts(?, 1) - 1 AS n",
                    [MONTHS, MONTHS])
        con.execute("""
            CREATE TABLE rows AS
            SELECT p.practice, m.month, c.code, c.description, c.inhaler,
                   greatest(0, round(p.patients / 1000 * c.rate * p.rate
                     * CASE WHEN NOT c.inhaler THEN 1 WHEN c.low_carbon THEN p.dpi_lean ELSE 1 / sqrt(p.dpi_lean)
                            * pow(0.99, m.n) END
                     * CASE WHEN c.reliever THEN p.reliever_lean ELSE 1 END
                     * (0.85 + 0.3 * u(p.practice, c.code, m.month))))::BIGINT AS items,
                   c.per_item, c.price
            FROM practices p, months m, codes_in c""")
        paths = []
        for month in MONTHS:
            path = folder / f"{PREFIX}pitc{month}.csv"
            con.execute(f"""
                COPY (SELECT '{BOARD}' AS HBT, practice AS GPPractice,
                             (1000000000000000 + hash({SEED}, code) % 9000000000000000)::VARCHAR AS DMDCode,
                             code AS BNFItemCode, description AS BNFItemDescription,
                             CASE WHEN substr(code, 10, 2) = 'AA' THEN 'VMP' ELSE 'AMP' END AS PrescribedType,
                             items AS NumberOfPaidItems,
                             items * CASE WHEN inhaler THEN 1 + (u(practice, code, 1) < 0.15)::INTEGER
                                          ELSE per_item END AS PaidQuantity,
                             round(PaidQuantity * price, 2)::DECIMAL(12, 2) AS GrossIngredientCost,
                             month AS PaidDateMonth
                      FROM rows WHERE month = {month} AND items > 0 ORDER BY practice, code)
                TO '{path.as_posix()}' (HEADER, DELIMITER ',')""")
            paths.append(path)
        sizes = folder / f"{PREFIX}practice_listsizes_202410.csv"
        con.execute(f"""
            COPY (SELECT 20241001 AS Date, practice AS PracticeCode, '{BOARD}' AS HB, 'S37000005' AS HSCP, sex AS Sex,
                         '' AS SexQF, round(patients * share)::INTEGER AS AllAges, '' AS AllAgesQF
                  FROM practices, (VALUES ('Male', 0.49), ('Female', 0.51), ('All', 1.0)) AS s(sex, share)
                  ORDER BY practice, sex)
            TO '{sizes.as_posix()}' (HEADER, DELIMITER ',')""")
        paths.append(sizes)
    finally:
        con.close()
    return paths


def is_loaded(store: Store) -> bool:
    """Whether the demonstration board is in the store."""
    return store.execute("SELECT count(*) FROM rx_import WHERE starts_with(file, ?)", [PREFIX]).fetchone()[0] > 0


def load(store: Store, who: str = "", progress=None) -> ImportReport:
    """Write the demonstration files and import them through the real import (all or nothing), then
    load their list sizes. Returns the import's report."""
    with uploads.folder("carbon_rx_") as tmp:
        *months, sizes = write(store, Path(tmp))
        report = import_files(store, months, "phs", progress=progress, who=who)
        import_list_sizes(store, sizes, who)
    return report


def remove(store: Store) -> int:
    """Take the demonstration board out again (its rows, its import log lines, its list sizes); the
    number of files removed. Real imports are left alone."""
    with store.transaction() as cur:
        ids = [r[0] for r in cur.execute("SELECT id FROM rx_import WHERE starts_with(file, ?)", [PREFIX]).fetchall()]
        for table in ("rx_item", "rx_chemical"):  # rx_chemical_month is a view of rx_chemical (migration 101)
            cur.execute(f"DELETE FROM {table} WHERE list_contains(?, import_id)", [ids])
        cur.execute("DELETE FROM rx_import WHERE list_contains(?, id)", [ids])
        cur.execute("DELETE FROM rx_list_size WHERE starts_with(file, ?)", [PREFIX])
        refresh(store, cur)  # the summaries with the rows: no reader sees the one without the other
    return len(ids)
