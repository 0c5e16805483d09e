-- A staged file that passed every check: its month x practice x BNF chemical groups (stage.sql,
-- detail = 0) into rx_chemical_month. Months are parsed once per distinct text; a board's name is
-- the file's, else rx_board's, else its code. Parameters: format, import id.
INSERT INTO rx_chemical_month
WITH months AS (
    SELECT month_raw, ${month_sql} AS ym FROM (SELECT DISTINCT month_raw FROM ${table} WHERE detail = 1)),
boards AS (
    SELECT s.board_code, coalesce(any_value(s.board), any_value(b.board), s.board_code) AS board
    FROM (SELECT DISTINCT board_code, board FROM ${table} WHERE detail = 1) s LEFT JOIN rx_board b USING (board_code)
    GROUP BY s.board_code)
SELECT make_date(m.ym // 100, m.ym % 100, 1), ?, s.board_code, b.board, s.practice, left(s.chemical, 2),
       s.chemical, s.items, s.quantity, s.cost, ?
FROM ${table} s JOIN months m USING (month_raw) LEFT JOIN boards b USING (board_code)
WHERE s.detail = 0
