-- DevDB central schema (DESIGN.md §3). Runs as devdb_provisioner, the owner of
-- the `devdb` database; the bootstrap (provisioning/bootstrap.ts) has already
-- installed dblink into the locked-down schema devdb_ext.

-- Functions are executable by PUBLIC by default; nothing here is meant for PUBLIC.
ALTER DEFAULT PRIVILEGES IN SCHEMA provisioning REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
REVOKE ALL ON SCHEMA provisioning FROM PUBLIC;

CREATE TABLE provisioning.databases (
  db_name        text PRIMARY KEY,
  db_type        text NOT NULL CHECK (db_type IN ('individual', 'team')),
  owner_username text,
  owner_id       text,
  team_name      text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_accessed  timestamptz,
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived', 'dropped')),
  metadata       jsonb NOT NULL DEFAULT '{}'::jsonb,
  CHECK (CASE db_type
           WHEN 'individual' THEN owner_username IS NOT NULL AND team_name IS NULL
           ELSE team_name IS NOT NULL AND owner_username IS NULL AND owner_id IS NULL
         END)
);
-- owner_id keeps a user's database across renames: one live database per Coder user id.
CREATE UNIQUE INDEX databases_owner_id_key ON provisioning.databases (owner_id)
  WHERE owner_id IS NOT NULL AND status <> 'dropped';

CREATE TABLE provisioning.db_users (
  username     text NOT NULL,
  db_name      text NOT NULL REFERENCES provisioning.databases ON DELETE CASCADE,
  access_level text NOT NULL CHECK (access_level IN ('owner', 'write', 'read')),
  granted_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (username, db_name)
);
CREATE INDEX db_users_db_name_idx ON provisioning.db_users (db_name);

CREATE TABLE provisioning.attachments (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  db_name        text NOT NULL REFERENCES provisioning.databases ON DELETE CASCADE,
  workspace_id   text NOT NULL,
  workspace_name text,
  owner_username text NOT NULL,
  login_role     text NOT NULL,
  template_name  text,
  attached_at    timestamptz NOT NULL DEFAULT now(),
  detached_at    timestamptz,
  last_seen_at   timestamptz
);
CREATE UNIQUE INDEX attachments_live_key ON provisioning.attachments (db_name, workspace_id)
  WHERE detached_at IS NULL;
CREATE UNIQUE INDEX attachments_live_role_key ON provisioning.attachments (login_role)
  WHERE detached_at IS NULL;
CREATE INDEX attachments_workspace_idx ON provisioning.attachments (workspace_id);

CREATE TABLE provisioning.events (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor        text NOT NULL,
  action       text NOT NULL,
  db_name      text,
  workspace_id text,
  detail       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX events_db_name_idx ON provisioning.events (db_name, at);

-- Where workspaces reach the server (get_connection_info); set by `devdb up` / the admin.
CREATE TABLE provisioning.settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);

-- PostgreSQL's own activity counters at the previous access report (DESIGN.md §7).
CREATE TABLE provisioning.access_baseline (
  db_name     text PRIMARY KEY REFERENCES provisioning.databases ON DELETE CASCADE,
  sessions    bigint NOT NULL,
  xact_commit bigint NOT NULL,
  stats_reset timestamptz,
  sampled_at  timestamptz NOT NULL DEFAULT now()
);

-- Group role of every workspace login role: may reach `devdb` and run the
-- agent's report function, nothing else (DESIGN.md §5).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'devdb_workspace') THEN
    CREATE ROLE devdb_workspace NOLOGIN;
  END IF;
END $$;
DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO devdb_workspace', current_database());
END $$;
