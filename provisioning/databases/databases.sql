-- Databases: which database a request means, creating it (from nothing or as a
-- copy of a seed) and repairing its lock-down. ensure_database is the entry
-- point; attach_workspace and the guide's create_team_db go through it.
--
-- Repeatable file: see docs/architecture-sql.md. DDL runs on the loopback
-- session (helpers.sql explains why).

-- DevDB's access posture of an active database (docs/security.md T14): the
-- ACL entries DevDB makes, one place to extend when a feature adds a grant.
-- The owner role holds its default privileges; the provisioner (owner of the
-- provisioning schema) may CONNECT, to create schemas and hand over objects.
-- PUBLIC holds nothing (checked on its own: _database_grants(p_db, 'public')).
CREATE OR REPLACE FUNCTION provisioning.expected_database_acl(p_db text)
RETURNS TABLE (grantee text, privilege_type text)
LANGUAGE sql STABLE AS $$
  SELECT p_db, p FROM unnest(ARRAY['CONNECT', 'CREATE', 'TEMPORARY']) p
  UNION ALL
  SELECT pg_get_userbyid(n.nspowner), 'CONNECT' FROM pg_namespace n WHERE n.nspname = 'provisioning'
  UNION ALL
  -- The read role, once a read attach made it (access-levels.sql).
  SELECT r.rolname, 'CONNECT' FROM pg_roles r WHERE r.rolname = provisioning.read_role_name(p_db);
$$;

-- Whether a database is meant to accept connections: yes, unless an admin
-- closed it (set_database_connections, recorded as metadata
-- 'connections_disabled' while the database is active). Part of the access
-- posture: a database closed on purpose is not drift, and repairs keep it closed.
CREATE OR REPLACE FUNCTION provisioning._connections_wanted(p_db text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT NOT coalesce((SELECT r.metadata ? 'connections_disabled'
                         FROM provisioning.databases r WHERE r.db_name = p_db), false);
$$;

-- ACL entries of a database that DevDB did not make (PUBLIC aside), as the
-- catalog says now (a plain query: see _database_grants). A grant option on
-- anything but the owner's own entry is unexpected too.
CREATE OR REPLACE FUNCTION provisioning._unexpected_database_grants(p_db text)
RETURNS TABLE (grantee text, privilege_type text, is_grantable boolean)
LANGUAGE sql STABLE AS $$
  SELECT pg_get_userbyid(a.grantee), a.privilege_type, a.is_grantable
    FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
   WHERE d.datname = p_db AND a.grantee <> 0
     AND NOT EXISTS (SELECT FROM provisioning.expected_database_acl(p_db) e
                      WHERE e.grantee = pg_get_userbyid(a.grantee) AND e.privilege_type = a.privilege_type
                        AND (NOT a.is_grantable OR e.grantee = p_db));
$$;

-- How a database differs from DevDB's access posture, one readable line per
-- difference ('{}' when it matches): grants DevDB did not make, DevDB's grants
-- that are missing, and settings that lock the team out or open the database
-- to copying. Only DevDB's live databases have a posture (owned by the role of
-- their name, not archived: an archive is closed on purpose and renamed). The
-- provider plans this empty, so the plan names each difference.
CREATE OR REPLACE FUNCTION provisioning.access_drift(p_db text) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(x.line ORDER BY x.line), '{}') FROM (
    SELECT format('%s granted to %s%s', u.privilege_type, u.grantee,
                  CASE WHEN u.is_grantable THEN ' with grant option' ELSE '' END) AS line
      FROM provisioning._unexpected_database_grants(p_db) u
    UNION ALL
    SELECT format('%s missing for %s', e.privilege_type, e.grantee)
      FROM provisioning.expected_database_acl(p_db) e
     WHERE NOT e.privilege_type = ANY (provisioning._database_grants(p_db, e.grantee))
    UNION ALL
    SELECT s.line
      FROM pg_database d
      CROSS JOIN LATERAL (VALUES
        (CASE WHEN d.datallowconn <> provisioning._connections_wanted(p_db)
              THEN format('allow_connections = %s', d.datallowconn::text) END),
        (CASE WHEN d.datistemplate THEN 'is_template = true' END),
        (CASE WHEN d.datconnlimit <> -1 THEN format('connection_limit = %s', d.datconnlimit) END)) s(line)
     WHERE d.datname = p_db AND s.line IS NOT NULL
  ) x
  WHERE EXISTS (SELECT FROM pg_database d WHERE d.datname = p_db AND pg_get_userbyid(d.datdba) = p_db)
    AND coalesce((SELECT r.status FROM provisioning.databases r WHERE r.db_name = p_db), 'active') <> 'archived';
$$;

-- Brings a database back to DevDB's access posture, as its owner role (a
-- REVOKE only takes effect from the grantor, and the owner is the grantor of
-- every chain: CASCADE takes what others granted on from it): revokes PUBLIC
-- and every grantee holding something unexpected, grants DevDB's entries
-- again, and resets the settings. One transaction on the loopback session.
CREATE OR REPLACE FUNCTION provisioning._repair_access(p_conn text, p_db text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_revoke text;
  v_grant text;
BEGIN
  SELECT string_agg(DISTINCT format('REVOKE ALL ON DATABASE %I FROM %I CASCADE; ', p_db, u.grantee), '')
    INTO v_revoke FROM provisioning._unexpected_database_grants(p_db) u;
  SELECT string_agg(format('GRANT %s ON DATABASE %I TO %I; ', e.privilege_type, p_db, e.grantee), '')
    INTO v_grant FROM provisioning.expected_database_acl(p_db) e;
  PERFORM provisioning._remote(p_conn, format('SET ROLE %1$I; REVOKE ALL ON DATABASE %1$I FROM PUBLIC; ', p_db)
    || coalesce(v_revoke, '') || v_grant
    || format('ALTER DATABASE %1$I ALLOW_CONNECTIONS %2$s; ALTER DATABASE %1$I IS_TEMPLATE false; '
              'ALTER DATABASE %1$I CONNECTION LIMIT -1; RESET ROLE', p_db, provisioning._connections_wanted(p_db)::text));
END $$;

-- Makes the owner role, the database and its lock-down exist (creating or
-- repairing what is missing) and returns what it had to do.
CREATE OR REPLACE FUNCTION provisioning._ensure_objects(p_db text, p_type text) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  v_done text[] := '{}';
  v_conn text;
  v_role pg_roles;
  v_owner text;
  v_allow boolean;
  v_public text[];
  v_drift text[];
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
  -- runs after every create and whenever drift is found: PUBLIC's privileges,
  -- or anything else access_drift() names (docs/security.md T2, T13).
  v_public := provisioning._database_grants(p_db, 'public');
  v_drift := provisioning.access_drift(p_db);
  IF cardinality(v_public) > 0 OR v_allow <> provisioning._connections_wanted(p_db) OR cardinality(v_drift) > 0 THEN
    IF cardinality(v_public) > 0 AND NOT 'database created' = ANY (v_done) THEN
      v_done := array_append(v_done, 'PUBLIC access revoked');
    END IF;
    -- A database just made (here or as a seed's copy, not yet registered) starts
    -- closed and without DevDB's grants: that is creation, not drift.
    IF NOT 'database created' = ANY (v_done) AND EXISTS (SELECT FROM provisioning.databases d WHERE d.db_name = p_db) THEN
      v_done := v_done || ARRAY(SELECT 'access repaired: ' || x FROM unnest(v_drift) x);
    END IF;
    PERFORM provisioning._repair_access(v_conn, p_db);
  END IF;
  IF cardinality(provisioning._database_grants(p_db, 'public')) > 0 THEN
    RAISE EXCEPTION 'PUBLIC still has privileges on database % after revoking them', p_db
      USING HINT = 'a role other than the owner granted it; inspect pg_database.datacl and revoke it as that role';
  END IF;
  v_drift := provisioning.access_drift(p_db);
  IF cardinality(v_drift) > 0 THEN
    RAISE EXCEPTION 'database % still differs from DevDB''s access posture after repairing it: %', p_db, array_to_string(v_drift, '; ')
      USING HINT = 'inspect pg_database (datacl, datallowconn, datistemplate, datconnlimit) and repair it as the database''s owner role';
  END IF;
  PERFORM provisioning._remote_close(v_conn);

  IF p_type = 'team' THEN
    v_conn := provisioning._remote_open(p_db);
    PERFORM provisioning._remote(v_conn, format('SET ROLE %I; CREATE SCHEMA IF NOT EXISTS shared; RESET ROLE', p_db));
    PERFORM provisioning._remote_close(v_conn);
  END IF;
  RETURN v_done;
END $$;

-- The seed must be a database the provisioner may copy: a template, or one
-- owned by a role it can act as (DevDB's own databases are). Returns its owner.
CREATE OR REPLACE FUNCTION provisioning._validate_seed(p_seed text, p_db text) RETURNS text
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

CREATE OR REPLACE FUNCTION provisioning._raise_seed_in_use(p_seed text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_stat_clear_snapshot();
  RAISE EXCEPTION 'seed database % is in use (sessions of %): PostgreSQL copies a database only while nobody is connected to it', p_seed,
    coalesce((SELECT string_agg(DISTINCT a.usename, ', ') FROM pg_stat_activity a WHERE a.datname = p_seed), 'another user')
    USING ERRCODE = 'object_in_use', HINT = format('close every connection to %s, then try again', p_seed);
END $$;

-- The owner role of a database, NOLOGIN, that the provisioner can SET.
CREATE OR REPLACE FUNCTION provisioning._ensure_owner_role(p_conn text, p_db text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles r WHERE r.rolname = p_db AND (r.rolcanlogin OR r.rolsuper)) THEN
    RAISE EXCEPTION 'role % already exists and can log in; DevDB will not adopt it as a database owner', p_db
      USING ERRCODE = 'duplicate_object', HINT = 'rename or drop that role, then try again';
  ELSIF NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = p_db) THEN
    PERFORM provisioning._remote(p_conn, format('CREATE ROLE %I NOLOGIN', p_db));
  END IF;
  -- Before 16 a CREATEROLE creator is no member at all, and CREATE DATABASE … OWNER
  -- needs membership: a plain grant, as in _ensure_objects.
  IF NOT pg_has_role(current_user, p_db, CASE WHEN provisioning._pg16() THEN 'SET' ELSE 'MEMBER' END) THEN
    PERFORM provisioning._remote(p_conn, format(
      CASE WHEN provisioning._pg16() THEN 'GRANT %I TO %I WITH SET TRUE, INHERIT FALSE' ELSE 'GRANT %I TO %I' END,
      p_db, current_user));
  END IF;
END $$;

-- Creates p_db as a copy of p_seed, closed to connections (_ensure_objects then
-- revokes PUBLIC, which is not copied, and opens it). Objects of the seed's
-- owner are handed to p_db's owner, so the workspaces can use them.
CREATE OR REPLACE FUNCTION provisioning._create_from_seed(p_db text, p_seed text) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  v_seed_owner text := provisioning._validate_seed(p_seed, p_db);
  v_can_act boolean := pg_has_role(current_user, v_seed_owner, CASE WHEN provisioning._pg16() THEN 'SET' ELSE 'MEMBER' END);
  v_conn text := provisioning._remote_open_bounded(current_database());
  v_strategy text;
BEGIN
  PERFORM provisioning._ensure_owner_role(v_conn, p_db);
  BEGIN
    v_strategy := provisioning._copy_database(v_conn, p_db, p_seed, v_seed_owner, v_can_act);
  EXCEPTION WHEN object_in_use THEN
    PERFORM provisioning._raise_seed_in_use(p_seed);
  END;
  PERFORM provisioning._remote_close(v_conn);
  RETURN ARRAY['database created', 'seeded from ' || p_seed]
    || CASE WHEN v_strategy = 'WAL_LOG' THEN '{}'::text[]
            ELSE ARRAY['copied by ' || lower(replace(v_strategy, ' ', ', '))] END;
END $$;

-- Whether the copy p_db still holds objects of the seed's owner to hand over
-- (see _adopt_seed_objects).
CREATE OR REPLACE FUNCTION provisioning._seed_objects_pending(p_db text, p_seed text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_seed_owner oid := (SELECT d.datdba FROM pg_database d WHERE d.datname = p_seed);
BEGIN
  RETURN v_seed_owner IS NOT NULL AND pg_get_userbyid(v_seed_owner) NOT IN (p_db, current_user)
     AND pg_has_role(current_user, v_seed_owner, CASE WHEN provisioning._pg16() THEN 'SET' ELSE 'MEMBER' END)
     AND EXISTS (SELECT FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
                  WHERE d.datname = p_db AND s.refobjid = v_seed_owner AND s.deptype = 'o');
END $$;

-- Hands what the seed's owner owns in the copy p_db to p_db's owner, so the
-- workspaces (acting as that owner) can use it. Checked through pg_shdepend on
-- every call with a seed, so a run interrupted after the copy still converges.
-- Seeds owned by roles the provisioner cannot act as keep their objects' owners.
CREATE OR REPLACE FUNCTION provisioning._adopt_seed_objects(p_db text, p_seed text) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  v_seed_owner oid := (SELECT d.datdba FROM pg_database d WHERE d.datname = p_seed);
  v_name text := pg_get_userbyid(v_seed_owner);
  v_owned text;
  v_conn text;
BEGIN
  IF NOT provisioning._seed_objects_pending(p_db, p_seed) THEN
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

-- How a seed is copied (docs/operations.md, "Seeds"): WAL_LOG (PostgreSQL's
-- default) block by block through the WAL, cheap for small seeds; from
-- seed_file_copy_min_bytes (default 64 MiB) FILE_COPY, a file-level copy
-- between two checkpoints, with PostgreSQL 18's file_copy_method = clone,
-- which shares the blocks on a filesystem that can (XFS, Btrfs) and copies
-- in the kernel elsewhere. Returns the strategy and, for FILE_COPY, the method.
CREATE OR REPLACE FUNCTION provisioning._seed_copy_strategy(p_seed text)
RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN pg_database_size(p_seed) < coalesce(
      (SELECT s.value::bigint FROM provisioning.settings s
        WHERE s.key = 'seed_file_copy_min_bytes' AND s.value ~ '^\d{1,18}$'),
      64 * 1024 * 1024) THEN 'WAL_LOG'
    WHEN current_setting('server_version_num')::int >= 180000 THEN 'FILE_COPY clone'
    ELSE 'FILE_COPY'
  END
$$;

-- CREATE DATABASE cannot run in a transaction block, so copying a non-template
-- seed needs the inherited ownership committed around it; it is taken back
-- whether the copy worked or not.
CREATE OR REPLACE FUNCTION provisioning._copy_database(p_conn text, p_db text, p_seed text, p_seed_owner text, p_inherit boolean)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_strategy text := provisioning._seed_copy_strategy(p_seed);
  v_create text := format('CREATE DATABASE %I OWNER %I TEMPLATE %I STRATEGY %s ALLOW_CONNECTIONS false',
                          p_db, p_db, p_seed, split_part(v_strategy, ' ', 1));
  v_pg16 boolean := provisioning._pg16();
BEGIN
  IF v_strategy = 'FILE_COPY clone' THEN
    -- The session's own setting: the server's configuration is left alone.
    PERFORM provisioning._remote(p_conn, 'SET file_copy_method = clone');
  END IF;
  PERFORM provisioning._copy_database_as(p_conn, v_create, p_seed, p_seed_owner, p_inherit AND v_pg16);
  RETURN v_strategy;
END $$;

CREATE OR REPLACE FUNCTION provisioning._copy_database_as(p_conn text, v_create text, p_seed text, p_seed_owner text, p_inherit boolean)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT p_inherit OR (SELECT d.datistemplate FROM pg_database d WHERE d.datname = p_seed) THEN
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

-- Which database a request means, by the naming rules.
CREATE OR REPLACE FUNCTION provisioning._resolve_database(p_type text, p_owner text, p_owner_id text, p_team text)
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

-- Refuses a database that is not this caller's to use.
CREATE OR REPLACE FUNCTION provisioning._check_usable(p_row provisioning.databases, p_owner_id text, p_owner text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_row.owner_id IS NOT NULL AND p_owner_id IS NOT NULL AND p_row.owner_id <> p_owner_id AND p_row.status <> 'dropped' THEN
    RAISE EXCEPTION 'database % belongs to another Coder user (id %), who had the username % before', p_row.db_name, p_row.owner_id, p_owner
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'an admin must decide what happens to that database (devdb inspect / rename the old one) before it is reused';
  ELSIF p_row.status = 'archived' AND p_row.drop_requested_at IS NOT NULL THEN
    RAISE EXCEPTION 'database % is archived and waits for its final backup before it is dropped (requested %)',
      p_row.db_name, to_char(p_row.drop_requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = format('an admin finishes the drop with `devdb backup drain-drops` (an attach then creates it afresh), or calls it off by restoring it (SELECT * FROM provisioning.restore_database(%L))', p_row.db_name);
  ELSIF p_row.status = 'archived' THEN
    RAISE EXCEPTION 'database % is archived', p_row.db_name
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = format('an admin must restore it before it can be used again (SELECT * FROM provisioning.restore_database(%L))', p_row.db_name);
  ELSIF p_row.status = 'active' AND p_row.metadata ? 'connections_disabled' THEN
    -- Attaching works inside the database, and a closed one takes no connections at all.
    RAISE EXCEPTION 'database % is closed to connections by an admin', p_row.db_name
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = format('an admin must allow connections again (PUT /api/v1/databases/%s/connections with {"allowed": true}, or SELECT * FROM provisioning.set_database_connections(%L, true)) before workspaces can attach', p_row.db_name, p_row.db_name);
  END IF;
END $$;


-- True when ensure_database has nothing to create, repair or record for this
-- request: the row is active and up to date, the owner role, the database and its
-- lock-down (the whole access posture) are in place, the owner is registered, a
-- seed's objects are handed over.
CREATE OR REPLACE FUNCTION provisioning._database_ready(
  p_db text, p_type text, p_owner text, p_owner_id text, p_seed_from text
) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
           SELECT FROM provisioning.databases r
             JOIN pg_database d ON d.datname = r.db_name
             JOIN pg_roles o ON o.rolname = r.db_name
            WHERE r.db_name = p_db AND r.db_type = p_type AND r.status = 'active'
              AND NOT r.metadata ? 'dropped'
              AND (p_owner IS NULL OR r.owner_username = p_owner)
              AND (p_owner_id IS NULL OR r.owner_id IS NOT NULL)
              AND d.datdba = o.oid AND d.datallowconn = provisioning._connections_wanted(p_db) AND NOT o.rolcanlogin AND NOT o.rolsuper
              AND pg_has_role(current_user, o.oid, CASE WHEN provisioning._pg16() THEN 'SET' ELSE 'MEMBER' END))
     AND cardinality(provisioning._database_grants(p_db, 'public')) = 0
     AND 'CONNECT' = ANY (provisioning._database_grants(p_db, current_user))
     AND cardinality(provisioning.access_drift(p_db)) = 0
     AND (p_type <> 'individual'
          OR EXISTS (SELECT FROM provisioning.db_users u WHERE u.username = p_owner AND u.db_name = p_db))
     AND (p_seed_from IS NULL OR NOT provisioning._seed_objects_pending(p_db, p_seed_from));
$$;

-- Takes the database's lock for ensure_database: shared when the database is
-- ready (concurrent attaches then proceed side by side), exclusive when something
-- must be created or repaired. Readiness is checked again under the lock; a lock
-- taken in the wrong mode is given up by ending its subtransaction (PostgreSQL
-- releases locks taken after a savepoint rolled back to) and the other mode is
-- tried. So the attaches that queued behind the one creating a database go on in
-- shared mode once it committed. After three tries the exclusive lock is kept.
-- Returns whether the database is ready (shared lock held).
CREATE OR REPLACE FUNCTION provisioning._lock_to_ensure(
  p_db text, p_type text, p_owner text, p_owner_id text, p_seed_from text
) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  FOR v_try IN 1..3 LOOP
    BEGIN
      IF provisioning._database_ready(p_db, p_type, p_owner, p_owner_id, p_seed_from) THEN
        PERFORM provisioning._lock_database_shared(p_db);
        IF provisioning._database_ready(p_db, p_type, p_owner, p_owner_id, p_seed_from) THEN
          RETURN true;
        END IF;
      ELSE
        PERFORM provisioning._lock_database(p_db);
        IF NOT provisioning._database_ready(p_db, p_type, p_owner, p_owner_id, p_seed_from) THEN
          RETURN false;
        END IF;
      END IF;
      RAISE EXCEPTION USING ERRCODE = 'DV001'; -- readiness changed while waiting: other mode
    EXCEPTION WHEN SQLSTATE 'DV001' THEN
      NULL;
    END;
  END LOOP;
  PERFORM provisioning._lock_database(p_db);
  RETURN false;
END $$;

-- Makes a database exist and be DevDB's, idempotently and safely under concurrency.
-- individual: p_owner (and optionally the Coder user id p_owner_id); team: p_team.
-- With p_seed_from the database is copied from that seed when (and only when)
-- this call creates it.
CREATE OR REPLACE FUNCTION provisioning.ensure_database(
  p_type text, p_owner text, p_owner_id text, p_team text, p_actor text DEFAULT NULL, p_seed_from text DEFAULT NULL
) RETURNS TABLE (db_name text, created boolean, repaired text[])
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_owner text := CASE WHEN p_type = 'individual' THEN provisioning.normalize_username(p_owner) END;
  v_db text := provisioning._resolve_database(p_type, v_owner, p_owner_id, p_team);
  v_row provisioning.databases;
  v_done text[] := '{}';
  v_ready boolean;
BEGIN
  v_ready := provisioning._lock_to_ensure(v_db, p_type, v_owner, p_owner_id, p_seed_from);
  SELECT * INTO v_row FROM provisioning.databases d WHERE d.db_name = v_db;
  IF FOUND THEN
    PERFORM provisioning._check_usable(v_row, p_owner_id, v_owner);
    -- Found by the owner's Coder id under another name: the user was renamed.
    IF p_type = 'individual' AND v_row.owner_id = p_owner_id AND v_row.owner_username <> v_owner THEN
      PERFORM provisioning._rename_owner(v_db, p_type, v_row.owner_username, v_owner, p_actor);
    END IF;
  END IF;
  IF NOT v_ready AND (v_row.db_name IS NULL OR v_row.status = 'dropped') THEN
    PERFORM provisioning._claim_here(v_db); -- one server of the pool per name (servers.sql)
  END IF;
  IF v_ready THEN -- nothing to write: no row lock for concurrent attaches to queue on
    PERFORM provisioning._log(p_actor, 'database.ensure', v_db, NULL,
      jsonb_build_object('created', false, 'done', '[]'::jsonb, 'seed_from', p_seed_from));
    db_name := v_db;
    created := false;
    repaired := '{}';
    RETURN NEXT;
    RETURN;
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
  IF 'database created' = ANY (v_done) THEN
    -- Last access counts from the creation (access.sql).
    PERFORM provisioning._baseline_new_database(v_db);
  END IF;

  db_name := v_db;
  created := 'database created' = ANY (v_done);
  repaired := v_done;
  RETURN NEXT;
END $$;

-- Opens or closes an active database to new connections: an admin's decision
-- (the control plane's disable/enable), kept in the registry so that it is
-- DevDB's posture and not drift (see _connections_wanted). Closing can also end
-- the sessions in it. ALTER DATABASE runs as the owner role on the loopback
-- session; a re-run converges. Returns what it did; logs a change only.
CREATE OR REPLACE FUNCTION provisioning.set_database_connections(
  p_db text, p_allow boolean, p_terminate boolean DEFAULT false, p_actor text DEFAULT NULL
) RETURNS TABLE (db_name text, connections_allowed boolean, changed boolean, sessions_terminated int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_row provisioning.databases;
  v_was boolean;
  v_conn text;
BEGIN
  v_row := provisioning._locked_database(p_db);
  SELECT d.datallowconn INTO v_was FROM pg_database d WHERE d.datname = p_db;
  IF v_row.status <> 'active' OR v_was IS NULL THEN
    RAISE EXCEPTION 'database % is % and cannot take connections', p_db,
      CASE WHEN v_row.status = 'active' THEN 'missing from the server' ELSE v_row.status END
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = CASE WHEN v_row.status = 'archived' THEN 'restore it first' ELSE 'only active databases can be opened or closed' END;
  END IF;
  UPDATE provisioning.databases d
     SET metadata = CASE WHEN p_allow THEN d.metadata - 'connections_disabled'
                         ELSE d.metadata || jsonb_build_object('connections_disabled',
                                jsonb_build_object('at', now(), 'by', coalesce(p_actor, session_user))) END
   WHERE d.db_name = p_db;
  changed := v_was <> p_allow;
  IF changed THEN
    v_conn := provisioning._remote_open_bounded(current_database());
    PERFORM provisioning._remote(v_conn, format('SET ROLE %1$I; ALTER DATABASE %1$I ALLOW_CONNECTIONS %2$s; RESET ROLE', p_db, p_allow::text));
    PERFORM provisioning._remote_close(v_conn);
  END IF;
  sessions_terminated := CASE WHEN NOT p_allow AND p_terminate THEN provisioning._end_sessions(p_db) ELSE 0 END;
  IF changed OR sessions_terminated > 0 THEN
    PERFORM provisioning._log(p_actor,
      CASE WHEN p_allow THEN 'database.enable_connections' ELSE 'database.disable_connections' END,
      p_db, NULL, jsonb_build_object('sessions_terminated', sessions_terminated));
  END IF;
  db_name := p_db;
  connections_allowed := p_allow;
  RETURN NEXT;
END $$;
