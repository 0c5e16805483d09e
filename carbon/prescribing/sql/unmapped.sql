-- Inhaler codes whose items have no footprint (after rows.sql), with why: the map's reason (no
-- name, a name that does not say the device, no factor row), a factor missing from the library,
-- or a quantity in doses with the doses per inhaler not known.
SELECT r.bnf_code, any_value(m.name) AS description, any_value(m.name_source) AS name_source,
       CASE WHEN any_value(m.reason) IS NOT NULL THEN any_value(m.reason)
            WHEN any_value(r.kg) IS NULL
                 THEN 'factor ' || coalesce(any_value(r.factor_id), '?') || ' not in the library'
            ELSE 'quantity is in doses but the doses per inhaler are not known' END AS reason,
       sum(r.items) AS items, sum(r.cost_gbp) AS cost_gbp
FROM rx_r r JOIN rx_code_map m USING (bnf_code)
WHERE NOT r.mapped
GROUP BY r.bnf_code
ORDER BY items DESC, r.bnf_code
