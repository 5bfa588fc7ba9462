-- Access levels of an attachment (docs/security.md, "Access levels"):
--   write (default): the login role is a member of the database's owner role and
--                    its sessions act as it;
--   read:            the login role is a member of the database's read role
--                    (read_role_name), which may CONNECT, use every schema and
--                    SELECT every table, view and sequence of the owner role, now
--                    and later (the owner's default privileges), and nothing else:
--                    no CREATE, no TEMP, no membership in the owner role.
--
-- Repeatable file: see docs/architecture-sql.md. DDL runs on the loopback
-- session (helpers.sql explains why).

CREATE OR REPLACE FUNCTION provisioning._validate_access(p_access text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN provisioning._validate_one_of('access', p_access, ARRAY['write', 'read']);

-- Is p_member a direct member of p_group? A plain query, not pg_has_role(): that
-- reads the syscache, which may not yet see what the loopback session committed.
CREATE OR REPLACE FUNCTION provisioning._is_direct_member(p_member text, p_group text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT FROM pg_auth_members m
                   JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
                  WHERE g.rolname = p_group AND r.rolname = p_member);
$$;

-- Refuses a role named like p_db's read role that DevDB did not make: one that
-- can log in, has any attribute, belongs to another role, or holds anything
-- outside p_db. Its members would inherit all of that.
CREATE OR REPLACE FUNCTION provisioning._check_read_role(p_read text, p_db text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_role pg_roles;
  v_db oid := (SELECT d.oid FROM pg_database d WHERE d.datname = p_db);
BEGIN
  SELECT * INTO v_role FROM pg_roles r WHERE r.rolname = p_read;
  IF v_role.rolcanlogin OR v_role.rolsuper OR v_role.rolcreaterole OR v_role.rolcreatedb
     OR v_role.rolreplication OR v_role.rolbypassrls
     OR EXISTS (SELECT FROM pg_auth_members m WHERE m.member = v_role.oid)
     OR EXISTS (SELECT FROM pg_shdepend s
                 WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = v_role.oid
                   AND (s.deptype = 'o' OR (s.dbid <> v_db AND NOT (s.classid = 'pg_database'::regclass AND s.objid = v_db)))) THEN
    RAISE EXCEPTION 'role % already exists and is not a plain read role of database %; DevDB will not adopt it', p_read, p_db
      USING ERRCODE = 'duplicate_object', HINT = 'rename or drop that role, then try again';
  END IF;
END $$;

-- Makes p_db's read role exist with its privileges: CONNECT; USAGE on every
-- schema and SELECT on every table, view and sequence the owner role may grant,
-- as they are now; and, through the owner role's default privileges in p_db,
-- the same on every schema, table and sequence the owner creates later. Run at
-- every read attach, so it also repairs grants revoked out of band.
-- p_conn is a loopback session in the central database.
CREATE OR REPLACE FUNCTION provisioning._ensure_read_role(p_conn text, p_db text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_read text := provisioning.read_role_name(p_db);
  v_inner text;
BEGIN
  IF EXISTS (SELECT FROM pg_roles r WHERE r.rolname = v_read) THEN
    PERFORM provisioning._check_read_role(v_read, p_db);
  ELSE
    PERFORM provisioning._remote(p_conn, format('CREATE ROLE %I NOLOGIN', v_read));
  END IF;
  IF NOT 'CONNECT' = ANY (provisioning._database_grants(p_db, v_read)) THEN
    PERFORM provisioning._remote(p_conn, format(
      'SET ROLE %1$I; GRANT CONNECT ON DATABASE %1$I TO %2$I; RESET ROLE', p_db, v_read));
  END IF;
  -- The catalogs of p_db are only visible from inside it: the grants are
  -- computed there, as the owner role (which holds the grant options).
  v_inner := provisioning._remote_open(p_db);
  PERFORM provisioning._remote(v_inner, format($sql$
    SET ROLE %1$I;
    DO $grant$
    DECLARE
      v_sql text;
    BEGIN
      SELECT concat_ws('; ',
        (SELECT 'GRANT USAGE ON SCHEMA ' || string_agg(quote_ident(n.nspname), ', ') || ' TO %2$I'
           FROM pg_namespace n
          WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
            AND has_schema_privilege(n.oid, 'USAGE WITH GRANT OPTION')),
        (SELECT 'GRANT SELECT ON TABLE ' || string_agg(c.oid::regclass::text, ', ') || ' TO %2$I'
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
            AND has_table_privilege(c.oid, 'SELECT WITH GRANT OPTION')),
        (SELECT 'GRANT SELECT ON SEQUENCE ' || string_agg(c.oid::regclass::text, ', ') || ' TO %2$I'
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'S' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
            -- has_table_privilege: has_sequence_privilege raises on any other
            -- relation, and the planner may test it before relkind.
            AND has_table_privilege(c.oid, 'SELECT WITH GRANT OPTION'))) INTO v_sql;
      IF v_sql <> '' THEN
        EXECUTE v_sql;
      END IF;
    END $grant$;
    ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO %2$I;
    ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO %2$I;
    ALTER DEFAULT PRIVILEGES GRANT SELECT ON SEQUENCES TO %2$I;
    RESET ROLE
  $sql$, p_db, v_read));
  PERFORM provisioning._remote_close(v_inner);
  RETURN v_read;
END $$;

-- Drops p_db's read role once the database is gone (its grants and default
-- privileges went with it). p_conn is a loopback session in the central database.
CREATE OR REPLACE FUNCTION provisioning._drop_read_role(p_conn text, p_db text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_read text := provisioning.read_role_name(p_db);
BEGIN
  IF EXISTS (SELECT FROM pg_roles r WHERE r.rolname = v_read AND NOT r.rolcanlogin) THEN
    PERFORM provisioning._remote(p_conn, format('DROP ROLE %I', v_read));
  END IF;
END $$;

-- Takes write access away from login role p_role: no longer a member of the
-- owner role, its sessions ended (one that already acts as the owner role would
-- keep doing so), and what it came to own in p_db (after SET ROLE NONE) handed
-- to the owner. p_conn is a loopback session in the central database.
CREATE OR REPLACE FUNCTION provisioning._end_write_access(p_conn text, p_role text, p_db text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_inner text;
BEGIN
  PERFORM provisioning._remote(p_conn, format('REVOKE %I FROM %I', p_db, p_role));
  PERFORM pg_terminate_backend(a.pid, 5000) FROM pg_stat_activity a WHERE a.usename = p_role;
  IF EXISTS (SELECT FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
              WHERE d.datname = p_db AND s.deptype = 'o'
                AND s.refobjid = (SELECT r.oid FROM pg_roles r WHERE r.rolname = p_role)) THEN
    -- REASSIGN OWNED needs the privileges of both roles; before 16 that takes
    -- plain membership, held for this one transaction only.
    v_inner := provisioning._remote_open(p_db);
    IF provisioning._pg16() THEN
      PERFORM provisioning._as_inheriting(v_inner, ARRAY[p_role, p_db], format('REASSIGN OWNED BY %I TO %I', p_role, p_db));
    ELSE
      PERFORM provisioning._remote(v_inner, format('GRANT %1$I TO %3$I; REASSIGN OWNED BY %1$I TO %2$I; REVOKE %1$I FROM %3$I',
                                                   p_role, p_db, current_user));
    END IF;
    PERFORM provisioning._remote_close(v_inner);
  END IF;
END $$;

-- Gives login role p_role exactly the access p_access to p_db: membership in
-- the owner role or in the read role (never both), and whether its sessions
-- act as the owner role. In a team database (p_personal_schema given) a writer
-- gets their personal schema first on the search_path; a reader, who can create
-- nothing, gets `shared, public`. Returns true when it took write access away
-- (_end_write_access).
-- p_conn is a loopback session in the central database.
CREATE OR REPLACE FUNCTION provisioning._set_access(
  p_conn text, p_role text, p_db text, p_access text, p_personal_schema text DEFAULT NULL
) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_read text := provisioning.read_role_name(p_db);
  v_revoked boolean := false;
  v_inner text;
BEGIN
  IF provisioning._validate_access(p_access) = 'read' THEN
    IF provisioning._is_direct_member(p_role, p_db) THEN
      PERFORM provisioning._end_write_access(p_conn, p_role, p_db);
      v_revoked := true;
    END IF;
    -- After the hand-over above, so what the role owned is granted too.
    PERFORM provisioning._ensure_read_role(p_conn, p_db);
    IF NOT provisioning._is_direct_member(p_role, v_read) THEN
      PERFORM provisioning._remote(p_conn, format('GRANT %I TO %I', v_read, p_role));
    END IF;
    PERFORM provisioning._remote(p_conn, format('ALTER ROLE %I IN DATABASE %I RESET role', p_role, p_db));
    IF p_personal_schema IS NOT NULL THEN
      PERFORM provisioning._remote(p_conn, format(
        'ALTER ROLE %I IN DATABASE %I SET search_path = shared, public', p_role, p_db));
    END IF;
  ELSE
    IF provisioning._is_direct_member(p_role, v_read) THEN
      PERFORM provisioning._remote(p_conn, format('REVOKE %I FROM %I', v_read, p_role));
    END IF;
    IF NOT provisioning._is_direct_member(p_role, p_db) THEN
      PERFORM provisioning._remote(p_conn, format('GRANT %I TO %I', p_db, p_role));
    END IF;
    -- Sessions act as the owner role, so every object belongs to the owner and
    -- the login role stays droppable.
    PERFORM provisioning._remote(p_conn, format('ALTER ROLE %I IN DATABASE %I SET role = %L', p_role, p_db, p_db));
    IF p_personal_schema IS NOT NULL THEN
      PERFORM provisioning._remote(p_conn, format(
        'ALTER ROLE %I IN DATABASE %I SET search_path = %I, shared, public', p_role, p_db, p_personal_schema));
      v_inner := provisioning._remote_open(p_db);
      PERFORM provisioning._remote(v_inner, format('SET ROLE %I; CREATE SCHEMA IF NOT EXISTS %I; RESET ROLE', p_db, p_personal_schema));
      PERFORM provisioning._remote_close(v_inner);
    END IF;
  END IF;
  IF NOT provisioning._is_direct_member(p_role, 'devdb_workspace') THEN
    PERFORM provisioning._remote(p_conn, format('GRANT devdb_workspace TO %I', p_role));
  END IF;
  RETURN v_revoked;
END $$;

-- The user's row in db_users follows their attachments: owner of their own
-- individual database, else write when any live attachment writes, else read.
CREATE OR REPLACE FUNCTION provisioning._record_db_user(p_username text, p_db text) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO provisioning.db_users AS u (username, db_name, access_level)
  SELECT p_username, p_db,
         CASE WHEN d.db_type = 'individual' AND d.owner_username = p_username THEN 'owner'
              WHEN EXISTS (SELECT FROM provisioning.attachments a
                            WHERE a.db_name = p_db AND a.owner_username = p_username
                              AND a.detached_at IS NULL AND a.access_level = 'write') THEN 'write'
              ELSE 'read' END
    FROM provisioning.databases d WHERE d.db_name = p_db
  ON CONFLICT (username, db_name) DO UPDATE SET access_level = excluded.access_level
   WHERE u.access_level IS DISTINCT FROM excluded.access_level;
$$;

-- Takes p_db's lock and returns the workspace's live attachment to it, or
-- refuses when there is none.
CREATE OR REPLACE FUNCTION provisioning._lock_live_attachment(p_db text, p_workspace_id text)
RETURNS provisioning.attachments
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM provisioning._lock_database(p_db);
  RETURN provisioning._live_attachment(p_db, p_workspace_id); -- maintenance.sql
END $$;

-- Switches a live attachment between write and read in place: the login role
-- keeps its name and password; its memberships change, and its sessions end
-- when write access is taken away.
CREATE OR REPLACE FUNCTION provisioning.set_attachment_access(
  p_db text, p_workspace_id text, p_access text, p_actor text DEFAULT NULL
) RETURNS TABLE (db_name text, login_role text, access_level text, changed boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_ws text := provisioning.validate_workspace_id(p_workspace_id);
  v_access text := provisioning._validate_access(p_access);
  v_att provisioning.attachments;
  v_type text := (SELECT d.db_type FROM provisioning.databases d WHERE d.db_name = p_db);
  v_conn text;
BEGIN
  v_att := provisioning._lock_live_attachment(p_db, v_ws);
  v_conn := provisioning._remote_open(current_database());
  PERFORM provisioning._set_access(v_conn, v_att.login_role, p_db, v_access,
    CASE WHEN v_type = 'team' THEN provisioning.personal_schema_name(v_att.owner_username) END);
  PERFORM provisioning._remote_close(v_conn);
  UPDATE provisioning.attachments a SET access_level = v_access WHERE a.id = v_att.id;
  PERFORM provisioning._record_db_user(v_att.owner_username, p_db);
  changed := v_att.access_level IS DISTINCT FROM v_access;
  IF changed THEN
    PERFORM provisioning._log(p_actor, 'workspace.access', p_db, v_ws, jsonb_build_object(
      'login_role', v_att.login_role, 'from', v_att.access_level, 'to', v_access));
  END IF;
  db_name := p_db;
  login_role := v_att.login_role;
  access_level := v_access;
  RETURN NEXT;
END $$;
