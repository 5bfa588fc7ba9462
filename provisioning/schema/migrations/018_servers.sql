-- The server pool (docs/servers.md): the PostgreSQL servers that hold developer
-- databases, and which one holds each database. Only the central server's
-- tables mean anything; every DevDB server has them because every server runs
-- the same schema (a member is a DevDB server of its own, `devdb servers add`).

-- Every DevDB server's identity: `servers add` refuses to add a server twice,
-- or the central server as a member of itself.
INSERT INTO provisioning.settings (key, value)
VALUES ('server_id', gen_random_uuid()::text)
ON CONFLICT (key) DO NOTHING;

CREATE TABLE provisioning.servers (
  name          text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{0,39}$'),
  server_id     text NOT NULL UNIQUE,
  -- The member's provisioner URL, with its password: the same secret the loopback
  -- user mapping holds, readable by the provisioner only. NULL: the central
  -- server itself, reached through the caller's own connection.
  admin_url     text,
  -- Where workspaces reach it; NULL: the admin URL's host and port (for the
  -- central server, what the provider or command is configured with).
  public_host   text,
  public_port   int CHECK (public_port BETWEEN 1 AND 65535),
  major_version int NOT NULL,
  max_databases int NOT NULL DEFAULT 1000 CHECK (max_databases > 0),
  max_bytes     bigint CHECK (max_bytes > 0),
  -- Bytes on the server as last measured (`devdb servers list`, moves, serve).
  used_bytes    bigint NOT NULL DEFAULT 0,
  measured_at   timestamptz,
  state         text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'draining')),
  added_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX servers_one_central ON provisioning.servers ((admin_url IS NULL)) WHERE admin_url IS NULL;

INSERT INTO provisioning.servers (name, server_id, major_version)
SELECT 'central', s.value, current_setting('server_version_num')::int / 10000
  FROM provisioning.settings s WHERE s.key = 'server_id';

-- Which server holds a database. A database with no row is on the central
-- server (every database made before the pool existed). `moving_to` is set
-- while `devdb move` runs, so a re-run after a crash finishes the same move.
CREATE TABLE provisioning.placements (
  db_name     text PRIMARY KEY,
  server_name text NOT NULL REFERENCES provisioning.servers (name),
  moving_to   text REFERENCES provisioning.servers (name),
  placed_at   timestamptz NOT NULL DEFAULT now(),
  moved_at    timestamptz
);
CREATE INDEX placements_server_idx ON provisioning.placements (server_name);
