-- The propellant inhalers prescribed (after rows.sql) beside their equivalent (rx_switch_match):
-- the match, carbon per inhaler of each, and the equivalent's price and where it came from.
eq_in_data AS (
    SELECT bnf_code, sum(cost_gbp) / NULLIF(sum(inhalers), 0) AS per_inhaler
    FROM rx_r WHERE mapped AND device IN ('dpi', 'smi') GROUP BY bnf_code),
used AS (
    SELECT bnf_code, any_value(product) AS product, any_value(device) AS device, sum(inhalers) AS inhalers,
           sum(cost_gbp) / NULLIF(sum(inhalers), 0) AS cost_per_inhaler, any_value(kg) AS kg
    FROM rx_r WHERE mapped AND device IN ${propellant_devices} GROUP BY bnf_code)
SELECT u.bnf_code, m.name AS description, u.product, u.device, u.inhalers, u.kg AS kg_per_inhaler,
       u.cost_per_inhaler, s.eq_code, e.name AS eq_description, e.product AS eq_product, s.match, s.inhaler_ratio,
       f.kg AS eq_kg_per_inhaler, coalesce(d.per_inhaler, p.gbp) AS eq_cost_per_inhaler,
       CASE WHEN d.per_inhaler IS NOT NULL THEN 'its cost in the data'
            WHEN p.gbp IS NOT NULL THEN 'its list price (factors/prices.csv)'
            WHEN s.eq_code IS NOT NULL THEN 'no price: cost change not counted' END AS eq_price_basis
FROM used u
JOIN rx_code_map m USING (bnf_code)
LEFT JOIN rx_switch_match s USING (bnf_code)
LEFT JOIN rx_code_map e ON e.bnf_code = s.eq_code
LEFT JOIN rx_factors f ON f.id = s.eq_factor_id
LEFT JOIN eq_in_data d ON d.bnf_code = s.eq_code
LEFT JOIN rx_prices p ON p.id = s.eq_factor_id
ORDER BY u.inhalers DESC, u.bnf_code
