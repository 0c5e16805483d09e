-- rx_code_map: every BNF chapter 3 code imported (rx_code) or in the shipped NHSBSA list
-- (factors/bnf_presentations.csv), mapped from published facts. Run once per import or library
-- change (mapping.refresh), never inside a footprint query.
--
-- 1. current_code: the code the presentation has today, after the yearly code changes.
-- 2. reference_code: the code whose NHSBSA name describes it: itself if listed, else its current
--    code if that is listed, else the listed code that became the same current code (a code
--    created since February 2020 takes the name, device and product of the listed code it
--    replaced), else itself; name: that NHSBSA name, else the file's own description.
-- 3. form, from published facts in this order: a correction (factors/bnf_device_corrections.csv);
--    for a generic (product 'AA'), the device of its brands when they agree (a brand's last two
--    code characters name its generic equivalent); else the first device word of the name
--    (factors/bnf_device_words.csv, by priority).
-- 4. the factor: the longest code prefix of factors/bnf_inhalers.csv (presentation, product,
--    chemical, then chapter 3 class default) whose device is this form (or '*').
-- 5. doses per inhaler (the row's, else "(200 D)" in the name), reliever (salbutamol and
--    terbutaline inhalers, the SABAs), and the molecule(s) and strength of the generic equivalent
--    for the switching match.
DELETE FROM rx_code_map;
INSERT INTO rx_code_map
WITH ${changes},
listed AS (
    SELECT CAST(bnf_code AS VARCHAR) AS code, CAST(name AS VARCHAR) AS name,
           CAST(product AS VARCHAR) AS product, CAST(chemical AS VARCHAR) AS chemical
    FROM ref_bnf_presentations),
words AS (
    SELECT CAST(priority AS INTEGER) AS priority, CAST(pattern AS VARCHAR) AS pattern,
           CAST(device AS VARCHAR) AS form
    FROM ref_bnf_device_words),
codes AS (SELECT bnf_code AS code FROM rx_code UNION SELECT code FROM listed),
resolved AS (
    SELECT c.code, coalesce(r.current_code, c.code) AS current_code
    FROM codes c LEFT JOIN rx_current r ON r.old_code = c.code),
predecessor AS (
    SELECT r.current_code, min(r.code) AS listed_code
    FROM resolved r JOIN listed l ON l.code = r.code GROUP BY r.current_code),
ref AS (
    SELECT r.code, r.current_code,
           CASE WHEN l1.code IS NOT NULL THEN r.code
                WHEN l2.code IS NOT NULL THEN r.current_code
                WHEN p.listed_code IS NOT NULL THEN p.listed_code
                ELSE r.code END AS reference_code,
           CASE WHEN l1.code IS NOT NULL THEN 'NHSBSA BNF code list (February 2020)'
                WHEN l2.code IS NOT NULL THEN 'NHSBSA BNF code list, under its current code ' || r.current_code
                WHEN p.listed_code IS NOT NULL THEN 'NHSBSA BNF code list, under its earlier code ' || p.listed_code
                WHEN NULLIF(trim(d.description), '') IS NOT NULL THEN 'the description in the imported file'
                ELSE 'none' END AS name_source,
           coalesce(l1.name, l2.name, lp.name, NULLIF(trim(d.description), '')) AS name
    FROM resolved r
    LEFT JOIN listed l1 ON l1.code = r.code
    LEFT JOIN listed l2 ON l2.code = r.current_code
    LEFT JOIN predecessor p ON p.current_code = r.current_code
    LEFT JOIN listed lp ON lp.code = p.listed_code
    LEFT JOIN rx_code d ON d.bnf_code = r.code),
named AS (
    SELECT f.code, arg_min(w.form, w.priority) AS form
    FROM ref f JOIN words w ON regexp_matches(f.name, w.pattern, 'i') GROUP BY f.code),
listed_form AS (
    SELECT l.code, arg_min(w.form, w.priority) AS form
    FROM listed l JOIN words w ON regexp_matches(l.name, w.pattern, 'i') GROUP BY l.code),
brands AS (
    SELECT g.code, min(bf.form) AS form, count(DISTINCT bf.form) AS forms,
           string_agg(DISTINCT b.name, '; ' ORDER BY b.name) AS names
    FROM listed g
    JOIN listed b ON left(b.code, 9) = left(g.code, 9) AND substr(b.code, 10, 2) <> 'AA'
                 AND substr(b.code, 14, 2) = substr(g.code, 12, 2)
    JOIN listed_form bf ON bf.code = b.code
    WHERE substr(g.code, 10, 2) = 'AA' AND bf.form IN ('pmdi', 'bai', 'dpi', 'smi', 'nebuliser')
    GROUP BY g.code),
formed AS (
    SELECT f.*,
           CASE WHEN c.device IS NOT NULL THEN CAST(c.device AS VARCHAR)
                WHEN b.forms = 1 THEN b.form
                ELSE coalesce(n.form, 'unknown') END AS form,
           CASE WHEN c.device IS NOT NULL THEN 'correction: ' || CAST(c.evidence AS VARCHAR)
                WHEN b.forms = 1 THEN 'its brands in the NHSBSA list: ' || b.names
                WHEN n.form IS NOT NULL THEN 'its name: ' || f.name
                ELSE NULL END AS device_from,
           left(f.reference_code, 4) AS in_sections,
           lr.product AS listed_product, lr.chemical AS listed_chemical
    FROM ref f
    LEFT JOIN ref_bnf_device_corrections c ON CAST(c.bnf_code AS VARCHAR) = f.reference_code
    LEFT JOIN brands b ON b.code = f.reference_code
    LEFT JOIN named n ON n.code = f.code
    LEFT JOIN listed lr ON lr.code = f.reference_code),
rules AS (
    SELECT CAST(bnf_code AS VARCHAR) AS prefix, CAST(device AS VARCHAR) AS device,
           CAST(factor_id AS VARCHAR) AS factor_id, NULLIF(CAST(propellant AS VARCHAR), '') AS propellant,
           TRY_CAST(doses_per_inhaler AS DOUBLE) AS doses, CAST(name AS VARCHAR) AS rule_name
    FROM ref_bnf_inhalers),
ruled AS (
    SELECT f.code, r.prefix, r.factor_id, r.propellant, r.doses, r.rule_name,
           row_number() OVER (PARTITION BY f.code ORDER BY length(r.prefix) DESC, r.device = '*') AS rank
    FROM formed f JOIN rules r ON starts_with(f.reference_code, r.prefix) AND (r.device = f.form OR r.device = '*')
    WHERE f.form IN ('pmdi', 'bai', 'dpi', 'smi') AND f.in_sections IN ('0301', '0302')),
generic AS (
    SELECT f.code,
           CASE WHEN substr(f.reference_code, 10, 2) = 'AA' OR length(f.reference_code) <> 15 THEN f.name
                ELSE coalesce(g.name, CASE WHEN f.name_source LIKE 'NHSBSA%' THEN NULL ELSE f.name END) END AS gname
    FROM formed f
    LEFT JOIN listed g ON g.code = left(f.reference_code, 9) || 'AA' || substr(f.reference_code, 14, 2)
                                   || substr(f.reference_code, 14, 2)),
measured AS (
    SELECT g.code,
           CASE WHEN strpos(g.gname, '_') > 0 THEN
               left(f.reference_code, 9) || coalesce('+' || NULLIF(array_to_string(list_sort(list_transform(
                   (string_split(split_part(g.gname, '_', 1), '/'))[2:],
                   lambda x: lower(left(trim(x), 5)))), '+'), ''), '')
           END AS molecules,
           NULLIF(regexp_replace(regexp_extract(g.gname,
               '_[A-Za-z /]*?([0-9][0-9.]*(?:mcg|mg)?(?:/[0-9.]+(?:mcg|mg)?)*)', 1), 'mcg|mg', '', 'g'), '')
               AS strength
    FROM generic g JOIN formed f USING (code))
SELECT f.code, f.current_code, f.reference_code, f.name, f.name_source, f.in_sections, f.form,
       CASE WHEN f.in_sections NOT IN ('0301', '0302') THEN NULL
            WHEN f.form = 'pmdi' THEN 'pmdi_' || coalesce(r.propellant, 'hfa134a')
            WHEN f.form IN ('bai', 'dpi', 'smi') THEN f.form
            WHEN f.form IN ('nebuliser', 'not_inhaler') THEN 'nebuliser_other' END AS device,
       f.device_from,
       f.form IN ('pmdi', 'bai', 'dpi', 'smi') AND f.in_sections IN ('0301', '0302') AS inhaler,
       CASE WHEN f.listed_product IS NOT NULL
            THEN f.listed_product || CASE WHEN substr(f.reference_code, 10, 2) = 'AA' THEN ' (generic)' ELSE '' END
                 || ' ' || CASE f.form WHEN 'pmdi' THEN 'pMDI' WHEN 'bai' THEN 'breath-actuated MDI'
                                        WHEN 'dpi' THEN 'DPI' WHEN 'smi' THEN 'soft-mist inhaler' ELSE f.form END
            ELSE f.name END AS product,
       r.factor_id,
       CASE WHEN r.prefix IS NOT NULL THEN r.prefix || ' (' || r.rule_name || ')' END AS mapping_row,
       coalesce(r.doses, TRY_CAST(regexp_extract(f.name, '(?:^|[^0-9.])([0-9]{2,3}) ?[Dd](?:oses?)?\b', 1) AS DOUBLE))
           AS doses_per_inhaler,
       f.form IN ('pmdi', 'bai', 'dpi', 'smi') AND f.in_sections IN ('0301', '0302')
           AND left(f.reference_code, 9) IN ('0301011R0', '0301011V0') AS reliever,
       m.molecules, m.strength, TRY_CAST(split_part(m.strength, '/', 1) AS DOUBLE) AS strength_mcg,
       CASE WHEN f.in_sections NOT IN ('0301', '0302') THEN 'outside BNF sections 3.1 and 3.2'
            WHEN f.form IN ('nebuliser', 'not_inhaler') THEN 'not an inhaler'
            WHEN f.form = 'unknown' THEN 'unmapped'
            WHEN r.prefix IS NULL THEN 'unmapped'
            WHEN length(r.prefix) = 15 THEN 'presentation'
            WHEN length(r.prefix) = 11 THEN 'product'
            WHEN length(r.prefix) = 9 THEN 'chemical'
            ELSE 'class default' END AS matched_by,
       CASE WHEN f.in_sections NOT IN ('0301', '0302') THEN NULL
            WHEN f.form IN ('nebuliser', 'not_inhaler') THEN NULL
            WHEN f.name IS NULL
                 THEN 'not in the NHSBSA February 2020 list, no code change links it to a listed code, '
                      || 'and the file gives no description'
            WHEN f.form = 'unknown' THEN 'its name (' || f.name || ') does not say which device it is'
            WHEN r.prefix IS NULL
                 THEN 'no factor for a ' || CASE f.form WHEN 'pmdi' THEN 'pMDI' WHEN 'bai' THEN 'breath-actuated MDI'
                                                        WHEN 'dpi' THEN 'DPI' ELSE 'soft-mist inhaler' END
                      || ' of ' || coalesce(f.listed_chemical, left(f.reference_code, 9))
                      || ' in factors/bnf_inhalers.csv' END AS reason
FROM formed f
LEFT JOIN ruled r ON r.code = f.code AND r.rank = 1
LEFT JOIN measured m ON m.code = f.code
