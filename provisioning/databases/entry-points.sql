-- The SQL entry points the guide documents (docs/architecture-sql.md), kept working.
--
-- Repeatable file: see docs/architecture-sql.md.
--
-- Views are dropped and created again rather than CREATE OR REPLACE'd:
-- CREATE OR REPLACE VIEW can only add columns at the end, never drop, rename or
-- reorder one. This runs in the migration's transaction, so nobody sees them
-- missing. Nothing of DevDB's depends on them; a view someone built on top of
-- them makes this step fail, naming it (drop it, migrate, create it again).
-- Privileges on them, if any are ever given, belong in grants.sql, which runs
-- after every file.

DROP VIEW IF EXISTS provisioning.active_databases;
DROP VIEW IF EXISTS provisioning.database_summary;

CREATE VIEW provisioning.database_summary AS
SELECT d.db_name,
       d.db_type,
       d.owner_username,
       d.owner_id,
       d.team_name,
       d.status,
       d.created_at,
       d.last_accessed,
       (SELECT count(*) FROM provisioning.db_users u WHERE u.db_name = d.db_name) AS user_count,
       (SELECT count(*) FROM provisioning.attachments a
         WHERE a.db_name = d.db_name AND a.detached_at IS NULL) AS active_attachments,
       -- The sampler's latest size, else measured (sampler.sql, recorded_size).
       provisioning.recorded_size(d.db_name, pg.oid) AS size_bytes,
       p.idle_days,
       -- The policy (provisioning/policy/policy.sql): active, idle, stale, eligible,
       -- protected, archived or dropped.
       p.state AS policy_state,
       p.protected,
       p.protected_until
  FROM provisioning.databases d
  JOIN provisioning.policy_states() p ON p.db_name = d.db_name
  LEFT JOIN pg_database pg ON pg.datname = d.db_name;

CREATE VIEW provisioning.active_databases AS
SELECT db_name, db_type, owner_username, team_name, created_at, last_accessed,
       user_count, active_attachments, size_bytes, idle_days, policy_state, protected
  FROM provisioning.database_summary
 WHERE status = 'active';

CREATE OR REPLACE FUNCTION provisioning.list_user_databases(p_username text)
RETURNS TABLE (db_name text, db_type text, access_level text, status text, last_accessed timestamptz, policy_state text)
LANGUAGE sql STABLE AS $$
  SELECT d.db_name, d.db_type, u.access_level, d.status, d.last_accessed, p.state
    FROM provisioning.db_users u
    JOIN provisioning.databases d ON d.db_name = u.db_name
    JOIN provisioning.policy_states() p ON p.db_name = d.db_name
   WHERE u.username = provisioning.normalize_username(p_username)
   ORDER BY d.db_name;
$$;

-- Where a workspace connects; credentials are per workspace and never stored.
CREATE OR REPLACE FUNCTION provisioning.get_connection_info(p_db_name text)
RETURNS TABLE (host text, port int, db_name text, status text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT coalesce((SELECT s.value FROM provisioning.settings s WHERE s.key = 'public_host'),
                  host(inet_server_addr()), 'localhost'),
         coalesce((SELECT s.value FROM provisioning.settings s WHERE s.key = 'public_port'),
                  current_setting('port'))::int,
         d.db_name, d.status
    FROM provisioning.databases d WHERE d.db_name = p_db_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no DevDB database named %', coalesce(quote_literal(p_db_name), '(null)')
      USING ERRCODE = 'undefined_object', HINT = 'see provisioning.active_databases for the databases DevDB knows';
  END IF;
END $$;

-- Really creates the team database (through the loopback connection, since
-- CREATE DATABASE cannot run inside a function's transaction).
CREATE OR REPLACE FUNCTION provisioning.create_team_db(p_name text) RETURNS text
LANGUAGE sql AS $$
  SELECT e.db_name FROM provisioning.ensure_database('team', NULL, NULL, p_name, session_user) e;
$$;
