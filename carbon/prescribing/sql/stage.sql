-- The first pass over a prescribing file (bound as the reader's ? parameters): every row is read,
-- checked and summed into a small staging table. BNF chapter 3 rows keep their presentation code
-- and the columns that tell rows apart (quantity per item, SNOMED or dm+d code, prescribed type),
-- so duplicates can be found and the rows stored in detail; a row with a code that is not a BNF
-- code keeps it, to be named; every other row is only counted, one group per month x practice
-- (code_key NULL). The second pass, once the file is known to be good, sums every chapter by
-- BNF chemical straight into rx_chemical_month (write_chemicals.sql).
--
-- Each group counts its rows (n) and the rows that break a rule as read (n_bad: a code that is not
-- a BNF code, an empty or negative number), so the checks run on the small result; a file that
-- fails any is read again line by line only then (importing._diagnose). A practice's board is
-- taken with it (a practice belongs to one board in a month), not grouped on. Codes are taken as
-- published (code = code_raw); only a file with a code that does not match is read a second time
-- with each code trimmed and upper-cased (code = upper(trim(code_raw))), so that a padded or
-- lower-case code is not refused.
-- The placeholders are positional column references (#n) or NULL, chosen by the code from the header.
CREATE OR REPLACE TEMP TABLE ${table} AS
WITH src AS (
    SELECT CAST(${month} AS VARCHAR) AS month_raw,
           CAST(${board_code} AS VARCHAR) AS board_code,
           CAST(${board} AS VARCHAR) AS board,
           CAST(${practice} AS VARCHAR) AS practice_raw,
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
    SELECT *, coalesce(regexp_full_match(code, '${code_re}'), false) AS code_ok
    FROM (SELECT *, ${code} AS code FROM src)),
keyed AS (
    SELECT c.*, starts_with(c.code, '03') AND c.code_ok AS ch3,
           CASE WHEN starts_with(c.code, '03') OR NOT c.code_ok THEN c.code END AS k_code
    FROM coded c)
SELECT month_raw, practice_raw, k_code AS code_key,
       CASE WHEN ch3 THEN per_item END AS per_item,
       CASE WHEN ch3 THEN snomed END AS snomed,
       CASE WHEN ch3 THEN dmd END AS dmd,
       CASE WHEN ch3 THEN prescribed_type END AS prescribed_type,
       any_value(board_code) AS board_code,
       -- practice and presentation names are kept for chapter 3 rows only (the detail table)
       any_value(board) AS board,
       any_value(CASE WHEN ch3 THEN practice_name END) AS practice_name,
       any_value(CASE WHEN ch3 THEN description END) AS description,
       count(*) AS n,
       count(*) FILTER (WHERE NOT code_ok OR items IS NULL OR quantity IS NULL OR cost IS NULL
                        OR items < 0 OR quantity < 0) AS n_bad,
       -- a chapter 3 group keeps its presentation code (15 characters): the detail table's rows
       coalesce(starts_with(k_code, '03') AND length(k_code) = 15, false) AS ch3,
       sum(items) AS items, sum(quantity) AS quantity, sum(cost) AS cost
FROM keyed
GROUP BY month_raw, practice_raw, k_code, 4, 5, 6, 7
