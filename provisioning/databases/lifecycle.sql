-- What happens to a database at the end of its use (docs/resources/database.md; docs/architecture.md, "Last access and lifecycle"): the
-- on_last_detach policy (keep | archive | drop) applied by detach_workspace,
-- retiring a database no workspace uses, restoring an archived one, and drops
-- that wait for a verified final backup (docs/backups.md, "Before anything
-- destructive").
--
-- Repeatable file: see docs/architecture-sql.md. DDL runs on the loopback
-- session, the calling transaction holds the database's advisory lock and does
-- the bookkeeping, and every step checks the catalogs first so a re-run converges.

-- Where an archived database lives: 'archived_' + at most 45 bytes fits 63, and
-- no live name (dev_…, team_…) starts that way.
CREATE OR REPLACE FUNCTION provisioning._archived_name(p_db text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN 'archived_' || p_db;

-- Where p_db is now: its own name, else its archived name, else null (gone).
CREATE OR REPLACE FUNCTION provisioning._physical_name(p_db text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT d.datname::text FROM pg_database d
   WHERE d.datname IN (p_db, provisioning._archived_name(p_db))
   ORDER BY d.datname = p_db DESC LIMIT 1;
$$;

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

-- Closes p_db (under its own or its archived name) to new connections, as its
-- owner role (ALTER DATABASE needs ownership), and ends its sessions.
CREATE OR REPLACE FUNCTION provisioning._close_database(p_conn text, p_db text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_physical text := coalesce(provisioning._physical_name(p_db), p_db);
BEGIN
  PERFORM provisioning._remote(p_conn, format('SET ROLE %I; ALTER DATABASE %I ALLOW_CONNECTIONS false; RESET ROLE', p_db, v_physical));
  RETURN provisioning._end_sessions(v_physical);
END $$;

-- An archived database refuses connections, and its final backup (pg_dump)
-- needs them while it runs: opened for it, closed again afterwards (and by the
-- drop). Nobody else gets in meanwhile: PUBLIC has no CONNECT, the owner role
-- cannot log in, and its workspaces' login roles were dropped at their detach.
-- Returns the archived name.
CREATE OR REPLACE FUNCTION provisioning._allow_archived_connections(p_db text, p_allow boolean) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_archived text := provisioning._archived_name(p_db);
  v_conn text;
BEGIN
  PERFORM provisioning._lock_database(p_db);
  IF (SELECT d.status FROM provisioning.databases d WHERE d.db_name = p_db) IS DISTINCT FROM 'archived'
     OR NOT EXISTS (SELECT FROM pg_database d WHERE d.datname = v_archived) THEN
    RAISE EXCEPTION 'database % is not archived (no database named %)', p_db, v_archived
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  v_conn := provisioning._remote_open_bounded(current_database());
  PERFORM provisioning._remote(v_conn, format('SET ROLE %I; ALTER DATABASE %I ALLOW_CONNECTIONS %s; RESET ROLE',
                                              p_db, v_archived, CASE WHEN p_allow THEN 'true' ELSE 'false' END));
  PERFORM provisioning._remote_close(v_conn);
  RETURN v_archived;
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

-- Drops p_db (under its own or, once archived, its archived name) and its owner
-- role. Returns the sessions ended; converges after an interrupted run (each
-- object is dropped only if still there).
CREATE OR REPLACE FUNCTION provisioning._drop_objects(p_db text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_physical text := coalesce(provisioning._physical_name(p_db), p_db);
  v_owner text := (SELECT pg_get_userbyid(d.datdba) FROM pg_database d WHERE d.datname = v_physical);
  v_conn text;
  v_ended int := 0;
BEGIN
  IF v_owner IS NOT NULL AND v_owner <> p_db THEN
    RAISE EXCEPTION 'database % is owned by %, not by DevDB''s role %; DevDB will not drop it', v_physical, v_owner, p_db
      USING ERRCODE = 'insufficient_privilege', HINT = 'someone changed its owner; drop it yourself or give it back to its role';
  END IF;
  v_conn := provisioning._remote_open_bounded(current_database());
  IF v_owner IS NOT NULL THEN
    PERFORM provisioning._check_removable(v_physical, true);
    BEGIN
      v_ended := provisioning._close_database(v_conn, p_db);
      -- As the owner, without FORCE: the sessions are already ended, and FORCE
      -- would need the owner role to be allowed to signal them.
      PERFORM provisioning._remote(v_conn, format('SET ROLE %I', p_db));
      PERFORM provisioning._remote(v_conn, format('DROP DATABASE %I', v_physical)); -- alone: no transaction block
      PERFORM provisioning._remote(v_conn, 'RESET ROLE');
    EXCEPTION WHEN lock_not_available OR query_canceled OR object_in_use THEN
      PERFORM provisioning._raise_removal_failure(p_db, 'drop', SQLSTATE, SQLERRM);
    END;
  END IF;
  -- Its snapshots go with it (snapshots.sql): they belong to its owner role.
  PERFORM provisioning._drop_snapshots(v_conn, p_db);
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

-- Drops p_db now and records it: with the id of its verified final backup, or
-- the reason it goes without one (event database.drop_without_backup).
CREATE OR REPLACE FUNCTION provisioning._drop_database(p_db text, p_actor text, p_final_backup_id bigint, p_no_backup_reason text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_ended int;
BEGIN
  IF p_final_backup_id IS NULL AND nullif(btrim(p_no_backup_reason), '') IS NULL THEN
    RAISE EXCEPTION 'database % is not dropped: a drop needs a verified final backup, or a reason to go without one', p_db
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_ended := provisioning._drop_objects(p_db);
  UPDATE provisioning.databases d
     SET status = 'dropped', drop_requested_at = NULL, drop_requested_by = NULL, drop_error = NULL,
         metadata = (d.metadata - 'archived' - 'connections_disabled') || jsonb_build_object('dropped', jsonb_strip_nulls(
           jsonb_build_object('at', provisioning._now(), 'final_backup_id', p_final_backup_id)))
   WHERE d.db_name = p_db;
  PERFORM provisioning._log(p_actor, 'database.drop', p_db, NULL, jsonb_strip_nulls(jsonb_build_object(
    'sessions_terminated', v_ended, 'final_backup_id', p_final_backup_id)));
  IF p_final_backup_id IS NULL THEN
    PERFORM provisioning._log(p_actor, 'database.drop_without_backup', p_db, NULL,
      jsonb_build_object('reason', p_no_backup_reason));
  END IF;
  RETURN 'dropped';
END $$;

-- Applies the policy once the last live attachment of p_db is gone; returns
-- what happened to the database ('kept', 'archived', 'drop_pending',
-- 'dropped'). A drop with p_final_backup archives the database now and marks
-- the drop pending: completePendingDrops (provisioning/backups/final-backup.ts) drops
-- it once a final backup is taken and verified. Without it, the drop is
-- immediate and recorded as going without a backup.
CREATE OR REPLACE FUNCTION provisioning._apply_last_detach(p_db text, p_policy text, p_actor text, p_final_backup boolean DEFAULT true)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_ended int;
  v_exists boolean := provisioning._physical_name(p_db) IS NOT NULL;
  -- A database that is gone already has nothing left to back up.
  v_pending boolean := p_policy = 'drop' AND p_final_backup AND v_exists;
BEGIN
  IF p_policy = 'keep' OR (SELECT d.status FROM provisioning.databases d WHERE d.db_name = p_db) IS DISTINCT FROM 'active' THEN
    RETURN 'kept';
  ELSIF p_policy = 'archive' OR v_pending THEN
    v_ended := provisioning._archive_objects(p_db);
    UPDATE provisioning.databases d
       SET status = 'archived',
           -- an archive is closed anyway; a restore opens it (set_database_connections)
           metadata = (d.metadata - 'connections_disabled') || jsonb_build_object('archived', jsonb_build_object(
             'physical_name', provisioning._archived_name(p_db), 'at', provisioning._now())),
           drop_requested_at = CASE WHEN v_pending THEN now() END,
           drop_requested_by = CASE WHEN v_pending THEN coalesce(p_actor, session_user) END,
           drop_error = NULL
     WHERE d.db_name = p_db;
    PERFORM provisioning._log(p_actor, 'database.archive', p_db, NULL, jsonb_build_object(
      'physical_name', provisioning._archived_name(p_db), 'sessions_terminated', v_ended)
      || CASE WHEN v_pending THEN jsonb_build_object('drop_pending', true) ELSE '{}' END);
    RETURN CASE WHEN v_pending THEN 'drop_pending' ELSE 'archived' END;
  END IF;
  RETURN provisioning._drop_database(p_db, p_actor, NULL,
    CASE WHEN v_exists THEN 'final_backup = false' ELSE 'it no longer existed' END);
END $$;

-- Archives or drops a database no workspace is attached to (an admin's decision,
-- e.g. destroying a devdb_team with on_destroy = drop). Refuses while attached.
-- A drop waits for a final backup unless p_final_backup is false (see above).
CREATE OR REPLACE FUNCTION provisioning.retire_database(p_db text, p_policy text, p_actor text DEFAULT NULL,
                                                        p_final_backup boolean DEFAULT true)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_policy text := provisioning._validate_on_last_detach(p_policy);
BEGIN
  PERFORM provisioning._lock_database(p_db);
  PERFORM provisioning._check_detached(p_db);
  IF v_policy <> 'keep' THEN
    PERFORM provisioning._check_removable(p_db, v_policy = 'drop');
  END IF;
  RETURN provisioning._apply_last_detach(p_db, v_policy, p_actor, coalesce(p_final_backup, true));
END $$;

-- Known to DevDB and without a live attachment, or an error saying so.
CREATE OR REPLACE FUNCTION provisioning._check_detached(p_db text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_attached int;
BEGIN
  IF NOT EXISTS (SELECT FROM provisioning.databases d WHERE d.db_name = p_db) THEN
    RAISE EXCEPTION 'no DevDB database named %', coalesce(quote_literal(p_db), '(null)') USING ERRCODE = 'undefined_object';
  END IF;
  SELECT count(*) INTO v_attached FROM provisioning.attachments a WHERE a.db_name = p_db AND a.detached_at IS NULL;
  IF v_attached > 0 THEN
    RAISE EXCEPTION 'database % still has % attached workspace(s)', p_db, v_attached
      USING ERRCODE = 'object_in_use',
            HINT = 'detach them first (delete those workspaces), or keep the database';
  END IF;
END $$;

-- Drops p_db now, active or archived (a pending drop too), once the caller has
-- taken and verified its final backup (a backup of kind 'final' with
-- verified_at), or with the reason it goes without one. dropWithFinalBackup
-- (provisioning/backups/final-backup.ts) is the caller that takes the backup.
CREATE OR REPLACE FUNCTION provisioning.drop_database(p_db text, p_actor text DEFAULT NULL,
                                                      p_final_backup_id bigint DEFAULT NULL,
                                                      p_no_backup_reason text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM provisioning._lock_database(p_db);
  PERFORM provisioning._check_detached(p_db);
  IF (SELECT d.status FROM provisioning.databases d WHERE d.db_name = p_db) = 'dropped' THEN
    RAISE EXCEPTION 'database % is dropped already', p_db USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF p_final_backup_id IS NOT NULL AND NOT EXISTS (
       SELECT FROM provisioning.backups b
        WHERE b.id = p_final_backup_id AND b.db_name = p_db AND b.kind = 'final'
          AND b.status = 'ok' AND b.verified_at IS NOT NULL) THEN
    RAISE EXCEPTION 'backup % is not a verified final backup of %: % is not dropped', p_final_backup_id, p_db, p_db
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN provisioning._drop_database(p_db, p_actor, p_final_backup_id, p_no_backup_reason);
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
  v_row := provisioning._locked_database(p_db);
  IF v_row.status = 'dropped' THEN
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
    -- A pending drop is called off: the database is in use again.
    UPDATE provisioning.databases d
       SET status = 'active', metadata = (d.metadata - 'archived') || jsonb_build_object('restored_at', provisioning._now()),
           drop_requested_at = NULL, drop_requested_by = NULL, drop_error = NULL
     WHERE d.db_name = p_db;
    PERFORM provisioning._log(p_actor, 'database.restore', p_db, NULL, jsonb_build_object('from', v_archived)
      || CASE WHEN v_row.drop_requested_at IS NOT NULL THEN jsonb_build_object('drop_cancelled', true) ELSE '{}' END);
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
  v_count int := provisioning._apply_attachment_settings(v_conn, p_db, p_db);
BEGIN
  IF EXISTS (SELECT FROM pg_roles r WHERE r.rolname = provisioning.read_role_name(p_db)) THEN
    PERFORM provisioning._ensure_read_role(v_conn, p_db);
  END IF;
  PERFORM provisioning._remote_close(v_conn);
  RETURN v_count;
END $$;

-- The live write attachments of p_db: their per-database settings (`SET role`
-- to the owner role, a team member's search_path) in database p_target (p_db
-- itself, or a snapshot restore's copy before it takes p_db's name,
-- snapshots.sql). Only values DevDB makes. Returns how many login roles were set.
CREATE OR REPLACE FUNCTION provisioning._apply_attachment_settings(p_conn text, p_db text, p_target text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_type text := (SELECT d.db_type FROM provisioning.databases d WHERE d.db_name = p_db);
  v_att provisioning.attachments;
  v_count int := 0;
BEGIN
  FOR v_att IN SELECT * FROM provisioning.attachments a
                WHERE a.db_name = p_db AND a.detached_at IS NULL AND a.access_level = 'write'
                  AND EXISTS (SELECT FROM pg_roles r WHERE r.rolname = a.login_role)
  LOOP
    PERFORM provisioning._remote(p_conn, format('ALTER ROLE %I IN DATABASE %I SET role = %L',
                                                v_att.login_role, p_target, p_db));
    IF v_type = 'team' THEN
      PERFORM provisioning._set_personal_search_path(p_conn, v_att.login_role, p_target, v_att.owner_username);
    END IF;
    v_count := v_count + 1;
  END LOOP;
  RETURN v_count;
END $$;

-- One database as the registry and the server see it now (drift included).
CREATE OR REPLACE FUNCTION provisioning.database_state(p_db text)
RETURNS TABLE (known boolean, database_exists boolean, status text, db_type text, owner_username text,
               team_name text, public_privileges text[], live_attachments int)
LANGUAGE sql STABLE AS $$
  SELECT d.db_name IS NOT NULL,
         EXISTS (SELECT FROM pg_database p WHERE p.datname = p_db),
         d.status, d.db_type, d.owner_username, d.team_name,
         provisioning._database_grants(p_db, 'public'),
         (SELECT count(*)::int FROM provisioning.attachments a WHERE a.db_name = p_db AND a.detached_at IS NULL)
    FROM (SELECT p_db AS name) n
    LEFT JOIN provisioning.databases d ON d.db_name = n.name;
$$;

-- What the provider's Read compares with its state: does the database exist,
-- what may PUBLIC do on it, is the workspace's login role there and able to log in.
CREATE OR REPLACE FUNCTION provisioning.attachment_state(p_db text, p_workspace_id text)
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
