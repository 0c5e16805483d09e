-- rx_current: every old BNF code with the code it has today, from factors/bnf_code_changes.csv.
-- An old code changed in more than one January follows its first published change; the code it
-- became is then followed through later changes (up to 10 steps). A "new code" that is not a
-- BNF code (one published row has 14 characters) is left out.
rx_changes AS (
    SELECT old_code, arg_min(new_code, year) AS new_code
    FROM (SELECT CAST(year AS INTEGER) AS year, upper(trim(CAST(old_code AS VARCHAR))) AS old_code,
                 upper(trim(CAST(new_code AS VARCHAR))) AS new_code
          FROM ref_bnf_code_changes)
    WHERE regexp_full_match(new_code, '${code_re}') AND old_code <> new_code
    GROUP BY old_code),
rx_chain AS (
    WITH RECURSIVE chain(old_code, current_code, steps) AS (
        SELECT old_code, new_code, 1 FROM rx_changes
        UNION ALL
        SELECT chain.old_code, c.new_code, chain.steps + 1
        FROM chain JOIN rx_changes c ON c.old_code = chain.current_code
        WHERE chain.steps < 10)
    SELECT * FROM chain),
rx_current AS (
    SELECT old_code, arg_max(current_code, steps) AS current_code FROM rx_chain GROUP BY old_code)
