-- The inhaler rows of rx_item summed twice, and all prescribing by chapter once, once per import or change of the code map (issue 14:
-- the Prescribing page's first render was some 25 engine calls each joining every chapter 3 row
-- to the map again). Both are written by prescribing/sql/summaries.sql in the transaction that
-- writes rx_item or the map, so they are never stale; the page's footprints read them instead.
--
-- rx_sum_mb: by month x board x presentation (footprints by board, month, product, the trend,
-- totals, coverage, chapters, the matches); rx_sum_pb: by practice x board x presentation, with
-- the practice's months of data (footprint by practice, the funnel, hot spots, switching).
-- ``inhalers_sum`` is the paid quantity as inhalers (rows.sql), NULL where it cannot be converted;
-- rows that cannot, that come to no inhalers and that come to some are summed apart (``kind``), so
-- a sum over a summary is the sum over its rows.
CREATE TABLE rx_sum_mb (
    month DATE NOT NULL,
    board_code VARCHAR,
    board VARCHAR,
    bnf_code VARCHAR NOT NULL,
    kind TINYINT NOT NULL,
    items DOUBLE NOT NULL,
    cost_gbp DOUBLE NOT NULL,
    inhalers_sum DOUBLE
);
CREATE TABLE rx_sum_pb (
    practice VARCHAR NOT NULL,
    practice_name VARCHAR,
    board_code VARCHAR,
    board VARCHAR,
    bnf_code VARCHAR NOT NULL,
    kind TINYINT NOT NULL,
    items DOUBLE NOT NULL,
    cost_gbp DOUBLE NOT NULL,
    inhalers_sum DOUBLE,
    practice_months BIGINT NOT NULL,
    months_in_board BIGINT NOT NULL
);
-- rx_sum_spend: every chapter's spend and items by month x board (the footprint by BNF chapter),
-- from rx_chemical_month.
CREATE TABLE rx_sum_spend (
    month DATE NOT NULL,
    board_code VARCHAR,
    board VARCHAR,
    bnf_chapter INTEGER,
    cost_gbp DOUBLE,
    items DOUBLE
);
-- Stores made before hold rx_item rows but no summaries: forget the map's state, so the next
-- footprint rebuilds the map and writes them (mapping.ensure).
DELETE FROM rx_map_state;
