-- Real prescribing files (issue 9): every chapter kept, the mapping computed once, list-size months.
--
-- rx_item (020) now keeps every BNF chapter 3 row in full detail (month x practice x presentation),
-- as published (the code is the one in the file; code changes are applied by the mapping).
--
-- rx_chemical_month: EVERY chapter (1-23, chapter 3 included) aggregated by month x practice x BNF
-- chemical substance, so spend-based carbon can price all of a board's prescribing without storing
-- each presentation. bnf_chemical is the first 9 characters of a 15-character code (chapters 1-19)
-- or, for an 11-character appliance code (chapters 20-23, which NHSBSA reports by section), its
-- first 4; both after the yearly BNF code changes, so an old and a new code count together.
-- items, quantity (PHS paid quantity, EPD total quantity) and cost_gbp (PHS gross ingredient cost,
-- EPD net ingredient cost) are sums.
CREATE TABLE rx_chemical_month (
    month DATE NOT NULL,
    format VARCHAR NOT NULL,
    board_code VARCHAR,
    board VARCHAR,
    practice VARCHAR NOT NULL,
    bnf_chapter VARCHAR NOT NULL,
    bnf_chemical VARCHAR NOT NULL,
    items DOUBLE NOT NULL,
    quantity DOUBLE NOT NULL,
    cost_gbp DOUBLE NOT NULL,
    import_id BIGINT NOT NULL
);

-- How each imported file was read: the layout generation recognised and its text encoding.
ALTER TABLE rx_import ADD COLUMN layout VARCHAR;
ALTER TABLE rx_import ADD COLUMN encoding VARCHAR;
ALTER TABLE rx_import ADD COLUMN rows_read BIGINT;

-- Every BNF chapter 3 code imported or in the shipped NHSBSA list, mapped once per import or
-- library change (mapping.refresh): the code the publisher uses today, the name the device was
-- read from, device, product, factor, doses per inhaler, whether it is a reliever (SABA), the
-- molecule(s) and strength the switching match uses, and why a code could not be mapped.
CREATE TABLE rx_code_map (
    bnf_code VARCHAR PRIMARY KEY,
    current_code VARCHAR NOT NULL,
    reference_code VARCHAR NOT NULL,
    name VARCHAR,
    name_source VARCHAR NOT NULL,
    in_sections VARCHAR,
    form VARCHAR NOT NULL,
    device VARCHAR,
    device_from VARCHAR,
    inhaler BOOLEAN NOT NULL,
    product VARCHAR,
    factor_id VARCHAR,
    mapping_row VARCHAR,
    doses_per_inhaler DOUBLE,
    reliever BOOLEAN NOT NULL,
    molecules VARCHAR,
    strength VARCHAR,
    strength_mcg DOUBLE,
    matched_by VARCHAR NOT NULL,
    reason VARCHAR
);
-- What the stored mapping was computed from (library token and the imported codes).
CREATE TABLE rx_map_state (
    id INTEGER PRIMARY KEY,
    token VARCHAR NOT NULL,
    built_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- The month a list size describes (NHS England EXTRACT_DATE, PHS Date) and where it came from.
ALTER TABLE rx_list_size ADD COLUMN month DATE;
ALTER TABLE rx_list_size ADD COLUMN layout VARCHAR;

-- Each propellant inhaler's dry-powder (or soft-mist) equivalent of the same molecule(s), the
-- nearest strength, as the switching opportunity prices it (mapping.refresh): inhaler_ratio is how
-- many of the equivalent replace one of the propellant inhaler (the same total dose of the first
-- molecule), match says how close the match is.
CREATE TABLE rx_switch_match (
    bnf_code VARCHAR PRIMARY KEY,
    eq_code VARCHAR NOT NULL,
    eq_factor_id VARCHAR,
    match VARCHAR NOT NULL,
    inhaler_ratio DOUBLE NOT NULL
);
