-- Practices with their registered patients (after footprint_aggregate.sql), and per 1,000 patients
-- a year: the practice's footprint over its months of data scaled to twelve months.
SELECT agg.*, ls.patients, ls.month AS list_size_month,
       agg.kgCO2e * 12.0 / agg.months / NULLIF(ls.patients, 0) * 1000 AS kgCO2e_per_1000_patients_year,
       agg.reliever_inhalers * 12.0 / agg.months / NULLIF(ls.patients, 0) * 1000 AS relievers_per_1000_patients_year
FROM agg LEFT JOIN rx_list_size ls USING (practice)
