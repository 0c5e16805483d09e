-- What switching would save (after rows.sql), per practice: (a) matching the best quartile of
-- kgCO2e per inhaler, (b) a share (parameter ?, bound five times) of each propellant inhaler
-- becoming its DPI / soft-mist equivalent. See opportunity.switching_opportunity.
eq AS (
    SELECT r.*, coalesce(r.equivalent_factor_id, 'inhaler_dpi_generic') AS eq_id,
           e.kg AS eq_kg, e.kg_low AS eq_kg_low, e.kg_high AS eq_kg_high
    FROM rx_r r LEFT JOIN rx_factors e ON e.id = coalesce(r.equivalent_factor_id, 'inhaler_dpi_generic')
    WHERE r.mapped),
low_cost AS (
    SELECT left(bnf_code, 9) AS chemical, sum(cost_gbp) / NULLIF(sum(inhalers), 0) AS per_inhaler
    FROM eq WHERE device IN ('dpi', 'smi') GROUP BY 1),
low_cost_all AS (
    SELECT sum(cost_gbp) / NULLIF(sum(inhalers), 0) AS per_inhaler FROM eq WHERE device IN ('dpi', 'smi')),
switch AS (
    SELECT practice, sum(inhalers) AS propellant_inhalers,
           sum(? * inhalers * (kg - eq_kg)) AS saving_switch_kgCO2e,
           sum(? * inhalers * (kg_low - eq_kg_high)) AS saving_switch_kgCO2e_low,
           sum(? * inhalers * (kg_high - eq_kg_low)) AS saving_switch_kgCO2e_high,
           sum(? * inhalers * (coalesce(lc.per_inhaler, (SELECT per_inhaler FROM low_cost_all))
                               - cost_gbp / NULLIF(inhalers, 0))) AS cost_change_switch_gbp,
           string_agg(DISTINCT factor_id || '>' || eq_id, ' ') AS switch_factor_ids
    FROM eq LEFT JOIN low_cost lc ON lc.chemical = left(eq.bnf_code, 9)
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
       ? * coalesce(s.propellant_inhalers, 0) AS switched_inhalers,
       coalesce(s.saving_switch_kgCO2e, 0) AS saving_switch_kgCO2e,
       coalesce(s.saving_switch_kgCO2e_low, 0) AS saving_switch_kgCO2e_low,
       coalesce(s.saving_switch_kgCO2e_high, 0) AS saving_switch_kgCO2e_high,
       coalesce(s.cost_change_switch_gbp, 0) AS cost_change_switch_gbp,
       s.switch_factor_ids
FROM prac p CROSS JOIN bench CROSS JOIN bench_cost LEFT JOIN switch s USING (practice)
ORDER BY saving_switch_kgCO2e DESC, practice
