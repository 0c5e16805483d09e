-- The footprint of each group (after rows.sql); ${groups} and ${keys} are the group columns
-- chosen from footprint.GROUP_COLUMNS. Relievers are the salbutamol and terbutaline inhalers
-- (rx_code_map.reliever); months (${months}) counts the months of data behind each group.
agg AS (
    SELECT ${groups},
           sum(items) AS items,
           coalesce(sum(inhalers) FILTER (WHERE mapped), 0) AS inhalers,
           coalesce(sum(inhalers * kg) FILTER (WHERE mapped), 0) AS kgCO2e,
           coalesce(sum(inhalers * kg_low) FILTER (WHERE mapped), 0) AS kgCO2e_low,
           coalesce(sum(inhalers * kg_high) FILTER (WHERE mapped), 0) AS kgCO2e_high,
           coalesce(sum(inhalers) FILTER (WHERE mapped AND device IN ('dpi', 'smi')), 0)
               / NULLIF(sum(inhalers) FILTER (WHERE mapped), 0) AS low_carbon_share,
           coalesce(sum(inhalers) FILTER (WHERE mapped AND reliever), 0) AS reliever_inhalers,
           coalesce(sum(inhalers) FILTER (WHERE mapped AND reliever), 0)
               / NULLIF(sum(inhalers) FILTER (WHERE mapped), 0) AS reliever_share,
           sum(cost_gbp) AS cost_gbp,
           coalesce(sum(items) FILTER (WHERE NOT mapped), 0) AS unmapped_items,
           ${months} AS months,
           string_agg(DISTINCT factor_id, ' ' ORDER BY factor_id) FILTER (WHERE mapped) AS factor_ids
    FROM rx_r GROUP BY ${keys})
