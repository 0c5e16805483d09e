-- How many rows of a staged file break each rule (stage.sql's result as ${table}); all zero for a
-- file that can be imported. Months are YYYYMM, or YYYY_MM as the English files of 2014-2017 give
-- them; each distinct month text is parsed once.
WITH months AS (
    SELECT month_raw, ${month_sql} AS ym FROM (SELECT DISTINCT month_raw FROM ${table})),
dup AS (
    SELECT sum(n) AS rows
    FROM (SELECT sum(n) AS n FROM ${table}
          WHERE ch3 AND n_bad = 0
          GROUP BY month_raw, trim(practice_raw), code_key, per_item, snomed, dmd, prescribed_type
          HAVING sum(n) > 1))
SELECT coalesce((SELECT sum(s.n) FROM ${table} s JOIN months m USING (month_raw) WHERE m.ym IS NULL), 0)
           + coalesce((SELECT sum(n) FROM ${table} WHERE month_raw IS NULL), 0) AS bad_month,
       coalesce(sum(n) FILTER (WHERE practice_raw IS NULL OR trim(practice_raw) = ''), 0) AS bad_practice,
       coalesce(sum(n_bad), 0) AS bad_rows,
       coalesce((SELECT rows FROM dup), 0) AS duplicates,
       coalesce(sum(n), 0) AS rows_read,
       coalesce(sum(n) FILTER (WHERE ch3), 0) AS rows_kept,
       coalesce(sum(items) FILTER (WHERE ch3), 0) AS items_kept
FROM ${table}
