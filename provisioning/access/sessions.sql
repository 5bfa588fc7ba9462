-- What the admin commands change that no other operation does
-- (docs/operations.md, "Admin commands"): ending a database's sessions.
--
-- Repeatable file: see docs/architecture-sql.md.

-- Ends the client sessions in a DevDB database (all of them, or one user's),
-- as `devdb connections NAME --terminate` does. The provisioner may end any
-- non-superuser session (pg_signal_backend); superuser sessions are left and
-- counted. New connections are not refused: the workspaces may reconnect.
CREATE OR REPLACE FUNCTION provisioning.terminate_sessions(p_db text, p_user text DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS TABLE (terminated int, left_running int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  IF NOT EXISTS (SELECT FROM provisioning.databases d WHERE d.db_name = p_db) THEN
    RAISE EXCEPTION 'no DevDB database named %', coalesce(quote_literal(p_db), '(null)')
      USING ERRCODE = 'undefined_object', HINT = 'see provisioning.database_summary for the databases DevDB knows';
  END IF;
  SELECT count(*) FILTER (WHERE NOT r.rolsuper AND pg_terminate_backend(a.pid, 5000)),
         count(*) FILTER (WHERE r.rolsuper)
    INTO terminated, left_running
    FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
   WHERE a.datname = p_db AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
     AND (p_user IS NULL OR a.usename = p_user);
  PERFORM provisioning._log(p_actor, 'database.terminate_sessions', p_db, NULL,
    jsonb_build_object('user', p_user, 'terminated', terminated, 'left_running', left_running));
  RETURN NEXT;
END $$;
