-- Imported prescribing data (PHS "Prescriptions in the Community", NHS England EPD), kept at
-- the level the product needs: BNF sections 3.1 and 3.2 (bronchodilators and inhaled
-- corticosteroids), one row per month x practice x BNF presentation. Other chapters are read,
-- validated and left out, so a national year stays small.
CREATE SEQUENCE rx_import_id START 1;
CREATE TABLE rx_import (
    id BIGINT PRIMARY KEY DEFAULT nextval('rx_import_id'),
    file VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    rows_kept BIGINT NOT NULL,
    months VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE rx_item (
    month DATE NOT NULL,
    format VARCHAR NOT NULL,
    board_code VARCHAR,
    board VARCHAR,
    practice VARCHAR NOT NULL,
    practice_name VARCHAR,
    bnf_code VARCHAR NOT NULL,
    items DOUBLE NOT NULL,
    quantity DOUBLE NOT NULL,
    cost_gbp DOUBLE NOT NULL,
    import_id BIGINT NOT NULL
);
-- The latest description seen for each BNF code: the chemical-level fallback reads it.
CREATE TABLE rx_code (
    bnf_code VARCHAR PRIMARY KEY,
    description VARCHAR
);
-- Registered patients per practice (optional; gives kgCO2e per 1,000 patients).
CREATE TABLE rx_list_size (
    practice VARCHAR PRIMARY KEY,
    patients DOUBLE NOT NULL,
    file VARCHAR,
    loaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
-- NHS Scotland health board codes (HBT in PHS files) and names; both the 2014 and the 2018/2019
-- codes, since older PHS files use the former (Fife, Glasgow, Lanarkshire, Tayside changed).
CREATE TABLE rx_board (
    board_code VARCHAR PRIMARY KEY,
    board VARCHAR NOT NULL
);
INSERT INTO rx_board VALUES
    ('S08000015', 'NHS Ayrshire and Arran'),
    ('S08000016', 'NHS Borders'),
    ('S08000017', 'NHS Dumfries and Galloway'),
    ('S08000018', 'NHS Fife'),
    ('S08000019', 'NHS Forth Valley'),
    ('S08000020', 'NHS Grampian'),
    ('S08000021', 'NHS Greater Glasgow and Clyde'),
    ('S08000022', 'NHS Highland'),
    ('S08000023', 'NHS Lanarkshire'),
    ('S08000024', 'NHS Lothian'),
    ('S08000025', 'NHS Orkney'),
    ('S08000026', 'NHS Shetland'),
    ('S08000027', 'NHS Tayside'),
    ('S08000028', 'NHS Western Isles'),
    ('S08000029', 'NHS Fife'),
    ('S08000030', 'NHS Tayside'),
    ('S08000031', 'NHS Greater Glasgow and Clyde'),
    ('S08000032', 'NHS Lanarkshire');
