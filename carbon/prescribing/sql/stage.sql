-- The one pass over a prescribing file (bound as the reader's ? parameters): every row of every
-- chapter is read, checked and summed, in one scan, two ways at once (GROUPING SETS), straight into
-- rx_chemical (migration 101) under import ${import_id}, invisible until the import is logged:
--
-- * detail = false: by month x practice x BNF chemical (every chapter): rx_chemical_month's rows,
--   where they are kept. The chemical is the first 9 characters of a 15-character code, or the
--   section (the first 4) of an 11-character appliance code (chapters 20-23), after the yearly
--   code changes that move a presentation to another chemical (rx_chem_change);
-- * detail = true: BNF chapter 3 rows by presentation and the columns that tell rows apart
--   (quantity per item, SNOMED or dm+d code, prescribed type), so duplicates are found and rx_item
--   written; every other row falls in one group per month x practice (code_key NULL).
--
-- Each group counts its rows (n) and the rows that break a rule as read (n_bad: a code that is
-- not a BNF code; an empty, negative, non-finite or absurd number, past factors/bounds.csv), so
-- the checks run on the small detail groups (stage_checks.sql); only a file that fails one is read
-- again, line by line, to name each problem (diagnose.py), and its rows are deleted. A
-- practice's board is taken with it (a practice belongs to one board in a month), not grouped on;
-- its name is the file's, else rx_board's, else its code. The month is read from its text cheaply
-- here (the checks parse every distinct text fully). Codes are taken as published (code =
-- code_raw); only a file with a bad row is read again with each code trimmed and upper-cased
-- (code = upper(trim(code_raw))), so a padded or lower-case code is not refused. The placeholders
-- are positional column references (#n) or NULL chosen from the header, and the package's own
-- values (bounds, import id, format).
INSERT INTO rx_chemical
WITH src AS (
    SELECT CAST(${month} AS VARCHAR) AS month_raw,
           CAST(${board_code} AS VARCHAR) AS board_code,
           CAST(${board} AS VARCHAR) AS board,
           trim(CAST(${practice} AS VARCHAR)) AS practice,
           CAST(${practice_name} AS VARCHAR) AS practice_name,
           CAST(${bnf_code} AS VARCHAR) AS code_raw,
           CAST(${description} AS VARCHAR) AS description,
           ${items} AS items, ${quantity} AS quantity, ${cost} AS cost,
           ${per_item} AS per_item,
           CAST(${snomed} AS VARCHAR) AS snomed,
           CAST(${dmd} AS VARCHAR) AS dmd,
           CAST(${prescribed_type} AS VARCHAR) AS prescribed_type
    FROM ${reader}),
coded AS (
    SELECT s.*, coalesce(regexp_full_match(s.code, '${code_re}'), false) AS code_ok,
           coalesce(x.new_chemical, CASE WHEN length(s.code) = 11 THEN left(s.code, 4) ELSE left(s.code, 9) END)
               AS chemical
    FROM (SELECT *, ${code} AS code FROM src) s LEFT JOIN rx_chem_change x ON x.old_code = s.code),
keyed AS (
    SELECT *, code_ok AND starts_with(code, '03') AS ch3,
           CASE WHEN code_ok AND starts_with(code, '03') THEN code END AS code_key,
           CASE WHEN code_ok AND starts_with(code, '03') THEN per_item END AS k_per_item,
           CASE WHEN code_ok AND starts_with(code, '03') THEN snomed END AS k_snomed,
           CASE WHEN code_ok AND starts_with(code, '03') THEN dmd END AS k_dmd,
           CASE WHEN code_ok AND starts_with(code, '03') THEN prescribed_type END AS k_prescribed_type,
           coalesce(NOT code_ok OR items IS NULL OR quantity IS NULL OR cost IS NULL
                    OR NOT isfinite(items) OR NOT isfinite(quantity) OR NOT isfinite(cost)
                    OR items < 0 OR quantity < 0 OR items > ${max_items} OR quantity > ${max_quantity}
                    OR abs(cost) > ${max_cost}, true) AS bad
    FROM coded),
g AS (
    SELECT month_raw, practice, chemical, code_key, k_per_item AS per_item, k_snomed AS snomed, k_dmd AS dmd,
           k_prescribed_type AS prescribed_type, GROUPING(chemical) = 1 AS detail,
           any_value(board_code) AS board_code, any_value(board) AS board,
           -- practice and presentation names are kept for chapter 3 rows only (the detail table)
           any_value(practice_name) FILTER (WHERE ch3) AS practice_name,
           any_value(description) FILTER (WHERE ch3) AS description,
           count(*) AS n, count(*) FILTER (WHERE bad) AS n_bad,
           sum(items) AS items, sum(quantity) AS quantity, sum(cost) AS cost
    FROM keyed
    GROUP BY GROUPING SETS ((month_raw, practice, chemical),
                            (month_raw, practice, code_key, k_per_item, k_snomed, k_dmd, k_prescribed_type))),
m AS (
    SELECT *, TRY_CAST(left(trim(month_raw), 4) AS INTEGER) AS y, TRY_CAST(right(trim(month_raw), 2) AS INTEGER) AS mm
    FROM g)
SELECT CASE WHEN y BETWEEN 1 AND 9999 AND mm BETWEEN 1 AND 12 THEN make_date(y, mm, 1) END, '${format}',
       m.board_code, coalesce(m.board, b.board, m.board_code), practice,
       CASE WHEN NOT detail THEN left(chemical, 2) END, chemical, items, quantity, cost, ${import_id}, detail,
       CASE WHEN detail THEN month_raw END, code_key, per_item, snomed, dmd, prescribed_type,
       CASE WHEN detail THEN practice_name END, CASE WHEN detail THEN description END,
       CASE WHEN detail THEN n END, CASE WHEN detail THEN n_bad END
FROM m LEFT JOIN rx_board b ON b.board_code = m.board_code
