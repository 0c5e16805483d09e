-- Rewrite the footprint summaries (migration 102) from rx_item and the code map, in the
-- transaction that changed either: every stored inhaler row (rows.sql's, without the factors,
-- which depend on the GWP basis and are joined when read) summed by month x board x presentation
-- and by practice x board x presentation; and every chapter's spend by month x board. kind: 0 the quantity cannot be converted to inhalers,
-- 1 it comes to no inhalers, 2 to some.
DELETE FROM rx_sum_mb;
DELETE FROM rx_sum_pb;
DELETE FROM rx_sum_spend;
INSERT INTO rx_sum_spend
SELECT month, board_code, max(board), CAST(bnf_chapter AS INTEGER) AS chapter, sum(cost_gbp), sum(items)
FROM rx_chemical_month GROUP BY month, board_code, chapter;
CREATE OR REPLACE TEMP TABLE rx_sum_rows AS
    SELECT i.month, i.board_code, i.board, i.practice, i.practice_name, i.bnf_code, i.items, i.cost_gbp,
           ${inhalers} AS inhalers_raw
    FROM rx_item i JOIN rx_code_map m USING (bnf_code)
    WHERE m.in_sections IN ('0301', '0302') AND m.device IS DISTINCT FROM 'nebuliser_other';
INSERT INTO rx_sum_mb
SELECT month, board_code, max(board), bnf_code,
       CASE WHEN inhalers_raw IS NULL THEN 0 WHEN inhalers_raw = 0 THEN 1 ELSE 2 END AS kind,
       sum(items), sum(cost_gbp), sum(inhalers_raw)
FROM rx_sum_rows GROUP BY month, board_code, bnf_code, kind;
INSERT INTO rx_sum_pb
WITH months AS (
    SELECT practice, board_code, count(DISTINCT month) AS months_in_board
    FROM rx_sum_rows GROUP BY practice, board_code),
practice_months AS (SELECT practice, count(DISTINCT month) AS practice_months FROM rx_sum_rows GROUP BY practice)
SELECT r.practice, max(r.practice_name), r.board_code, max(r.board), r.bnf_code,
       CASE WHEN r.inhalers_raw IS NULL THEN 0 WHEN r.inhalers_raw = 0 THEN 1 ELSE 2 END AS kind,
       sum(r.items), sum(r.cost_gbp), sum(r.inhalers_raw), any_value(p.practice_months), any_value(m.months_in_board)
FROM rx_sum_rows r JOIN practice_months p USING (practice) JOIN months m USING (practice, board_code)
GROUP BY r.practice, r.board_code, r.bnf_code, kind;
DROP TABLE rx_sum_rows;
