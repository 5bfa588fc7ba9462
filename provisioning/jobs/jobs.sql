-- Scheduled jobs of `devdb serve` (docs/operations.md, "Several serve
-- processes"): each tick of each job runs once, whichever of the serve
-- processes sharing this registry claims it. provisioning.job_leases (migration
-- 013) holds one row per tick. Lease times are this server's clock
-- (clock_timestamp()), so the serve processes' clocks need not agree.
--
-- Repeatable file: see docs/architecture-sql.md.

-- Claims a tick of a job for p_holder, or says why not; returns the tick it
-- is about, which is an earlier one than p_tick when a dead holder left it:
--   claimed       no one had p_tick: p_holder runs it now
--   taken_over    an unfinished tick whose lease expired (its holder died or
--                 gave it up): p_holder runs it again. A tick is never skipped:
--                 it is taken over before any later tick of the job starts
--   held          p_holder runs it already
--   running       another holder runs it, its lease alive
--   waiting       an earlier tick of the job still runs: p_tick waits its turn
--   finished      p_tick ran
--   stale         a later tick of the job exists (this process's clock is behind)
--   before_start  the job never ran and p_tick is older than p_not_before (when
--                 this process started): a new job does not start in the past
-- Claims of one job are serialised by an advisory lock ('devj'), so each
-- decision sees the others' rows.
CREATE OR REPLACE FUNCTION provisioning.claim_job_tick(
  p_job text, p_tick timestamptz, p_holder text, p_ttl interval, p_not_before timestamptz)
RETURNS TABLE (claim text, tick timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  v_open provisioning.job_leases;
BEGIN
  PERFORM pg_advisory_xact_lock(1684371050, hashtext(p_job)); -- 1684371050 = 'devj'
  tick := p_tick;
  SELECT * INTO v_open FROM provisioning.job_leases l
   WHERE l.job = p_job AND l.finished_at IS NULL ORDER BY l.tick LIMIT 1;
  IF FOUND THEN
    IF v_open.expires_at <= clock_timestamp() THEN
      UPDATE provisioning.job_leases l
         SET holder = p_holder, claimed_at = clock_timestamp(), expires_at = clock_timestamp() + p_ttl,
             attempts = l.attempts + 1
       WHERE l.job = p_job AND l.tick = v_open.tick;
      claim := 'taken_over';
      tick := v_open.tick;
    ELSIF v_open.tick = p_tick THEN
      claim := CASE WHEN v_open.holder = p_holder THEN 'held' ELSE 'running' END;
    ELSE
      claim := 'waiting';
    END IF;
  ELSIF EXISTS (SELECT FROM provisioning.job_leases l WHERE l.job = p_job AND l.tick = p_tick) THEN
    claim := 'finished';
  ELSIF EXISTS (SELECT FROM provisioning.job_leases l WHERE l.job = p_job AND l.tick > p_tick) THEN
    claim := 'stale';
  ELSIF p_tick < p_not_before AND NOT EXISTS (SELECT FROM provisioning.job_leases l WHERE l.job = p_job) THEN
    claim := 'before_start';
  ELSE
    INSERT INTO provisioning.job_leases (job, tick, holder, expires_at)
    VALUES (p_job, p_tick, p_holder, clock_timestamp() + p_ttl);
    claim := 'claimed';
  END IF;
  RETURN NEXT;
END $$;

-- Keeps a running tick's lease alive; false when p_holder no longer holds it
-- (it expired and another process took the tick over).
CREATE OR REPLACE FUNCTION provisioning.renew_job_lease(
  p_job text, p_tick timestamptz, p_holder text, p_ttl interval)
RETURNS boolean
LANGUAGE sql AS $$
  WITH renewed AS (
    UPDATE provisioning.job_leases l SET expires_at = clock_timestamp() + p_ttl
     WHERE l.job = p_job AND l.tick = p_tick AND l.holder = p_holder AND l.finished_at IS NULL
    RETURNING 1
  )
  SELECT EXISTS (SELECT FROM renewed);
$$;

-- Ends a tick p_holder holds: finished ('ok' or 'failed', with the error), or,
-- with p_outcome NULL, given up (a stopping process): its lease expires now,
-- so another process takes the tick over at once.
CREATE OR REPLACE FUNCTION provisioning.end_job_tick(
  p_job text, p_tick timestamptz, p_holder text, p_outcome text, p_error text DEFAULT NULL)
RETURNS boolean
LANGUAGE sql AS $$
  WITH ended AS (
    UPDATE provisioning.job_leases l
       SET finished_at = CASE WHEN p_outcome IS NOT NULL THEN clock_timestamp() END,
           outcome = p_outcome, error = p_error,
           expires_at = CASE WHEN p_outcome IS NULL THEN clock_timestamp() ELSE l.expires_at END
     WHERE l.job = p_job AND l.tick = p_tick AND l.holder = p_holder AND l.finished_at IS NULL
    RETURNING 1
  )
  SELECT EXISTS (SELECT FROM ended);
$$;

-- Finished ticks older than p_keep go, except each job's latest (which tells
-- a restarted serve where the job's history ends).
CREATE OR REPLACE FUNCTION provisioning.prune_job_leases(p_keep interval) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_pruned int;
BEGIN
  DELETE FROM provisioning.job_leases l
   WHERE l.finished_at IS NOT NULL AND l.finished_at < clock_timestamp() - p_keep
     AND l.tick < (SELECT max(m.tick) FROM provisioning.job_leases m WHERE m.job = l.job);
  GET DIAGNOSTICS v_pruned = ROW_COUNT;
  RETURN v_pruned;
END $$;
