-- The audit trail of imports: who imported each prescribing file and loaded each list size (the
-- signed-in address on a shared server, the operating-system account in local mode and from the
-- `carbon` command). Rows imported before this migration say '' (not recorded).
ALTER TABLE rx_import ADD COLUMN imported_by VARCHAR NOT NULL DEFAULT '';
ALTER TABLE rx_list_size ADD COLUMN loaded_by VARCHAR NOT NULL DEFAULT '';
