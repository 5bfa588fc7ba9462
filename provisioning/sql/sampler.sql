-- The sampler (docs/operations.md, "Running devdb serve"): what `devdb serve`
-- records of every active DevDB database every few minutes, so last access is
-- known even where no agent runs, and samples are kept for trends.
--
-- Repeatable file: see docs/architecture-sql.md.

-- One pass, set-based: the access rule of access.sql (_advance_access) over
-- every active database present under its name, one row of samples each
-- (size, client sessions open now, pg_stat_database's counters, whether it
-- was used), and the samples older than p_retention removed. p_at is the
-- pass's time (injectable); it is also what last_accessed moves to.
CREATE OR REPLACE FUNCTION provisioning.sample_databases(p_at timestamptz, p_retention interval)
RETURNS TABLE (databases int, accessed int, pruned int)
LANGUAGE plpgsql AS $$
DECLARE
  v_names text[];
BEGIN
  SELECT coalesce(array_agg(d.db_name ORDER BY d.db_name), '{}') INTO v_names
    FROM provisioning.databases d JOIN pg_database pd ON pd.datname = d.db_name
   WHERE d.status = 'active';
  WITH seen AS (
    SELECT * FROM provisioning._advance_access(v_names, p_at)
  ), stored AS (
    INSERT INTO provisioning.samples AS s (db_name, at, size_bytes, connections, sessions, session_time, xact_commit, accessed)
    SELECT seen.db_name, p_at, pg_database_size(seen.db_name), seen.live, seen.sessions, seen.session_time,
           seen.xact_commit, seen.accessed
      FROM seen
    ON CONFLICT (db_name, at) DO UPDATE
      SET size_bytes = excluded.size_bytes, connections = excluded.connections, sessions = excluded.sessions,
          session_time = excluded.session_time, xact_commit = excluded.xact_commit,
          accessed = s.accessed OR excluded.accessed
    RETURNING s.accessed
  )
  SELECT count(*)::int, count(*) FILTER (WHERE stored.accessed)::int INTO databases, accessed FROM stored;
  DELETE FROM provisioning.samples s WHERE s.at < p_at - p_retention;
  GET DIAGNOSTICS pruned = ROW_COUNT;
  RETURN NEXT;
END $$;
