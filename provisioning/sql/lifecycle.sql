-- What happens to a database at the end of its use (docs/resources/database.md; docs/architecture.md, "Last access and lifecycle"): the
-- on_last_detach policy (keep | archive | drop) applied by detach_workspace,
-- retiring a database no workspace uses, and restoring an archived one.
--
-- Repeatable file: see docs/architecture-sql.md. DDL runs on the loopback
-- session, the calling transaction holds the database's advisory lock and does
-- the bookkeeping, and every step checks the catalogs first so a re-run converges.

-- Where an archived database lives: 'archived_' + at most 45 bytes fits 63, and
-- no live name (dev_…, team_…) starts that way.
CREATE OR REPLACE FUNCTION provisioning._archived_name(p_db text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN 'archived_' || p_db;

CREATE OR REPLACE FUNCTION provisioning._validate_on_last_detach(p_policy text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN provisioning._validate_one_of('on_last_detach', p_policy, ARRAY['keep', 'archive', 'drop']);

-- What would make DROP DATABASE (or RENAME) fail or wait, said before anything
-- is changed: prepared transactions hold a database open, and logical
-- replication slots would be lost with it.
CREATE OR REPLACE FUNCTION provisioning._check_removable(p_db text, p_drop boolean) RETURNS void
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
CREATE OR REPLACE FUNCTION provisioning._end_sessions(p_db text) RETURNS int
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
CREATE OR REPLACE FUNCTION provisioning._close_database(p_conn text, p_db text) RETURNS int
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM provisioning._remote(p_conn, format('SET ROLE %1$I; ALTER DATABASE %1$I ALLOW_CONNECTIONS false; RESET ROLE', p_db));
  RETURN provisioning._end_sessions(p_db);
END $$;

-- A timeout or a session that came back, said in terms of what to do.
CREATE OR REPLACE FUNCTION provisioning._raise_removal_failure(p_db text, p_verb text, p_state text, p_message text) RETURNS void
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
CREATE OR REPLACE FUNCTION provisioning._archive_objects(p_db text) RETURNS int
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
CREATE OR REPLACE FUNCTION provisioning._drop_objects(p_db text) RETURNS int
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
  PERFORM provisioning._drop_read_role(v_conn, p_db);
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
CREATE OR REPLACE FUNCTION provisioning._apply_last_detach(p_db text, p_policy text, p_actor text) RETURNS text
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

-- Archives or drops a database no workspace is attached to (an admin's decision,
-- e.g. destroying a devdb_team with on_destroy = drop). Refuses while attached.
CREATE OR REPLACE FUNCTION provisioning.retire_database(p_db text, p_policy text, p_actor text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_policy text := provisioning._validate_on_last_detach(p_policy);
  v_attached int;
BEGIN
  PERFORM provisioning._lock_database(p_db);
  IF NOT EXISTS (SELECT FROM provisioning.databases d WHERE d.db_name = p_db) THEN
    RAISE EXCEPTION 'no DevDB database named %', coalesce(quote_literal(p_db), '(null)') USING ERRCODE = 'undefined_object';
  END IF;
  SELECT count(*) INTO v_attached FROM provisioning.attachments a WHERE a.db_name = p_db AND a.detached_at IS NULL;
  IF v_attached > 0 THEN
    RAISE EXCEPTION 'database % still has % attached workspace(s)', p_db, v_attached
      USING ERRCODE = 'object_in_use',
            HINT = 'detach them first (delete those workspaces), or keep the database';
  END IF;
  IF v_policy <> 'keep' THEN
    PERFORM provisioning._check_removable(p_db, v_policy = 'drop');
  END IF;
  RETURN provisioning._apply_last_detach(p_db, v_policy, p_actor);
END $$;

-- Brings an archived database back under its own name, open to its roles again.
CREATE OR REPLACE FUNCTION provisioning.restore_database(p_db text, p_actor text DEFAULT NULL)
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

-- After a restore (docs/backups.md, "Restore"), what lives outside the
-- restored objects is applied again: the live write attachments' per-database
-- settings (pg_db_role_setting is keyed by database oid, so a database created
-- afresh has none; in place they are still there and this changes nothing),
-- and the read role's grants and default privileges (in place, DROP OWNED BY
-- the owner role took them). Returns how many login roles were set.
CREATE OR REPLACE FUNCTION provisioning._reapply_after_restore(p_db text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_conn text := provisioning._remote_open(current_database());
  v_type text;
  v_att provisioning.attachments;
  v_count int := 0;
BEGIN
  SELECT d.db_type INTO v_type FROM provisioning.databases d WHERE d.db_name = p_db;
  FOR v_att IN SELECT * FROM provisioning.attachments a
                WHERE a.db_name = p_db AND a.detached_at IS NULL AND a.access_level = 'write'
                  AND EXISTS (SELECT FROM pg_roles r WHERE r.rolname = a.login_role)
  LOOP
    PERFORM provisioning._remote(v_conn, format('ALTER ROLE %I IN DATABASE %I SET role = %L',
                                                v_att.login_role, p_db, p_db));
    IF v_type = 'team' THEN
      PERFORM provisioning._set_personal_search_path(v_conn, v_att.login_role, p_db, v_att.owner_username);
    END IF;
    v_count := v_count + 1;
  END LOOP;
  IF EXISTS (SELECT FROM pg_roles r WHERE r.rolname = provisioning.read_role_name(p_db)) THEN
    PERFORM provisioning._ensure_read_role(v_conn, p_db);
  END IF;
  PERFORM provisioning._remote_close(v_conn);
  RETURN v_count;
END $$;
