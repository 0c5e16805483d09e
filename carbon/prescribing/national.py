"""All English months at once: a partitioned Parquet set read in place, its footprint by ICB and month.

A decade of the English Prescribing Dataset is over a billion rows (about 17 million a month, all
chapters): more than the store should copy. Instead the months are kept once as Parquet, one file
a month in a folder partitioned by year and month, exactly as published apart from the file
format (``FOLDER/year=YYYY/month=MM/*.parquet``: ``add_month`` writes one from a month's CSV,
gzip or ZIP, read within bounds by ``carbon.reading``; ``bench/generate_epd.py --months`` writes a
synthetic set), and read in place, read-only:

* ``learn_codes(store, folder)`` adds the set's BNF chapter 3 codes (and names) to ``rx_code`` and
  rebuilds the code map when that brings a new one, so every code in the set is mapped from
  NHSBSA's list as an import's would be;
* ``footprint(store, folder, by, basis, months)`` sums the inhaler footprint straight from the
  files, through the same mapping, inhaler count and factors as ``footprint.footprint`` (the rows
  are first summed by month x practice x presentation, as ``rx_item`` holds them). DuckDB reads only
  the columns it needs, and with ``months`` only those partitions.

Nothing of the set is written to the store but the codes. bench/README.md (*A decade at once*)
has the measured run and when to move to a larger engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pandas as pd

from carbon import factors as fx
from carbon import reading, uploads
from carbon.prescribing.formats import FORMATS, PrescribingImportError, positions, resolve_columns
from carbon.prescribing.mapping import refresh, rows_sql, with_factors
from carbon.prescribing.sqlfiles import sql
from carbon.store import Store

#: What a national footprint can be grouped by (ICB or sub-ICB location codes as the files give them).
GROUPS = {"board": ["board_code", "max(board) AS board"], "month": ["month"], "practice": ["practice"]}


def _glob(folder: Path | str) -> str:
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise PrescribingImportError([(str(folder), 0, "is not a folder of Parquet months")])
    if not any(folder.glob("year=*/month=*/*.parquet")):
        raise PrescribingImportError([(str(folder), 0, "holds no year=YYYY/month=MM/*.parquet files",
                                       "write them with `carbon prescribing national add MONTH.csv FOLDER`")])
    return str(folder / "year=*" / "month=*" / "*.parquet")


def _columns(store: Store, glob: str) -> dict:
    """Each EPD role of the set as a positional column reference (``#n``: no header text enters the SQL)."""
    header = [r[0] for r in store.execute("DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = true)",
                                          [glob]).fetchall()]
    cols, missing = resolve_columns(FORMATS["epd"], header)
    if missing:
        raise PrescribingImportError([(glob, 1, f"missing column(s) {', '.join(missing)}")])
    return {role: f"#{n}" for role, n in positions(header, cols).items()}


def _rows(cols: dict, months: Sequence[str] | None) -> tuple[str, list]:
    """The set's chapter 3 (sections 3.1, 3.2) rows summed as rx_item holds them; the months filter
    prunes partitions (year and month are the folders' names)."""
    q = cols
    board = q.get("board", "NULL")
    where, params = "", []
    if months:
        where = "AND list_contains(?, CAST(year AS INTEGER) * 100 + CAST(month AS INTEGER))"
        params = [[int(m.replace("-", "")[:6]) for m in months]]
    return (f"""(SELECT make_date(CAST(year AS INTEGER), CAST(month AS INTEGER), 1) AS month, 'epd' AS format, {q['board_code']} AS board_code,
                        any_value({board}) AS board, {q['practice']} AS practice,
                        any_value({q.get('practice_name', 'NULL')}) AS practice_name,
                        {q['bnf_code']} AS bnf_code, sum({q['items']}) AS items, sum({q['quantity']}) AS quantity,
                        sum({q['cost']}) AS cost_gbp, 0 AS import_id
                 FROM read_parquet(?, hive_partitioning = true)
                 WHERE left({q['bnf_code']}, 4) IN ('0301', '0302') {where}
                 GROUP BY ALL)""", params)


def learn_codes(store: Store, folder: Path | str) -> int:
    """Add the set's BNF chapter 3 codes and names to ``rx_code`` (the map rebuilt if any is new);
    return how many codes were new."""
    glob = _glob(folder)
    cols = _columns(store, glob)
    code, name = cols["bnf_code"], cols.get("description", "NULL")
    with store.transaction() as cur:
        new = cur.execute(f"""
            SELECT count(*) FROM (SELECT DISTINCT {code} AS c FROM read_parquet(?, hive_partitioning = true)
                                  WHERE starts_with({code}, '03')) s
            LEFT JOIN rx_code r ON r.bnf_code = s.c WHERE r.bnf_code IS NULL""", [glob]).fetchone()[0]
        if new:
            cur.execute(f"""INSERT INTO rx_code SELECT {code}, max({name}) FROM read_parquet(?, hive_partitioning = true)
                            WHERE starts_with({code}, '03') GROUP BY 1 ON CONFLICT (bnf_code) DO NOTHING""", [glob])
            refresh(store, cur)
    return int(new)


def footprint(store: Store, folder: Path | str, by: Sequence[str] = ("board", "month"),
              basis: str = fx.DEFAULT_BASIS, months: Sequence[str] | None = None) -> pd.DataFrame:
    """The inhaler footprint of the set, grouped by board (ICB), month and/or practice: ``items``,
    ``inhalers``, ``kgCO2e`` (low, high), ``low_carbon_share``, ``reliever_inhalers``,
    ``reliever_share``, ``cost_gbp``, ``unmapped_items``, ``months`` and ``factor_ids``, as
    ``footprint.footprint`` gives them. ``months`` (``YYYY-MM``) limits the months read."""
    bad = [g for g in by if g not in GROUPS]
    if not by or bad:
        raise ValueError(f"group by one or more of {', '.join(GROUPS)}, not {', '.join(bad) or 'nothing'}")
    glob = _glob(folder)
    learn_codes(store, folder)
    items, params = _rows(_columns(store, glob), months)
    cols = [c for g in by for c in GROUPS[g]]
    keys = [g if g != "board" else "board_code" for g in by]
    query = (f"{rows_sql(items)},\n{sql('footprint_aggregate', groups=', '.join(cols), keys=', '.join(keys), months='count(DISTINCT month)')}\n"
             f"SELECT * FROM agg ORDER BY {', '.join(keys)}")
    df = with_factors(store, basis, query, [glob] + params)
    if "month" in df.columns:
        df["month"] = pd.to_datetime(df["month"]).dt.strftime("%Y-%m")
    return df


def add_month(path: Path | str, folder: Path | str) -> Path:
    """Write one EPD month (CSV, gzip or ZIP as published, read within bounds) into the set as
    ``folder/year=YYYY/month=MM/<file>.parquet``, every column as published; return its path.
    A month already in the set is refused (remove its folder to replace it)."""
    path = Path(path)
    import duckdb  # a one-off conversion, in a connection of its own (the store is not needed)

    with uploads.folder("carbon_rx_") as tmp:
        try:
            (source,) = reading.open_sources(path, Path(tmp), path.name)
        except reading.FileReadError as exc:
            raise PrescribingImportError(exc.problems) from None
        con = duckdb.connect()
        try:
            con.execute("SET temp_directory = ?", [str(Path(tmp) / "spill")])  # not the working folder's .tmp
            text = ("read_csv(?, header = true, all_varchar = true, encoding = ?, "
                    f"max_line_size = {reading.MAX_LINE_BYTES})")
            params = [str(source.path)] + ([] if source.parquet else [source.encoding])
            header = [d[0] for d in con.execute(
                f"DESCRIBE SELECT * FROM {'read_parquet(?)' if source.parquet else text}", params).fetchall()]
            cols, missing = resolve_columns(FORMATS["epd"], header)
            if missing:
                raise PrescribingImportError([(path.name, 1, f"is not an EPD month: missing {', '.join(missing)}")])
            pos = positions(header, cols)
            types = ["VARCHAR"] * len(header)  # every column as published, the numbers typed so the set sums
            for role in ("items", "quantity", "cost", "per_item"):
                if role in pos:
                    types[pos[role] - 1] = "DOUBLE"
            reader, params = (("read_parquet(?)", params) if source.parquet else
                              ("read_csv(?, header = true, encoding = ?, types = ?, "
                               f"max_line_size = {reading.MAX_LINE_BYTES})", params + [types]))
            found = con.execute(f"SELECT DISTINCT replace(CAST(#{pos['month']} AS VARCHAR), '_', '') FROM {reader}",
                                params).fetchall()
            if len(found) != 1 or not str(found[0][0]).isdigit() or len(str(found[0][0])) != 6:
                raise PrescribingImportError([(path.name, 0, f"holds {len(found)} months; a set holds one file a "
                                               "month (YYYYMM)")])
            ym = int(found[0][0])
            dest = Path(folder) / f"year={ym // 100}" / f"month={ym % 100:02d}" / (path.name.split(".")[0] + ".parquet")
            if dest.parent.exists() and any(dest.parent.iterdir()):
                raise PrescribingImportError([(path.name, 0, f"{dest.parent} already holds month {ym}",
                                               "remove that folder to replace the month")])
            dest.parent.mkdir(parents=True, exist_ok=True)
            con.execute(f"COPY (SELECT * FROM {reader}) TO ? (FORMAT parquet, COMPRESSION zstd)", params + [str(dest)])
        finally:
            con.close()
    return dest
