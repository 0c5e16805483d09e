-- The second pass over a file that passed every check (bound as the reader's ? parameters, then
-- format and import id): every row of every chapter summed by month x practice x BNF chemical
-- into rx_chemical_month. The chemical is the first 9 characters of a 15-character code, or the
-- section (the first 4) of an 11-character appliance code (chapters 20-23), after the yearly code
-- changes that move a presentation to another chemical (rx_chem_change). Months are parsed once
-- per distinct text (from the staging table ${table}); a board's name is the file's, else
-- rx_board's, else its code. The placeholders are as in stage.sql.
INSERT INTO rx_chemical_month
WITH months AS (
    SELECT month_raw, ${month_sql} AS ym FROM (SELECT DISTINCT month_raw FROM ${table})),
boards AS (
    SELECT s.board_code, coalesce(any_value(s.board), any_value(b.board), s.board_code) AS board
    FROM (SELECT DISTINCT board_code, board FROM ${table}) s LEFT JOIN rx_board b USING (board_code)
    GROUP BY s.board_code),
src AS (
    SELECT CAST(${month} AS VARCHAR) AS month_raw, CAST(${board_code} AS VARCHAR) AS board_code,
           trim(CAST(${practice} AS VARCHAR)) AS practice, ${code} AS code,
           ${items} AS items, ${quantity} AS quantity, ${cost} AS cost
    FROM (SELECT *, CAST(${bnf_code} AS VARCHAR) AS code_raw FROM ${reader})),
summed AS (
    SELECT s.month_raw, any_value(s.board_code) AS board_code, s.practice,
           coalesce(x.new_chemical, CASE WHEN length(s.code) = 11 THEN left(s.code, 4) ELSE left(s.code, 9) END)
               AS chemical,
           sum(s.items) AS items, sum(s.quantity) AS quantity, sum(s.cost) AS cost
    FROM src s LEFT JOIN rx_chem_change x ON x.old_code = s.code
    GROUP BY s.month_raw, s.practice, 4)
SELECT make_date(m.ym // 100, m.ym % 100, 1), ?, s.board_code, b.board, s.practice, left(s.chemical, 2),
       s.chemical, s.items, s.quantity, s.cost, ?
FROM summed s JOIN months m USING (month_raw) LEFT JOIN boards b USING (board_code)
