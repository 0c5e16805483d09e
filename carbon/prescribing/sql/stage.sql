-- One pass over a prescribing file (bound as the reader's ? parameters): every row is read, checked
-- and aggregated into a small staging table. BNF chapter 3 rows keep their presentation code and
-- the columns that tell rows apart (quantity per item, SNOMED or dm+d code, prescribed type), so
-- duplicates can be found and the rows stored in detail; every other chapter is summed by BNF
-- chemical substance (the first 9 characters of a 15-character code; the section, the first 4,
-- of an 11-character appliance code), after the yearly code changes that move a presentation to
-- another chemical (rx_chem_change).
--
-- Counts and minima of the number columns travel with each group, so the checks (an empty or
-- negative number, a malformed code, a bad month, a blank practice) run on the small result; a
-- file that fails any is read again line by line only then (importing._diagnose).
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
    SELECT *, CASE WHEN regexp_full_match(code_raw, '${code_re}') THEN code_raw
                   ELSE upper(trim(code_raw)) END AS code
    FROM src),
checked AS (
    SELECT c.*, coalesce(regexp_full_match(c.code, '${code_re}'), false) AS code_ok,
           starts_with(c.code, '03') AS ch3, coalesce(x.new_chemical, '') AS moved_to
    FROM coded c LEFT JOIN rx_chem_change x ON x.old_code = c.code)
SELECT month_raw, board_code, practice_raw, ch3, code_ok,
       CASE WHEN ch3 OR NOT code_ok THEN code
            WHEN moved_to <> '' THEN moved_to
            WHEN length(code) = 11 THEN left(code, 4)
            ELSE left(code, 9) END AS code_key,
       CASE WHEN ch3 THEN per_item END AS per_item,
       CASE WHEN ch3 THEN snomed END AS snomed,
       CASE WHEN ch3 THEN dmd END AS dmd,
       CASE WHEN ch3 THEN prescribed_type END AS prescribed_type,
       any_value(board) AS board,
       any_value(practice_name) AS practice_name,
       any_value(description) AS description,
       count(*) AS n,
       count(items) AS n_items, count(quantity) AS n_quantity, count(cost) AS n_cost,
       min(items) AS min_items, min(quantity) AS min_quantity,
       sum(items) AS items, sum(quantity) AS quantity, sum(cost) AS cost
FROM checked
GROUP BY ALL
