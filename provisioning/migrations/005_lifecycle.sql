-- What happens around an attachment's life (DESIGN.md §6, §7; issue #4): the
-- on_last_detach policy (keep | archive | drop), restore of an archived
-- database, seeding a new database from a template, and the drift state the
-- Terraform provider reads. Same rules as 003: DDL runs on the loopback
-- session, the calling transaction holds the database's advisory lock and does
-- the bookkeeping, and every step checks the catalogs first so a re-run converges.

CREATE FUNCTION provisioning._pg16() RETURNS boolean
LANGUAGE sql STABLE
RETURN current_setting('server_version_num')::int >= 160000;

-- A loopback session that can never wait forever: a lock held elsewhere or a
-- stuck statement ends in an error the caller turns into a message. The limits
-- can be changed in provisioning.settings (keys lock_timeout, statement_timeout).
CREATE FUNCTION provisioning._remote_open_bounded(p_db text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_conn text := provisioning._remote_open(p_db);
BEGIN
  PERFORM provisioning._remote(v_conn, format('SET lock_timeout = %L; SET statement_timeout = %L',
    coalesce((SELECT s.value FROM provisioning.settings s WHERE s.key = 'lock_timeout'), '10s'),
    coalesce((SELECT s.value FROM provisioning.settings s WHERE s.key = 'statement_timeout'), '120s')));
  RETURN v_conn;
END $$;

-- Runs p_sql on the loopback session with the provisioner inheriting the
-- privileges of p_roles for that one transaction. Ownership checks (RENAME,
-- REASSIGN OWNED, copying a database) look at inherited privileges, which SET
-- ROLE cannot combine with the provisioner's own CREATEDB. A multi-statement
-- dblink_exec is one implicit transaction, so nobody ever sees the grant.
CREATE FUNCTION provisioning._as_inheriting(p_conn text, p_roles text[], p_sql text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_grant text := '';
  v_revoke text := '';
  v_role text;
BEGIN
  IF provisioning._pg16() THEN -- before 16 membership always inherits
    FOREACH v_role IN ARRAY p_roles LOOP
      v_grant := v_grant || format('GRANT %I TO %I WITH INHERIT TRUE; ', v_role, current_user);
      v_revoke := v_revoke || format('; REVOKE INHERIT OPTION FOR %I FROM %I', v_role, current_user);
    END LOOP;
  END IF;
  PERFORM provisioning._remote(p_conn, v_grant || p_sql || v_revoke);
END $$;

-- Where an archived database lives: 'archived_' + at most 45 bytes fits 63, and
-- no live name (dev_…, team_…) starts that way.
CREATE FUNCTION provisioning._archived_name(p_db text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN 'archived_' || p_db;

CREATE FUNCTION provisioning._validate_on_last_detach(p_policy text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_policy IS NULL OR p_policy NOT IN ('keep', 'archive', 'drop') THEN
    RAISE EXCEPTION 'invalid on_last_detach %: must be one of "keep", "archive", "drop"',
      coalesce(quote_literal(p_policy), '(null)') USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN p_policy;
END $$;

-- What would make DROP DATABASE (or RENAME) fail or wait, said before anything
-- is changed: prepared transactions hold a database open, and logical
-- replication slots would be lost with it (known-failures.md #4).
CREATE FUNCTION provisioning._check_removable(p_db text, p_drop boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_list text;
BEGIN
  SELECT string_agg(format('%L (prepared by %s)', x.gid, x.owner), ', ' ORDER BY x.gid) INTO v_list
    FROM pg_prepared_xacts x WHERE x.database = p_db;
  IF v_list IS NOT NULL THEN
    RAISE EXCEPTION 'database % cannot be %: prepared transactions keep it open: %', p_db,
      CASE WHEN p_drop THEN 'dropped' ELSE 'archived' END, v_list
      USING ERRCODE = 'object_in_use',
            HINT = format('connect to %s as a superuser or the role that prepared them and run COMMIT PREPARED or ROLLBACK PREPARED for each, then detach again', p_db);
  END IF;
  IF NOT p_drop THEN
    RETURN; -- a slot follows its database through a rename
  END IF;
  SELECT string_agg(format('%L (%s)', s.slot_name,
                           CASE WHEN s.active THEN 'active, pid ' || s.active_pid ELSE 'inactive' END), ', ' ORDER BY s.slot_name)
    INTO v_list FROM pg_replication_slots s WHERE s.database = p_db;
  IF v_list IS NOT NULL THEN
    RAISE EXCEPTION 'database % cannot be dropped: logical replication slots use it: %', p_db, v_list
      USING ERRCODE = 'object_in_use',
            HINT = 'stop their consumers and drop the slots (SELECT pg_drop_replication_slot(''name'') as a superuser or replication role), or detach with on_last_detach "keep" or "archive"';
  END IF;
END $$;

-- Ends the sessions still in p_db once new connections are refused. The
-- provisioner may end any non-superuser session (pg_signal_backend); whatever is
-- left is named in the error instead of waited for.
CREATE FUNCTION provisioning._end_sessions(p_db text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_ended int;
  v_left text;
BEGIN
  SELECT count(*) FILTER (WHERE pg_terminate_backend(a.pid, 5000)) INTO v_ended
    FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
   WHERE a.datname = p_db AND a.backend_type = 'client backend' AND NOT r.rolsuper;
  PERFORM pg_stat_clear_snapshot(); -- pg_stat_activity is otherwise frozen for the transaction
  SELECT string_agg(format('%s (pid %s)', a.usename, a.pid), ', ') INTO v_left
    FROM pg_stat_activity a WHERE a.datname = p_db AND a.backend_type = 'client backend';
  IF v_left IS NOT NULL THEN
    RAISE EXCEPTION 'database % still has sessions DevDB cannot end: %', p_db, v_left
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'these are superuser sessions or did not exit within 5 s; close them, then detach again';
  END IF;
  RETURN v_ended;
END $$;

-- Closes p_db to new connections (as its owner: ALTER DATABASE needs ownership)
-- and ends its sessions.
CREATE FUNCTION provisioning._close_database(p_conn text, p_db text) RETURNS int
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM provisioning._remote(p_conn, format('SET ROLE %1$I; ALTER DATABASE %1$I ALLOW_CONNECTIONS false; RESET ROLE', p_db));
  RETURN provisioning._end_sessions(p_db);
END $$;

-- A timeout or a session that came back, said in terms of what to do.
CREATE FUNCTION provisioning._raise_removal_failure(p_db text, p_verb text, p_state text, p_message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_state IN ('55P03', '57014') THEN -- lock_not_available, query_canceled (statement_timeout)
    RAISE EXCEPTION 'could not % database % in time: %', p_verb, p_db, p_message
      USING ERRCODE = 'lock_not_available',
            HINT = format('another session holds a lock on database %s (see pg_locks joined to pg_stat_activity); detach again once it is done', p_db);
  END IF;
  RAISE EXCEPTION 'could not % database %: %', p_verb, p_db, p_message
    USING ERRCODE = p_state, HINT = 'sessions may have reconnected or not exited; close them, then detach again';
END $$;

-- Archives p_db: no connections, sessions ended, renamed out of the live names.
-- Returns the sessions ended; converges after an interrupted run.
CREATE FUNCTION provisioning._archive_objects(p_db text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_archived text := provisioning._archived_name(p_db);
  v_has_live boolean := EXISTS (SELECT FROM pg_database d WHERE d.datname = p_db);
  v_has_archived boolean := EXISTS (SELECT FROM pg_database d WHERE d.datname = v_archived);
  v_conn text;
  v_ended int;
BEGIN
  IF NOT v_has_live AND v_has_archived THEN
    RETURN 0; -- renamed by an earlier run
  ELSIF NOT v_has_live THEN
    RAISE EXCEPTION 'database % cannot be archived: it does not exist', p_db
      USING ERRCODE = 'invalid_catalog_name',
            HINT = 'it was dropped outside DevDB; detach with on_last_detach "keep" or "drop" to record that';
  ELSIF v_has_archived THEN
    RAISE EXCEPTION 'database % cannot be archived: a database named % already exists', p_db, v_archived
      USING ERRCODE = 'duplicate_database', HINT = format('an earlier archive was never cleaned up; drop or rename %s first', v_archived);
  END IF;
  PERFORM provisioning._check_removable(p_db, false);
  v_conn := provisioning._remote_open_bounded(current_database());
  BEGIN
    v_ended := provisioning._close_database(v_conn, p_db);
    -- RENAME needs ownership and CREATEDB on the same role: the provisioner, inheriting.
    PERFORM provisioning._as_inheriting(v_conn, ARRAY[p_db], format('ALTER DATABASE %I RENAME TO %I', p_db, v_archived));
  EXCEPTION WHEN lock_not_available OR query_canceled OR object_in_use THEN
    PERFORM provisioning._raise_removal_failure(p_db, 'archive', SQLSTATE, SQLERRM);
  END;
  PERFORM provisioning._remote_close(v_conn);
  RETURN v_ended;
END $$;

-- Drops p_db and its owner role. Returns the sessions ended; converges after an
-- interrupted run (each object is dropped only if still there).
CREATE FUNCTION provisioning._drop_objects(p_db text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_owner text := (SELECT pg_get_userbyid(d.datdba) FROM pg_database d WHERE d.datname = p_db);
  v_conn text;
  v_ended int := 0;
BEGIN
  IF v_owner IS NOT NULL AND v_owner <> p_db THEN
    RAISE EXCEPTION 'database % is owned by %, not by DevDB''s role %; DevDB will not drop it', p_db, v_owner, p_db
      USING ERRCODE = 'insufficient_privilege', HINT = 'someone changed its owner; drop it yourself or give it back to its role';
  END IF;
  v_conn := provisioning._remote_open_bounded(current_database());
  IF v_owner IS NOT NULL THEN
    PERFORM provisioning._check_removable(p_db, true);
    BEGIN
      v_ended := provisioning._close_database(v_conn, p_db);
      -- As the owner, without FORCE: the sessions are already ended, and FORCE
      -- would need the owner role to be allowed to signal them.
      PERFORM provisioning._remote(v_conn, format('SET ROLE %I', p_db));
      PERFORM provisioning._remote(v_conn, format('DROP DATABASE %I', p_db)); -- alone: no transaction block
      PERFORM provisioning._remote(v_conn, 'RESET ROLE');
    EXCEPTION WHEN lock_not_available OR query_canceled OR object_in_use THEN
      PERFORM provisioning._raise_removal_failure(p_db, 'drop', SQLSTATE, SQLERRM);
    END;
  END IF;
  IF EXISTS (SELECT FROM pg_roles r WHERE r.rolname = p_db AND NOT r.rolcanlogin) THEN
    BEGIN
      PERFORM provisioning._remote(v_conn, format('DROP ROLE %I', p_db));
    EXCEPTION WHEN dependent_objects_still_exist THEN
      RAISE EXCEPTION 'database % was dropped but its owner role cannot be: %', p_db, SQLERRM
        USING ERRCODE = 'dependent_objects_still_exist',
              HINT = format('objects in other databases belong to role %s; run REASSIGN OWNED BY %s TO another role in each of them, then detach again', p_db, p_db);
    END;
  END IF;
  PERFORM provisioning._remote_close(v_conn);
  RETURN v_ended;
END $$;

-- Applies the policy once the last live attachment of p_db is gone; returns
-- what happened to the database ('kept', 'archived', 'dropped').
CREATE FUNCTION provisioning._apply_last_detach(p_db text, p_policy text, p_actor text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_ended int;
BEGIN
  IF p_policy = 'keep' OR (SELECT d.status FROM provisioning.databases d WHERE d.db_name = p_db) IS DISTINCT FROM 'active' THEN
    RETURN 'kept';
  ELSIF p_policy = 'archive' THEN
    v_ended := provisioning._archive_objects(p_db);
    UPDATE provisioning.databases d
       SET status = 'archived',
           metadata = d.metadata || jsonb_build_object('archived', jsonb_build_object(
             'physical_name', provisioning._archived_name(p_db), 'at', now()))
     WHERE d.db_name = p_db;
    PERFORM provisioning._log(p_actor, 'database.archive', p_db, NULL, jsonb_build_object(
      'physical_name', provisioning._archived_name(p_db), 'sessions_terminated', v_ended));
    RETURN 'archived';
  END IF;
  v_ended := provisioning._drop_objects(p_db);
  UPDATE provisioning.databases d
     SET status = 'dropped', metadata = d.metadata || jsonb_build_object('dropped', jsonb_build_object('at', now()))
   WHERE d.db_name = p_db;
  PERFORM provisioning._log(p_actor, 'database.drop', p_db, NULL, jsonb_build_object('sessions_terminated', v_ended));
  RETURN 'dropped';
END $$;

-- detach_workspace with the on_last_detach policy. An overload (all four
-- arguments required) around 003's detach, so existing callers are unchanged.
-- Whether this is the last live attachment is decided under the database's
-- lock: of two concurrent last detaches, the second sees the first's commit.
CREATE FUNCTION provisioning.detach_workspace(p_workspace_id text, p_db text, p_actor text, p_on_last_detach text)
RETURNS TABLE (db_name text, login_role text, sessions_terminated int, database_action text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_ws text := provisioning.validate_workspace_id(p_workspace_id);
  v_policy text := provisioning._validate_on_last_detach(coalesce(p_on_last_detach, 'keep'));
  v_db text;
  v_last boolean;
  v_found boolean := false;
  v_det record;
BEGIN
  FOR v_db IN
    SELECT DISTINCT a.db_name FROM provisioning.attachments a
     WHERE a.workspace_id = v_ws AND a.detached_at IS NULL AND (p_db IS NULL OR a.db_name = p_db)
     ORDER BY 1
  LOOP
    PERFORM provisioning._lock_database(v_db);
    -- A concurrent detach got there first: it logged and applied the policy.
    CONTINUE WHEN NOT EXISTS (SELECT FROM provisioning.attachments a
                               WHERE a.db_name = v_db AND a.workspace_id = v_ws AND a.detached_at IS NULL);
    v_last := NOT EXISTS (SELECT FROM provisioning.attachments a
                           WHERE a.db_name = v_db AND a.detached_at IS NULL AND a.workspace_id <> v_ws);
    -- Blockers first: a refused drop leaves the workspace attached, its role intact.
    IF v_last AND v_policy <> 'keep' THEN
      PERFORM provisioning._check_removable(v_db, v_policy = 'drop');
    END IF;
    FOR v_det IN SELECT * FROM provisioning.detach_workspace(v_ws, v_db, p_actor) LOOP
      v_found := true;
      db_name := v_det.db_name;
      login_role := v_det.login_role;
      sessions_terminated := v_det.sessions_terminated;
      database_action := CASE WHEN v_last THEN provisioning._apply_last_detach(v_db, v_policy, p_actor) END;
      RETURN NEXT;
    END LOOP;
  END LOOP;
  IF NOT v_found THEN -- records the no-op detach, as 003 does
    PERFORM provisioning.detach_workspace(v_ws, p_db, p_actor);
  END IF;
END $$;

-- Brings an archived database back under its own name, open to its roles again.
CREATE FUNCTION provisioning.restore_database(p_db text, p_actor text DEFAULT NULL)
RETURNS TABLE (db_name text, restored boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_row provisioning.databases;
  v_archived text;
  v_conn text;
BEGIN
  PERFORM provisioning._lock_database(p_db);
  SELECT * INTO v_row FROM provisioning.databases d WHERE d.db_name = p_db;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no DevDB database named %', coalesce(quote_literal(p_db), '(null)')
      USING ERRCODE = 'undefined_object', HINT = 'see provisioning.database_summary for the databases DevDB knows';
  ELSIF v_row.status = 'dropped' THEN
    RAISE EXCEPTION 'database % was dropped and cannot be restored', p_db
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'attaching a workspace creates it afresh';
  END IF;
  db_name := p_db;
  restored := v_row.status = 'archived';
  IF restored THEN
    v_archived := coalesce(v_row.metadata #>> '{archived,physical_name}', provisioning._archived_name(p_db));
    IF NOT EXISTS (SELECT FROM pg_database d WHERE d.datname = p_db) THEN -- else renamed by an earlier run
      IF NOT EXISTS (SELECT FROM pg_database d WHERE d.datname = v_archived) THEN
        RAISE EXCEPTION 'archived database % is missing: neither % nor % exists', p_db, v_archived, p_db
          USING ERRCODE = 'invalid_catalog_name', HINT = 'it was dropped outside DevDB; attaching a workspace after an admin marks it dropped creates it afresh';
      END IF;
      v_conn := provisioning._remote_open_bounded(current_database());
      PERFORM provisioning._as_inheriting(v_conn, ARRAY[p_db], format('ALTER DATABASE %I RENAME TO %I', v_archived, p_db));
      PERFORM provisioning._remote_close(v_conn);
    END IF;
    -- Re-allows connections (after checking PUBLIC has none), as for any database.
    PERFORM provisioning._ensure_objects(p_db, v_row.db_type);
    UPDATE provisioning.databases d
       SET status = 'active', metadata = (d.metadata - 'archived') || jsonb_build_object('restored_at', now())
     WHERE d.db_name = p_db;
    PERFORM provisioning._log(p_actor, 'database.restore', p_db, NULL, jsonb_build_object('from', v_archived));
  END IF;
  RETURN NEXT;
END $$;

-- ---------------------------------------------------------------- seed_from

-- The seed must be a database the provisioner may copy: a template, or one
-- owned by a role it can act as (DevDB's own databases are). Returns its owner.
CREATE FUNCTION provisioning._validate_seed(p_seed text, p_db text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_seed pg_database;
  v_owner text;
BEGIN
  SELECT * INTO v_seed FROM pg_database d WHERE d.datname = p_seed;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'seed database % does not exist', coalesce(quote_ident(p_seed), '(null)')
      USING ERRCODE = 'invalid_catalog_name', HINT = 'seed_from names an existing database on the DevDB server (e.g. a team database holding the seed data)';
  ELSIF p_seed IN (current_database(), p_db) OR v_seed.datdba = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) THEN
    RAISE EXCEPTION 'database % cannot be a seed', p_seed
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'seed from a database that holds the data to copy, not DevDB''s own, one the provisioner owns, or the one being created';
  END IF;
  v_owner := pg_get_userbyid(v_seed.datdba);
  IF NOT v_seed.datistemplate AND NOT pg_has_role(current_user, v_seed.datdba, CASE WHEN provisioning._pg16() THEN 'SET' ELSE 'MEMBER' END) THEN
    RAISE EXCEPTION 'DevDB may not copy database %: it is owned by % and not marked as a template', p_seed, v_owner
      USING ERRCODE = 'insufficient_privilege',
            HINT = format('use a DevDB database as the seed, or have an admin run ALTER DATABASE %I IS_TEMPLATE true', p_seed);
  END IF;
  IF EXISTS (SELECT FROM pg_stat_activity a WHERE a.datname = p_seed AND a.backend_type = 'client backend') THEN
    PERFORM provisioning._raise_seed_in_use(p_seed);
  END IF;
  RETURN v_owner;
END $$;

CREATE FUNCTION provisioning._raise_seed_in_use(p_seed text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_stat_clear_snapshot();
  RAISE EXCEPTION 'seed database % is in use (sessions of %): PostgreSQL copies a database only while nobody is connected to it', p_seed,
    coalesce((SELECT string_agg(DISTINCT a.usename, ', ') FROM pg_stat_activity a WHERE a.datname = p_seed), 'another user')
    USING ERRCODE = 'object_in_use', HINT = format('close every connection to %s, then try again', p_seed);
END $$;

-- The owner role of a database, NOLOGIN, that the provisioner can SET (as in 003).
CREATE FUNCTION provisioning._ensure_owner_role(p_conn text, p_db text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles r WHERE r.rolname = p_db AND (r.rolcanlogin OR r.rolsuper)) THEN
    RAISE EXCEPTION 'role % already exists and can log in; DevDB will not adopt it as a database owner', p_db
      USING ERRCODE = 'duplicate_object', HINT = 'rename or drop that role, then try again';
  ELSIF NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = p_db) THEN
    PERFORM provisioning._remote(p_conn, format('CREATE ROLE %I NOLOGIN', p_db));
  END IF;
  -- Before 16 a CREATEROLE creator is no member at all, and CREATE DATABASE … OWNER
  -- needs membership: a plain grant, as in 003.
  IF NOT pg_has_role(current_user, p_db, CASE WHEN provisioning._pg16() THEN 'SET' ELSE 'MEMBER' END) THEN
    PERFORM provisioning._remote(p_conn, format(
      CASE WHEN provisioning._pg16() THEN 'GRANT %I TO %I WITH SET TRUE, INHERIT FALSE' ELSE 'GRANT %I TO %I' END,
      p_db, current_user));
  END IF;
END $$;

-- Creates p_db as a copy of p_seed, closed to connections (_ensure_objects then
-- revokes PUBLIC, which is not copied, and opens it). Objects of the seed's
-- owner are handed to p_db's owner, so the workspaces can use them.
CREATE FUNCTION provisioning._create_from_seed(p_db text, p_seed text) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  v_seed_owner text := provisioning._validate_seed(p_seed, p_db);
  v_can_act boolean := pg_has_role(current_user, v_seed_owner, CASE WHEN provisioning._pg16() THEN 'SET' ELSE 'MEMBER' END);
  v_conn text := provisioning._remote_open_bounded(current_database());
BEGIN
  PERFORM provisioning._ensure_owner_role(v_conn, p_db);
  BEGIN
    PERFORM provisioning._copy_database(v_conn, p_db, p_seed, v_seed_owner, v_can_act);
  EXCEPTION WHEN object_in_use THEN
    PERFORM provisioning._raise_seed_in_use(p_seed);
  END;
  PERFORM provisioning._remote_close(v_conn);
  RETURN ARRAY['database created', 'seeded from ' || p_seed];
END $$;

-- Hands what the seed's owner owns in the copy p_db to p_db's owner, so the
-- workspaces (acting as that owner) can use it. Checked through pg_shdepend on
-- every call with a seed, so a run interrupted after the copy still converges.
-- Seeds owned by roles the provisioner cannot act as keep their objects' owners.
CREATE FUNCTION provisioning._adopt_seed_objects(p_db text, p_seed text) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  v_seed_owner oid := (SELECT d.datdba FROM pg_database d WHERE d.datname = p_seed);
  v_name text := pg_get_userbyid(v_seed_owner);
  v_owned text;
  v_conn text;
BEGIN
  IF v_seed_owner IS NULL OR v_name IN (p_db, current_user)
     OR NOT pg_has_role(current_user, v_seed_owner, CASE WHEN provisioning._pg16() THEN 'SET' ELSE 'MEMBER' END)
     OR NOT EXISTS (SELECT FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
                     WHERE d.datname = p_db AND s.refobjid = v_seed_owner AND s.deptype = 'o') THEN
    RETURN '{}';
  END IF;
  -- REASSIGN OWNED also moves the databases the role owns (the seed itself):
  -- they are given back in the same transaction.
  SELECT string_agg(format('; ALTER DATABASE %I OWNER TO %I', d.datname, v_name), '') INTO v_owned
    FROM pg_database d WHERE d.datdba = v_seed_owner;
  v_conn := provisioning._remote_open_bounded(p_db);
  PERFORM provisioning._as_inheriting(v_conn, ARRAY[v_name, p_db],
    format('REASSIGN OWNED BY %I TO %I', v_name, p_db) || coalesce(v_owned, ''));
  PERFORM provisioning._remote_close(v_conn);
  RETURN ARRAY[format('objects of %s handed to %s', v_name, p_db)];
END $$;

-- CREATE DATABASE cannot run in a transaction block, so copying a non-template
-- seed needs the inherited ownership committed around it; it is taken back
-- whether the copy worked or not.
CREATE FUNCTION provisioning._copy_database(p_conn text, p_db text, p_seed text, p_seed_owner text, p_inherit boolean)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_create text := format('CREATE DATABASE %I OWNER %I TEMPLATE %I ALLOW_CONNECTIONS false', p_db, p_db, p_seed);
  v_pg16 boolean := provisioning._pg16();
BEGIN
  IF NOT (p_inherit AND v_pg16) OR (SELECT d.datistemplate FROM pg_database d WHERE d.datname = p_seed) THEN
    PERFORM provisioning._remote(p_conn, v_create);
    RETURN;
  END IF;
  PERFORM provisioning._remote(p_conn, format('GRANT %I TO %I WITH INHERIT TRUE', p_seed_owner, current_user));
  BEGIN
    PERFORM provisioning._remote(p_conn, v_create);
  EXCEPTION WHEN OTHERS THEN
    PERFORM provisioning._remote(p_conn, format('REVOKE INHERIT OPTION FOR %I FROM %I', p_seed_owner, current_user));
    RAISE;
  END;
  PERFORM provisioning._remote(p_conn, format('REVOKE INHERIT OPTION FOR %I FROM %I', p_seed_owner, current_user));
END $$;

-- Which database a request means, by the naming rules (as in 003).
CREATE FUNCTION provisioning._resolve_database(p_type text, p_owner text, p_owner_id text, p_team text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_db text;
BEGIN
  IF p_type = 'individual' THEN
    IF p_team IS NOT NULL THEN
      RAISE EXCEPTION 'team must not be set for an individual database' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- A renamed Coder user keeps the database created under their old name.
    SELECT d.db_name INTO v_db FROM provisioning.databases d
     WHERE d.owner_id = p_owner_id AND d.status <> 'dropped';
    RETURN coalesce(v_db, provisioning.individual_db_name(p_owner));
  ELSIF p_type = 'team' THEN
    RETURN provisioning.team_db_name(p_team);
  END IF;
  RAISE EXCEPTION 'invalid database type %: must be one of "individual", "team"', coalesce(quote_literal(p_type), '(null)')
    USING ERRCODE = 'invalid_parameter_value';
END $$;

-- Refuses a database that is not this caller's to use (as in 003).
CREATE FUNCTION provisioning._check_usable(p_row provisioning.databases, p_owner_id text, p_owner text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_row.owner_id IS NOT NULL AND p_owner_id IS NOT NULL AND p_row.owner_id <> p_owner_id AND p_row.status <> 'dropped' THEN
    RAISE EXCEPTION 'database % belongs to another Coder user (id %), who had the username % before', p_row.db_name, p_row.owner_id, p_owner
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'an admin must decide what happens to that database (devdb inspect / rename the old one) before it is reused';
  ELSIF p_row.status = 'archived' THEN
    RAISE EXCEPTION 'database % is archived', p_row.db_name
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = format('an admin must restore it before it can be used again (SELECT * FROM provisioning.restore_database(%L))', p_row.db_name);
  END IF;
END $$;

-- ensure_database, now with p_seed_from: the database is copied from that seed
-- when (and only when) this call creates it.
DROP FUNCTION provisioning.ensure_database(text, text, text, text, text);
CREATE FUNCTION provisioning.ensure_database(
  p_type text, p_owner text, p_owner_id text, p_team text, p_actor text DEFAULT NULL, p_seed_from text DEFAULT NULL
) RETURNS TABLE (db_name text, created boolean, repaired text[])
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_owner text := CASE WHEN p_type = 'individual' THEN provisioning.normalize_username(p_owner) END;
  v_db text := provisioning._resolve_database(p_type, v_owner, p_owner_id, p_team);
  v_row provisioning.databases;
  v_done text[] := '{}';
BEGIN
  PERFORM provisioning._lock_database(v_db);
  SELECT * INTO v_row FROM provisioning.databases d WHERE d.db_name = v_db;
  IF FOUND THEN
    PERFORM provisioning._check_usable(v_row, p_owner_id, v_owner);
  END IF;
  IF p_seed_from IS NOT NULL AND NOT EXISTS (SELECT FROM pg_database d WHERE d.datname = v_db) THEN
    v_done := provisioning._create_from_seed(v_db, p_seed_from);
  END IF;
  -- A copy starts with PUBLIC's default rights: revoking them is creation, not repair.
  v_done := v_done || array_remove(provisioning._ensure_objects(v_db, p_type),
                                   CASE WHEN 'database created' = ANY (v_done) THEN 'PUBLIC access revoked' END);
  IF p_seed_from IS NOT NULL THEN -- after _ensure_objects: the copy is closed to connections until then
    v_done := v_done || provisioning._adopt_seed_objects(v_db, p_seed_from);
  END IF;

  INSERT INTO provisioning.databases AS d (db_name, db_type, owner_username, owner_id, team_name, metadata)
  VALUES (v_db, p_type, v_owner, p_owner_id, CASE WHEN p_type = 'team' THEN p_team END,
          CASE WHEN p_seed_from IS NOT NULL AND 'database created' = ANY (v_done)
               THEN jsonb_build_object('seeded_from', p_seed_from) ELSE '{}' END)
  ON CONFLICT (db_name) DO UPDATE
    SET status = 'active',
        owner_username = coalesce(excluded.owner_username, d.owner_username),
        owner_id = coalesce(d.owner_id, excluded.owner_id),
        metadata = (d.metadata - 'dropped') || excluded.metadata;
  IF p_type = 'individual' THEN
    INSERT INTO provisioning.db_users (username, db_name, access_level)
    VALUES (v_owner, v_db, 'owner') ON CONFLICT DO NOTHING;
  END IF;
  PERFORM provisioning._log(p_actor, 'database.ensure', v_db, NULL,
    jsonb_build_object('created', 'database created' = ANY (v_done), 'done', to_jsonb(v_done), 'seed_from', p_seed_from));

  db_name := v_db;
  created := 'database created' = ANY (v_done);
  repaired := v_done;
  RETURN NEXT;
END $$;

-- attach_workspace with p_seed_from: an overload (all eleven arguments required)
-- around 003's attach. Ensuring first with the seed takes the database's lock,
-- which the inner attach takes again (advisory locks nest) and finds the
-- database in place.
CREATE FUNCTION provisioning.attach_workspace(
  p_type text, p_owner text, p_owner_id text, p_team text,
  p_workspace_id text, p_workspace_name text, p_template text,
  p_password_verifier text, p_connection_limit int, p_actor text, p_seed_from text
) RETURNS TABLE (db_name text, login_role text, created_database boolean, reattached boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_created boolean := false;
BEGIN
  IF p_seed_from IS NOT NULL THEN
    -- Validate the cheap inputs before anything is created.
    PERFORM provisioning.normalize_username(p_owner), provisioning.validate_workspace_id(p_workspace_id);
    IF p_password_verifier IS NULL OR p_password_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
      RAISE EXCEPTION 'attach_workspace needs a SCRAM-SHA-256 verifier, not a password' USING ERRCODE = 'invalid_parameter_value';
    ELSIF p_connection_limit IS NULL OR p_connection_limit < -1 THEN
      RAISE EXCEPTION 'invalid connection limit %: must be -1 (no limit) or a non-negative number', p_connection_limit
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT e.created INTO v_created
      FROM provisioning.ensure_database(p_type, p_owner, CASE WHEN p_type = 'individual' THEN p_owner_id END,
                                        p_team, p_actor, p_seed_from) e;
  END IF;
  RETURN QUERY
  SELECT a.db_name, a.login_role, a.created_database OR v_created, a.reattached
    FROM provisioning.attach_workspace(p_type, p_owner, p_owner_id, p_team, p_workspace_id, p_workspace_name,
                                       p_template, p_password_verifier, p_connection_limit, p_actor) a;
END $$;

-- ------------------------------------------------------------- drift state

-- What the provider's Read compares with its state: does the database exist,
-- what may PUBLIC do on it, is the workspace's login role there and able to log in.
CREATE FUNCTION provisioning.attachment_state(p_db text, p_workspace_id text)
RETURNS TABLE (database_exists boolean, status text, public_privileges text[], attached boolean,
               login_role text, login_role_exists boolean, login_role_can_login boolean, connection_limit int)
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT FROM pg_database d WHERE d.datname = p_db),
         (SELECT d.status FROM provisioning.databases d WHERE d.db_name = p_db),
         provisioning._database_grants(p_db, 'public'),
         a.login_role IS NOT NULL,
         a.login_role,
         r.rolname IS NOT NULL,
         coalesce(r.rolcanlogin, false),
         r.rolconnlimit
    FROM (SELECT provisioning.validate_workspace_id(p_workspace_id) AS ws) w
    LEFT JOIN provisioning.attachments a ON a.db_name = p_db AND a.workspace_id = w.ws AND a.detached_at IS NULL
    LEFT JOIN pg_roles r ON r.rolname = a.login_role;
$$;

-- 001's ALTER DEFAULT PRIVILEGES … IN SCHEMA cannot take away what the global
-- defaults give (per-schema defaults only add), so PUBLIC could still EXECUTE
-- every function here. Take it away for these and all later ones; the
-- workspaces keep report_access() through devdb_workspace.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA provisioning FROM PUBLIC;
