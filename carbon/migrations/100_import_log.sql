-- The import log says exactly what was kept, and tells files apart by more than their name
-- (issue 11): how many month x practice x chemical rows every row was summed into, the file's
-- size in bytes (as read: a gzip or ZIP member expanded) and its fingerprint (size and a hash of
-- its first and last mebibyte, carbon.reading.fingerprint). Rows imported before say NULL.
ALTER TABLE rx_import ADD COLUMN chemical_rows BIGINT;
ALTER TABLE rx_import ADD COLUMN bytes BIGINT;
ALTER TABLE rx_import ADD COLUMN fingerprint VARCHAR;
