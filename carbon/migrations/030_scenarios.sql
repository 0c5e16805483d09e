-- Saved scenarios to net zero. A scenario is a named document (TOML/JSON body, see
-- carbon/scenarios.py); every save appends a version, so two people saving the same scenario at
-- the same moment both keep their work (the newest version is the one loaded).
CREATE SEQUENCE scenario_id START 1;
CREATE TABLE scenario (
    id BIGINT PRIMARY KEY DEFAULT nextval('scenario_id'),
    name VARCHAR NOT NULL UNIQUE,
    origin VARCHAR NOT NULL DEFAULT 'user',
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE SEQUENCE scenario_version_id START 1;
CREATE TABLE scenario_version (
    id BIGINT PRIMARY KEY DEFAULT nextval('scenario_version_id'),
    scenario_id BIGINT NOT NULL,
    body VARCHAR NOT NULL,
    saved_by VARCHAR NOT NULL,
    saved_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
-- Which demo files were seeded, by content hash, so seeding is one query when nothing changed.
CREATE TABLE scenario_seed (
    file VARCHAR PRIMARY KEY,
    hash VARCHAR NOT NULL,
    seeded_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
