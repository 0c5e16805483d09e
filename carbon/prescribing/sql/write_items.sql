-- A checked file's BNF chapter 3 rows (stage.sql's detail groups of import ${import_id}) into
-- rx_item, one row per month x practice x presentation (the quantity-per-item, SNOMED and dm+d
-- rows of a presentation summed).
INSERT INTO rx_item
SELECT month, format, board_code, any_value(board), practice, any_value(practice_name), code_key,
       sum(items), sum(quantity), sum(cost_gbp), import_id
FROM rx_chemical
WHERE import_id = ${import_id} AND detail AND code_key IS NOT NULL
GROUP BY month, format, board_code, practice, code_key, import_id
