-- Each imported BNF code -> device, product, doses per inhaler and factor (a WITH list: rx_map).
-- Presentation rows (factors/bnf_inhalers.csv) win; otherwise the chemical substance (first 9
-- characters) and words in the description pick a row of factors/bnf_inhaler_chemicals.csv by
-- priority; otherwise the code is unmapped. Doses per inhaler not in the tables are read from a
-- "(200 D)" or "(120 doses)" in the description.
rx_codes AS (SELECT bnf_code, coalesce(description, '') AS description FROM rx_code),
rx_pres AS (
    SELECT c.bnf_code, c.description,
           NULLIF(CAST(p.device AS VARCHAR), '') AS device,
           NULLIF(CAST(p.product AS VARCHAR), '') AS product,
           coalesce(TRY_CAST(NULLIF(CAST(p.doses_per_inhaler AS VARCHAR), '') AS DOUBLE),
                    TRY_CAST(regexp_extract(c.description, '(?i)\((\d+) ?d(?:oses?)?\)', 1) AS DOUBLE))
               AS doses_per_inhaler,
           NULLIF(CAST(p.factor_id AS VARCHAR), '') AS factor_id,
           NULLIF(CAST(p.equivalent_factor_id AS VARCHAR), '') AS equivalent_factor_id,
           coalesce(NULLIF(CAST(p.quantity_unit AS VARCHAR), ''), 'auto') AS quantity_unit,
           'presentation' AS matched_by
    FROM rx_codes c JOIN ref_bnf_inhalers p ON p.bnf_code = c.bnf_code),
rx_chem AS (
    SELECT c.bnf_code, c.description,
           NULLIF(CAST(f.device AS VARCHAR), '') AS device,
           NULLIF(CAST(f.product AS VARCHAR), '') AS product,
           coalesce(TRY_CAST(NULLIF(CAST(f.doses_per_inhaler AS VARCHAR), '') AS DOUBLE),
                    TRY_CAST(regexp_extract(c.description, '(?i)\((\d+) ?d(?:oses?)?\)', 1) AS DOUBLE))
               AS doses_per_inhaler,
           NULLIF(CAST(f.factor_id AS VARCHAR), '') AS factor_id,
           NULLIF(CAST(f.equivalent_factor_id AS VARCHAR), '') AS equivalent_factor_id,
           'auto' AS quantity_unit,
           CASE WHEN f.chemical_code = '*' THEN 'form' ELSE 'chemical' END AS matched_by,
           row_number() OVER (PARTITION BY c.bnf_code ORDER BY f.priority) AS rank
    FROM rx_codes c JOIN ref_bnf_inhaler_chemicals f
      ON (f.chemical_code = left(c.bnf_code, 9) OR f.chemical_code = '*')
     AND regexp_matches(c.description, f.form_pattern, 'i')
     AND (coalesce(CAST(f.name_pattern AS VARCHAR), '') = ''
          OR regexp_matches(c.description, CAST(f.name_pattern AS VARCHAR), 'i'))
    WHERE c.bnf_code NOT IN (SELECT bnf_code FROM rx_pres)),
rx_map AS (
    SELECT * FROM rx_pres
    UNION ALL BY NAME SELECT * EXCLUDE (rank) FROM rx_chem WHERE rank = 1
    UNION ALL BY NAME
    SELECT bnf_code, description, NULL AS device, NULL AS product, NULL AS doses_per_inhaler, NULL AS factor_id,
           NULL AS equivalent_factor_id, 'auto' AS quantity_unit, 'unmapped' AS matched_by
    FROM rx_codes WHERE bnf_code NOT IN (SELECT bnf_code FROM rx_pres)
                    AND bnf_code NOT IN (SELECT bnf_code FROM rx_chem))
