-- In-place changes to an attachment (its details, its owner role's name): what callers
-- that manage attachments over time (the provider, admins) need beyond attach/detach.
-- Lookups of an attachment are in attachments.sql, the drift states the provider reads in
-- lifecycle.sql, each beside the TypeScript that calls it.
--
-- Repeatable file: see docs/architecture-sql.md.

-- The workspace's live attachment to p_db; an error saying what to do when there is none.
CREATE OR REPLACE FUNCTION provisioning._live_attachment(p_db text, p_ws text) RETURNS provisioning.attachments
LANGUAGE plpgsql AS $$
DECLARE
  v_att provisioning.attachments;
BEGIN
  SELECT * INTO v_att FROM provisioning.attachments a
   WHERE a.db_name = p_db AND a.workspace_id = p_ws AND a.detached_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'workspace % is not attached to database %', p_ws, coalesce(p_db, '(null)')
      USING ERRCODE = 'undefined_object', HINT = 'attach it again (terraform apply re-creates a missing attachment)';
  END IF;
  RETURN v_att;
END $$;

-- Updates what can change without new credentials: the recorded names, the
-- owner's Coder id, the login role's connection limit; and repairs the database
-- (ensure_database re-checks ownership, PUBLIC's privileges and connections).
CREATE OR REPLACE FUNCTION provisioning.update_attachment(
  p_db text, p_workspace_id text, p_owner_id text, p_workspace_name text, p_template text,
  p_connection_limit int, p_actor text DEFAULT NULL
) RETURNS TABLE (db_name text, login_role text, repaired text[])
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_ws text := provisioning.validate_workspace_id(p_workspace_id);
  v_row provisioning.databases;
  v_att provisioning.attachments;
  v_conn text;
BEGIN
  IF p_connection_limit IS NULL OR p_connection_limit < -1 THEN
    RAISE EXCEPTION 'invalid connection limit %: must be -1 (no limit) or a non-negative number', p_connection_limit
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_att := provisioning._lock_live_attachment(p_db, v_ws);
  SELECT * INTO v_row FROM provisioning.databases d WHERE d.db_name = p_db;
  SELECT e.repaired INTO repaired
    FROM provisioning.ensure_database(v_row.db_type, v_row.owner_username,
                                      CASE WHEN v_row.db_type = 'individual' THEN p_owner_id END,
                                      v_row.team_name, p_actor) e;
  IF (SELECT r.rolconnlimit FROM pg_roles r WHERE r.rolname = v_att.login_role) IS DISTINCT FROM p_connection_limit THEN
    v_conn := provisioning._remote_open(current_database());
    PERFORM provisioning._remote(v_conn, format('ALTER ROLE %I CONNECTION LIMIT %s', v_att.login_role, p_connection_limit));
    PERFORM provisioning._remote_close(v_conn);
  END IF;
  UPDATE provisioning.attachments a
     SET workspace_name = p_workspace_name, template_name = p_template
   WHERE a.id = v_att.id;
  PERFORM provisioning._log(p_actor, 'workspace.update', p_db, v_ws, jsonb_build_object(
    'workspace_name', p_workspace_name, 'template', p_template, 'connection_limit', p_connection_limit,
    'repaired', to_jsonb(repaired)));
  db_name := p_db;
  login_role := v_att.login_role;
  RETURN NEXT;
END $$;

-- A member's sessions in a team database look in their personal schema first.
CREATE OR REPLACE FUNCTION provisioning._set_personal_search_path(p_conn text, p_role text, p_db text, p_owner text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM provisioning._remote(p_conn, format('ALTER ROLE %I IN DATABASE %I SET search_path = %I, shared, public',
                                              p_role, p_db, provisioning.personal_schema_name(p_owner)));
END $$;

-- The registry, and in a team database the member's personal schema and their
-- workspaces' search_path, follow a Coder user's new name (docs/security.md,
-- "Renamed Coder users"). The database keeps its name and the login roles keep
-- theirs (and their passwords): running workspaces keep their credentials.
-- When the new schema already holds objects (it was in use before), both
-- schemas are kept and an admin merges them; an empty one gives way.
-- The caller holds the database's lock.
CREATE OR REPLACE FUNCTION provisioning._rename_owner(p_db text, p_type text, p_old text, p_new text, p_actor text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_old_schema text := provisioning.personal_schema_name(p_old);
  v_new_schema text := provisioning.personal_schema_name(p_new);
  v_conn text;
  v_role text;
BEGIN
  UPDATE provisioning.databases d SET owner_username = p_new WHERE d.db_name = p_db AND d.db_type = 'individual';
  UPDATE provisioning.attachments a SET owner_username = p_new
   WHERE a.db_name = p_db AND a.owner_username = p_old AND a.detached_at IS NULL;
  IF EXISTS (SELECT FROM provisioning.db_users u WHERE u.db_name = p_db AND u.username = p_new) THEN
    DELETE FROM provisioning.db_users u WHERE u.db_name = p_db AND u.username = p_old;
  ELSE
    UPDATE provisioning.db_users u SET username = p_new WHERE u.db_name = p_db AND u.username = p_old;
  END IF;
  IF p_type = 'team' AND v_old_schema <> v_new_schema THEN
    v_conn := provisioning._remote_open_bounded(p_db);
    PERFORM provisioning._remote(v_conn, format($sql$SET ROLE %1$I; DO $do$ BEGIN
      IF EXISTS (SELECT FROM pg_namespace WHERE nspname = %2$L) THEN
        BEGIN
          DROP SCHEMA IF EXISTS %3$I;
        EXCEPTION WHEN dependent_objects_still_exist THEN
          RETURN;
        END;
        ALTER SCHEMA %2$I RENAME TO %3$I;
      END IF;
    END $do$; RESET ROLE$sql$, p_db, v_old_schema, v_new_schema));
    PERFORM provisioning._remote_close(v_conn);
    v_conn := provisioning._remote_open(current_database());
    FOR v_role IN
      -- Readers have no personal schema (access-levels.sql): theirs stays `shared, public`.
      SELECT a.login_role FROM provisioning.attachments a
       WHERE a.db_name = p_db AND a.owner_username = p_new AND a.detached_at IS NULL
         AND a.access_level = 'write' ORDER BY 1
    LOOP
      PERFORM provisioning._set_personal_search_path(v_conn, v_role, p_db, p_new);
    END LOOP;
    PERFORM provisioning._remote_close(v_conn);
  END IF;
  PERFORM provisioning._log(p_actor, 'owner.rename', p_db, NULL, jsonb_build_object('from', p_old, 'to', p_new));
END $$;

-- A Coder user renamed themselves: the attachment of p_workspace_id (and every
-- other of the user's attachments to p_db) follows the new name in place, no
-- detach, no last-detach policy. p_owner_id must be the user's Coder id, and
-- for an individual database the one recorded: without it a new name is a
-- different user. Idempotent: a second workspace of the same user finds the
-- rename done.
CREATE OR REPLACE FUNCTION provisioning.rename_owner(
  p_db text, p_workspace_id text, p_owner text, p_owner_id text, p_actor text DEFAULT NULL
) RETURNS TABLE (db_name text, previous_owner text, owner text, renamed boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_new text := provisioning.normalize_username(p_owner);
  v_ws text := provisioning.validate_workspace_id(p_workspace_id);
  v_att provisioning.attachments;
  v_row provisioning.databases;
BEGIN
  IF p_owner_id IS NULL THEN
    RAISE EXCEPTION 'renaming the owner of database % needs the owner''s Coder user id', coalesce(p_db, '(null)')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'set owner_id: without it a new username is a different user';
  END IF;
  PERFORM provisioning._lock_database(p_db);
  v_att := provisioning._live_attachment(p_db, v_ws);
  SELECT * INTO v_row FROM provisioning.databases d WHERE d.db_name = p_db;
  IF v_row.db_type = 'individual' AND v_row.owner_id IS DISTINCT FROM p_owner_id THEN
    RAISE EXCEPTION 'database % belongs to the Coder user with id %, not %', p_db, coalesce(v_row.owner_id, '(none recorded)'), p_owner_id
      USING ERRCODE = 'insufficient_privilege', HINT = 'a different user needs their own database: replace the attachment';
  END IF;
  db_name := p_db;
  previous_owner := v_att.owner_username;
  owner := v_new;
  renamed := v_att.owner_username <> v_new;
  IF renamed THEN
    PERFORM provisioning._rename_owner(p_db, v_row.db_type, v_att.owner_username, v_new, p_actor);
  END IF;
  RETURN NEXT;
END $$;
