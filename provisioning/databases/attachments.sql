-- Attachments: a workspace's own LOGIN role on its database (attach), and its
-- end (detach), with the on_last_detach policy (docs/security.md; docs/resources/database.md).
--
-- Repeatable file: see docs/architecture-sql.md. DDL runs on the loopback
-- session (helpers.sql explains why).

-- Attaches a workspace: ensures its database (copied from p_seed_from when this
-- call creates it), then creates (or, on a re-run, re-keys) the workspace's own
-- LOGIN role. p_password_verifier is a SCRAM verifier computed by the caller, so
-- the password itself never reaches the server; tokens of the attachment not
-- used yet then stop being usable. NULL is enrollment (enrollment.sql): a new
-- role gets no password, an existing one keeps its own. p_if_attached says what happens
-- when the workspace is already attached to the database: 'rekey' (the default:
-- the provider relies on it to converge after a crash) gives its role the new
-- verifier, so the old password stops working; 'refuse' raises DV002 instead.
-- Decided under the member lock, so of two concurrent refusing attaches of one
-- workspace, one attaches and the other refuses.
CREATE OR REPLACE FUNCTION provisioning.attach_workspace(
  p_type text, p_owner text, p_owner_id text, p_team text,
  p_workspace_id text, p_workspace_name text, p_template text,
  p_password_verifier text, p_connection_limit int DEFAULT -1, p_actor text DEFAULT NULL,
  p_seed_from text DEFAULT NULL, p_access text DEFAULT 'write', p_if_attached text DEFAULT 'rekey'
) RETURNS TABLE (db_name text, login_role text, created_database boolean, reattached boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_owner text := provisioning.normalize_username(p_owner);
  v_ws text := provisioning.validate_workspace_id(p_workspace_id);
  v_access text := provisioning._validate_access(p_access);
  v_db text;
  v_created boolean;
  v_role text;
  v_exists boolean;
  v_sql text;
  v_schema text;
  v_conn text;
  v_db_owner text;
  v_att_owner text;
  -- Enrollment (NULL verifier): CREATE ROLE without a password, ALTER ROLE keeps it.
  v_password text := CASE WHEN p_password_verifier IS NOT NULL THEN format(' PASSWORD %L', p_password_verifier) ELSE '' END;
BEGIN
  PERFORM provisioning._validate_one_of('if_attached', p_if_attached, ARRAY['rekey', 'refuse']);
  IF p_password_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
    RAISE EXCEPTION 'attach_workspace needs a SCRAM-SHA-256 verifier, not a password' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_connection_limit IS NULL OR p_connection_limit < -1 THEN
    RAISE EXCEPTION 'invalid connection limit %: must be -1 (no limit) or a non-negative number', p_connection_limit
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  SELECT e.db_name, e.created INTO v_db, v_created
    FROM provisioning.ensure_database(p_type, p_owner, CASE WHEN p_type = 'individual' THEN p_owner_id END,
                                      p_team, p_actor, p_seed_from) e;
  SELECT d.owner_username INTO v_db_owner FROM provisioning.databases d WHERE d.db_name = v_db;
  IF p_type = 'individual' AND v_db_owner <> v_owner THEN
    RAISE EXCEPTION 'database % belongs to %, not to %', v_db, v_db_owner, v_owner USING ERRCODE = 'insufficient_privilege';
  END IF;

  -- Attaches to a ready database hold its lock in shared mode (ensure_database):
  -- this member's role and schema are changed by one of them at a time.
  PERFORM provisioning._lock_member(v_db, v_owner);
  -- An attached workspace keeps its login role, whose name may hold the owner's
  -- name from before a rename; a team member's rename follows here too.
  SELECT a.login_role, a.owner_username INTO v_role, v_att_owner FROM provisioning.attachments a
   WHERE a.db_name = v_db AND a.workspace_id = v_ws AND a.detached_at IS NULL;
  IF v_role IS NOT NULL AND p_if_attached = 'refuse' THEN
    RAISE EXCEPTION 'workspace % is already attached to database % (login role %)', v_ws, v_db, v_role
      USING ERRCODE = 'DV002', DETAIL = json_build_object('database', v_db, 'user', v_role)::text,
            HINT = 'attaching it again with a new password makes the old one stop working';
  END IF;
  IF v_att_owner <> v_owner THEN
    PERFORM provisioning._rename_owner(v_db, p_type, v_att_owner, v_owner, p_actor);
  END IF;
  v_role := coalesce(v_role, provisioning.login_role_name(v_owner, v_db, v_ws));
  v_exists := EXISTS (SELECT FROM pg_roles r WHERE r.rolname = v_role);
  IF v_access = 'write' AND NOT (v_exists AND provisioning._is_direct_member(v_role, provisioning.read_role_name(v_db))) THEN
    -- The common case, kept to one loopback session and one transaction (a
    -- session costs a backend start and an authentication): docs/benchmarks.md,
    -- "Contended attach". Must give what _set_access gives a writer.
    IF v_exists THEN
      v_sql := format('ALTER ROLE %I WITH LOGIN%s CONNECTION LIMIT %s; ',
                      v_role, v_password, p_connection_limit);
      IF NOT pg_has_role(v_role, v_db, 'USAGE') THEN
        v_sql := v_sql || format('GRANT %I TO %I; ', v_db, v_role);
      END IF;
      IF NOT pg_has_role(v_role, 'devdb_workspace', 'USAGE') THEN
        v_sql := v_sql || format('GRANT devdb_workspace TO %I; ', v_role);
      END IF;
    ELSE
      -- INHERIT: the owner's CONNECT right applies at login; devdb_workspace's in `devdb`.
      v_sql := format('CREATE ROLE %I LOGIN INHERIT%s CONNECTION LIMIT %s IN ROLE %I, devdb_workspace; ',
                      v_role, v_password, p_connection_limit, v_db);
    END IF;
    -- Sessions in the workspace's database act as the owner role, so every object
    -- belongs to the owner and the login role stays droppable.
    v_sql := v_sql || format('ALTER ROLE %I IN DATABASE %I SET role = %L', v_role, v_db, v_db);
    IF p_type = 'team' THEN
      v_schema := provisioning.personal_schema_name(v_owner);
      v_sql := v_sql || format('; ALTER ROLE %I IN DATABASE %I SET search_path = %I, shared, public', v_role, v_db, v_schema)
                     || format('; SET ROLE %I; CREATE SCHEMA IF NOT EXISTS %I; RESET ROLE', v_db, v_schema);
    END IF;
    -- Into the database itself: roles are cluster-wide.
    v_conn := provisioning._remote_open(v_db);
    PERFORM provisioning._remote(v_conn, v_sql);
  ELSE
    -- Read access, or a switch from read to write. The read role's grants (on
    -- the database, its schemas and tables, the default privileges) are shared by
    -- every reader: set up by one attach at a time, or concurrent GRANTs on one
    -- catalog row fail with "tuple concurrently updated".
    PERFORM provisioning._lock_member(v_db, provisioning.read_role_name(v_db));
    v_conn := provisioning._remote_open(current_database());
    IF v_exists THEN
      PERFORM provisioning._remote(v_conn, format('ALTER ROLE %I WITH LOGIN%s CONNECTION LIMIT %s',
                                                  v_role, v_password, p_connection_limit));
    ELSE
      -- INHERIT: the read role's (or owner's) CONNECT right applies at login;
      -- devdb_workspace's in `devdb`. Memberships come from _set_access.
      PERFORM provisioning._remote(v_conn, format(
        'CREATE ROLE %I LOGIN INHERIT%s CONNECTION LIMIT %s',
        v_role, v_password, p_connection_limit));
    END IF;
    PERFORM provisioning._set_access(v_conn, v_role, v_db, v_access,
                                     CASE WHEN p_type = 'team' THEN provisioning.personal_schema_name(v_owner) END);
  END IF;
  PERFORM provisioning._remote_close(v_conn);

  UPDATE provisioning.attachments a
     SET workspace_name = coalesce(p_workspace_name, a.workspace_name),
         template_name = coalesce(p_template, a.template_name),
         login_role = v_role,
         access_level = v_access
   WHERE a.db_name = v_db AND a.workspace_id = v_ws AND a.detached_at IS NULL;
  reattached := FOUND;
  IF NOT reattached THEN
    INSERT INTO provisioning.attachments (db_name, workspace_id, workspace_name, owner_username, login_role, template_name, access_level)
    VALUES (v_db, v_ws, p_workspace_name, v_owner, v_role, p_template, v_access);
  END IF;
  IF p_password_verifier IS NOT NULL THEN
    PERFORM provisioning._revoke_enrollment_tokens(a.id) FROM provisioning.attachments a -- enrollment.sql
     WHERE a.db_name = v_db AND a.workspace_id = v_ws AND a.detached_at IS NULL;
  END IF;
  PERFORM provisioning._record_db_user(v_owner, v_db);
  IF v_created THEN
    -- This attach's own session in the new database is not access either (access.sql).
    PERFORM provisioning._baseline_new_database(v_db);
  END IF;
  PERFORM provisioning._log(p_actor, 'workspace.attach', v_db, v_ws,
    jsonb_build_object('login_role', v_role, 'owner', v_owner, 'reattached', reattached, 'access', v_access,
                       'workspace_name', p_workspace_name, 'template', p_template,
                       'credentials', CASE WHEN p_password_verifier IS NULL THEN 'enrollment' ELSE 'password' END));

  db_name := v_db;
  login_role := v_role;
  created_database := v_created;
  RETURN NEXT;
END $$;

-- Drops a login role everywhere: no new logins, sessions terminated, anything it
-- came to own handed to the database's owner role in every database it touched.
CREATE OR REPLACE FUNCTION provisioning._drop_login_role(p_role text, p_db_owner text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_conn text;
  v_terminated int;
  v_db text;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = p_role) THEN
    RETURN 0;
  END IF;
  v_conn := provisioning._remote_open(current_database());
  PERFORM provisioning._remote(v_conn, format('ALTER ROLE %I NOLOGIN', p_role));
  SELECT count(*) FILTER (WHERE pg_terminate_backend(a.pid, 5000)) INTO v_terminated
    FROM pg_stat_activity a WHERE a.usename = p_role;

  FOR v_db IN
    SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
     WHERE s.refclassid = 'pg_authid'::regclass
       AND s.refobjid = (SELECT r.oid FROM pg_roles r WHERE r.rolname = p_role)
       AND s.deptype IN ('o', 'a') ORDER BY 1
  LOOP
    -- REASSIGN/DROP OWNED need the privileges of the role, and act only in the
    -- database they run in.
    PERFORM provisioning._remote(v_conn, format(
      CASE WHEN current_setting('server_version_num')::int >= 160000
           THEN 'GRANT %I TO %I WITH INHERIT TRUE, SET FALSE' ELSE 'GRANT %I TO %I' END, p_role, current_user));
    DECLARE
      v_inner text := provisioning._remote_open(v_db);
    BEGIN
      PERFORM provisioning._remote(v_inner, format('REASSIGN OWNED BY %I TO %I; DROP OWNED BY %I', p_role, p_db_owner, p_role));
      PERFORM provisioning._remote_close(v_inner);
    END;
  END LOOP;
  PERFORM provisioning._remote(v_conn, format('DROP ROLE IF EXISTS %I', p_role));
  PERFORM provisioning._remote_close(v_conn);
  RETURN v_terminated;
END $$;

-- Records what the workspace's template says happens at the last detach
-- (on_last_detach, final_backup), for a detach that does not come from the
-- provider: cleanup's, once Coder confirmed the workspace deleted
-- (cleanup_detach, policy.sql). False when the workspace is not attached.
CREATE OR REPLACE FUNCTION provisioning.record_last_detach(
  p_db text, p_workspace_id text, p_on_last_detach text, p_final_backup boolean DEFAULT true
) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE provisioning.attachments a
     SET on_last_detach = provisioning._validate_on_last_detach(p_on_last_detach),
         final_backup = coalesce(p_final_backup, true)
   WHERE a.db_name = p_db AND a.workspace_id = p_workspace_id AND a.detached_at IS NULL;
  RETURN FOUND;
END $$;

-- Detaches a workspace from every database it is attached to (or only p_db):
-- its credentials die with it. When it was a database's last live attachment,
-- p_on_last_detach (keep | archive | drop, default keep) says what happens to
-- the database (docs/resources/database.md); a drop waits for a verified final
-- backup unless p_final_backup is false (_apply_last_detach, lifecycle.sql).
-- Whether this is the last live attachment is decided under the database's
-- lock: of two concurrent last detaches, the second sees the first's commit.
CREATE OR REPLACE FUNCTION provisioning.detach_workspace(
  p_workspace_id text, p_db text DEFAULT NULL, p_actor text DEFAULT NULL, p_on_last_detach text DEFAULT NULL,
  p_final_backup boolean DEFAULT true
) RETURNS TABLE (db_name text, login_role text, sessions_terminated int, database_action text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_ws text := provisioning.validate_workspace_id(p_workspace_id);
  v_policy text := provisioning._validate_on_last_detach(coalesce(p_on_last_detach, 'keep'));
  v_db text;
  v_att provisioning.attachments;
  v_last boolean;
  v_found boolean := false;
BEGIN
  FOR v_db IN
    SELECT DISTINCT a.db_name FROM provisioning.attachments a
     WHERE a.workspace_id = v_ws AND a.detached_at IS NULL AND (p_db IS NULL OR a.db_name = p_db)
     ORDER BY 1
  LOOP
    PERFORM provisioning._lock_database(v_db);
    SELECT * INTO v_att FROM provisioning.attachments a
     WHERE a.workspace_id = v_ws AND a.db_name = v_db AND a.detached_at IS NULL;
    -- A concurrent detach got there first: it logged and applied the policy.
    CONTINUE WHEN NOT FOUND;
    v_last := NOT EXISTS (SELECT FROM provisioning.attachments a
                           WHERE a.db_name = v_db AND a.detached_at IS NULL AND a.workspace_id <> v_ws);
    -- Blockers first: a refused drop leaves the workspace attached, its role intact.
    IF v_last AND v_policy <> 'keep' THEN
      PERFORM provisioning._check_removable(v_db, v_policy = 'drop');
    END IF;
    v_found := true;
    db_name := v_db;
    login_role := v_att.login_role;
    sessions_terminated := provisioning._drop_login_role(v_att.login_role, v_db);
    UPDATE provisioning.attachments a SET detached_at = now() WHERE a.id = v_att.id;
    PERFORM provisioning._log(p_actor, 'workspace.detach', v_db, v_ws,
      jsonb_build_object('login_role', v_att.login_role, 'sessions_terminated', sessions_terminated));
    database_action := CASE WHEN v_last THEN provisioning._apply_last_detach(v_db, v_policy, p_actor, coalesce(p_final_backup, true)) END;
    RETURN NEXT;
  END LOOP;
  IF NOT v_found THEN
    PERFORM provisioning._log(p_actor, 'workspace.detach', p_db, v_ws, jsonb_build_object('attached', false));
  END IF;
END $$;

-- A live attachment as recorded: enough to attach the same workspace again.
CREATE OR REPLACE FUNCTION provisioning.find_attachment(p_db text, p_workspace_id text)
RETURNS TABLE (db_type text, owner_username text, owner_id text, team_name text,
               workspace_name text, template_name text, login_role text, access_level text)
LANGUAGE sql STABLE AS $$
  SELECT d.db_type, a.owner_username, d.owner_id, d.team_name, a.workspace_name, a.template_name, a.login_role,
         a.access_level
    FROM provisioning.attachments a JOIN provisioning.databases d USING (db_name)
   WHERE a.db_name = p_db AND a.workspace_id = p_workspace_id AND a.detached_at IS NULL;
$$;
