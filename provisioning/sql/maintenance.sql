-- In-place changes to an attachment, lookups by name, and the drift state the
-- Terraform provider reads: what callers that manage attachments over time (the
-- provider, admins) need beyond attach/detach.
--
-- Repeatable file: see docs/architecture-sql.md.

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
