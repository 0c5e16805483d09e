-- Boards with the registered patients of their practices (after footprint_aggregate.sql).
board_patients AS (
    SELECT p.board_code, sum(ls.patients) AS patients
    FROM (SELECT DISTINCT board_code, practice FROM rx_item) p JOIN rx_list_size ls USING (practice)
    GROUP BY p.board_code)
SELECT agg.*, bp.patients, agg.kgCO2e / NULLIF(bp.patients, 0) * 1000 AS kgCO2e_per_1000_patients
FROM agg LEFT JOIN board_patients bp USING (board_code)
