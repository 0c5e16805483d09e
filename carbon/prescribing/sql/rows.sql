-- Every stored inhaler row with its mapping, inhaler count and factor (nebulisers left out):
-- the WITH list every footprint query starts from (rx_r). rx_factors is the factor library on
-- the chosen GWP basis (registered by mapping.with_factors).
--
-- Paid quantity -> inhalers: more than ${doses_threshold} units per item means the quantity is in
-- doses (OpenPrescribing's rule), so divide by the doses per inhaler; NULL (unmapped) when the
-- doses are needed but not known.
WITH ${mapping},
rx_rows AS (
    SELECT i.*, m.device, m.product, m.factor_id, m.equivalent_factor_id, m.matched_by,
           CASE WHEN m.quantity_unit = 'inhaler' THEN i.quantity
                WHEN m.quantity_unit = 'dose' OR i.quantity > ${doses_threshold} * i.items
                    THEN i.quantity / NULLIF(m.doses_per_inhaler, 0)
                ELSE i.quantity END AS inhalers_raw,
           f.kg, f.kg_low, f.kg_high
    FROM rx_item i JOIN rx_map m USING (bnf_code)
    LEFT JOIN rx_factors f ON f.id = m.factor_id
    WHERE m.device IS DISTINCT FROM 'nebuliser_other'),
rx_r AS (
    SELECT *, (device IS NOT NULL AND kg IS NOT NULL AND inhalers_raw IS NOT NULL) AS mapped,
           CASE WHEN device IS NOT NULL AND kg IS NOT NULL THEN inhalers_raw END AS inhalers
    FROM rx_rows)
