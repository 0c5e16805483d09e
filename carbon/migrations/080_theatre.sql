-- Theatre records: anaesthetic case logs (one row per case, or per time step of a case) and the
-- anaesthetic agents bought, per theatre (or theatre suite) and period. Quantities are stored in
-- fixed units (minutes, L/min, vaporiser setting as a fraction, mL of liquid agent, litres of gas,
-- kg); the footprint applies the factor library when it is asked for, so a GWP basis switch or an
-- override needs no re-import.
CREATE SEQUENCE theatre_import_id START 1;
CREATE TABLE theatre_import (
    id BIGINT PRIMARY KEY DEFAULT nextval('theatre_import_id'),
    file VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    rows_kept BIGINT NOT NULL,
    cases BIGINT NOT NULL,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE theatre_step (
    theatre VARCHAR NOT NULL,
    case_id VARCHAR NOT NULL,
    step INTEGER NOT NULL,
    steps INTEGER NOT NULL,
    start TIMESTAMP,
    minutes DOUBLE NOT NULL,
    phase VARCHAR NOT NULL,
    agent VARCHAR NOT NULL,
    fgf_l_min DOUBLE,
    n2o_l_min DOUBLE,
    vaporiser DOUBLE,
    agent_used_ml DOUBLE,
    n2o_supply VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,
    line INTEGER,
    import_id BIGINT NOT NULL
);
CREATE TABLE theatre_purchase (
    site VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    agent VARCHAR NOT NULL,
    form VARCHAR NOT NULL,
    n DOUBLE NOT NULL,
    container VARCHAR NOT NULL,
    quantity_text VARCHAR NOT NULL,
    line INTEGER,
    import_id BIGINT NOT NULL
);
