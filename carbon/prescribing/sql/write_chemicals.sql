-- A staged file's every chapter into rx_chemical_month, by month x practice x BNF chemical. Chapter 3
-- presentations take their chemical here (after the code changes that move one to another
-- chemical); the other chapters were summed by chemical while the file was read. Parameters: format,
-- import id.
INSERT INTO rx_chemical_month
SELECT make_date(s.ym // 100, s.ym % 100, 1), ?, s.board_code,
       coalesce(any_value(s.board), any_value(b.board), s.board_code), s.practice,
       left(s.chemical, 2), s.chemical, sum(s.items), sum(s.quantity), sum(s.cost), ?
FROM (SELECT *, ${month_sql} AS ym, trim(practice_raw) AS practice,
             CASE WHEN NOT ch3 THEN code_key
                  WHEN x.new_chemical IS NOT NULL THEN x.new_chemical
                  ELSE left(code_key, 9) END AS chemical
      FROM ${table} LEFT JOIN rx_chem_change x ON ch3 AND x.old_code = code_key) s
LEFT JOIN rx_board b ON b.board_code = s.board_code
GROUP BY s.ym, s.board_code, s.practice, s.chemical
