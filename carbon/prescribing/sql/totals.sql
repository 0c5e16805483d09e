-- Everything imported in one line (after rows.sql): kgCO2e, items, inhalers, low-carbon share,
-- cost, unmapped items, and how many boards, practices and months.
SELECT coalesce(sum(inhalers * kg) FILTER (WHERE mapped), 0) AS kgCO2e,
       coalesce(sum(inhalers * kg_low) FILTER (WHERE mapped), 0) AS kgCO2e_low,
       coalesce(sum(inhalers * kg_high) FILTER (WHERE mapped), 0) AS kgCO2e_high,
       coalesce(sum(items), 0) AS items,
       coalesce(sum(inhalers) FILTER (WHERE mapped), 0) AS inhalers,
       coalesce(sum(inhalers) FILTER (WHERE mapped AND device IN ('dpi', 'smi')), 0)
           / NULLIF(sum(inhalers) FILTER (WHERE mapped), 0) AS low_carbon_share,
       coalesce(sum(cost_gbp), 0) AS cost_gbp,
       coalesce(sum(items) FILTER (WHERE NOT mapped), 0) AS unmapped_items,
       count(DISTINCT board_code) AS boards, (SELECT count(DISTINCT practice) FROM rx_sum_pb) AS practices,
       count(DISTINCT month) AS months
FROM rx_r
