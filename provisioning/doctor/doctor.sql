-- The doctor: what is on the server against what the registry says (a crash
-- between the loopback session's commits and the calling transaction's can
-- leave either side alone), and the repairs that are safe to make
-- (docs/operations.md, "devdb doctor").
--
-- Repeatable file: see docs/architecture-sql.md. DDL runs on the loopback
-- session (helpers.sql explains why).
--
-- Each check is one function returning doctor findings; provisioning.doctor()
-- is their union, and provisioning.doctor_fix() applies the fix of each
-- fixable finding by its kind. A new check is one more function, one more
-- UNION ALL line in doctor(), and (if it can be fixed) one more branch in
-- _doctor_fix_one().

-- The owner, team and type a DevDB database name stands for, or NULL when the
-- name follows no naming rule. Usernames and team names contain no '_': the
-- '-' the name rules turned into '_' can be turned back.
CREATE OR REPLACE FUNCTION provisioning._parse_database_name(p_db text)
RETURNS TABLE (db_type text, owner_username text, team_name text)
LANGUAGE plpgsql IMMUTABLE AS $$
#variable_conflict use_column
DECLARE
  v_owner text := CASE WHEN p_db LIKE 'dev\_%' THEN replace(substr(p_db, 5), '_', '-') END;
  v_team text := CASE WHEN p_db LIKE 'team\_%' THEN replace(substr(p_db, 6), '_', '-') END;
BEGIN
  BEGIN
    IF v_owner IS NOT NULL AND provisioning.individual_db_name(v_owner) = p_db THEN
      db_type := 'individual';
      owner_username := v_owner;
      RETURN NEXT;
    ELSIF v_team IS NOT NULL AND provisioning.team_db_name(v_team) = p_db THEN
      db_type := 'team';
      team_name := v_team;
      RETURN NEXT;
    END IF;
  EXCEPTION WHEN invalid_parameter_value THEN
    NULL; -- not a valid username or team name: no DevDB name
  END;
END $$;

-- A role DevDB uses as a database owner: named like a database, NOLOGIN.
CREATE OR REPLACE FUNCTION provisioning._is_owner_role(p_role pg_roles) RETURNS boolean
LANGUAGE sql STABLE
RETURN (p_role.rolname LIKE 'dev\_%' OR p_role.rolname LIKE 'team\_%')
       AND NOT p_role.rolcanlogin AND NOT p_role.rolsuper;

-- Databases named like DevDB's that the registry does not hold (or holds as
-- dropped). Adopted only when DevDB-shaped: owned by its same-named NOLOGIN
-- owner role, and its name follows the naming rules.
CREATE OR REPLACE FUNCTION provisioning._doctor_unregistered_databases()
RETURNS TABLE (kind text, object text, problem text, fix text, fixable boolean)
LANGUAGE sql STABLE AS $$
  SELECT 'unregistered database', d.datname,
         'exists on the server but the registry has no '
           || CASE WHEN r.status = 'dropped' THEN 'live ' ELSE '' END || 'record of it',
         CASE WHEN shaped.ok
              THEN 'adopt: register it as ' || CASE p.db_type WHEN 'individual' THEN 'an individual' ELSE 'a team' END || ' database and lock it down (PUBLIC revoked)'
              ELSE format('none: not DevDB''s (owned by %s, not by its NOLOGIN role %s); an admin can '
                          'rename it (ALTER DATABASE %I RENAME TO …) or drop it (DROP DATABASE %I)',
                          pg_get_userbyid(d.datdba), d.datname, d.datname, d.datname) END,
         shaped.ok
    FROM pg_database d
    LEFT JOIN provisioning.databases r ON r.db_name = d.datname
    LEFT JOIN LATERAL provisioning._parse_database_name(d.datname) p ON true
    CROSS JOIN LATERAL (
      SELECT p.db_type IS NOT NULL AND EXISTS (
               SELECT FROM pg_roles o WHERE o.oid = d.datdba AND o.rolname = d.datname
                  AND provisioning._is_owner_role(o)) AS ok) shaped
   WHERE (d.datname LIKE 'dev\_%' OR d.datname LIKE 'team\_%')
     AND (r.db_name IS NULL OR r.status = 'dropped');
$$;

-- Registry rows of active databases the server no longer has.
CREATE OR REPLACE FUNCTION provisioning._doctor_missing_databases()
RETURNS TABLE (kind text, object text, problem text, fix text, fixable boolean)
LANGUAGE sql STABLE AS $$
  SELECT 'missing database', r.db_name,
         'registered as active but the server has no such database',
         format('none: DevDB never drops or re-creates data on its own; an admin can record it as '
                'dropped (SELECT provisioning.retire_database(%L, ''drop'') once its workspaces are '
                'detached), after which attaching a workspace creates it afresh', r.db_name),
         false
    FROM provisioning.databases r
   WHERE r.status = 'active' AND NOT EXISTS (SELECT FROM pg_database d WHERE d.datname = r.db_name);
$$;

-- Workspace login roles (members of devdb_workspace) with no live attachment.
CREATE OR REPLACE FUNCTION provisioning._doctor_orphan_login_roles()
RETURNS TABLE (kind text, object text, problem text, fix text, fixable boolean)
LANGUAGE sql STABLE AS $$
  SELECT 'orphan login role', l.rolname,
         'can log in as a workspace but no live attachment uses it',
         CASE WHEN l.rolname LIKE 'ws\_%'
              THEN 'remove: end its sessions and drop it, as detaching does'
              ELSE format('none: not named like a DevDB login role (ws_…); an admin can '
                          'REVOKE devdb_workspace FROM %I, or drop it', l.rolname) END,
         l.rolname LIKE 'ws\_%'
    FROM pg_roles l
   WHERE EXISTS (SELECT FROM pg_auth_members m -- direct members: pg_has_role is true for superusers
                  WHERE m.member = l.oid AND m.roleid = 'devdb_workspace'::regrole
                    AND NOT m.admin_option) -- the provisioner administers the group, is no workspace
     AND NOT EXISTS (SELECT FROM provisioning.attachments a
                      WHERE a.login_role = l.rolname AND a.detached_at IS NULL);
$$;

-- Owner roles that own no database and stand for no registered database.
CREATE OR REPLACE FUNCTION provisioning._doctor_orphan_owner_roles()
RETURNS TABLE (kind text, object text, problem text, fix text, fixable boolean)
LANGUAGE sql STABLE AS $$
  SELECT 'orphan owner role', o.rolname,
         'a database owner role with no database',
         'remove: drop the role (refused if it still owns objects somewhere)', true
    FROM pg_roles o
   WHERE provisioning._is_owner_role(o)
     AND EXISTS (SELECT FROM provisioning._parse_database_name(o.rolname))
     AND NOT EXISTS (SELECT FROM pg_database d WHERE d.datdba = o.oid)
     AND NOT EXISTS (SELECT FROM provisioning.databases r
                      WHERE r.db_name = o.rolname AND r.status <> 'dropped');
$$;

-- Live attachments whose login role is gone: their credentials cannot work.
CREATE OR REPLACE FUNCTION provisioning._doctor_attachments_without_role()
RETURNS TABLE (kind text, object text, problem text, fix text, fixable boolean)
LANGUAGE sql STABLE AS $$
  SELECT 'attachment without login role', a.db_name || '/' || a.workspace_id,
         format('attached, but its login role %s does not exist', a.login_role),
         'record it as detached; attaching the workspace again (terraform apply) gives it a new role',
         true
    FROM provisioning.attachments a
   WHERE a.detached_at IS NULL AND NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = a.login_role);
$$;

-- Every finding of every check, nothing changed.
-- Active databases whose access posture differs from DevDB's (databases.sql,
-- access_drift; docs/security.md T14): grants DevDB did not make, its own gone
-- missing, or settings that lock the team out or expose the database.
CREATE OR REPLACE FUNCTION provisioning._doctor_access_drift()
RETURNS TABLE (kind text, object text, problem text, fix text, fixable boolean)
LANGUAGE sql STABLE AS $$
  SELECT 'access drift', r.db_name, array_to_string(provisioning.access_drift(r.db_name), '; '),
         'revoke what DevDB did not grant, grant its own again, reset the settings', true
    FROM provisioning.databases r
   WHERE r.status = 'active' AND cardinality(provisioning.access_drift(r.db_name)) > 0;
$$;

-- Repairs a database's access posture the way an attach would: ensure_database
-- finds it not ready and repairs it under the database's lock.
CREATE OR REPLACE FUNCTION provisioning._doctor_repair_access(p_db text, p_actor text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_row provisioning.databases;
BEGIN
  SELECT * INTO v_row FROM provisioning.databases r WHERE r.db_name = p_db AND r.status = 'active';
  IF NOT FOUND THEN
    RETURN 'left alone: no longer active';
  END IF;
  PERFORM provisioning.ensure_database(v_row.db_type, v_row.owner_username, NULL, v_row.team_name, p_actor);
  RETURN 'repaired';
END $$;

-- Copies of a database that a killed snapshot, restore or reset left
-- (snapshots.sql): devdb_swap_*, devdb_gone_*, or a devdb_snap_* the registry
-- does not hold. One in progress shows here too; its fix waits for it (the
-- database's lock) and then finds nothing left.
CREATE OR REPLACE FUNCTION provisioning._doctor_leftover_copies()
RETURNS TABLE (kind text, object text, problem text, fix text, fixable boolean)
LANGUAGE sql STABLE AS $$
  SELECT 'left-over snapshot copy', d.datname,
         format('a copy of %s that a snapshot, restore or reset left behind (killed, or still running)',
                pg_get_userbyid(d.datdba)),
         format('drop it, under the lock of %s (its next snapshot, restore or reset would too)', pg_get_userbyid(d.datdba)),
         true
    FROM pg_database d
   WHERE provisioning._is_snapshot_copy(d.datname)
     AND NOT EXISTS (SELECT FROM provisioning.snapshots s WHERE s.copy_name = d.datname);
$$;

CREATE OR REPLACE FUNCTION provisioning._doctor_drop_leftover_copies(p_copy text, p_actor text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_db text := (SELECT pg_get_userbyid(d.datdba) FROM pg_database d WHERE d.datname = p_copy);
  v_conn text;
  v_done text[];
BEGIN
  IF v_db IS NULL THEN
    RETURN 'left alone: it is gone';
  END IF;
  PERFORM provisioning._lock_database(v_db);
  v_conn := provisioning._remote_open_bounded(current_database());
  v_done := provisioning._snapshot_converge(v_conn, v_db);
  PERFORM provisioning._remote_close(v_conn);
  PERFORM provisioning._log(p_actor, 'doctor.drop_leftover_copies', v_db, NULL, jsonb_build_object('done', to_jsonb(v_done)));
  RETURN CASE WHEN cardinality(v_done) = 0 THEN 'left alone: nothing left once the database was free'
              ELSE array_to_string(v_done, '; ') END;
END $$;

CREATE OR REPLACE FUNCTION provisioning.doctor()
RETURNS TABLE (kind text, object text, problem text, fix text, fixable boolean)
LANGUAGE sql STABLE AS $$
  SELECT * FROM (
    SELECT * FROM provisioning._doctor_unregistered_databases()
    UNION ALL SELECT * FROM provisioning._doctor_missing_databases()
    UNION ALL SELECT * FROM provisioning._doctor_orphan_login_roles()
    UNION ALL SELECT * FROM provisioning._doctor_orphan_owner_roles()
    UNION ALL SELECT * FROM provisioning._doctor_attachments_without_role()
    UNION ALL SELECT * FROM provisioning._doctor_access_drift()
    UNION ALL SELECT * FROM provisioning._doctor_leftover_copies()
  ) f ORDER BY f.kind, f.object;
$$;

-- Adopts a DevDB-shaped database the registry lost: ensure_database registers
-- it, refuses it unless it is owned by its own owner role, and locks it down.
CREATE OR REPLACE FUNCTION provisioning._doctor_adopt_database(p_db text, p_actor text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_type text;
  v_owner text;
  v_team text;
BEGIN
  PERFORM provisioning._lock_database(p_db); -- an attach creating it holds the lock until it registered it
  IF EXISTS (SELECT FROM provisioning.databases r WHERE r.db_name = p_db AND r.status <> 'dropped') THEN
    RETURN 'left alone: registered meanwhile';
  END IF;
  SELECT p.db_type, p.owner_username, p.team_name INTO v_type, v_owner, v_team
    FROM provisioning._parse_database_name(p_db) p;
  PERFORM provisioning.ensure_database(v_type, v_owner, NULL, v_team, p_actor);
  PERFORM provisioning._log(p_actor, 'doctor.adopt_database', p_db, NULL, '{}');
  RETURN 'adopted: registered and locked down';
END $$;

-- The database a login role was made for: the one whose owner role it is a
-- member of (NULL when none).
CREATE OR REPLACE FUNCTION provisioning._login_role_database(p_role text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT o.rolname::text FROM pg_auth_members m
    JOIN pg_roles o ON o.oid = m.roleid JOIN pg_roles l ON l.oid = m.member
   WHERE l.rolname = p_role AND provisioning._is_owner_role(o) ORDER BY 1 LIMIT 1;
$$;

-- Drops a login role no live attachment uses, under the lock of the database
-- whose owner role it belongs to: an attach creates the role (committed by the
-- loopback session) before it records the attachment, and holds that lock
-- until it does; re-checked once the lock is held.
CREATE OR REPLACE FUNCTION provisioning._doctor_drop_login_role(p_role text, p_actor text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_db text := provisioning._login_role_database(p_role);
  v_ended int;
BEGIN
  IF v_db IS NOT NULL THEN
    PERFORM provisioning._lock_database(v_db);
  END IF;
  IF EXISTS (SELECT FROM provisioning.attachments a WHERE a.login_role = p_role AND a.detached_at IS NULL) THEN
    RETURN 'left alone: an attachment uses it now';
  END IF;
  v_ended := provisioning._drop_login_role(p_role, coalesce(v_db, current_user::text));
  PERFORM provisioning._log(p_actor, 'doctor.drop_login_role', v_db, NULL,
    jsonb_build_object('login_role', p_role, 'sessions_terminated', v_ended));
  RETURN format('dropped (%s session(s) ended)', v_ended);
END $$;

CREATE OR REPLACE FUNCTION provisioning._doctor_drop_owner_role(p_role text, p_actor text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_conn text;
BEGIN
  PERFORM provisioning._lock_database(p_role); -- an attach creating this database holds it
  IF NOT EXISTS (SELECT FROM provisioning._doctor_orphan_owner_roles() f WHERE f.object = p_role) THEN
    RETURN 'left alone: it is in use now';
  END IF;
  v_conn := provisioning._remote_open_bounded(current_database());
  PERFORM provisioning._remote(v_conn, format('DROP ROLE %I', p_role));
  PERFORM provisioning._remote_close(v_conn);
  PERFORM provisioning._log(p_actor, 'doctor.drop_owner_role', NULL, NULL, jsonb_build_object('role', p_role));
  RETURN 'dropped';
END $$;

CREATE OR REPLACE FUNCTION provisioning._doctor_record_detached(p_object text, p_actor text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_db text := split_part(p_object, '/', 1);
  v_ws text := substr(p_object, length(v_db) + 2);
  v_att provisioning.attachments;
BEGIN
  PERFORM provisioning._lock_database(v_db);
  SELECT * INTO v_att FROM provisioning.attachments a
   WHERE a.db_name = v_db AND a.workspace_id = v_ws AND a.detached_at IS NULL
     AND NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = a.login_role);
  IF NOT FOUND THEN
    RETURN 'left alone: it changed meanwhile';
  END IF;
  UPDATE provisioning.attachments a SET detached_at = now() WHERE a.id = v_att.id;
  PERFORM provisioning._log(p_actor, 'doctor.record_detached', v_db, v_ws,
    jsonb_build_object('login_role', v_att.login_role));
  RETURN 'recorded as detached';
END $$;

-- Applies one finding's fix; what it did, as a sentence.
CREATE OR REPLACE FUNCTION provisioning._doctor_fix_one(p_kind text, p_object text, p_actor text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  RETURN CASE p_kind
    WHEN 'unregistered database' THEN provisioning._doctor_adopt_database(p_object, p_actor)
    WHEN 'orphan login role' THEN provisioning._doctor_drop_login_role(p_object, p_actor)
    WHEN 'orphan owner role' THEN provisioning._doctor_drop_owner_role(p_object, p_actor)
    WHEN 'attachment without login role' THEN provisioning._doctor_record_detached(p_object, p_actor)
    WHEN 'access drift' THEN provisioning._doctor_repair_access(p_object, p_actor)
    WHEN 'left-over snapshot copy' THEN provisioning._doctor_drop_leftover_copies(p_object, p_actor)
  END;
END $$;

-- Every finding, with what --fix did about it (outcome NULL: nothing to do).
-- Each fix runs on its own: one that fails is reported and the others go on.
-- Login roles are dropped before owner roles (their membership goes with them).
CREATE OR REPLACE FUNCTION provisioning.doctor_fix(p_actor text DEFAULT NULL)
RETURNS TABLE (kind text, object text, problem text, fix text, fixable boolean, outcome text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_finding record;
BEGIN
  FOR v_finding IN
    SELECT * FROM provisioning.doctor() f
     ORDER BY f.kind = 'orphan owner role', f.kind, f.object
  LOOP
    kind := v_finding.kind;
    object := v_finding.object;
    problem := v_finding.problem;
    fix := v_finding.fix;
    fixable := v_finding.fixable;
    outcome := NULL;
    IF v_finding.fixable THEN
      BEGIN
        outcome := provisioning._doctor_fix_one(v_finding.kind, v_finding.object, p_actor);
      EXCEPTION WHEN OTHERS THEN
        outcome := 'failed: ' || SQLERRM;
      END;
    END IF;
    RETURN NEXT;
  END LOOP;
END $$;
