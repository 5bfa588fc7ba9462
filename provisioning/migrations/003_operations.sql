-- The provisioning operations (DESIGN.md §5). They live in SQL so that the
-- TypeScript API (provisioning/operations.ts) and the guide's SQL entry points
-- (create_team_db, …) run one implementation.
--
-- PostgreSQL refuses CREATE DATABASE inside a transaction, and a role created
-- in an uncommitted transaction is invisible to other sessions. So every DDL
-- statement runs through dblink on a loopback connection as devdb_provisioner,
-- committing on its own, while the calling transaction holds the advisory lock
-- of each database it touches and records the bookkeeping. Every step checks
-- the catalogs first, so a run interrupted at any point converges when run again.
-- The calling transaction itself runs no DDL: it must hold no catalog lock the
-- loopback session could wait for.

-- Loopback target: host/port are set by `devdb up` or configure_loopback(); the
-- password lives in the user mapping, visible only to its role and superusers.
DO $$
BEGIN
  EXECUTE format('CREATE SERVER devdb_loopback FOREIGN DATA WRAPPER dblink_fdw '
                 'OPTIONS (host %L, port %L, dbname %L)', '127.0.0.1', '5432', current_database());
END $$;

CREATE FUNCTION provisioning.configure_loopback(p_host text, p_port int, p_password text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER SERVER devdb_loopback OPTIONS (SET host %L, SET port %L)', p_host, p_port::text);
  IF EXISTS (SELECT FROM pg_user_mappings WHERE srvname = 'devdb_loopback' AND usename = current_user) THEN
    EXECUTE format('ALTER USER MAPPING FOR CURRENT_USER SERVER devdb_loopback OPTIONS (SET user %L, SET password %L)',
                   current_user, p_password);
  ELSE
    EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER devdb_loopback OPTIONS (user %L, password %L)',
                   current_user, p_password);
  END IF;
END $$;

CREATE FUNCTION provisioning._conninfo_quote(p_value text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN '''' || replace(replace(p_value, '\', '\\'), '''', '\''') || '''';

CREATE FUNCTION provisioning._conninfo(p_db text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_server text[];
  v_mapping text[];
BEGIN
  SELECT s.srvoptions, m.umoptions INTO v_server, v_mapping
    FROM pg_foreign_server s
    LEFT JOIN pg_user_mappings m ON m.srvid = s.oid AND m.usename = current_user
   WHERE s.srvname = 'devdb_loopback';
  IF v_mapping IS NULL THEN
    RAISE EXCEPTION 'DevDB''s loopback connection is not configured for role %', current_user
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'run `devdb up`, or `devdb migrate` with the provisioner''s URL, which configure it';
  END IF;
  RETURN (SELECT string_agg(o.option_name || '=' || provisioning._conninfo_quote(o.option_value), ' ')
            FROM (SELECT * FROM pg_options_to_table(v_server) WHERE option_name <> 'dbname'
                  UNION ALL SELECT * FROM pg_options_to_table(v_mapping)
                  UNION ALL VALUES ('dbname', p_db), ('application_name', 'devdb-provisioner')) o);
END $$;

-- Opens (or reopens) the named loopback connection into database p_db.
CREATE FUNCTION provisioning._remote_open(p_db text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_name text := 'devdb:' || p_db;
BEGIN
  IF v_name = ANY (coalesce(devdb_ext.dblink_get_connections(), '{}')) THEN
    PERFORM devdb_ext.dblink_disconnect(v_name);
  END IF;
  PERFORM devdb_ext.dblink_connect(v_name, provisioning._conninfo(p_db));
  RETURN v_name;
END $$;

CREATE FUNCTION provisioning._remote(p_conn text, p_sql text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM devdb_ext.dblink_exec(p_conn, p_sql);
END $$;

CREATE FUNCTION provisioning._remote_close(p_conn text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_conn = ANY (coalesce(devdb_ext.dblink_get_connections(), '{}')) THEN
    PERFORM devdb_ext.dblink_disconnect(p_conn);
  END IF;
END $$;

-- One advisory lock per database name; callers touching several take them in
-- name order, so two operations can never wait on each other in a cycle.
CREATE FUNCTION provisioning._lock_database(p_db text) RETURNS void
LANGUAGE sql
RETURN pg_advisory_xact_lock(1684371044, hashtext(p_db)); -- 1684371044 = 'devd'

CREATE FUNCTION provisioning._log(p_actor text, p_action text, p_db text, p_workspace_id text, p_detail jsonb)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO provisioning.events (actor, action, db_name, workspace_id, detail)
  VALUES (coalesce(p_actor, session_user), p_action, p_db, p_workspace_id, coalesce(p_detail, '{}'));
$$;

-- Privileges on a database as its ACL says now. A plain query, not
-- has_database_privilege(): that reads the syscache, which does not yet see
-- what the loopback session just committed.
CREATE FUNCTION provisioning._database_grants(p_db text, p_grantee text) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(a.privilege_type ORDER BY a.privilege_type), '{}')
    FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
   WHERE d.datname = p_db
     AND a.grantee = CASE WHEN p_grantee = 'public' THEN 0
                          ELSE (SELECT r.oid FROM pg_roles r WHERE r.rolname = p_grantee) END;
$$;

-- Makes the owner role, the database and its lock-down exist (creating or
-- repairing what is missing) and returns what it had to do.
CREATE FUNCTION provisioning._ensure_objects(p_db text, p_type text) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  v_done text[] := '{}';
  v_conn text;
  v_role pg_roles;
  v_owner text;
  v_allow boolean;
  v_public text[];
  v_pg16 boolean := current_setting('server_version_num')::int >= 160000;
BEGIN
  -- Refuse a database DevDB did not create before anything is created: the
  -- loopback session commits each step, so a later refusal would leave the
  -- owner role behind.
  SELECT pg_get_userbyid(d.datdba) INTO v_owner FROM pg_database d WHERE d.datname = p_db;
  IF FOUND AND v_owner <> p_db THEN
    RAISE EXCEPTION 'database % already exists and is owned by %, not by DevDB''s role %', p_db, v_owner, p_db
      USING ERRCODE = 'duplicate_database', HINT = 'DevDB will not take over a database it did not create; rename it or choose another name';
  END IF;

  v_conn := provisioning._remote_open(current_database());

  SELECT * INTO v_role FROM pg_roles WHERE rolname = p_db;
  IF NOT FOUND THEN
    PERFORM provisioning._remote(v_conn, format('CREATE ROLE %I NOLOGIN', p_db));
    v_done := array_append(v_done, 'owner role created');
  ELSIF v_role.rolcanlogin OR v_role.rolsuper THEN
    RAISE EXCEPTION 'role % already exists and can log in; DevDB will not adopt it as a database owner', p_db
      USING ERRCODE = 'duplicate_object', HINT = 'rename or drop that role, then try again';
  END IF;

  -- PostgreSQL 16+ gives a role's creator ADMIN but not SET; CREATE DATABASE … OWNER
  -- and acting as the owner need SET. INHERIT stays off: the provisioner does not
  -- carry every database owner's privileges around. (15 has no per-grant INHERIT: there
  -- the provisioner inherits its owner roles, which gives it nothing SET ROLE does not,
  -- and a CREATEROLE role on 15 may grant itself any non-superuser role anyway.)
  IF NOT pg_has_role(current_user, p_db, CASE WHEN v_pg16 THEN 'SET' ELSE 'MEMBER' END) THEN
    PERFORM provisioning._remote(v_conn, format(
      CASE WHEN v_pg16 THEN 'GRANT %I TO %I WITH SET TRUE, INHERIT FALSE' ELSE 'GRANT %I TO %I' END,
      p_db, current_user));
  END IF;

  SELECT pg_get_userbyid(d.datdba), d.datallowconn INTO v_owner, v_allow
    FROM pg_database d WHERE d.datname = p_db;
  IF NOT FOUND THEN
    -- No connections until PUBLIC has lost CONNECT below.
    PERFORM provisioning._remote(v_conn, format('CREATE DATABASE %I OWNER %I ALLOW_CONNECTIONS false', p_db, p_db));
    v_done := array_append(v_done, 'database created');
    v_allow := false;
  ELSIF v_owner <> p_db THEN
    RAISE EXCEPTION 'database % already exists and is owned by %, not by DevDB''s role %', p_db, v_owner, p_db
      USING ERRCODE = 'duplicate_database', HINT = 'DevDB will not take over a database it did not create; rename it or choose another name';
  END IF;

  -- REVOKE only takes effect when run by the owner (from anyone else it is a
  -- warning and a no-op), and grants are not copied from the template, so this
  -- runs after every create and whenever drift is found.
  v_public := provisioning._database_grants(p_db, 'public');
  IF cardinality(v_public) > 0 OR NOT v_allow
     OR NOT 'CONNECT' = ANY (provisioning._database_grants(p_db, current_user)) THEN
    IF cardinality(v_public) > 0 AND NOT 'database created' = ANY (v_done) THEN
      v_done := array_append(v_done, 'PUBLIC access revoked');
    END IF;
    PERFORM provisioning._remote(v_conn, format(
      'SET ROLE %1$I; REVOKE ALL ON DATABASE %1$I FROM PUBLIC; GRANT CONNECT ON DATABASE %1$I TO %2$I; '
      'ALTER DATABASE %1$I ALLOW_CONNECTIONS true; RESET ROLE', p_db, current_user));
  END IF;
  IF cardinality(provisioning._database_grants(p_db, 'public')) > 0 THEN
    RAISE EXCEPTION 'PUBLIC still has privileges on database % after revoking them', p_db
      USING HINT = 'a role other than the owner granted it; inspect pg_database.datacl and revoke it as that role';
  END IF;
  PERFORM provisioning._remote_close(v_conn);

  IF p_type = 'team' THEN
    v_conn := provisioning._remote_open(p_db);
    PERFORM provisioning._remote(v_conn, format('SET ROLE %I; CREATE SCHEMA IF NOT EXISTS shared; RESET ROLE', p_db));
    PERFORM provisioning._remote_close(v_conn);
  END IF;
  RETURN v_done;
END $$;

-- Makes a database exist and be DevDB's, idempotently and safely under concurrency.
-- individual: p_owner (and optionally the Coder user id p_owner_id); team: p_team.
CREATE FUNCTION provisioning.ensure_database(
  p_type text, p_owner text, p_owner_id text, p_team text, p_actor text DEFAULT NULL
) RETURNS TABLE (db_name text, created boolean, repaired text[])
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_db text;
  v_owner text;
  v_row provisioning.databases;
  v_done text[];
BEGIN
  IF p_type = 'individual' THEN
    v_owner := provisioning.normalize_username(p_owner);
    IF p_team IS NOT NULL THEN
      RAISE EXCEPTION 'team must not be set for an individual database' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- A renamed Coder user keeps the database created under their old name.
    IF p_owner_id IS NOT NULL THEN
      SELECT d.db_name INTO v_db FROM provisioning.databases d
       WHERE d.owner_id = p_owner_id AND d.status <> 'dropped';
    END IF;
    v_db := coalesce(v_db, provisioning.individual_db_name(v_owner));
  ELSIF p_type = 'team' THEN
    v_db := provisioning.team_db_name(p_team);
  ELSE
    RAISE EXCEPTION 'invalid database type %: must be one of "individual", "team"', coalesce(quote_literal(p_type), '(null)')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  PERFORM provisioning._lock_database(v_db);
  SELECT * INTO v_row FROM provisioning.databases d WHERE d.db_name = v_db;
  IF FOUND AND v_row.owner_id IS NOT NULL AND p_owner_id IS NOT NULL AND v_row.owner_id <> p_owner_id
     AND v_row.status <> 'dropped' THEN
    RAISE EXCEPTION 'database % belongs to another Coder user (id %), who had the username % before', v_db, v_row.owner_id, v_owner
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'an admin must decide what happens to that database (devdb inspect / rename the old one) before it is reused';
  END IF;
  IF FOUND AND v_row.status = 'archived' THEN
    RAISE EXCEPTION 'database % is archived', v_db
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'an admin must restore it before it can be used again';
  END IF;

  v_done := provisioning._ensure_objects(v_db, p_type);

  IF v_row.db_name IS NULL THEN
    INSERT INTO provisioning.databases (db_name, db_type, owner_username, owner_id, team_name)
    VALUES (v_db, p_type, v_owner, p_owner_id, CASE WHEN p_type = 'team' THEN p_team END);
  ELSE
    UPDATE provisioning.databases d
       SET status = 'active',
           owner_username = coalesce(v_owner, d.owner_username),
           owner_id = coalesce(d.owner_id, p_owner_id)
     WHERE d.db_name = v_db;
  END IF;
  IF p_type = 'individual' THEN
    INSERT INTO provisioning.db_users (username, db_name, access_level)
    VALUES (v_owner, v_db, 'owner') ON CONFLICT DO NOTHING;
  END IF;
  PERFORM provisioning._log(p_actor, 'database.ensure', v_db, NULL,
    jsonb_build_object('created', 'database created' = ANY (v_done), 'done', to_jsonb(v_done)));

  db_name := v_db;
  created := 'database created' = ANY (v_done);
  repaired := v_done;
  RETURN NEXT;
END $$;

-- Attaches a workspace: ensures its database, then creates (or, on a re-run,
-- re-keys) the workspace's own LOGIN role. p_password_verifier is a SCRAM
-- verifier computed by the caller, so the password itself never reaches the server.
CREATE FUNCTION provisioning.attach_workspace(
  p_type text, p_owner text, p_owner_id text, p_team text,
  p_workspace_id text, p_workspace_name text, p_template text,
  p_password_verifier text, p_connection_limit int DEFAULT -1, p_actor text DEFAULT NULL
) RETURNS TABLE (db_name text, login_role text, created_database boolean, reattached boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_owner text := provisioning.normalize_username(p_owner);
  v_ws text := provisioning.validate_workspace_id(p_workspace_id);
  v_db text;
  v_created boolean;
  v_role text;
  v_exists boolean;
  v_conn text;
  v_schema text;
  v_db_owner text;
BEGIN
  IF p_password_verifier IS NULL OR p_password_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
    RAISE EXCEPTION 'attach_workspace needs a SCRAM-SHA-256 verifier, not a password' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_connection_limit IS NULL OR p_connection_limit < -1 THEN
    RAISE EXCEPTION 'invalid connection limit %: must be -1 (no limit) or a non-negative number', p_connection_limit
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  SELECT e.db_name, e.created INTO v_db, v_created
    FROM provisioning.ensure_database(p_type, p_owner, CASE WHEN p_type = 'individual' THEN p_owner_id END,
                                      p_team, p_actor) e;
  SELECT d.owner_username INTO v_db_owner FROM provisioning.databases d WHERE d.db_name = v_db;
  IF p_type = 'individual' AND v_db_owner <> v_owner THEN
    RAISE EXCEPTION 'database % belongs to %, not to %', v_db, v_db_owner, v_owner USING ERRCODE = 'insufficient_privilege';
  END IF;

  v_role := provisioning.login_role_name(v_owner, v_db, v_ws);
  v_exists := EXISTS (SELECT FROM pg_roles r WHERE r.rolname = v_role);
  v_conn := provisioning._remote_open(current_database());
  IF v_exists THEN
    PERFORM provisioning._remote(v_conn, format('ALTER ROLE %I WITH LOGIN PASSWORD %L CONNECTION LIMIT %s',
                                                v_role, p_password_verifier, p_connection_limit));
    IF NOT pg_has_role(v_role, v_db, 'USAGE') THEN
      PERFORM provisioning._remote(v_conn, format('GRANT %I TO %I', v_db, v_role));
    END IF;
    IF NOT pg_has_role(v_role, 'devdb_workspace', 'USAGE') THEN
      PERFORM provisioning._remote(v_conn, format('GRANT devdb_workspace TO %I', v_role));
    END IF;
  ELSE
    -- INHERIT: the owner's CONNECT right applies at login; devdb_workspace's in `devdb`.
    PERFORM provisioning._remote(v_conn, format(
      'CREATE ROLE %I LOGIN INHERIT PASSWORD %L CONNECTION LIMIT %s IN ROLE %I, devdb_workspace',
      v_role, p_password_verifier, p_connection_limit, v_db));
  END IF;
  -- Sessions in the workspace's database act as the owner role, so every object
  -- belongs to the owner and the login role stays droppable.
  PERFORM provisioning._remote(v_conn, format('ALTER ROLE %I IN DATABASE %I SET role = %L', v_role, v_db, v_db));
  IF p_type = 'team' THEN
    v_schema := provisioning.personal_schema_name(v_owner);
    PERFORM provisioning._remote(v_conn, format(
      'ALTER ROLE %I IN DATABASE %I SET search_path = %I, shared, public', v_role, v_db, v_schema));
    PERFORM provisioning._remote_close(v_conn);
    v_conn := provisioning._remote_open(v_db);
    PERFORM provisioning._remote(v_conn, format('SET ROLE %I; CREATE SCHEMA IF NOT EXISTS %I; RESET ROLE', v_db, v_schema));
  END IF;
  PERFORM provisioning._remote_close(v_conn);

  UPDATE provisioning.attachments a
     SET workspace_name = coalesce(p_workspace_name, a.workspace_name),
         template_name = coalesce(p_template, a.template_name),
         login_role = v_role
   WHERE a.db_name = v_db AND a.workspace_id = v_ws AND a.detached_at IS NULL;
  reattached := FOUND;
  IF NOT reattached THEN
    INSERT INTO provisioning.attachments (db_name, workspace_id, workspace_name, owner_username, login_role, template_name)
    VALUES (v_db, v_ws, p_workspace_name, v_owner, v_role, p_template);
  END IF;
  INSERT INTO provisioning.db_users (username, db_name, access_level)
  VALUES (v_owner, v_db, CASE WHEN p_type = 'individual' THEN 'owner' ELSE 'write' END)
  ON CONFLICT DO NOTHING;
  PERFORM provisioning._log(p_actor, 'workspace.attach', v_db, v_ws,
    jsonb_build_object('login_role', v_role, 'owner', v_owner, 'reattached', reattached,
                       'workspace_name', p_workspace_name, 'template', p_template));

  db_name := v_db;
  login_role := v_role;
  created_database := v_created;
  RETURN NEXT;
END $$;

-- Drops a login role everywhere: no new logins, sessions terminated, anything it
-- came to own handed to the database's owner role in every database it touched.
CREATE FUNCTION provisioning._drop_login_role(p_role text, p_db_owner text) RETURNS int
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

-- Detaches a workspace from every database it is attached to (or only p_db):
-- its credentials die with it. Databases stay (DESIGN.md §6).
CREATE FUNCTION provisioning.detach_workspace(p_workspace_id text, p_db text DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS TABLE (db_name text, login_role text, sessions_terminated int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_ws text := provisioning.validate_workspace_id(p_workspace_id);
  v_db text;
  v_att provisioning.attachments;
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
    CONTINUE WHEN NOT FOUND; -- a concurrent detach got there first
    v_found := true;
    db_name := v_db;
    login_role := v_att.login_role;
    sessions_terminated := provisioning._drop_login_role(v_att.login_role, v_db);
    UPDATE provisioning.attachments a SET detached_at = now() WHERE a.id = v_att.id;
    PERFORM provisioning._log(p_actor, 'workspace.detach', v_db, v_ws,
      jsonb_build_object('login_role', v_att.login_role, 'sessions_terminated', sessions_terminated));
    RETURN NEXT;
  END LOOP;
  IF NOT v_found THEN
    PERFORM provisioning._log(p_actor, 'workspace.detach', p_db, v_ws, jsonb_build_object('attached', false));
  END IF;
END $$;

-- Last access from PostgreSQL's own counters (DESIGN.md §7): the database counts
-- as used only when its sessions or commits advanced since the previous report.
CREATE FUNCTION provisioning.record_access(p_db text, p_workspace_id text DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_now record;
  v_base provisioning.access_baseline;
  v_accessed boolean;
BEGIN
  SELECT s.sessions, s.xact_commit, s.stats_reset, s.numbackends INTO v_now
    FROM pg_stat_database s WHERE s.datname = p_db;
  IF NOT FOUND OR NOT EXISTS (SELECT FROM provisioning.databases d WHERE d.db_name = p_db) THEN
    RAISE EXCEPTION 'no DevDB database named %', p_db USING ERRCODE = 'undefined_object';
  END IF;
  SELECT * INTO v_base FROM provisioning.access_baseline b WHERE b.db_name = p_db FOR UPDATE;
  v_accessed := CASE
    WHEN v_base.db_name IS NULL THEN v_now.numbackends > 0
    -- After a statistics reset the counters restart; only a live session is evidence.
    WHEN v_base.stats_reset IS DISTINCT FROM v_now.stats_reset THEN v_now.numbackends > 0
    ELSE v_now.sessions > v_base.sessions OR v_now.xact_commit > v_base.xact_commit
  END;
  INSERT INTO provisioning.access_baseline AS b (db_name, sessions, xact_commit, stats_reset, sampled_at)
  VALUES (p_db, v_now.sessions, v_now.xact_commit, v_now.stats_reset, now())
  ON CONFLICT (db_name) DO UPDATE
    SET sessions = excluded.sessions, xact_commit = excluded.xact_commit,
        stats_reset = excluded.stats_reset, sampled_at = excluded.sampled_at;
  IF p_workspace_id IS NOT NULL THEN
    UPDATE provisioning.attachments a SET last_seen_at = now()
     WHERE a.db_name = p_db AND a.workspace_id = p_workspace_id AND a.detached_at IS NULL;
  END IF;
  IF v_accessed THEN
    UPDATE provisioning.databases d SET last_accessed = now() WHERE d.db_name = p_db;
    PERFORM provisioning._log(p_actor, 'database.access', p_db, p_workspace_id,
      jsonb_build_object('sessions', v_now.sessions, 'xact_commit', v_now.xact_commit));
  END IF;
  RETURN v_accessed;
END $$;

-- The agent's entry point: a workspace login role reports for its own database only.
CREATE FUNCTION provisioning.report_access() RETURNS TABLE (db_name text, accessed boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
  v_att record;
BEGIN
  SELECT a.db_name, a.workspace_id INTO v_att FROM provisioning.attachments a
   WHERE a.login_role = session_user AND a.detached_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'role % has no live DevDB attachment', session_user USING ERRCODE = 'insufficient_privilege';
  END IF;
  db_name := v_att.db_name;
  accessed := provisioning.record_access(v_att.db_name, v_att.workspace_id, session_user);
  RETURN NEXT;
END $$;
GRANT USAGE ON SCHEMA provisioning TO devdb_workspace;
GRANT EXECUTE ON FUNCTION provisioning.report_access() TO devdb_workspace;
