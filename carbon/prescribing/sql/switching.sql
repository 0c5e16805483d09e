-- What switching would save (after rows.sql), per practice: (a) matching the best quartile of
-- kgCO2e per inhaler; (b) a share (parameter ?, bound five times) of each propellant inhaler
-- becoming its dry-powder or soft-mist equivalent of the same molecule(s) (rx_switch_match), one
-- propellant inhaler becoming inhaler_ratio of the equivalent, priced at the equivalent's own cost
-- per inhaler in the data, else its list price (rx_prices: factors/prices.csv per inhaler). A propellant inhaler with no equivalent
-- is not switched. See opportunity.switching_opportunity.
eq AS (
    SELECT r.*, s.eq_code, s.match, s.inhaler_ratio, s.eq_factor_id,
           e.kg AS eq_kg, e.kg_low AS eq_kg_low, e.kg_high AS eq_kg_high
    FROM rx_r r
    LEFT JOIN rx_switch_match s USING (bnf_code)
    LEFT JOIN rx_factors e ON e.id = s.eq_factor_id
    WHERE r.mapped),
eq_in_data AS (
    SELECT bnf_code AS eq_code, sum(cost_gbp) / NULLIF(sum(inhalers), 0) AS per_inhaler
    FROM eq WHERE device IN ('dpi', 'smi') GROUP BY bnf_code),
eq_cost AS (
    SELECT s.eq_code, coalesce(d.per_inhaler, p.gbp) AS per_inhaler
    FROM (SELECT DISTINCT eq_code, eq_factor_id FROM rx_switch_match) s
    LEFT JOIN eq_in_data d USING (eq_code)
    LEFT JOIN rx_prices p ON p.id = s.eq_factor_id),
switch AS (
    SELECT practice, sum(inhalers) AS propellant_inhalers,
           coalesce(sum(inhalers) FILTER (WHERE eq_kg IS NOT NULL), 0) AS matched_inhalers,
           sum(? * inhalers * (kg - inhaler_ratio * eq_kg)) AS saving_switch_kgCO2e,
           sum(? * inhalers * (kg_low - inhaler_ratio * eq_kg_high)) AS saving_switch_kgCO2e_low,
           sum(? * inhalers * (kg_high - inhaler_ratio * eq_kg_low)) AS saving_switch_kgCO2e_high,
           sum(? * inhalers * (inhaler_ratio * c.per_inhaler - cost_gbp / NULLIF(inhalers, 0)))
               FILTER (WHERE eq_kg IS NOT NULL) AS cost_change_switch_gbp,
           coalesce(sum(inhalers) FILTER (WHERE eq_kg IS NOT NULL AND c.per_inhaler IS NULL), 0) AS unpriced_inhalers,
           string_agg(DISTINCT factor_id || '>' || eq_factor_id, ' ' ORDER BY factor_id || '>' || eq_factor_id) FILTER (WHERE eq_kg IS NOT NULL)
               AS switch_factor_ids
    FROM eq LEFT JOIN eq_cost c USING (eq_code)
    WHERE device IN ${propellant_devices} GROUP BY practice),
prac AS (
    SELECT practice, max(practice_name) AS practice_name, max(board_code) AS board_code, max(board) AS board,
           sum(inhalers) AS inhalers, sum(inhalers * kg) AS kgCO2e, sum(cost_gbp) AS cost_gbp,
           sum(inhalers * kg) / NULLIF(sum(inhalers), 0) AS kg_per_inhaler,
           sum(cost_gbp) / NULLIF(sum(inhalers), 0) AS cost_per_inhaler
    FROM eq GROUP BY practice HAVING sum(inhalers) > 0),
bench AS (SELECT quantile_cont(kg_per_inhaler, 0.25) AS kg FROM prac),
bench_cost AS (
    SELECT sum(cost_gbp) / NULLIF(sum(inhalers), 0) AS per_inhaler
    FROM prac, bench WHERE kg_per_inhaler <= bench.kg)
SELECT p.practice, p.practice_name, p.board_code, p.board, p.inhalers, p.kgCO2e, p.kg_per_inhaler,
       bench.kg AS benchmark_kg_per_inhaler,
       greatest(p.kg_per_inhaler - bench.kg, 0) * p.inhalers AS saving_benchmark_kgCO2e,
       CASE WHEN p.kg_per_inhaler > bench.kg
            THEN (bench_cost.per_inhaler - p.cost_per_inhaler) * p.inhalers ELSE 0 END AS cost_change_benchmark_gbp,
       coalesce(s.propellant_inhalers, 0) AS propellant_inhalers,
       coalesce(s.matched_inhalers, 0) AS matched_inhalers,
       ? * coalesce(s.matched_inhalers, 0) AS switched_inhalers,
       coalesce(s.saving_switch_kgCO2e, 0) AS saving_switch_kgCO2e,
       coalesce(s.saving_switch_kgCO2e_low, 0) AS saving_switch_kgCO2e_low,
       coalesce(s.saving_switch_kgCO2e_high, 0) AS saving_switch_kgCO2e_high,
       coalesce(s.cost_change_switch_gbp, 0) AS cost_change_switch_gbp,
       coalesce(s.unpriced_inhalers, 0) AS unpriced_inhalers,
       s.switch_factor_ids
FROM prac p CROSS JOIN bench CROSS JOIN bench_cost LEFT JOIN switch s USING (practice)
ORDER BY saving_switch_kgCO2e DESC, practice
