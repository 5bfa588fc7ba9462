-- Last access (docs/architecture.md, "Last access and lifecycle"): _advance_access holds the rule over
-- PostgreSQL's own activity counters; record_access applies it to one database
-- (report_access is the agent's entry point), sample_databases (sampler.sql) to all.
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

-- The rule, set-based, for every database in p_dbs that exists: judges each
-- against its baseline (the previous report's counters, whoever reported:
-- the agent or the sampler), moves the baselines to the counters now, and sets
-- last_accessed to now (provisioning._now(): this server's clock, never a
-- caller's) where the database was used. last_accessed never moves backwards.
-- One definition for the agent's record_access and the sampler's
-- sample_databases (sampler.sql).
--
-- Sessions open right now (live): numbackends counts autovacuum workers too;
-- they are the rows without a user (backend_type is hidden from roles without
-- pg_read_all_stats, usesysid is not). With no baseline yet, or after a
-- statistics reset (the counters restart), only a live session is evidence.
CREATE OR REPLACE FUNCTION provisioning._advance_access(p_dbs text[])
RETURNS TABLE (db_name text, accessed boolean, live int, sessions bigint, session_time double precision, xact_commit bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  p_at timestamptz := provisioning._now();
BEGIN
  -- Concurrent reporters of one database queue here, in name order (no deadlock).
  PERFORM FROM provisioning.access_baseline b WHERE b.db_name = ANY (p_dbs) ORDER BY b.db_name FOR UPDATE;
  RETURN QUERY
  WITH counters AS (
    SELECT s.datname::text AS db_name, s.sessions, s.session_time, s.xact_commit, s.stats_reset
      FROM pg_stat_database s WHERE s.datname = ANY (p_dbs)
  ), live AS (
    SELECT a.datname::text AS db_name, count(*)::int AS n FROM pg_stat_activity a
     WHERE a.datname = ANY (p_dbs) AND a.usesysid IS NOT NULL GROUP BY a.datname
  ), judged AS (
    SELECT c.*, coalesce(l.n, 0) AS live,
           CASE
             WHEN b.db_name IS NULL OR b.stats_reset IS DISTINCT FROM c.stats_reset THEN coalesce(l.n, 0) > 0
             ELSE c.sessions > b.sessions OR c.session_time > b.session_time
           END AS accessed
      FROM counters c
      LEFT JOIN live l ON l.db_name = c.db_name
      LEFT JOIN provisioning.access_baseline b ON b.db_name = c.db_name
  ), baselines AS (
    INSERT INTO provisioning.access_baseline AS b (db_name, sessions, xact_commit, session_time, stats_reset, sampled_at)
    SELECT j.db_name, j.sessions, j.xact_commit, j.session_time, j.stats_reset, p_at FROM judged j
     WHERE EXISTS (SELECT FROM provisioning.databases d WHERE d.db_name = j.db_name)
    ON CONFLICT (db_name) DO UPDATE
      SET sessions = excluded.sessions, xact_commit = excluded.xact_commit, session_time = excluded.session_time,
          stats_reset = excluded.stats_reset, sampled_at = excluded.sampled_at
  ), touched AS (
    UPDATE provisioning.databases d SET last_accessed = greatest(d.last_accessed, p_at)
      FROM judged j WHERE d.db_name = j.db_name AND j.accessed
  )
  SELECT j.db_name, j.accessed, j.live, j.sessions, j.session_time, j.xact_commit FROM judged j;
END $$;

-- A new database's baseline, taken when DevDB created it (ensure_database,
-- attach_workspace), right after DevDB's own sessions in it (its schema, the
-- first workspace's settings) have ended: so the first report about it, the
-- sampler's or the agent's, counts every client session since the creation —
-- one that came and went before the first sample too — and not DevDB's own.
-- Nobody else can be in a database this young: it was closed to connections
-- until DevDB's lock-down, and its first credentials are handed out only when
-- this transaction commits. A session's counters are flushed before it leaves
-- pg_stat_activity, so once none is listed the counters are complete; the wait
-- is bounded (5 s), a session still there then would count as access.
CREATE OR REPLACE FUNCTION provisioning._baseline_new_database(p_db text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_deadline timestamptz := clock_timestamp() + interval '5 seconds';
BEGIN
  LOOP
    PERFORM pg_stat_clear_snapshot();
    EXIT WHEN NOT EXISTS (SELECT FROM pg_stat_activity a WHERE a.datname = p_db)
           OR clock_timestamp() > v_deadline;
    PERFORM pg_sleep(0.005);
  END LOOP;
  PERFORM pg_stat_clear_snapshot();
  INSERT INTO provisioning.access_baseline AS b (db_name, sessions, xact_commit, session_time, stats_reset, sampled_at)
  SELECT p_db, s.sessions, s.xact_commit, s.session_time, s.stats_reset, provisioning._now()
    FROM pg_stat_database s
   WHERE s.datname = p_db AND EXISTS (SELECT FROM provisioning.databases d WHERE d.db_name = p_db)
  ON CONFLICT (db_name) DO UPDATE
    SET sessions = excluded.sessions, xact_commit = excluded.xact_commit, session_time = excluded.session_time,
        stats_reset = excluded.stats_reset, sampled_at = excluded.sampled_at;
END $$;

-- DevDB's own sessions in a database (a backup's) are not access: once they
-- are gone, the baseline takes the counters as they are, unless someone
-- else's session is open there now (then the next report counts it anyway).
-- Call provisioning._advance_access first, so what happened before is judged.
CREATE OR REPLACE FUNCTION provisioning._absorb_own_sessions(p_db text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM pg_stat_activity a
              WHERE a.datname = p_db AND a.usesysid IS NOT NULL AND a.usename <> current_user) THEN
    RETURN false;
  END IF;
  UPDATE provisioning.access_baseline b
     SET sessions = s.sessions, xact_commit = s.xact_commit, session_time = s.session_time, stats_reset = s.stats_reset
    FROM pg_stat_database s
   WHERE b.db_name = p_db AND s.datname = p_db;
  RETURN FOUND;
END $$;

CREATE OR REPLACE FUNCTION provisioning.record_access(p_db text, p_workspace_id text DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_seen record;
BEGIN
  IF NOT EXISTS (SELECT FROM provisioning.databases d WHERE d.db_name = p_db) THEN
    RAISE EXCEPTION 'no DevDB database named %', p_db USING ERRCODE = 'undefined_object';
  END IF;
  SELECT * INTO v_seen FROM provisioning._advance_access(ARRAY[p_db]);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no DevDB database named %', p_db USING ERRCODE = 'undefined_object';
  END IF;
  IF p_workspace_id IS NOT NULL THEN
    UPDATE provisioning.attachments a SET last_seen_at = now()
     WHERE a.db_name = p_db AND a.workspace_id = p_workspace_id AND a.detached_at IS NULL;
  END IF;
  IF v_seen.accessed THEN
    PERFORM provisioning._log(p_actor, 'database.access', p_db, p_workspace_id,
      jsonb_build_object('sessions', v_seen.sessions, 'session_time_ms', v_seen.session_time));
  END IF;
  RETURN v_seen.accessed;
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
