-- A staged file's BNF chapter 3 rows into rx_item, one row per month x practice x presentation
-- (the quantity-per-item, SNOMED and dm+d rows of a presentation summed). Parameters: format, import id.
INSERT INTO rx_item
SELECT make_date(s.ym // 100, s.ym % 100, 1), ?, s.board_code,
       coalesce(any_value(s.board), any_value(b.board), s.board_code), s.practice, any_value(s.practice_name),
       s.code_key, sum(s.items), sum(s.quantity), sum(s.cost), ?
FROM (SELECT *, ${month_sql} AS ym FROM ${table} WHERE detail = 1 AND code_key IS NOT NULL) s
LEFT JOIN rx_board b ON b.board_code = s.board_code
GROUP BY s.ym, s.board_code, s.practice, s.code_key
