-- rx_switch_match: each propellant inhaler's dry-powder or soft-mist equivalent of the same
-- molecule(s) (as rx_code_map names them from the generic equivalent's NHSBSA name), preferring
-- the same strength, then a presentation already prescribed in the imported data, then one with a
-- list price (factors/prices.csv), then one with a figure of its own, then the nearest strength.
-- Refills are not a device to switch to.
-- inhaler_ratio = (doses x strength of the first molecule) of the propellant inhaler over the
-- same for the equivalent: how many equivalents deliver the same total dose (1 when doses are not
-- known, said in match).
DELETE FROM rx_switch_match;
INSERT INTO rx_switch_match
WITH p AS (
    SELECT * FROM rx_code_map
    WHERE inhaler AND device IN ('pmdi_hfa134a', 'pmdi_hfa227ea', 'bai') AND molecules IS NOT NULL),
d AS (
    SELECT * FROM rx_code_map
    WHERE inhaler AND device IN ('dpi', 'smi') AND molecules IS NOT NULL AND factor_id IS NOT NULL
      AND NOT regexp_matches(name, '\bref\b|@gn', 'i')),
used AS (SELECT bnf_code, sum(items) AS items FROM rx_item GROUP BY bnf_code),
priced AS (SELECT DISTINCT CAST(factor_id AS VARCHAR) AS factor_id FROM ref_prices
           WHERE CAST(unit AS VARCHAR) = 'GBP/inhaler'),
cand AS (
    SELECT p.bnf_code, d.bnf_code AS eq_code, d.factor_id AS eq_factor_id,
           coalesce(p.strength = d.strength, false) AS same_strength,
           coalesce(abs(p.strength_mcg - d.strength_mcg), 1e9) AS gap,
           p.doses_per_inhaler * p.strength_mcg / NULLIF(d.doses_per_inhaler * d.strength_mcg, 0) AS ratio,
           d.matched_by IN ('presentation', 'product') AS own_figure,
           d.factor_id IN (SELECT factor_id FROM priced) AS listed_price,
           coalesce(u.items, 0) AS items, p.strength AS from_strength, d.strength AS to_strength
    FROM p JOIN d ON d.molecules = p.molecules LEFT JOIN used u ON u.bnf_code = d.bnf_code),
best AS (
    SELECT *, row_number() OVER (PARTITION BY bnf_code
                                 ORDER BY same_strength DESC, items > 0 DESC, listed_price DESC, own_figure DESC, gap,
                                          ratio IS NULL, items DESC, eq_code) AS rank
    FROM cand)
SELECT bnf_code, eq_code, eq_factor_id,
       CASE WHEN same_strength THEN 'same molecule(s) and strength (' || from_strength || ')'
            ELSE 'same molecule(s), nearest strength (' || coalesce(from_strength, '?') || ' to '
                 || coalesce(to_strength, '?') || ')' END
       || CASE WHEN ratio IS NULL THEN '; doses per inhaler not known, one for one' ELSE '' END,
       coalesce(ratio, 1)
FROM best WHERE rank = 1
