-- Share of inhaler items and cost mapped to a factor (after rows.sql).
SELECT coalesce(sum(items), 0) AS items, coalesce(sum(items) FILTER (WHERE mapped), 0) AS items_mapped,
       coalesce(sum(cost_gbp), 0) AS cost, coalesce(sum(cost_gbp) FILTER (WHERE mapped), 0) AS cost_mapped,
       count(DISTINCT bnf_code) AS codes, count(DISTINCT bnf_code) FILTER (WHERE NOT mapped) AS codes_unmapped,
       (SELECT count(DISTINCT practice) FROM rx_sum_pb) AS practices, min(month) AS first_month, max(month) AS last_month
FROM rx_r
