-- rx_chemical_month becomes a view over rx_chemical, the table an import's one pass writes into
-- directly (issue 14): the scan's month x practice x chemical groups land where they are kept
-- instead of being staged and copied (the copy of some 6.6 million rows was a third of a year's
-- import). The scan's other groups (detail = true: BNF chapter 3 by presentation, from which
-- rx_item is written, and every other row by month x practice) are written beside them and kept:
-- with n (rows read) and n_bad they are the record of what each import read.
--
-- Rows become visible when their import is logged: the view shows only rows whose import_id is
-- in rx_import, which the import's final transaction writes (with rx_item, the codes and the
-- months it replaces). Until then a file's rows are invisible; a file that fails a check has its
-- rows deleted, and rows left by a process killed mid-import (no rx_import row) are deleted by the
-- next import. Nothing here is NOT NULL: a bad row must reach the checks, which name it, rather
-- than stop the scan. The view gives the columns of migration 040.
CREATE TABLE rx_chemical (
    month DATE,
    format VARCHAR,
    board_code VARCHAR,
    board VARCHAR,
    practice VARCHAR,
    bnf_chapter VARCHAR,
    bnf_chemical VARCHAR,
    items DOUBLE,
    quantity DOUBLE,
    cost_gbp DOUBLE,
    import_id BIGINT,
    detail BOOLEAN,
    month_raw VARCHAR,
    code_key VARCHAR,
    per_item DOUBLE,
    snomed VARCHAR,
    dmd VARCHAR,
    prescribed_type VARCHAR,
    practice_name VARCHAR,
    description VARCHAR,
    n BIGINT,
    n_bad BIGINT
);
INSERT INTO rx_chemical (month, format, board_code, board, practice, bnf_chapter, bnf_chemical, items, quantity,
                         cost_gbp, import_id, detail)
SELECT month, format, board_code, board, practice, bnf_chapter, bnf_chemical, items, quantity, cost_gbp, import_id,
       false
FROM rx_chemical_month;
DROP TABLE rx_chemical_month;
CREATE VIEW rx_chemical_month AS
SELECT month, format, board_code, board, practice, bnf_chapter, bnf_chemical, items, quantity, cost_gbp, import_id
FROM rx_chemical
WHERE NOT detail AND import_id IN (SELECT id FROM rx_import);
