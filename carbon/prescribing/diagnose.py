"""Naming every problem of a prescribing file that failed its checks: the slow, failure-only pass.

The import reads a good file once (``importing``); only a file whose staged counts say a rule is
broken is read again here, as text with its line numbers, so that each problem is named with its
file, line and reason: a month that is not a month (or whose year is outside ``data_year`` in
factors/bounds.csv), an empty practice or one with a control character (a NUL byte), a code that
is not a BNF code, an empty, non-numeric, negative, non-finite or absurd number (past the row
bounds of factors/bounds.csv), a chapter 3 row twice. DuckDB runs it within the import's memory
limit, spilling to disk on a large bad file.
"""

from __future__ import annotations

from carbon import bounds
from carbon.prescribing.formats import MAX_PROBLEMS, literal

#: What a bad code is told it should be.
CODE_RULE = "not a BNF code (15 characters, or 11 for an appliance in chapters 20-23)"
#: The bound (factors/bounds.csv) each number of a row is held to.
ROW_BOUNDS = {"items": "rx_items_per_row", "quantity": "rx_quantity_per_row", "cost": "rx_cost_per_row"}
Q = "'"


def _number_check(role: str, column: str) -> str:
    """The reason a row's number breaks a rule, in words (SQL), or NULL."""
    name, raw = literal(column), f"raw_{role}"
    value = f"TRY_CAST({raw} AS DOUBLE)"
    b = bounds.table()[ROW_BOUNDS[role]]
    past = literal(f", more than {b.high:,.0f} on one row: {b.why}")
    negative = f"WHEN {value} < 0 THEN {name} || ' is negative (' || {raw} || ')' " if role != "cost" else ""
    return (f"CASE WHEN {raw} IS NULL OR {raw} = '' THEN {literal(column + ' is empty')} "
            f"WHEN {value} IS NULL THEN {name} || ' is {Q}{Q}' || {raw} || '{Q}{Q}, not a number' "
            f"WHEN NOT isfinite({value}) THEN {name} || ' is {Q}{Q}' || {raw} || '{Q}{Q}, not a finite number' "
            f"{negative}WHEN abs({value}) > {b.high!r} THEN {name} || ' is ' || {raw} || {past} END")


def diagnose(cur, st, reader: str, params: list, columns: dict, month_sql, code_re: str) -> tuple[list, int]:
    """Every broken rule of one staged file with its line: ``([(file, line, reason)], total)``.

    ``reader`` and ``params`` read the file as text; ``columns`` maps each role to its column
    reference; ``month_sql(column)`` parses a month (importing.month_sql)."""
    c = st.cols
    col = columns
    offset = 1 if st.source.parquet else 2  # parquet rows count from 1; CSV lines from the header
    checks = [
        f"CASE WHEN {month_sql('month_raw')} IS NULL THEN {literal(c['month'])} || ' is ' || "
        "coalesce(chr(39) || trim(month_raw) || chr(39), 'empty') || ', not a month (YYYYMM or YYYY_MM) of the years "
        f"{bounds.table()['data_year'].low:.0f}-{bounds.table()['data_year'].high:.0f}' END",
        f"CASE WHEN practice IS NULL OR practice = '' THEN {literal(c['practice'] + ' is empty')} "
        f"WHEN regexp_matches(practice, '[\\x00-\\x1f\\x7f]') THEN {literal(c['practice'])} || ' ' "
        "|| replace(replace(practice, chr(0), '\\0'), chr(9), '\\t') "
        "|| ' holds a control character (a NUL byte or a tab): not a practice code' END",
        f"CASE WHEN code IS NULL OR code = '' THEN {literal(c['bnf_code'] + ' is empty')} "
        f"WHEN NOT regexp_full_match(code, '{code_re}') THEN {literal(c['bnf_code'])} || ' {Q}{Q}' "
        f"|| code || '{Q}{Q} is {CODE_RULE}' END"]
    checks += [_number_check(role, c[role]) for role in ("items", "quantity", "cost")]
    key = "ym, practice, code, per_item, snomed, dmd, prescribed_type"
    query = f"""
        WITH t AS (
            SELECT row_number() OVER () + {offset - 1} AS line,
                   CAST({col['month']} AS VARCHAR) AS month_raw,
                   trim(CAST({col['practice']} AS VARCHAR)) AS practice,
                   upper(trim(CAST({col['bnf_code']} AS VARCHAR))) AS code,
                   trim(CAST({col['per_item']} AS VARCHAR)) AS per_item,
                   trim(CAST({col['snomed']} AS VARCHAR)) AS snomed,
                   trim(CAST({col['dmd']} AS VARCHAR)) AS dmd,
                   trim(CAST({col['prescribed_type']} AS VARCHAR)) AS prescribed_type,
                   trim(CAST({col['items']} AS VARCHAR)) AS raw_items,
                   trim(CAST({col['quantity']} AS VARCHAR)) AS raw_quantity,
                   trim(CAST({col['cost']} AS VARCHAR)) AS raw_cost
            FROM {reader}),
        d AS (
            SELECT line, {month_sql('month_raw')} AS ym, practice, code, per_item, snomed, dmd, prescribed_type,
                   month_raw,
                   list_value({', '.join(checks)}) AS why
            FROM t),
        e AS (
            SELECT *, CASE WHEN starts_with(code, '03') AND regexp_full_match(code, '{code_re}')
                            AND count(*) OVER (PARTITION BY {key}) > 1
                       THEN 'month ' || trim(month_raw) || ', practice ' || practice || ', code ' || code
                            || ' appears ' || count(*) OVER (PARTITION BY {key}) || ' times in this file' END AS dup
            FROM d),
        p AS (
            SELECT line, reason
            FROM e, unnest(list_filter(list_append(why, dup), lambda x: x IS NOT NULL)) AS u(reason))
        SELECT line, reason, count(*) OVER () AS total FROM p ORDER BY line, reason LIMIT {MAX_PROBLEMS}"""
    rows = cur.execute(query, params).fetchall()
    if not rows:
        return [(st.name, 0, "the file could not be read consistently; check its format")], 1
    return [(st.name, int(line), reason) for line, reason, _ in rows], int(rows[0][2])
