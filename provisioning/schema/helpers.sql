-- Helpers every operation uses: the loopback session, locks, the event log.
--
-- Repeatable file (docs/architecture-sql.md): it holds the current definition
-- of each object and is re-applied whenever its content changes. Edit it in
-- place; a changed signature or return type needs a numbered migration that
-- drops the old one first.
--
-- PostgreSQL refuses CREATE DATABASE inside a transaction, and a role created
-- in an uncommitted transaction is invisible to other sessions. So every DDL
-- statement runs through dblink on a loopback connection as devdb_provisioner,
-- committing on its own, while the calling transaction holds the advisory lock
-- of each database it touches and records the bookkeeping. Every step checks
-- the catalogs first, so a run interrupted at any point converges when run again.
-- The calling transaction itself runs no DDL: it must hold no catalog lock the
-- loopback session could wait for.

-- Loopback target: the server devdb_loopback (created by migration 003) points at
-- 127.0.0.1:5432 until `devdb up` or configure_loopback() sets host/port; the
-- password lives in the user mapping, visible only to its role and superusers.
CREATE OR REPLACE FUNCTION provisioning.configure_loopback(p_host text, p_port int, p_password text) RETURNS void
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

CREATE OR REPLACE FUNCTION provisioning._conninfo_quote(p_value text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN '''' || replace(replace(p_value, '\', '\\'), '''', '\''') || '''';

CREATE OR REPLACE FUNCTION provisioning._conninfo(p_db text) RETURNS text
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
CREATE OR REPLACE FUNCTION provisioning._remote_open(p_db text) RETURNS text
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

CREATE OR REPLACE FUNCTION provisioning._remote(p_conn text, p_sql text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM devdb_ext.dblink_exec(p_conn, p_sql);
END $$;

CREATE OR REPLACE FUNCTION provisioning._remote_close(p_conn text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_conn = ANY (coalesce(devdb_ext.dblink_get_connections(), '{}')) THEN
    PERFORM devdb_ext.dblink_disconnect(p_conn);
  END IF;
END $$;

-- One advisory lock per database name; callers touching several take them in
-- name order, so two operations can never wait on each other in a cycle.
CREATE OR REPLACE FUNCTION provisioning._lock_database(p_db text) RETURNS void
LANGUAGE sql
RETURN pg_advisory_xact_lock(1684371044, hashtext(p_db)); -- 1684371044 = 'devd'

-- A registered database's row, read under its lock (above); otherwise the one
-- error every operation on a named database gives for a name DevDB does not know.
CREATE OR REPLACE FUNCTION provisioning._locked_database(p_db text) RETURNS provisioning.databases
LANGUAGE plpgsql AS $$
DECLARE
  v_row provisioning.databases;
BEGIN
  PERFORM provisioning._lock_database(p_db);
  SELECT * INTO v_row FROM provisioning.databases d WHERE d.db_name = p_db;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no DevDB database named %', coalesce(quote_literal(p_db), '(null)')
      USING ERRCODE = 'undefined_object', HINT = 'see provisioning.database_summary for the databases DevDB knows';
  END IF;
  RETURN v_row;
END $$;

-- The same lock in shared mode: taken by attaches to a database that needs no
-- creation or repair, so they run side by side while everything that changes the
-- database itself (create, repair, detach, archive, drop) still excludes them
-- (docs/benchmarks.md, "Contended attach").
CREATE OR REPLACE FUNCTION provisioning._lock_database_shared(p_db text) RETURNS void
LANGUAGE sql
RETURN pg_advisory_xact_lock_shared(1684371044, hashtext(p_db));

-- One lock per (database, member): a member's login roles and personal schema in
-- a database are only ever changed under it, after the database's own lock.
CREATE OR REPLACE FUNCTION provisioning._lock_member(p_db text, p_owner text) RETURNS void
LANGUAGE sql
RETURN pg_advisory_xact_lock(1684371053, hashtext(p_db || '/' || p_owner)); -- 1684371053 = 'devm'

-- One of a fixed set of values (the enumerations of provisioning/contract/domain.ts), or
-- an error that names the setting and lists what is allowed.
CREATE OR REPLACE FUNCTION provisioning._validate_one_of(p_what text, p_value text, p_allowed text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_value IS NULL OR NOT p_value = ANY (p_allowed) THEN
    RAISE EXCEPTION 'invalid % %: must be one of %', p_what, coalesce(quote_literal(p_value), '(null)'),
      (SELECT string_agg(format('"%s"', a), ', ') FROM unnest(p_allowed) a)
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN p_value;
END $$;

-- DevDB's clock (docs/architecture-sql.md, "One clock"): every decision and
-- record by time (idle days, policy states, archive and drop times, retention,
-- samples, last access) is this server's, never a client's: no function takes
-- the time from its caller. It is the transaction's now().
--
-- Tests move it without a client's clock: a table devdb_test.clock (frozen_at,
-- shift), made and owned by a superuser, sets the time (frozen_at) or moves it
-- (now() + shift). DevDB never makes that table, and its provisioner (NOSUPERUSER)
-- cannot make one a superuser owns, so in production it is now().
CREATE OR REPLACE FUNCTION provisioning._now() RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_clock regclass := to_regclass('devdb_test.clock');
  v_at timestamptz;
BEGIN
  IF v_clock IS NULL OR NOT EXISTS (SELECT FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
                                     WHERE c.oid = v_clock AND r.rolsuper) THEN
    RETURN now();
  END IF;
  EXECUTE 'SELECT coalesce(c.frozen_at, now() + c.shift) FROM devdb_test.clock c LIMIT 1' INTO v_at;
  RETURN coalesce(v_at, now());
END $$;

CREATE OR REPLACE FUNCTION provisioning._log(p_actor text, p_action text, p_db text, p_workspace_id text, p_detail jsonb)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO provisioning.events (actor, action, db_name, workspace_id, detail)
  VALUES (coalesce(p_actor, session_user), p_action, p_db, p_workspace_id, coalesce(p_detail, '{}'));
$$;

-- Privileges on a database as its ACL says now. A plain query, not
-- has_database_privilege(): that reads the syscache, which does not yet see
-- what the loopback session just committed.
CREATE OR REPLACE FUNCTION provisioning._database_grants(p_db text, p_grantee text) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(a.privilege_type ORDER BY a.privilege_type), '{}')
    FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
   WHERE d.datname = p_db
     AND a.grantee = CASE WHEN p_grantee = 'public' THEN 0
                          ELSE (SELECT r.oid FROM pg_roles r WHERE r.rolname = p_grantee) END;
$$;

-- Makes the owner role, the database and its lock-down exist (creating or

CREATE OR REPLACE FUNCTION provisioning._pg16() RETURNS boolean
LANGUAGE sql STABLE
RETURN current_setting('server_version_num')::int >= 160000;

-- A loopback session that can never wait forever: a lock held elsewhere or a
-- stuck statement ends in an error the caller turns into a message. The limits
-- can be changed in provisioning.settings (keys lock_timeout, statement_timeout).
CREATE OR REPLACE FUNCTION provisioning._remote_open_bounded(p_db text) RETURNS text
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
CREATE OR REPLACE FUNCTION provisioning._as_inheriting(p_conn text, p_roles text[], p_sql text) RETURNS void
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
