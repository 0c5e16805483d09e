-- Boards with the registered patients of their practices (after footprint_aggregate.sql). Per 1,000
-- patients a year counts only the practices with a list size, each scaled to twelve months over
-- its own months of data, so a practice without a list size neither adds carbon nor patients.
-- ${practice_rows} is rows.sql's by practice (rx_sum_pb's), ${months} its months in the board.
per_practice AS (
    SELECT board_code, practice, ${months} AS months,
           coalesce(sum(inhalers * kg) FILTER (WHERE mapped), 0) AS kg,
           coalesce(sum(inhalers) FILTER (WHERE mapped AND reliever), 0) AS relievers
    FROM ${practice_rows} GROUP BY board_code, practice),
board_patients AS (
    SELECT p.board_code, sum(ls.patients) AS patients, max(ls.month) AS list_size_month,
           sum(p.kg * 12.0 / p.months) AS kg_year, sum(p.relievers * 12.0 / p.months) AS relievers_year
    FROM per_practice p JOIN rx_list_size ls USING (practice)
    GROUP BY p.board_code)
SELECT agg.*, bp.patients, bp.list_size_month,
       bp.kg_year / NULLIF(bp.patients, 0) * 1000 AS kgCO2e_per_1000_patients_year,
       bp.relievers_year / NULLIF(bp.patients, 0) * 1000 AS relievers_per_1000_patients_year
FROM agg LEFT JOIN board_patients bp USING (board_code)
