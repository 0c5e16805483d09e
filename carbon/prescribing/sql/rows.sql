-- Every stored row of BNF sections 3.1 and 3.2 that is, or may be, an inhaler, with its mapping
-- (rx_code_map), inhaler count and factor: the WITH list every footprint query starts from
-- (${alias}_r, named rx_r unless a query needs two). The rows are rx_item's, the national Parquet
-- set's (national.py) or a footprint summary's (rx_sum_mb, rx_sum_pb: summaries.sql), whose sums
-- add up as the rows they sum. Nebuliser solutions, tablets and the rest of chapter 3 are left out.
-- rx_factors is the factor library on the chosen GWP basis (registered by mapping.with_factors).
--
-- Paid quantity -> inhalers (${inhalers}): more than ${doses_threshold} units per item means the
-- quantity is in doses (OpenPrescribing's rule), so divide by the doses per inhaler; NULL
-- (unmapped) when the doses are needed but not known. A summary holds it summed.
${start}${alias}_rows AS (
    SELECT i.*, m.device, m.product, m.factor_id, m.matched_by, m.reliever, m.current_code,
           ${inhalers} AS inhalers_raw, f.kg, f.kg_low, f.kg_high
    FROM ${items} i JOIN rx_code_map m USING (bnf_code)
    LEFT JOIN rx_factors f ON f.id = m.factor_id
    WHERE m.in_sections IN ('0301', '0302') AND m.device IS DISTINCT FROM 'nebuliser_other'),
${alias}_r AS (
    SELECT *, (device IS NOT NULL AND kg IS NOT NULL AND inhalers_raw IS NOT NULL) AS mapped,
           CASE WHEN device IS NOT NULL AND kg IS NOT NULL THEN inhalers_raw END AS inhalers
    FROM ${alias}_rows)
