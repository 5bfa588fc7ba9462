-- `devdb serve` (docs/operations.md, "Running devdb serve"): the leases that let
-- several serve processes share one registry, and the sampler's samples.
--
-- job_leases: one row per scheduled run ("tick") of a job. The process that
-- inserts it runs the job and renews expires_at while it does; a holder that
-- dies stops renewing, its lease expires and another process takes the tick
-- over (provisioning/sql/jobs.sql). finished_at is set once, when the run ends.
CREATE TABLE provisioning.job_leases (
  job         text NOT NULL,
  tick        timestamptz NOT NULL,
  holder      text NOT NULL,
  claimed_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at  timestamptz NOT NULL,
  -- Claims of this tick: more than 1 when a holder died and another took over.
  attempts    int NOT NULL DEFAULT 1,
  finished_at timestamptz,
  outcome     text CHECK (outcome IN ('ok', 'failed')),
  error       text,
  PRIMARY KEY (job, tick),
  CHECK ((finished_at IS NULL) = (outcome IS NULL))
);
CREATE INDEX job_leases_unfinished_idx ON provisioning.job_leases (job, tick) WHERE finished_at IS NULL;

-- What the sampler saw of each active database, for trends; pruned after the
-- retention (setting sample_retention_days). size_bytes was measured at
-- size_at (provisioning/sql/sampler.sql says when it is measured again);
-- connections: client sessions (autovacuum workers aside); sessions,
-- session_time and xact_commit are pg_stat_database's counters; accessed:
-- whether last_accessed moved.
CREATE TABLE provisioning.samples (
  db_name      text NOT NULL REFERENCES provisioning.databases ON DELETE CASCADE,
  at           timestamptz NOT NULL,
  size_bytes   bigint,
  size_at      timestamptz,
  connections  int NOT NULL,
  sessions     bigint NOT NULL,
  session_time double precision NOT NULL,
  xact_commit  bigint NOT NULL,
  accessed     boolean NOT NULL,
  PRIMARY KEY (db_name, at)
);
CREATE INDEX samples_at_idx ON provisioning.samples (at);
