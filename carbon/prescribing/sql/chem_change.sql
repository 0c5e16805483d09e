-- The yearly BNF code changes that move a presentation to another chemical substance (or, for
-- appliances, section): a staged file's rows are summed under the chemical of the new code. Each old
-- code follows its first published change and then any later change of the code it became
-- (mapping_changes.sql, as OpenPrescribing does).
CREATE OR REPLACE TEMP TABLE rx_chem_change AS
WITH ${changes}
SELECT old_code,
       CASE WHEN length(current_code) = 11 THEN left(current_code, 4) ELSE left(current_code, 9) END AS new_chemical
FROM rx_current
WHERE (CASE WHEN length(current_code) = 11 THEN left(current_code, 4) ELSE left(current_code, 9) END)
   <> (CASE WHEN length(old_code) = 11 THEN left(old_code, 4) ELSE left(old_code, 9) END)
