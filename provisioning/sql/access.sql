-- Last access (docs/architecture.md, "Last access and lifecycle"): record_access reads PostgreSQL's own activity
-- counters; report_access is the agent's entry point.
--
-- Repeatable file: see docs/architecture-sql.md.
--
-- A database counts as used when its sessions or session_time advanced since
-- the previous report, not xact_commit: autovacuum workers commit transactions
-- in every database that has statistics, once per autovacuum_naptime, whether
-- anyone used it or not, so every database would look used at nearly every
-- report. PostgreSQL accounts sessions and session_time to client backends
-- only: a new session moves sessions; a session that stays open moves
-- session_time whenever it flushes its statistics, which it does after running
-- statements (at most once a second) and when it ends — an idle session flushes
-- nothing. (active_time would lag one statement behind: a statement's running
-- time is counted after the flush that follows it.) xact_commit is still
-- recorded, for reference only.

CREATE OR REPLACE FUNCTION provisioning.record_access(p_db text, p_workspace_id text DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_now record;
  v_live bigint;
  v_base provisioning.access_baseline;
  v_accessed boolean;
BEGIN
  SELECT s.sessions, s.session_time, s.xact_commit, s.stats_reset INTO v_now
    FROM pg_stat_database s WHERE s.datname = p_db;
  IF NOT FOUND OR NOT EXISTS (SELECT FROM provisioning.databases d WHERE d.db_name = p_db) THEN
    RAISE EXCEPTION 'no DevDB database named %', p_db USING ERRCODE = 'undefined_object';
  END IF;
  -- Sessions open right now. numbackends counts autovacuum workers too; they are
  -- the rows without a user (backend_type is hidden from roles without
  -- pg_read_all_stats, usesysid is not).
  SELECT count(*) INTO v_live FROM pg_stat_activity a
   WHERE a.datname = p_db AND a.usesysid IS NOT NULL;
  SELECT * INTO v_base FROM provisioning.access_baseline b WHERE b.db_name = p_db FOR UPDATE;
  v_accessed := CASE
    WHEN v_base.db_name IS NULL THEN v_live > 0
    -- After a statistics reset the counters restart; only a live session is evidence.
    WHEN v_base.stats_reset IS DISTINCT FROM v_now.stats_reset THEN v_live > 0
    ELSE v_now.sessions > v_base.sessions OR v_now.session_time > v_base.session_time
  END;
  INSERT INTO provisioning.access_baseline AS b (db_name, sessions, xact_commit, session_time, stats_reset, sampled_at)
  VALUES (p_db, v_now.sessions, v_now.xact_commit, v_now.session_time, v_now.stats_reset, now())
  ON CONFLICT (db_name) DO UPDATE
    SET sessions = excluded.sessions, xact_commit = excluded.xact_commit, session_time = excluded.session_time,
        stats_reset = excluded.stats_reset, sampled_at = excluded.sampled_at;
  IF p_workspace_id IS NOT NULL THEN
    UPDATE provisioning.attachments a SET last_seen_at = now()
     WHERE a.db_name = p_db AND a.workspace_id = p_workspace_id AND a.detached_at IS NULL;
  END IF;
  IF v_accessed THEN
    UPDATE provisioning.databases d SET last_accessed = now() WHERE d.db_name = p_db;
    PERFORM provisioning._log(p_actor, 'database.access', p_db, p_workspace_id,
      jsonb_build_object('sessions', v_now.sessions, 'session_time_ms', v_now.session_time));
  END IF;
  RETURN v_accessed;
END $$;

-- The agent's entry point: a workspace login role reports for its own database only.
CREATE OR REPLACE FUNCTION provisioning.report_access() RETURNS TABLE (db_name text, accessed boolean)
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
