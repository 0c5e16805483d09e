-- Care pathways: the shipped templates (is_template, reloaded from factors/templates/ when those
-- files change) and the pathways people save. Activities are kept in order by position; a save
-- replaces a pathway's activities whole, in one transaction.
CREATE TABLE pathway (
    name VARCHAR PRIMARY KEY,
    template_id VARCHAR,
    condition VARCHAR NOT NULL DEFAULT '',
    description VARCHAR NOT NULL DEFAULT '',
    cohort DOUBLE NOT NULL DEFAULT 1,
    assumptions VARCHAR NOT NULL DEFAULT '',
    is_template BOOLEAN NOT NULL DEFAULT false,
    created_by VARCHAR NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_by VARCHAR NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE pathway_activity (
    pathway VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    stage VARCHAR NOT NULL DEFAULT '',
    activity VARCHAR NOT NULL DEFAULT '',
    kind VARCHAR NOT NULL DEFAULT 'factor',
    factor VARCHAR NOT NULL DEFAULT '',
    quantity VARCHAR NOT NULL DEFAULT '',
    duration VARCHAR NOT NULL DEFAULT '',
    distance VARCHAR NOT NULL DEFAULT '',
    return_trip BOOLEAN NOT NULL DEFAULT false,
    occupancy VARCHAR NOT NULL DEFAULT '',
    fgf VARCHAR NOT NULL DEFAULT '',
    concentration VARCHAR NOT NULL DEFAULT '',
    note VARCHAR NOT NULL DEFAULT '',
    source VARCHAR NOT NULL DEFAULT ''
);
CREATE TABLE pathway_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
