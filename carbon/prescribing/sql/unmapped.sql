-- Inhaler codes whose items have no footprint (after rows.sql), with why: no mapping, a factor
-- missing from the library, or a quantity in doses with the doses per inhaler not known.
SELECT bnf_code, any_value(m.description) AS description,
       CASE WHEN any_value(r.device) IS NULL THEN 'no mapping for this code'
            WHEN any_value(r.kg) IS NULL
                 THEN 'factor ' || coalesce(any_value(r.factor_id), '?') || ' not in the library'
            ELSE 'quantity is in doses but the doses per inhaler are not known' END AS reason,
       sum(items) AS items, sum(cost_gbp) AS cost_gbp
FROM rx_r r JOIN rx_map m USING (bnf_code)
WHERE NOT mapped
GROUP BY bnf_code
ORDER BY items DESC, bnf_code
