-- Drops wait for a verified final backup (docs/backups.md, "Before anything
-- destructive"): a drop asked for with final_backup (the default) archives the
-- database at once and records the request here; completePendingDrops
-- (provisioning/final-backup.ts) drops it once a final backup of it is taken and
-- verified, and records the last failed attempt's reason until then.
ALTER TABLE provisioning.databases
  ADD COLUMN drop_requested_at timestamptz,
  ADD COLUMN drop_requested_by text,
  ADD COLUMN drop_error        text,
  ADD CONSTRAINT databases_drop_pending_archived
    CHECK (drop_requested_at IS NULL OR status = 'archived');
CREATE INDEX databases_drop_pending_idx ON provisioning.databases (drop_requested_at)
  WHERE drop_requested_at IS NOT NULL;

-- detach_workspace, retire_database and _apply_last_detach gained
-- p_final_backup (provisioning/sql/attachments.sql, lifecycle.sql): the old
-- argument lists go, or calls would be ambiguous between the overloads.
DROP FUNCTION IF EXISTS provisioning.detach_workspace(text, text, text, text);
DROP FUNCTION IF EXISTS provisioning.retire_database(text, text, text);
DROP FUNCTION IF EXISTS provisioning._apply_last_detach(text, text, text);
