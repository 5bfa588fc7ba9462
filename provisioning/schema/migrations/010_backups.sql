-- The backup registry (docs/backups.md): one row per dump DevDB took, kept after
-- its database is dropped (no foreign key: a dropped database's final backup
-- outlives the database's own row).
CREATE TABLE provisioning.backups (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  db_name        text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('scheduled', 'manual', 'final', 'pre-restore')),
  status         text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed')),
  file           text NOT NULL,
  encrypted      boolean NOT NULL,
  bytes          bigint,
  sha256         text,
  -- {"schema.table": rows} counted in the snapshot the dump was taken from.
  row_counts     jsonb,
  server_version text NOT NULL,
  started_at     timestamptz NOT NULL,
  finished_at    timestamptz,
  error          text,
  verified_at    timestamptz,
  verify_error   text,
  CHECK (status <> 'ok' OR (bytes IS NOT NULL AND sha256 IS NOT NULL AND row_counts IS NOT NULL AND finished_at IS NOT NULL))
);
CREATE INDEX backups_db_name_idx ON provisioning.backups (db_name, started_at);
