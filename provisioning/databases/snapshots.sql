-- Snapshots, restore and reset of a database (docs/snapshots.md), for its own
-- workspaces through one SECURITY DEFINER entry point (workspace_snapshots,
-- docs/security.md "Snapshots from the workspace") and for admins.
--
-- Repeatable file: see docs/architecture-sql.md. DDL runs on the loopback
-- session (helpers.sql), each statement committing on its own, while the
-- calling transaction holds the database's advisory lock and does the
-- bookkeeping. Every copy DevDB makes for a database is owned by that
-- database's owner role and named devdb_snap_<id> (a registered snapshot),
-- devdb_swap_<id> (a restore's copy, before the swap) or devdb_gone_<id> (the
-- database the swap replaced, before it is dropped). The swap is one
-- transaction (ALTER DATABASE … RENAME is transactional): the name always
-- holds the old database or the new one. Under the database's lock, a copy
-- of those names that the registry does not hold is what a killed run left:
-- _snapshot_converge drops it, so every operation starts from a clean state.

-- A setting of provisioning.settings as a whole number, else the default.
CREATE OR REPLACE FUNCTION provisioning._snapshot_setting(p_key text, p_default bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT s.value::bigint FROM provisioning.settings s
                    WHERE s.key = p_key AND s.value ~ '^\d{1,18}$'), p_default);
$$;

-- Tests stop a run between two steps here, to kill it there (test/provisioning/
-- snapshots.test.ts): a table devdb_test.snapshot_pause that only a superuser can
-- make (as devdb_test.clock, helpers.sql), naming the step. Production never has one.
CREATE OR REPLACE FUNCTION provisioning._snapshot_test_pause(p_step text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_pause regclass := to_regclass('devdb_test.snapshot_pause');
  v_hit boolean;
BEGIN
  IF v_pause IS NULL OR NOT EXISTS (SELECT FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
                                     WHERE c.oid = v_pause AND r.rolsuper) THEN
    RETURN;
  END IF;
  EXECUTE 'SELECT EXISTS (SELECT FROM devdb_test.snapshot_pause p WHERE p.step = $1)' INTO v_hit USING p_step;
  IF v_hit THEN
    PERFORM pg_sleep(120);
  END IF;
END $$;

CREATE OR REPLACE FUNCTION provisioning._is_snapshot_copy(p_name text) RETURNS boolean
LANGUAGE sql IMMUTABLE
RETURN p_name ~ '^devdb_(snap|swap|gone)_\d+$';

-- Runs one statement that cannot share a transaction (DROP DATABASE) as the owner role.
CREATE OR REPLACE FUNCTION provisioning._snapshot_drop_copy(p_conn text, p_db text, p_copy text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM pg_database d WHERE d.datname = p_copy) THEN
    PERFORM provisioning._remote(p_conn, format('SET ROLE %I', p_db));
    PERFORM provisioning._remote(p_conn, format('DROP DATABASE %I', p_copy));
    PERFORM provisioning._remote(p_conn, 'RESET ROLE');
  END IF;
END $$;

-- Opens p_db again as DevDB's posture wants it (closed only when an admin closed it).
CREATE OR REPLACE FUNCTION provisioning._snapshot_reopen(p_conn text, p_db text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM pg_database d WHERE d.datname = p_db
              AND d.datallowconn <> provisioning._connections_wanted(p_db)) THEN
    PERFORM provisioning._remote(p_conn, format('SET ROLE %1$I; ALTER DATABASE %1$I ALLOW_CONNECTIONS %2$s; RESET ROLE',
                                                p_db, provisioning._connections_wanted(p_db)::text));
  END IF;
END $$;

-- What a killed run left for p_db (caller holds its lock): copies the registry
-- does not hold are dropped, registry rows whose copy is gone are deleted, and
-- the database is open again if a run left it closed. Returns what it did.
CREATE OR REPLACE FUNCTION provisioning._snapshot_converge(p_conn text, p_db text) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  v_done text[] := '{}';
  v_copy text;
BEGIN
  FOR v_copy IN
    SELECT d.datname FROM pg_database d
     WHERE d.datdba = (SELECT r.oid FROM pg_roles r WHERE r.rolname = p_db)
       AND provisioning._is_snapshot_copy(d.datname)
       AND NOT EXISTS (SELECT FROM provisioning.snapshots s WHERE s.copy_name = d.datname AND s.db_name = p_db)
     ORDER BY d.datname
  LOOP
    IF left(v_copy, 11) = 'devdb_gone_' AND NOT EXISTS (SELECT FROM pg_database d WHERE d.datname = p_db) THEN
      -- Cannot happen with the one-transaction swap; should the name be empty, the old database goes back.
      PERFORM provisioning._as_inheriting(p_conn, ARRAY[p_db], format('ALTER DATABASE %I RENAME TO %I', v_copy, p_db));
      v_done := v_done || format('%s renamed back to %s', v_copy, p_db);
    ELSE
      PERFORM provisioning._snapshot_drop_copy(p_conn, p_db, v_copy);
      v_done := v_done || format('left-over copy %s dropped', v_copy);
    END IF;
  END LOOP;
  WITH gone AS (
    DELETE FROM provisioning.snapshots s
     WHERE s.db_name = p_db AND NOT EXISTS (SELECT FROM pg_database d WHERE d.datname = s.copy_name)
    RETURNING s.name)
  SELECT v_done || coalesce(array_agg(format('snapshot %s forgotten: its copy is gone', g.name)), '{}')
    INTO v_done FROM gone g;
  PERFORM provisioning._snapshot_reopen(p_conn, p_db);
  RETURN v_done;
END $$;

-- Frees p_db for a copy or a swap: closes it to new connections, ends the
-- sessions of p_own_role (the workspace's login role; NULL: every session that
-- is not a superuser's, for an admin) and refuses, reopening it, while anyone
-- else is connected. Returns the sessions ended: [{pid, user, application}].
CREATE OR REPLACE FUNCTION provisioning._snapshot_free(p_conn text, p_db text, p_own_role text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_others text;
  v_ended jsonb;
BEGIN
  PERFORM provisioning._remote(p_conn, format('SET ROLE %1$I; ALTER DATABASE %1$I ALLOW_CONNECTIONS false; RESET ROLE', p_db));
  PERFORM pg_stat_clear_snapshot();
  SELECT string_agg(DISTINCT format('%s (%s session%s)', x.usename, x.n, CASE WHEN x.n > 1 THEN 's' ELSE '' END), ', ')
    INTO v_others
    FROM (SELECT a.usename, count(*) AS n FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid
           WHERE a.datname = p_db AND a.backend_type = 'client backend'
             AND (CASE WHEN p_own_role IS NULL THEN coalesce(r.rolsuper, true) ELSE a.usename IS DISTINCT FROM p_own_role END)
           GROUP BY a.usename) x;
  IF v_others IS NOT NULL THEN
    PERFORM provisioning._snapshot_reopen(p_conn, p_db);
    RAISE EXCEPTION 'database % is in use by %: a copy needs it free, and only this workspace''s own sessions are ended', p_db, v_others
      USING ERRCODE = 'object_in_use',
            HINT = 'close those sessions (other workspaces or DevDB''s own work such as a backup), then try again';
  END IF;
  SELECT coalesce(jsonb_agg(jsonb_build_object('pid', a.pid, 'user', a.usename, 'application', a.application_name)
                            ORDER BY a.pid) FILTER (WHERE pg_terminate_backend(a.pid, 5000)), '[]')
    INTO v_ended
    FROM pg_stat_activity a
   WHERE a.datname = p_db AND a.backend_type = 'client backend'
     AND (p_own_role IS NULL OR a.usename = p_own_role);
  PERFORM pg_stat_clear_snapshot();
  IF EXISTS (SELECT FROM pg_stat_activity a WHERE a.datname = p_db AND a.backend_type = 'client backend') THEN
    PERFORM provisioning._snapshot_reopen(p_conn, p_db);
    RAISE EXCEPTION 'database % still has sessions after ending them', p_db
      USING ERRCODE = 'object_in_use', HINT = 'try again in a few seconds';
  END IF;
  RETURN v_ended;
END $$;

-- The sessions a copy of p_db would end (p_own_role's) and those that would
-- stop it (anyone else's): what the agent shows before it acts.
CREATE OR REPLACE FUNCTION provisioning._snapshot_sessions(p_db text, p_own_role text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'will_end', coalesce(jsonb_agg(jsonb_build_object('pid', a.pid, 'user', a.usename, 'application', a.application_name)
                                   ORDER BY a.pid) FILTER (WHERE a.usename = p_own_role), '[]'),
    'blocking', coalesce(jsonb_agg(jsonb_build_object('pid', a.pid, 'user', a.usename, 'application', a.application_name)
                                   ORDER BY a.pid) FILTER (WHERE a.usename IS DISTINCT FROM p_own_role), '[]'))
    FROM pg_stat_activity a
   WHERE a.datname = p_db AND a.backend_type = 'client backend';
$$;

-- CREATE DATABASE p_target as a file copy of p_source, owned by p_db's role,
-- closed to connections, PUBLIC's rights revoked (they are not copied, and a
-- new database starts with them). PostgreSQL 18 copies with file_copy_method =
-- clone (shared blocks on XFS/Btrfs, an in-kernel copy elsewhere).
CREATE OR REPLACE FUNCTION provisioning._snapshot_copy(p_conn text, p_db text, p_target text, p_source text, p_source_owner text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_method text := CASE WHEN current_setting('server_version_num')::int >= 180000 THEN 'file_copy clone' ELSE 'file_copy' END;
BEGIN
  PERFORM provisioning._snapshot_long_statements(p_conn);
  IF v_method = 'file_copy clone' THEN
    PERFORM provisioning._remote(p_conn, 'SET file_copy_method = clone');
  END IF;
  PERFORM provisioning._copy_database_as(p_conn,
    format('CREATE DATABASE %I OWNER %I TEMPLATE %I STRATEGY FILE_COPY ALLOW_CONNECTIONS false', p_target, p_db, p_source),
    p_source, p_source_owner, provisioning._pg16());
  PERFORM provisioning._remote(p_conn, format('SET ROLE %I; REVOKE ALL ON DATABASE %I FROM PUBLIC; RESET ROLE', p_db, p_target));
  RETURN v_method;
END $$;

-- A copy of a large database outlasts the loopback's statement_timeout (120 s):
-- the copying statements get snapshot_statement_timeout (default 1 h).
CREATE OR REPLACE FUNCTION provisioning._snapshot_long_statements(p_conn text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM provisioning._remote(p_conn, format('SET statement_timeout = %L',
    coalesce((SELECT s.value FROM provisioning.settings s WHERE s.key = 'snapshot_statement_timeout'), '1h')));
END $$;

-- The database is one DevDB may copy: active and open (an admin's closing wins).
CREATE OR REPLACE FUNCTION provisioning._snapshot_check_active(p_row provisioning.databases) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_row.status <> 'active' OR NOT EXISTS (SELECT FROM pg_database d WHERE d.datname = p_row.db_name) THEN
    RAISE EXCEPTION 'database % is % and has no snapshots to take or restore', p_row.db_name,
      CASE WHEN p_row.status = 'active' THEN 'missing from the server' ELSE p_row.status END
      USING ERRCODE = 'object_not_in_prerequisite_state';
  ELSIF p_row.metadata ? 'connections_disabled' THEN
    RAISE EXCEPTION 'database % is closed to connections by an admin', p_row.db_name
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'an admin must allow connections again first';
  END IF;
END $$;

CREATE OR REPLACE FUNCTION provisioning._snapshot_name(p_name text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_name text := coalesce(p_name, to_char(provisioning._now() AT TIME ZONE 'UTC', '"s"YYYYMMDD-HH24MISS'));
BEGIN
  IF v_name !~ '^[a-z0-9][a-z0-9._-]{0,39}$' THEN
    RAISE EXCEPTION 'invalid snapshot name %: 1–40 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit',
      quote_literal(v_name) USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN v_name;
END $$;

-- Makes room for a snapshot of p_size bytes of p_db under the admin's limits
-- (docs/snapshots.md, "Limits"): snapshots_per_database (default 5) and
-- snapshot_max_bytes (all snapshots on this server; 0 or unset: no limit).
-- snapshot_limit_action 'prune' (default) drops this database's oldest
-- snapshots until it fits, 'refuse' refuses; another database's snapshots are
-- never pruned for it. Returns the names pruned.
CREATE OR REPLACE FUNCTION provisioning._snapshot_make_room(p_conn text, p_db text, p_size bigint) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  v_per_db bigint := provisioning._snapshot_setting('snapshots_per_database', 5);
  v_max bigint := provisioning._snapshot_setting('snapshot_max_bytes', 0);
  v_prune boolean := coalesce((SELECT s.value FROM provisioning.settings s WHERE s.key = 'snapshot_limit_action'), 'prune') = 'prune';
  v_pruned text[] := '{}';
  v_oldest provisioning.snapshots;
  v_count bigint;
  v_total bigint;
BEGIN
  IF v_per_db < 1 THEN
    RAISE EXCEPTION 'snapshots are turned off on this server (snapshots_per_database = 0)'
      USING ERRCODE = 'program_limit_exceeded', HINT = 'an admin sets snapshots_per_database to allow them';
  END IF;
  -- Nothing is pruned when even pruning all of this database's would not make room.
  IF v_max > 0 AND (SELECT coalesce(sum(s.size_bytes), 0) FROM provisioning.snapshots s WHERE s.db_name <> p_db) + p_size > v_max THEN
    v_prune := false;
  END IF;
  LOOP
    SELECT count(*) INTO v_count FROM provisioning.snapshots s WHERE s.db_name = p_db;
    SELECT coalesce(sum(s.size_bytes), 0) INTO v_total FROM provisioning.snapshots s;
    EXIT WHEN v_count < v_per_db AND (v_max = 0 OR v_total + p_size <= v_max);
    SELECT * INTO v_oldest FROM provisioning.snapshots s WHERE s.db_name = p_db ORDER BY s.created_at, s.id LIMIT 1;
    IF NOT v_prune OR NOT FOUND THEN
      RAISE EXCEPTION '%', CASE WHEN v_count >= v_per_db
          THEN format('database %s has %s snapshots, the most allowed (snapshots_per_database)', p_db, v_count)
          ELSE format('snapshots on this server would take %s bytes, over the limit of %s (snapshot_max_bytes)', v_total + p_size, v_max) END
        USING ERRCODE = 'program_limit_exceeded',
              HINT = CASE WHEN v_prune THEN 'other databases'' snapshots take the room; an admin can delete some (devdb snapshots) or raise the limit'
                          ELSE 'delete a snapshot first (admin: devdb snapshots delete), or ask an admin to raise the limit' END;
    END IF;
    PERFORM provisioning._snapshot_drop_copy(p_conn, p_db, v_oldest.copy_name);
    DELETE FROM provisioning.snapshots s WHERE s.id = v_oldest.id;
    v_pruned := v_pruned || v_oldest.name;
  END LOOP;
  RETURN v_pruned;
END $$;

-- Takes a snapshot of p_db. p_own_role: the workspace's login role, whose
-- sessions alone are ended (NULL: an admin's, ending all but superusers').
CREATE OR REPLACE FUNCTION provisioning._take_snapshot(p_db text, p_name text, p_actor text, p_own_role text, p_workspace_id text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_row provisioning.databases := provisioning._locked_database(p_db);
  v_name text := provisioning._snapshot_name(p_name);
  v_conn text;
  v_id bigint;
  v_copy text;
  v_size bigint;
  v_ended jsonb;
  v_pruned text[];
  v_method text;
  v_at timestamptz := provisioning._now();
BEGIN
  PERFORM provisioning._snapshot_check_active(v_row);
  v_conn := provisioning._remote_open_bounded(current_database());
  PERFORM provisioning._snapshot_converge(v_conn, p_db);
  IF EXISTS (SELECT FROM provisioning.snapshots s WHERE s.db_name = p_db AND s.name = v_name) THEN
    RAISE EXCEPTION 'database % already has a snapshot named %', p_db, v_name
      USING ERRCODE = 'duplicate_object', HINT = 'choose another name';
  END IF;
  v_pruned := provisioning._snapshot_make_room(v_conn, p_db, pg_database_size(p_db));
  v_id := nextval(pg_get_serial_sequence('provisioning.snapshots', 'id'));
  v_copy := 'devdb_snap_' || v_id;
  v_ended := provisioning._snapshot_free(v_conn, p_db, p_own_role);
  BEGIN
    v_method := provisioning._snapshot_copy(v_conn, p_db, v_copy, p_db, p_db);
  EXCEPTION WHEN OTHERS THEN
    PERFORM provisioning._snapshot_reopen(v_conn, p_db);
    RAISE;
  END;
  PERFORM provisioning._snapshot_reopen(v_conn, p_db);
  PERFORM provisioning._remote_close(v_conn);
  v_size := pg_database_size(v_copy);
  INSERT INTO provisioning.snapshots (id, db_name, name, copy_name, created_at, created_by, size_bytes)
  VALUES (v_id, p_db, v_name, v_copy, v_at, coalesce(p_actor, session_user), v_size);
  PERFORM provisioning._log(p_actor, 'database.snapshot', p_db, p_workspace_id,
    jsonb_build_object('snapshot', v_name, 'size_bytes', v_size, 'sessions_ended', jsonb_array_length(v_ended),
                       'pruned', to_jsonb(v_pruned), 'method', v_method));
  RETURN jsonb_build_object('database', p_db, 'snapshot', v_name, 'created_at', v_at, 'size_bytes', v_size,
                            'method', v_method, 'sessions_ended', v_ended, 'pruned', to_jsonb(v_pruned));
END $$;

-- Puts p_db back to snapshot p_snapshot, or (p_snapshot NULL) to where it
-- started: a copy of its seed if it was seeded and the seed is still there,
-- else empty. The new database is made beside it (devdb_swap_<id>), given
-- p_db's grants and per-database role settings, then swapped in under the
-- name in one transaction; the old one (devdb_gone_<id>) is dropped after.
CREATE OR REPLACE FUNCTION provisioning._restore_snapshot(p_db text, p_snapshot text, p_actor text, p_own_role text, p_workspace_id text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_row provisioning.databases := provisioning._locked_database(p_db);
  v_snap provisioning.snapshots;
  v_seed text;
  v_seed_owner text;
  v_conn text;
  v_id bigint;
  v_swap text;
  v_gone text;
  v_ended jsonb;
  v_grants text;
  v_from text;
  v_inside boolean := false;
BEGIN
  PERFORM provisioning._snapshot_check_active(v_row);
  v_conn := provisioning._remote_open_bounded(current_database());
  PERFORM provisioning._snapshot_converge(v_conn, p_db);
  IF p_snapshot IS NOT NULL THEN
    SELECT * INTO v_snap FROM provisioning.snapshots s WHERE s.db_name = p_db AND s.name = p_snapshot;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'database % has no snapshot named %', p_db, quote_literal(p_snapshot)
        USING ERRCODE = 'undefined_object', HINT = 'list them with `devdb-agent snapshots` (admin: `devdb snapshots`)';
    END IF;
    v_from := 'snapshot ' || v_snap.name;
  ELSE
    v_seed := v_row.metadata ->> 'seeded_from';
    IF v_seed IS NOT NULL AND NOT EXISTS (SELECT FROM pg_database d WHERE d.datname = v_seed) THEN
      RAISE EXCEPTION 'database % was seeded from %, which no longer exists', p_db, v_seed
        USING ERRCODE = 'invalid_catalog_name', HINT = 'an admin can recreate the seed, or restore a snapshot instead';
    END IF;
    v_from := coalesce('seed ' || v_seed, 'empty');
  END IF;

  v_id := nextval(pg_get_serial_sequence('provisioning.snapshots', 'id'));
  v_swap := 'devdb_swap_' || v_id;
  v_gone := 'devdb_gone_' || v_id;
  IF v_snap.copy_name IS NOT NULL THEN
    PERFORM provisioning._snapshot_copy(v_conn, p_db, v_swap, v_snap.copy_name, p_db);
  ELSIF v_seed IS NOT NULL THEN
    PERFORM provisioning._snapshot_long_statements(v_conn);
    v_seed_owner := provisioning._validate_seed(v_seed, p_db);
    PERFORM provisioning._copy_database_as(v_conn,
      format('CREATE DATABASE %I OWNER %I TEMPLATE %I STRATEGY FILE_COPY ALLOW_CONNECTIONS false', v_swap, p_db, v_seed),
      v_seed, v_seed_owner,
      provisioning._pg16() AND pg_has_role(current_user, v_seed_owner, CASE WHEN provisioning._pg16() THEN 'SET' ELSE 'MEMBER' END));
    v_inside := true;
  ELSE
    PERFORM provisioning._remote(v_conn, format('CREATE DATABASE %I OWNER %I ALLOW_CONNECTIONS false', v_swap, p_db));
    v_inside := v_row.db_type = 'team';
  END IF;
  PERFORM provisioning._snapshot_test_pause('restore:copied');

  -- p_db's grants on the copy, as the owner (the grantor of every entry).
  SELECT string_agg(format('GRANT %s ON DATABASE %I TO %I; ', e.privilege_type, v_swap, e.grantee), '')
    INTO v_grants FROM provisioning.expected_database_acl(p_db) e WHERE e.grantee <> p_db;
  IF v_inside THEN
    -- Work inside the copy (a seed's objects handed over, the team's shared
    -- schema) needs a connection: only the provisioner's, the owner role's
    -- CONNECT taken away meanwhile so no workspace gets in before the swap.
    PERFORM provisioning._remote(v_conn, format('SET ROLE %1$I; REVOKE ALL ON DATABASE %2$I FROM PUBLIC; '
      'REVOKE CONNECT ON DATABASE %2$I FROM %1$I; %3$s ALTER DATABASE %2$I ALLOW_CONNECTIONS true; RESET ROLE',
      p_db, v_swap, coalesce(v_grants, '')));
    PERFORM provisioning._snapshot_prepare_inside(p_db, v_swap, v_seed, v_seed_owner, v_row.db_type);
    PERFORM provisioning._remote(v_conn, format('SET ROLE %1$I; ALTER DATABASE %2$I ALLOW_CONNECTIONS false; RESET ROLE', p_db, v_swap));
  ELSE
    PERFORM provisioning._remote(v_conn, format('SET ROLE %I; REVOKE ALL ON DATABASE %I FROM PUBLIC; %s RESET ROLE',
      p_db, v_swap, coalesce(v_grants, '')));
  END IF;
  -- The attachments' per-database settings on the copy before it takes the name
  -- (lifecycle.sql): a session opened right after the swap already acts as the owner role.
  PERFORM provisioning._apply_attachment_settings(v_conn, p_db, v_swap);

  v_ended := provisioning._snapshot_free(v_conn, p_db, p_own_role);
  BEGIN
    -- The swap: one transaction, so the name holds the old database or the new one.
    PERFORM provisioning._as_inheriting(v_conn, ARRAY[p_db], format(
      'ALTER DATABASE %1$I RENAME TO %2$I; ALTER DATABASE %3$I RENAME TO %1$I; '
      'SET ROLE %1$I; GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %1$I TO %1$I; '
      'ALTER DATABASE %1$I ALLOW_CONNECTIONS %4$s; RESET ROLE',
      p_db, v_gone, v_swap, provisioning._connections_wanted(p_db)::text));
  EXCEPTION WHEN OTHERS THEN
    PERFORM provisioning._snapshot_reopen(v_conn, p_db);
    RAISE;
  END;
  PERFORM provisioning._snapshot_test_pause('restore:swapped');
  PERFORM provisioning._snapshot_drop_copy(v_conn, p_db, v_gone);
  IF cardinality(provisioning.access_drift(p_db)) > 0 OR cardinality(provisioning._database_grants(p_db, 'public')) > 0 THEN
    PERFORM provisioning._repair_access(v_conn, p_db);
  END IF;
  PERFORM provisioning._remote_close(v_conn);
  -- Read grants and default privileges inside the database (access-levels.sql).
  PERFORM provisioning._reapply_after_restore(p_db);
  -- A new database's counters start again: last access counts from here (access.sql).
  PERFORM pg_stat_clear_snapshot();
  UPDATE provisioning.access_baseline b
     SET sessions = s.sessions, xact_commit = s.xact_commit, session_time = s.session_time, stats_reset = s.stats_reset
    FROM pg_stat_database s
   WHERE b.db_name = p_db AND s.datname = p_db;

  PERFORM provisioning._log(p_actor, CASE WHEN p_snapshot IS NULL THEN 'database.reset' ELSE 'database.snapshot_restore' END,
    p_db, p_workspace_id, jsonb_build_object('from', v_from, 'snapshot', p_snapshot,
                                             'sessions_ended', jsonb_array_length(v_ended)));
  RETURN jsonb_build_object('database', p_db, 'restored_from', v_from, 'snapshot', p_snapshot,
                            'sessions_ended', v_ended, 'at', provisioning._now());
END $$;

-- Inside a restore's copy, before the swap: a seed's objects handed to the
-- owner role (as _adopt_seed_objects does for a new database) and, for a team,
-- its shared schema.
CREATE OR REPLACE FUNCTION provisioning._snapshot_prepare_inside(p_db text, p_copy text, p_seed text, p_seed_owner text, p_type text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_conn text := provisioning._remote_open_bounded(p_copy);
  v_owned text;
BEGIN
  IF p_seed IS NOT NULL AND p_seed_owner NOT IN (p_db, current_user)
     AND pg_has_role(current_user, p_seed_owner, CASE WHEN provisioning._pg16() THEN 'SET' ELSE 'MEMBER' END) THEN
    SELECT string_agg(format('; ALTER DATABASE %I OWNER TO %I', d.datname, p_seed_owner), '') INTO v_owned
      FROM pg_database d WHERE d.datdba = (SELECT r.oid FROM pg_roles r WHERE r.rolname = p_seed_owner);
    PERFORM provisioning._as_inheriting(v_conn, ARRAY[p_seed_owner, p_db],
      format('REASSIGN OWNED BY %I TO %I', p_seed_owner, p_db) || coalesce(v_owned, ''));
  END IF;
  IF p_type = 'team' THEN
    PERFORM provisioning._remote(v_conn, format('SET ROLE %I; CREATE SCHEMA IF NOT EXISTS shared; RESET ROLE', p_db));
  END IF;
  PERFORM provisioning._remote_close(v_conn);
END $$;

CREATE OR REPLACE FUNCTION provisioning._delete_snapshot(p_db text, p_name text, p_actor text, p_workspace_id text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_snap provisioning.snapshots;
  v_conn text;
BEGIN
  PERFORM provisioning._locked_database(p_db);
  SELECT * INTO v_snap FROM provisioning.snapshots s WHERE s.db_name = p_db AND s.name = p_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'database % has no snapshot named %', p_db, quote_literal(p_name) USING ERRCODE = 'undefined_object';
  END IF;
  v_conn := provisioning._remote_open_bounded(current_database());
  PERFORM provisioning._snapshot_drop_copy(v_conn, p_db, v_snap.copy_name);
  PERFORM provisioning._remote_close(v_conn);
  DELETE FROM provisioning.snapshots s WHERE s.id = v_snap.id;
  PERFORM provisioning._log(p_actor, 'database.snapshot_delete', p_db, p_workspace_id, jsonb_build_object('snapshot', p_name));
  RETURN jsonb_build_object('database', p_db, 'snapshot', p_name, 'deleted', true);
END $$;

-- Drops every snapshot of p_db and whatever copy a run left (the database's
-- drop calls it before the owner role goes: the copies belong to that role).
CREATE OR REPLACE FUNCTION provisioning._drop_snapshots(p_conn text, p_db text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_copy text;
  v_count int := 0;
BEGIN
  FOR v_copy IN SELECT d.datname FROM pg_database d
                 WHERE d.datdba = (SELECT r.oid FROM pg_roles r WHERE r.rolname = p_db)
                   AND provisioning._is_snapshot_copy(d.datname) ORDER BY d.datname LOOP
    PERFORM provisioning._snapshot_drop_copy(p_conn, p_db, v_copy);
    v_count := v_count + 1;
  END LOOP;
  DELETE FROM provisioning.snapshots s WHERE s.db_name = p_db;
  RETURN v_count;
END $$;

-- Snapshots as listed (admin: every database's, or one's).
CREATE OR REPLACE FUNCTION provisioning.list_snapshots(p_db text DEFAULT NULL)
RETURNS TABLE (db_name text, name text, created_at timestamptz, size_bytes bigint, created_by text)
LANGUAGE sql STABLE AS $$
  SELECT s.db_name, s.name, s.created_at, s.size_bytes, s.created_by
    FROM provisioning.snapshots s
   WHERE p_db IS NULL OR s.db_name = p_db
   ORDER BY s.db_name, s.created_at, s.id;
$$;

-- The admin side: take, restore, delete a snapshot of any database, and the
-- team setting that lets a team's workspaces use them.
CREATE OR REPLACE FUNCTION provisioning.take_snapshot(p_db text, p_name text DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql AS $$ SELECT provisioning._take_snapshot(p_db, p_name, p_actor, NULL, NULL) $$;

CREATE OR REPLACE FUNCTION provisioning.restore_snapshot(p_db text, p_name text, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
  IF p_name IS NULL THEN
    RAISE EXCEPTION 'restore needs a snapshot name' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN provisioning._restore_snapshot(p_db, p_name, p_actor, NULL, NULL);
END $$;

CREATE OR REPLACE FUNCTION provisioning.delete_snapshot(p_db text, p_name text, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql AS $$ SELECT provisioning._delete_snapshot(p_db, p_name, p_actor, NULL) $$;

CREATE OR REPLACE FUNCTION provisioning.set_team_snapshots(p_db text, p_allowed boolean, p_actor text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_row provisioning.databases := provisioning._locked_database(p_db);
BEGIN
  IF v_row.db_type <> 'team' THEN
    RAISE EXCEPTION 'database % is not a team database: its owner''s workspaces may always snapshot it', p_db
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  UPDATE provisioning.databases d
     SET metadata = CASE WHEN p_allowed THEN d.metadata || '{"snapshots_allowed": true}' ELSE d.metadata - 'snapshots_allowed' END
   WHERE d.db_name = p_db;
  PERFORM provisioning._log(p_actor, 'database.team_snapshots', p_db, NULL, jsonb_build_object('allowed', p_allowed));
  RETURN p_allowed;
END $$;

-- The workspace's entry point (docs/security.md, "Snapshots from the
-- workspace"). Runs as the provisioner; takes no database name: the database
-- is the one the calling login role (session_user) is attached to, live.
-- Actions: list, sessions (what a copy would end), snapshot [NAME], restore
-- NAME, reset, delete NAME. Copies need write access; in a team database the
-- team's setting (set_team_snapshots, off by default) too.
CREATE OR REPLACE FUNCTION provisioning.workspace_snapshots(p_action text, p_name text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_att provisioning.attachments;
  v_row provisioning.databases;
  v_action text := provisioning._validate_one_of('action', p_action,
    ARRAY['list', 'sessions', 'snapshot', 'restore', 'reset', 'delete']);
BEGIN
  SELECT * INTO v_att FROM provisioning.attachments a
   WHERE a.login_role = session_user AND a.detached_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'role % has no live DevDB attachment', session_user USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT * INTO v_row FROM provisioning.databases d WHERE d.db_name = v_att.db_name;
  IF v_row.db_type = 'team' AND NOT coalesce((v_row.metadata ->> 'snapshots_allowed')::boolean, false) THEN
    RAISE EXCEPTION 'team database % does not allow snapshots from workspaces', v_att.db_name
      USING ERRCODE = 'insufficient_privilege',
            HINT = format('an admin turns them on with `devdb snapshots allow %s`', v_att.db_name);
  END IF;
  IF v_action NOT IN ('list', 'sessions') AND v_att.access_level <> 'write' THEN
    RAISE EXCEPTION 'role % has % access to %: snapshots, restores and resets need write access', session_user,
      v_att.access_level, v_att.db_name USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF v_action IN ('restore', 'delete') AND p_name IS NULL THEN
    RAISE EXCEPTION '% needs a snapshot name', v_action USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN CASE v_action
    WHEN 'list' THEN jsonb_build_object(
      'database', v_att.db_name,
      'snapshots', coalesce((SELECT jsonb_agg(jsonb_build_object('name', s.name, 'created_at', s.created_at,
                                                                 'size_bytes', s.size_bytes, 'created_by', s.created_by)
                                              ORDER BY s.created_at, s.name)
                               FROM provisioning.list_snapshots(v_att.db_name) s), '[]'),
      -- Restores and resets are events every workspace of the database sees here.
      'restores', coalesce((SELECT jsonb_agg(jsonb_build_object('at', e.at, 'by', e.actor, 'action', e.action,
                                                                'from', e.detail ->> 'from') ORDER BY e.id DESC)
                              FROM (SELECT * FROM provisioning.events e
                                     WHERE e.db_name = v_att.db_name AND e.action IN ('database.snapshot_restore', 'database.reset')
                                     ORDER BY e.id DESC LIMIT 5) e), '[]'))
    WHEN 'sessions' THEN provisioning._snapshot_sessions(v_att.db_name, session_user) || jsonb_build_object('database', v_att.db_name)
    WHEN 'snapshot' THEN provisioning._take_snapshot(v_att.db_name, p_name, session_user, session_user, v_att.workspace_id)
    WHEN 'restore' THEN provisioning._restore_snapshot(v_att.db_name, p_name, session_user, session_user, v_att.workspace_id)
    WHEN 'reset' THEN provisioning._restore_snapshot(v_att.db_name, NULL, session_user, session_user, v_att.workspace_id)
    ELSE provisioning._delete_snapshot(v_att.db_name, p_name, session_user, v_att.workspace_id)
  END;
END $$;
