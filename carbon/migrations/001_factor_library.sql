-- The factor library as shipped in factors/ (reloaded when the files change) and the user's
-- overrides of it (never edited by a reload: shipped rows and overrides live apart).
CREATE TABLE source (
    id VARCHAR PRIMARY KEY,
    publisher VARCHAR,
    title VARCHAR,
    year INTEGER,
    address VARCHAR,
    licence VARCHAR
);
CREATE TABLE gwp_basis (
    id VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL,
    fallback VARCHAR,
    source VARCHAR,
    notes VARCHAR
);
CREATE TABLE constant (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    low DOUBLE NOT NULL,
    high DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    notes VARCHAR,
    formula VARCHAR,
    file VARCHAR,
    line INTEGER
);
CREATE TABLE factor (
    id VARCHAR PRIMARY KEY,
    category VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    low DOUBLE NOT NULL,
    high DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    gwp_basis VARCHAR,
    year INTEGER,
    region VARCHAR,
    source VARCHAR NOT NULL,
    notes VARCHAR,
    formula VARCHAR,
    file VARCHAR,
    line INTEGER
);
CREATE SEQUENCE factor_override_id START 1;
CREATE TABLE factor_override (
    id BIGINT PRIMARY KEY DEFAULT nextval('factor_override_id'),
    factor_id VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    low DOUBLE NOT NULL,
    high DOUBLE NOT NULL,
    reason VARCHAR NOT NULL,
    who VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    reverted_at TIMESTAMP,
    reverted_by VARCHAR
);
CREATE TABLE library_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
