-- How many of import ${import_id}'s chapter 3 codes are new to rx_code or bring another
-- description: the code map is rebuilt only when this is above zero (or the library changed).
SELECT count(*)
FROM (SELECT code_key, max(description) AS description FROM rx_chemical
      WHERE import_id = ${import_id} AND detail AND code_key IS NOT NULL GROUP BY code_key) s
LEFT JOIN rx_code c ON c.bnf_code = s.code_key
WHERE c.bnf_code IS NULL OR (s.description IS NOT NULL AND c.description IS DISTINCT FROM s.description)
