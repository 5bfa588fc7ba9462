-- The sampler (docs/operations.md, "Running devdb serve"): what `devdb serve`
-- records of every active DevDB database every few minutes, so last access is
-- known even where no agent runs, and samples are kept for trends.
--
-- Repeatable file: see docs/architecture-sql.md.

-- One pass, set-based: the access rule of access.sql (_advance_access) over
-- every active database present under its name, one row of samples each
-- (size, client sessions open now, pg_stat_database's counters, whether it
-- was used), and the samples older than p_retention removed. The pass's time
-- is this server's (provisioning._now(), never a caller's): the samples' `at`,
-- what last_accessed moves to, and what the retention counts back from.
--
-- pg_database_size reads every file of a database (about 1 ms each on a small
-- one): it is measured where a client session was open or did something since
-- the previous pass, or where the size on record is older than p_size_every
-- (between half of it and all of it, by a hash of the name, so that the
-- re-measuring of idle databases spreads over the passes instead of all
-- coming at once); in between, an idle database's size on record is repeated
-- (only clients change a database's size).
--
-- Idle databases are re-measured at most sampler_size_budget a pass (setting,
-- default 250): never measured ones first, then the oldest measure. The pass
-- after a long pause, or the first over many new databases (1,000 sizes:
-- ~1.3 s), is so spread over a few passes; until its turn, a database never
-- measured has no size in its sample (NULL). Used or connected databases are
-- measured whatever the budget.
CREATE OR REPLACE FUNCTION provisioning.sample_databases(
  p_retention interval, p_size_every interval DEFAULT '1 hour')
RETURNS TABLE (at timestamptz, databases int, accessed int, measured int, pruned int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  p_at timestamptz := provisioning._now();
  v_names text[];
  v_budget int := coalesce((SELECT value::int FROM provisioning.settings
                             WHERE key = 'sampler_size_budget' AND value ~ '^\s*[0-9]{1,9}\s*$'), 250);
BEGIN
  SELECT coalesce(array_agg(d.db_name ORDER BY d.db_name), '{}') INTO v_names
    FROM provisioning.databases d JOIN pg_database pd ON pd.datname = d.db_name
   WHERE d.status = 'active';
  WITH seen AS (
    SELECT a.*, p.size_bytes AS last_size, p.size_at AS last_size_at
      FROM provisioning._advance_access(v_names) a
      LEFT JOIN LATERAL (
        SELECT s.size_bytes, s.size_at FROM provisioning.samples s
         WHERE s.db_name = a.db_name AND s.at <= p_at ORDER BY s.at DESC LIMIT 1
      ) p ON true
  ), due AS (
    SELECT seen.*, (seen.accessed OR seen.live > 0) AS changed,
           (seen.last_size_at IS NULL
            OR seen.last_size_at <= p_at - p_size_every * (0.5 + (abs(hashtext(seen.db_name)) % 1000) / 2000.0)
           ) AS stale
      FROM seen
  ), sized AS (
    SELECT due.*,
           due.changed OR (due.stale AND row_number() OVER (
             PARTITION BY due.stale AND NOT due.changed
             ORDER BY due.last_size_at NULLS FIRST, due.db_name) <= v_budget) AS measure
      FROM due
  ), stored AS (
    INSERT INTO provisioning.samples AS s
      (db_name, at, size_bytes, size_at, connections, sessions, session_time, xact_commit, accessed)
    SELECT z.db_name, p_at,
           CASE WHEN z.measure THEN pg_database_size(z.db_name) ELSE z.last_size END,
           CASE WHEN z.measure THEN p_at ELSE z.last_size_at END,
           z.live, z.sessions, z.session_time, z.xact_commit, z.accessed
      FROM sized z
    ON CONFLICT (db_name, at) DO UPDATE
      SET size_bytes = excluded.size_bytes, size_at = excluded.size_at, connections = excluded.connections,
          sessions = excluded.sessions, session_time = excluded.session_time, xact_commit = excluded.xact_commit,
          accessed = s.accessed OR excluded.accessed
    RETURNING s.accessed, s.size_at = p_at AS measured
  )
  SELECT count(*)::int, count(*) FILTER (WHERE stored.accessed)::int, count(*) FILTER (WHERE stored.measured)::int
    INTO databases, accessed, measured FROM stored;
  DELETE FROM provisioning.samples s WHERE s.at < p_at - p_retention;
  GET DIAGNOSTICS pruned = ROW_COUNT;
  at := p_at;
  RETURN NEXT;
END $$;

-- A database's size as the sampler last recorded it (its latest sample, when
-- the sampler ran in the last two hours and has sized it), else measured now
-- (pg_database_size walks every file of the database, about 1 ms each);
-- NULL when the database is not on the server (p_oid NULL). What the lists,
-- the summary, the dashboard and /metrics show: reading 1,000 recorded sizes
-- is an index lookup each instead of 1,000 directory walks. `devdb size` and
-- one database's live numbers measure.
CREATE OR REPLACE FUNCTION provisioning.recorded_size(p_db_name text, p_oid oid) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_oid IS NOT NULL THEN coalesce(
           (SELECT s.size_bytes FROM provisioning.samples s
             WHERE s.db_name = p_db_name AND s.at >= provisioning._now() - interval '2 hours'
             ORDER BY s.at DESC LIMIT 1),
           pg_database_size(p_oid)) END;
$$;
