-- How many rows of a staged file break each rule (stage.sql's rows of import ${import_id}); all
-- zero for a file that can be imported. Every row is in exactly one detail group (chapter 3 by
-- presentation, every other row by month x practice), so the checks read those few groups only.
-- Months are YYYYMM, or YYYY_MM as the English files of 2014-2017 give them, in the years
-- factors/bounds.csv allows; each distinct month text is parsed once. rows_read counts every row;
-- rows_kept and items_kept the chapter 3 rows kept in detail; chemical_rows the month x practice
-- x chemical rows.
WITH d AS (SELECT * FROM rx_chemical WHERE import_id = ${import_id} AND detail),
months AS (
    SELECT month_raw, ${month_sql} AS ym FROM (SELECT DISTINCT month_raw FROM d))
SELECT coalesce((SELECT sum(d.n) FROM d JOIN months m USING (month_raw) WHERE m.ym IS NULL), 0)
           + coalesce((SELECT sum(n) FROM d WHERE month_raw IS NULL), 0) AS bad_month,
       coalesce(sum(n) FILTER (WHERE practice IS NULL OR practice = ''
                               OR regexp_matches(practice, '[\x00-\x1f\x7f]')), 0) AS bad_practice,
       coalesce(sum(n_bad), 0) AS bad_rows,
       coalesce(sum(n) FILTER (WHERE code_key IS NOT NULL AND n > 1 AND n_bad = 0), 0) AS duplicates,
       coalesce(sum(n), 0) AS rows_read,
       coalesce(sum(n) FILTER (WHERE code_key IS NOT NULL), 0) AS rows_kept,
       coalesce(sum(items) FILTER (WHERE code_key IS NOT NULL), 0) AS items_kept,
       (SELECT count(*) FROM rx_chemical WHERE import_id = ${import_id} AND NOT detail) AS chemical_rows
FROM d
