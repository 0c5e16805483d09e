-- How many rows of a staged file break each rule (stage.sql's result as ${table}); all zero for a
-- file that can be imported. Months are YYYYMM, or YYYY_MM as the English files of 2014-2017 give them.
WITH m AS (
    SELECT *, ${month_sql} AS ym,
           trim(coalesce(practice_raw, '')) AS practice
    FROM ${table}),
dup AS (
    SELECT sum(n) AS rows
    FROM (SELECT sum(n) AS n FROM m
          WHERE ch3 AND code_ok AND ym IS NOT NULL AND practice <> ''
          GROUP BY ym, practice, code_key, per_item, snomed, dmd, prescribed_type
          HAVING sum(n) > 1))
SELECT coalesce(sum(n) FILTER (WHERE ym IS NULL), 0) AS bad_month,
       coalesce(sum(n) FILTER (WHERE practice = ''), 0) AS bad_practice,
       coalesce(sum(n) FILTER (WHERE NOT code_ok), 0) AS bad_code,
       coalesce(sum(n - n_items) + sum(n - n_quantity) + sum(n - n_cost), 0) AS empty_numbers,
       coalesce(count(*) FILTER (WHERE min_items < 0 OR min_quantity < 0), 0) AS negative,
       coalesce((SELECT rows FROM dup), 0) AS duplicates,
       coalesce(sum(n), 0) AS rows_read,
       coalesce(sum(n) FILTER (WHERE ch3), 0) AS rows_kept,
       coalesce(sum(items) FILTER (WHERE ch3 AND code_ok), 0) AS items_kept
FROM m
