"""Registered patients per practice (list sizes), the denominator of kgCO2e per 1,000 patients a year.

The real files hold breakdowns beside the total, and the total is taken, never a sum of them:

* NHS England (NHS Digital), *Patients Registered at a GP Practice*: ``ORG_CODE`` (older files
  ``CODE``), ``SEX``, ``AGE_GROUP_5`` (or ``AGE``), ``NUMBER_OF_PATIENTS``, ``EXTRACT_DATE``
  (``01SEP2017``); the row with ``SEX = ALL`` and the age ``ALL`` is the list size;
* Public Health Scotland, *GP practice list sizes*: ``Date`` (``20241001``), ``PracticeCode``,
  ``Sex`` (All, Male, Female), ``AllAges``; the ``Sex = All`` row;
* PHS *GP practice contact details and list sizes*: ``PracticeCode``, ``PracticeListSize``, one row
  a practice (the month is read from a file name such as ``..._oct2024...`` when it says one);
* a plain ``practice,patients`` CSV.

A practice found twice after that choice, a negative or non-numeric size, or a missing column
imports nothing and names the rows. The month the sizes describe is stored with them.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from carbon import bounds, reading, uploads
from carbon.prescribing.formats import MAX_PROBLEMS, PrescribingImportError
from carbon.store import Store

#: A national list-size file (NHS England's, every practice by sex and age band) is some 30 MB.
MAX_BYTES = 512 * 2**20
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), start=1)}


def _pick(lower: dict, *names: str) -> str | None:
    return next((lower[n] for n in names if n in lower), None)


def _month_from_name(name: str) -> str | None:
    """``YYYY-MM`` from a file name such as ``practice_contactdetails_oct2024`` or ``..._202410``."""
    m = re.search(r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[-_ ]?(20\d\d)", name.lower())
    if m:
        return f"{m.group(2)}-{_MONTHS[m.group(1)]:02d}"
    m = re.search(r"(20\d\d)[-_]?(0[1-9]|1[0-2])(?!\d)", name)
    return f"{m.group(1)}-{m.group(2)}" if m else None


def _layout(lower: dict) -> dict | None:
    """Which published layout a header is, and its columns."""
    sex = _pick(lower, "sex")
    if _pick(lower, "number_of_patients") and sex:
        return {"layout": "NHS England, Patients Registered at a GP Practice (SEX = ALL, age ALL)",
                "code": _pick(lower, "org_code", "code", "practice_code"), "size": lower["number_of_patients"],
                "sex": sex, "age": _pick(lower, "age_group_5", "age", "age_group_1"),
                "org_type": _pick(lower, "org_type", "type"), "date": _pick(lower, "extract_date"), "all": "ALL"}
    if _pick(lower, "allages") and sex:
        return {"layout": "Public Health Scotland, GP practice list sizes (Sex = All)",
                "code": _pick(lower, "practicecode"), "size": lower["allages"], "sex": sex, "age": None,
                "org_type": None, "date": _pick(lower, "date"), "all": "ALL"}
    code = _pick(lower, "practicecode", "gppractice", "practice_code", "org_code", "code", "practice")
    size = _pick(lower, "practicelistsize", "number_of_patients", "list_size", "patients")
    if code and size:
        label = ("Public Health Scotland, GP practice contact details and list sizes"
                 if "practicelistsize" in lower else "practice, patients")
        return {"layout": label, "code": code, "size": size, "sex": None, "age": None, "org_type": None,
                "date": _pick(lower, "date", "extract_date")}
    return None


def import_list_sizes_upload(store: Store, name: str, data: bytes, who: str = "") -> int:
    """``import_list_sizes`` for an uploaded file (name, content)."""
    with uploads.folder("carbon_ls_") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        return import_list_sizes(store, path, who)


def _parse_month(values: pd.Series) -> pd.Series:
    """Dates as published (``01SEP2017``, ``20241001``, ``2024-10-01``) -> first of the month."""
    text = values.astype("string").str.strip()
    out = pd.to_datetime(text, format="%d%b%Y", errors="coerce")
    for fmt in ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y", "%Y%m"):
        out = out.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    return out.dt.to_period("M").dt.to_timestamp()


def import_list_sizes(store: Store, path: str | Path, who: str = "") -> int:
    """Load registered patients per practice (replacing earlier figures); returns practices loaded.
    ``who`` (the signed-in address, or the local account) is recorded with each practice's figure."""
    path = Path(path)
    if reading.is_parquet(path):
        con = store.cursor()
        header = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()]
        text = con.execute("SELECT *, row_number() OVER () AS line FROM read_parquet(?)", [str(path)]).df()
        text = text.astype(str).where(text.notna(), None)
        text["line"] = text["line"].astype(int)
    else:  # within bounds: size, gzip, encoding, line length, ragged rows, empty or header-only
        header, text, _ = reading.read_text(path, path.name, "carbon_ls_", limit=MAX_BYTES, error=PrescribingImportError)
    lower = {h.strip().lower(): h for h in header}
    cols = _layout(lower)
    if cols is None or not cols["code"]:
        raise PrescribingImportError([(path.name, 1, "needs a practice code column (ORG_CODE, PracticeCode or "
                                       "practice) and a list size column (NUMBER_OF_PATIENTS, AllAges, "
                                       "PracticeListSize or patients)")])
    if text.empty:
        raise PrescribingImportError([(path.name, 0, "has a header but no rows: nothing to import")])

    def col(key: str, upper: bool = False) -> pd.Series:
        name = cols.get(key)
        if not name:
            return pd.Series(None, index=text.index, dtype=object)
        v = text[name].astype("string").str.strip()
        return v.str.upper() if upper else v
    rows = pd.DataFrame({"line": text["line"].astype(int), "practice": col("code"), "raw": col("size"),
                         "sex": col("sex", True), "age": col("age", True), "org_type": col("org_type", True),
                         "date": col("date")})
    rows["patients"] = pd.to_numeric(rows["raw"], errors="coerce").astype(float)
    if cols.get("all"):
        total = (rows["sex"] == "ALL") & ((rows["age"] == "ALL") if cols["age"] else True)
        if cols["org_type"]:
            total &= rows["org_type"].isin(["GP", "PRAC"]) | rows["org_type"].isna()
        total = total.fillna(False).astype(bool)
        if not total.any():
            raise PrescribingImportError([(path.name, 0, f"has no {cols['sex']} = All row (the total); a list "
                                           "size is never made by adding up the breakdowns")])
        rows = rows[total]
    problems = []
    limit = bounds.table()["list_size"]
    control = rows["practice"].fillna("").str.contains(r"[\x00-\x1f\x7f]", regex=True)
    finite = np.isfinite(rows["patients"].to_numpy(dtype=float))
    bad = rows[rows["practice"].fillna("").eq("") | control | rows["patients"].isna() | ~finite
               | (rows["patients"] < 0) | (rows["patients"] > limit.high)]
    for r in bad.head(MAX_PROBLEMS).itertuples():  # at most a page of problems, listed; the rest counted
        practice = r.practice if isinstance(r.practice, str) else ""
        why = ("practice code is empty" if not practice else
               f"practice code {practice.encode('unicode_escape').decode()!r} holds a control character (a NUL "
               "byte or a tab)" if any(ord(ch) < 32 or ord(ch) == 127 for ch in practice) else
               f"list size {r.raw or ''!r} is not a number" if pd.isna(r.patients) else
               f"list size {r.raw!r} is not a finite number" if not np.isfinite(r.patients) else
               "list size is negative" if r.patients < 0 else
               f"list size {r.patients:,.0f} is more than {limit.high:,.0f}: {limit.why}")
        problems.append((path.name, int(r.line), why))
    total_bad = len(bad)
    dups = rows[rows["practice"].duplicated(keep=False) & rows["practice"].fillna("").ne("")]
    for practice, group in list(dups.groupby("practice"))[:max(0, MAX_PROBLEMS - len(problems))]:
        problems.append((path.name, int(group["line"].iloc[1]),
                         f"practice {practice} has {len(group)} total rows (lines "
                         f"{', '.join(map(str, group['line']))}); each practice's list size must appear once"))
    total_bad += dups["practice"].nunique()
    if problems:
        raise PrescribingImportError(problems, total_bad)
    month = _parse_month(rows["date"]) if cols["date"] else pd.Series(pd.NaT, index=rows.index)
    if month.isna().all():
        named = _month_from_name(path.name)
        month = pd.Series(pd.Timestamp(named + "-01") if named else pd.NaT, index=rows.index)
    frame = pd.DataFrame({"practice": rows["practice"].astype(str), "patients": rows["patients"].astype(float),
                          "month": month.values})
    with store.transaction() as tx:
        tx.register("rx_ls_frame", frame)
        try:
            tx.execute("""INSERT OR REPLACE INTO rx_list_size (practice, patients, file, month, layout, loaded_by)
                          SELECT practice, patients, ?, CAST(month AS DATE), ?, ? FROM rx_ls_frame""",
                       [path.name, cols["layout"], who.strip()])
        finally:
            tx.unregister("rx_ls_frame")
    return len(frame)


def list_sizes(store: Store) -> pd.DataFrame:
    """The list sizes loaded: how many practices from each file and layout, and the month they describe."""
    return store.df("""SELECT file, layout, strftime(month, '%Y-%m') AS month, count(*) AS practices,
                              sum(patients) AS patients
                       FROM rx_list_size GROUP BY ALL ORDER BY file""")
