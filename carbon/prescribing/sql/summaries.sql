-- Rewrite the footprint summaries (migration 102) from rx_item and the code map, in the
-- transaction that changed either: every stored inhaler row (rows.sql's, without the factors,
-- which depend on the GWP basis and are joined when read) summed by month x board x presentation
-- and by practice x board x presentation; and every chapter's spend by month x board. kind (set
-- once per row): 0 the quantity cannot be converted to inhalers, 1 it comes to no inhalers, 2 to some.
DELETE FROM rx_sum_mb;
DELETE FROM rx_sum_pb;
DELETE FROM rx_sum_spend;
INSERT INTO rx_sum_spend
SELECT month, board_code, max(board), CAST(bnf_chapter AS INTEGER) AS chapter, sum(cost_gbp), sum(items)
FROM rx_chemical_month GROUP BY month, board_code, chapter;
CREATE OR REPLACE TEMP TABLE rx_sum_rows AS
    SELECT *, CASE WHEN inhalers_raw IS NULL THEN 0 WHEN inhalers_raw = 0 THEN 1 ELSE 2 END AS kind
    FROM (SELECT i.month, i.board_code, i.board, i.practice, i.practice_name, i.bnf_code, i.items, i.cost_gbp,
                 ${inhalers} AS inhalers_raw
          FROM rx_item i JOIN rx_code_map m USING (bnf_code)
          WHERE m.in_sections IN ('0301', '0302') AND m.device IS DISTINCT FROM 'nebuliser_other');
INSERT INTO rx_sum_mb
SELECT month, board_code, max(board), bnf_code, kind, sum(items), sum(cost_gbp), sum(inhalers_raw)
FROM rx_sum_rows GROUP BY month, board_code, bnf_code, kind;
INSERT INTO rx_sum_pb
WITH g AS (
    SELECT practice, board_code, bnf_code, kind,
           sum(items) AS items, sum(cost_gbp) AS cost_gbp, sum(inhalers_raw) AS inhalers_sum
    FROM rx_sum_rows GROUP BY practice, board_code, bnf_code, kind),
in_board AS (
    SELECT practice, board_code, max(practice_name) AS practice_name, max(board) AS board,
           count(DISTINCT month) AS months_in_board, list(DISTINCT month) AS months
    FROM rx_sum_rows GROUP BY practice, board_code),
names AS (
    SELECT practice, max(practice_name) AS practice_name, length(list_distinct(flatten(list(months)))) AS practice_months
    FROM in_board GROUP BY practice)
SELECT g.practice, n.practice_name, g.board_code, b.board, g.bnf_code, g.kind, g.items, g.cost_gbp, g.inhalers_sum,
       n.practice_months, b.months_in_board
FROM g JOIN in_board b ON b.practice = g.practice AND b.board_code IS NOT DISTINCT FROM g.board_code
JOIN names n ON n.practice = g.practice;
DROP TABLE rx_sum_rows;
