"""The parts of the import benchmark, each run alone in a fresh process by bench/run.py.

Every part reads the same file and is timed from just before it touches the file to when it
holds its answer (the store's set-up, migrations and factor library are not timed). Imports are
the part's own: (b) and (v) import DuckDB and nothing else, (c) pandas, (p) and (q) polars.

Two jobs, each done by the product and by what an analyst would write:

* **the inhaler footprint** by practice and month: (b) one bare DuckDB query, (c) pandas at its
  best (pyarrow engine, ``usecols``), (p) polars lazy, bare; the product does it as import +
  ``footprint`` (a);
* **the import's own job**: every row checked (a BNF code, a month, a practice, numbers present,
  finite, not negative, within factors/bounds.csv), every row summed by month x practice x BNF
  chemical (after the code changes) and chapter 3 by presentation with the columns that tell rows
  apart (so duplicates are found), the result kept: (v) the validating floor, the same checks and
  aggregation in bare DuckDB SQL into a DuckDB file; (q) polars lazy doing the same checks and
  aggregation, its two results written to Parquet; (a) ``carbon.prescribing.import_files``.

The columns each part reads come from ``ROLES`` (a PHS or an EPD header).
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

CODE_RE = "[0-9]{7}[0-9A-Z]{8}|2[0-3][0-9A-Z]{9}"
# The bounds the import holds each row's numbers to (factors/bounds.csv), for (v) and (q).
MAX_ITEMS, MAX_QUANTITY, MAX_COST = 1e7, 1e10, 1e9
# DuckDB's memory while the product imports (carbon.prescribing.importing.IMPORT_MEMORY): the
# validating floor works in the same budget.
MEMORY_LIMIT = "1GB"
ROLES = {
    "phs": {"month": "PaidDateMonth", "practice": "GPPractice", "code": "BNFItemCode", "items": "NumberOfPaidItems",
            "quantity": "PaidQuantity", "cost": "GrossIngredientCost", "board": "HBT",
            "keys": ["DMDCode", "PrescribedType"], "names": ["BNFItemDescription"]},
    "epd": {"month": "YEAR_MONTH", "practice": "PRACTICE_CODE", "code": "BNF_CODE", "items": "ITEMS",
            "quantity": "TOTAL_QUANTITY", "cost": "NIC", "board": "ICB_CODE", "keys": ["QUANTITY"],
            "names": ["BNF_DESCRIPTION", "PRACTICE_NAME", "ICB_NAME"]},
}


def clock() -> tuple[float, float]:
    """Wall seconds and CPU seconds of this process so far (all threads: DuckDB's and polars' too)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), r.ru_utime + r.ru_stime


def since(start: tuple[float, float], prefix: str = "") -> dict:
    wall, cpu = clock()
    return {f"{prefix}seconds": wall - start[0], f"{prefix}cpu_s": cpu - start[1]}


def layout(path: Path) -> dict:
    """The roles of the file's columns (PHS or EPD), from its header."""
    if path.name.endswith(".parquet"):
        import pyarrow.parquet as pq  # the schema only; not timed

        names = pq.read_schema(path).names
    else:
        with path.open("rb") as f:
            names = f.readline().decode("utf-8-sig").strip().split(",")
    return ROLES["epd" if "BNF_CODE" in names else "phs"]


def _q(name: str) -> str:
    return '"' + name + '"'


def product(data: Path, factors_csv: Path, changes_csv: Path) -> dict:
    """(a) A fresh temporary store: ``import_files`` (timed), then ``footprint`` by practice and month."""
    from carbon import bootstrap, prescribing

    with tempfile.TemporaryDirectory(prefix="carbon-bench-") as tmp:
        db = Path(tmp) / "bench.duckdb"
        os.environ["CARBON_DB"] = str(db)
        store = bootstrap.open_store(db)  # migrations, factor library, demo seed: not timed
        start = clock()
        report = prescribing.import_files(store, [data])
        imported = since(start, "import_")
        mid = clock()
        result = prescribing.footprint(store, by=["practice", "month"], basis="AR5")
        out = {**since(start), **imported, **since(mid, "footprint_"), "rows_read": report.rows_read,
               "chemical_rows": report.chemical_rows, **totals(result)}
        store.close()
        out["store_mb"] = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 2**20
    return out


def floor(data: Path, factors_csv: Path, changes_csv: Path) -> dict:
    """(b) One bare DuckDB query straight on the file: the inhaler footprint by practice and month."""
    import duckdb

    r = layout(data)
    reader = "read_parquet" if data.name.endswith(".parquet") else "read_csv"
    start = clock()
    con = duckdb.connect()
    result = con.execute(f"""
        SELECT f.{_q(r['practice'])} AS practice, f.{_q(r['month'])} AS month,
               sum(f.{_q(r['items'])}) FILTER (WHERE m.bnf_code IS NOT NULL) AS items,
               sum(f.{_q(r['quantity'])} / m.doses_per_inhaler) AS inhalers,
               sum(f.{_q(r['quantity'])} / m.doses_per_inhaler * m.kgCO2e_per_inhaler) AS kgCO2e,
               sum(f.{_q(r['cost'])}) FILTER (WHERE m.bnf_code IS NOT NULL) AS cost_gbp
        FROM {reader}(?) AS f LEFT JOIN read_csv(?) AS m ON m.bnf_code = f.{_q(r['code'])}
        GROUP BY ALL""", [str(data), str(factors_csv)]).df()
    return {**since(start), **totals(result)}


def validating_floor(data: Path, factors_csv: Path, changes_csv: Path) -> dict:
    """(v) The import's checks and aggregation in bare DuckDB SQL, kept in a DuckDB file: one scan
    (every row checked, summed by month x practice x chemical and chapter 3 by presentation, with
    its names, as GROUPING SETS), then the checks on the small result; in the product's memory budget."""
    import duckdb

    r = layout(data)
    keys = [_q(k) for k in r["keys"]]
    types = {r[k]: "DOUBLE" for k in ("items", "quantity", "cost")}
    types.update({r[k]: "VARCHAR" for k in ("month", "practice", "code", "board")},
                 **{k: "VARCHAR" for k in r["keys"] + r["names"]})
    names = [_q(k) for k in r["names"]]
    text = ("read_parquet(?)" if data.name.endswith(".parquet") else
            "read_csv(?, header = true, types = {" + ", ".join(f"'{k}': '{v}'" for k, v in types.items()) + "})")
    num = (lambda c: f"CAST({c} AS DOUBLE)")
    with tempfile.TemporaryDirectory(prefix="carbon-bench-v-") as tmp:
        start = clock()
        con = duckdb.connect(str(Path(tmp) / "v.duckdb"))
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute("CREATE TEMP TABLE ch AS SELECT * FROM read_csv(?, all_varchar = true)", [str(changes_csv)])
        con.execute(f"""
            CREATE TABLE staged AS
            WITH s AS (
                SELECT CAST({_q(r['month'])} AS VARCHAR) AS month, trim(CAST({_q(r['practice'])} AS VARCHAR)) AS practice,
                       CAST({_q(r['board'])} AS VARCHAR) AS board, CAST({_q(r['code'])} AS VARCHAR) AS code,
                       {', '.join(f'CAST({k} AS VARCHAR) AS k{i}' for i, k in enumerate(keys))},
                       {', '.join(f'CAST({k} AS VARCHAR) AS name{i}' for i, k in enumerate(names))},
                       {num(_q(r['items']))} AS items, {num(_q(r['quantity']))} AS quantity, {num(_q(r['cost']))} AS cost
                FROM {text}),
            c AS (
                SELECT s.*, coalesce(regexp_full_match(s.code, '{CODE_RE}'), false) AS ok,
                       coalesce(x.new_chemical, CASE WHEN length(s.code) = 11 THEN left(s.code, 4)
                                                     ELSE left(s.code, 9) END) AS chemical
                FROM s LEFT JOIN ch x ON x.old_code = s.code),
            k AS (
                SELECT *, CASE WHEN ok AND starts_with(code, '03') THEN code END AS code3,
                       {', '.join(f"CASE WHEN ok AND starts_with(code, '03') THEN k{i} END AS key{i}" for i in range(len(keys)))},
                       coalesce(NOT ok OR items IS NULL OR quantity IS NULL OR cost IS NULL OR NOT isfinite(items)
                                OR NOT isfinite(quantity) OR NOT isfinite(cost) OR items < 0 OR quantity < 0
                                OR items > {MAX_ITEMS} OR quantity > {MAX_QUANTITY} OR abs(cost) > {MAX_COST}, true) AS bad
                FROM c)
            SELECT month, practice, chemical, code3, {', '.join(f'key{i}' for i in range(len(keys)))},
                   GROUPING(chemical) AS detail, any_value(board) AS board,
                   {', '.join(f"any_value(name{i}) FILTER (WHERE code3 IS NOT NULL) AS name{i}" for i in range(len(names)))},
                   count(*) AS n,
                   count(*) FILTER (WHERE bad) AS n_bad, sum(items) AS items, sum(quantity) AS quantity,
                   sum(cost) AS cost
            FROM k GROUP BY GROUPING SETS ((month, practice, chemical),
                                           (month, practice, code3, {', '.join(f'key{i}' for i in range(len(keys)))}))""",
                    [str(data)])
        checks = con.execute("""
            WITH d AS (SELECT * FROM staged WHERE detail = 1)
            SELECT sum(n), sum(n_bad), sum(n) FILTER (WHERE code3 IS NOT NULL AND n > 1),
                   sum(n) FILTER (WHERE practice = '' OR regexp_matches(practice, '[\\x00-\\x1f]')),
                   (SELECT count(*) FROM (SELECT DISTINCT month FROM d)
                    WHERE NOT regexp_full_match(month, '(20[0-9][0-9]|2100)_?(0[1-9]|1[0-2])')),
                   (SELECT count(*) FROM staged WHERE detail = 0)
            FROM d""").fetchone()
        con.close()
        out = since(start)
    return {**out, "rows_read": int(checks[0]), "bad_rows": int(checks[1]), "chemical_rows": int(checks[5])}


def pandas_best(data: Path, factors_csv: Path, changes_csv: Path) -> dict:
    """(c) pandas at its best: the pyarrow CSV engine and only the columns needed, then merge + groupby."""
    import pandas as pd

    r = layout(data)
    cols = [r["practice"], r["month"], r["code"], r["items"], r["quantity"], r["cost"]]
    start = clock()
    if data.name.endswith(".parquet"):
        rx = pd.read_parquet(data, columns=cols)
    else:
        rx = pd.read_csv(data, engine="pyarrow", usecols=cols, dtype={r["practice"]: str, r["code"]: str})
    mapping = pd.read_csv(factors_csv, dtype={"bnf_code": str})
    df = rx.merge(mapping, left_on=r["code"], right_on="bnf_code", how="left")
    inhaler = df["bnf_code"].notna()
    df["items"] = df[r["items"]].where(inhaler)
    df["inhalers"] = df[r["quantity"]] / df["doses_per_inhaler"]
    df["kgCO2e"] = df["inhalers"] * df["kgCO2e_per_inhaler"]
    df["cost_gbp"] = df[r["cost"]].where(inhaler)
    result = (df.groupby([r["practice"], r["month"]], as_index=False)
              .agg(items=("items", "sum"), inhalers=("inhalers", "sum"), kgCO2e=("kgCO2e", "sum"),
                   cost_gbp=("cost_gbp", "sum")))
    return {**since(start), **totals(result)}


def _polars_scan(data: Path, r: dict):
    import polars as pl

    if data.name.endswith(".parquet"):
        return pl.scan_parquet(data)
    text = {c: pl.Utf8 for c in [r["practice"], r["code"], r["board"], r["month"], *r["keys"]]}
    return pl.scan_csv(data, schema_overrides={**text, r["items"]: pl.Float64, r["quantity"]: pl.Float64,
                                               r["cost"]: pl.Float64})


def polars_bare(data: Path, factors_csv: Path, changes_csv: Path) -> dict:
    """(p) polars lazy, bare: scan, join the per-code factors, group by practice and month."""
    import polars as pl

    r = layout(data)
    start = clock()
    mapping = pl.read_csv(factors_csv, schema_overrides={"bnf_code": pl.Utf8})
    q = (_polars_scan(data, r).join(mapping.lazy(), left_on=r["code"], right_on="bnf_code", how="left")
         .with_columns(inhalers=pl.col(r["quantity"]) / pl.col("doses_per_inhaler"), hit=pl.col("doses_per_inhaler")
                       .is_not_null())
         .group_by(r["practice"], r["month"])
         .agg(items=pl.col(r["items"]).filter(pl.col("hit")).sum(), inhalers=pl.col("inhalers").sum(),
              kgCO2e=(pl.col("inhalers") * pl.col("kgCO2e_per_inhaler")).sum(),
              cost_gbp=pl.col(r["cost"]).filter(pl.col("hit")).sum()))
    result = q.collect().to_pandas()
    return {**since(start), **totals(result)}


def polars_checks(data: Path, factors_csv: Path, changes_csv: Path) -> dict:
    """(q) polars lazy doing the import's checks and aggregation (as (v)), both results written to Parquet."""
    import polars as pl

    r = layout(data)
    start = clock()
    changes = pl.read_csv(changes_csv, schema_overrides={"old_code": pl.Utf8, "new_chemical": pl.Utf8})
    code = pl.col(r["code"]).cast(pl.Utf8)
    nums = [pl.col(r[k]).cast(pl.Float64) for k in ("items", "quantity", "cost")]
    base = (_polars_scan(data, r)
            .with_columns(pl.col(r["month"]).cast(pl.Utf8), pl.col(r["practice"]).cast(pl.Utf8).str.strip_chars(),
                          *[n.alias(r[k]) for n, k in zip(nums, ("items", "quantity", "cost"))])
            .join(changes.lazy(), left_on=r["code"], right_on="old_code", how="left")
            .with_columns(ok=code.str.contains(f"^(?:{CODE_RE})$").fill_null(False),
                          chemical=pl.coalesce(pl.col("new_chemical"), pl.when(code.str.len_bytes() == 11)
                                               .then(code.str.slice(0, 4)).otherwise(code.str.slice(0, 9))))
            .with_columns(ch3=pl.col("ok") & code.str.starts_with("03"),
                          bad=(~pl.col("ok") | pl.any_horizontal(*[pl.col(r[k]).is_null() | ~pl.col(r[k]).is_finite()
                                                                   for k in ("items", "quantity", "cost")])
                               | (pl.col(r["items"]) < 0) | (pl.col(r["quantity"]) < 0)
                               | (pl.col(r["items"]) > MAX_ITEMS) | (pl.col(r["quantity"]) > MAX_QUANTITY)
                               | (pl.col(r["cost"]).abs() > MAX_COST)).fill_null(True)))
    sums = [pl.len().alias("n"), pl.col("bad").sum().alias("n_bad"), pl.col(r["items"]).sum(),
            pl.col(r["quantity"]).sum(), pl.col(r["cost"]).sum()]
    chem = base.group_by(r["month"], r["practice"], "chemical").agg(pl.col(r["board"]).first(), *sums)
    detail = (base.with_columns(code3=pl.when(pl.col("ch3")).then(code),
                                *[pl.when(pl.col("ch3")).then(pl.col(k)).alias(f"key_{k}") for k in r["keys"]])
              .group_by(r["month"], r["practice"], "code3", *[f"key_{k}" for k in r["keys"]]).agg(*sums))
    chem_df, detail_df = pl.collect_all([chem, detail])
    checks = {"rows_read": int(detail_df["n"].sum()), "bad_rows": int(detail_df["n_bad"].sum()),
              "duplicates": int(detail_df.filter(pl.col("code3").is_not_null() & (pl.col("n") > 1))["n"].sum()),
              "chemical_rows": chem_df.height}
    with tempfile.TemporaryDirectory(prefix="carbon-bench-q-") as tmp:
        chem_df.write_parquet(Path(tmp) / "chem.parquet")
        detail_df.write_parquet(Path(tmp) / "detail.parquet")
        out = since(start)
    return {**out, **checks}


def totals(result) -> dict:
    """National totals of a by-practice-and-month result, to check the parts agree."""
    out = {"groups": int(len(result))}
    for col in ("items", "inhalers", "kgCO2e", "cost_gbp", "unmapped_items"):
        if col in result.columns:
            out[col] = float(result[col].fillna(0).sum())
    return out


PARTS = {
    "a": ("product: import_files (+ footprint)", product),
    "v": ("validating floor: checks + aggregation, bare DuckDB", validating_floor),
    "q": ("polars lazy: the same checks + aggregation", polars_checks),
    "b": ("bare DuckDB floor: inhaler footprint", floor),
    "p": ("polars lazy, bare: inhaler footprint", polars_bare),
    "c": ("pandas at its best: inhaler footprint", pandas_best),
}
