-- Estates returns: energy by fuel, water, waste by route and refrigerants topped up, per
-- organisation, site and reporting period (a financial year such as 2024/25, or a calendar year),
-- from the NHS England ERIC collection or the plain estates template. Quantities are stored in
-- one unit per measure (energy kWh, volume m3, mass kg); the footprint applies the period's DESNZ
-- factors when it is asked for, so a new factor release needs no re-import.
CREATE SEQUENCE estates_import_id START 1;
CREATE TABLE estates_import (
    id BIGINT PRIMARY KEY DEFAULT nextval('estates_import_id'),
    file VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    rows_kept BIGINT NOT NULL,
    organisations BIGINT NOT NULL,
    periods VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE estates_activity (
    organisation_code VARCHAR NOT NULL,
    organisation_name VARCHAR,
    site VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    period_kind VARCHAR NOT NULL,
    start_year INTEGER NOT NULL,
    stream VARCHAR NOT NULL,
    item VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    quantity DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,
    line INTEGER,
    import_id BIGINT NOT NULL
);
