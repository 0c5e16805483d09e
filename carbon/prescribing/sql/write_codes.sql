-- The latest description seen for each chapter 3 code (the mapping reads it for codes that are
-- not in the shipped NHSBSA list).
INSERT INTO rx_code
SELECT code_key, max(description) FROM ${table} WHERE detail = 1 AND code_key IS NOT NULL GROUP BY code_key
ON CONFLICT (bnf_code) DO UPDATE SET description = coalesce(excluded.description, rx_code.description)
