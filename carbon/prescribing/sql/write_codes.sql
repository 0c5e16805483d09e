-- The latest description seen for each chapter 3 code of import ${import_id} (the mapping reads it
-- for codes that are not in the shipped NHSBSA list).
INSERT INTO rx_code
SELECT code_key, max(description) FROM rx_chemical
WHERE import_id = ${import_id} AND detail AND code_key IS NOT NULL GROUP BY code_key
ON CONFLICT (bnf_code) DO UPDATE SET description = coalesce(excluded.description, rx_code.description)
