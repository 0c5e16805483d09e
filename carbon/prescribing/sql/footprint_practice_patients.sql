-- Practices with their registered patients (after footprint_aggregate.sql).
SELECT agg.*, ls.patients, agg.kgCO2e / NULLIF(ls.patients, 0) * 1000 AS kgCO2e_per_1000_patients
FROM agg LEFT JOIN rx_list_size ls USING (practice)
