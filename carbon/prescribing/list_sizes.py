"""Registered patients per practice (list sizes), the denominator of kgCO2e per 1,000 patients."""

from __future__ import annotations

import tempfile
from pathlib import Path

from carbon.prescribing.formats import MAX_PROBLEMS, PrescribingImportError, is_parquet, quote_identifier, read_header
from carbon.store import Store


def import_list_sizes_upload(store: Store, name: str, data: bytes) -> int:
    """``import_list_sizes`` for an uploaded file (name, content)."""
    with tempfile.TemporaryDirectory(prefix="carbon_ls_") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        return import_list_sizes(store, path)


def import_list_sizes(store: Store, path: str | Path) -> int:
    """Load registered patients per practice (replacing earlier figures); returns practices loaded.

    Accepts PHS *GP Practice Contact Details and List Sizes* (``PracticeCode``,
    ``PracticeListSize``), NHS England *Patients Registered at a GP Practice* (``CODE``,
    ``NUMBER_OF_PATIENTS``) or a plain ``practice,patients`` CSV. A negative or non-numeric
    size, or a missing column, imports nothing and names the rows.
    """
    path = Path(path)
    cur = store.cursor()
    try:
        header = read_header(cur, path)
    except Exception as exc:
        raise PrescribingImportError([(path.name, 0, f"cannot be read: {str(exc).splitlines()[0]}")]) from None
    lower = {h.lower(): h for h in header}
    code = next((lower[n] for n in ("practicecode", "gppractice", "practice_code", "code", "practice")
                 if n in lower), None)
    size = next((lower[n] for n in ("practicelistsize", "number_of_patients", "list_size", "patients")
                 if n in lower), None)
    if not code or not size:
        raise PrescribingImportError([(path.name, 1, "needs a practice code column (PracticeCode, CODE or practice) "
                                       "and a list size column (PracticeListSize, NUMBER_OF_PATIENTS or patients)")])
    src = "read_parquet(?)" if is_parquet(path) else "read_csv(?, header = true, all_varchar = true)"
    offset = 0 if is_parquet(path) else 1
    sql = f"""SELECT row_number() OVER () + {offset} AS line, trim(CAST({quote_identifier(code)} AS VARCHAR)) AS practice,
                     trim(CAST({quote_identifier(size)} AS VARCHAR)) AS raw, TRY_CAST({quote_identifier(size)} AS DOUBLE) AS patients FROM {src}"""
    bad = cur.execute(f"""SELECT line, CASE WHEN practice IS NULL OR practice = '' THEN 'practice code is empty'
                                       WHEN patients IS NULL
                                            THEN 'list size ''' || coalesce(raw, '') || ''' is not a number'
                                       ELSE 'list size is negative' END, count(*) OVER ()
                          FROM ({sql}) WHERE practice IS NULL OR practice = '' OR patients IS NULL OR patients < 0
                          ORDER BY line LIMIT {MAX_PROBLEMS}""", [str(path)]).fetchall()
    if bad:
        raise PrescribingImportError([(path.name, int(line), why) for line, why, _ in bad], int(bad[0][2]))
    with store.transaction() as tx:
        n = tx.execute(f"""INSERT OR REPLACE INTO rx_list_size (practice, patients, file)
                           SELECT practice, sum(patients), ? FROM ({sql}) GROUP BY practice""",
                       [path.name, str(path)]).fetchone()[0]
    return int(n)
