/**
 * Leases of scheduled jobs (provisioning/jobs/jobs.sql): several `devdb serve`
 * processes share one registry, and each tick of each job runs once. Used by
 * the serve runtime (server/serve/); the SQL functions hold the rules.
 */
import { query, queryOne, type Queryable } from '../schema/index.js';
import type { JobClaim, JobOutcome } from '../contract/index.js';

export interface LeaseTarget {
  job: string;
  tick: Date;
  /** Who runs it: unique per serve process (host, pid, a random part). */
  holder: string;
}

const seconds = (ms: number) => `${Math.max(ms, 1) / 1000} seconds`;

/**
 * Claims a tick, or says why not (JobClaim); `notBefore`: when this process
 * started. The tick returned is an earlier one than asked for when a dead
 * holder left it unfinished (claim `taken_over`): it runs first.
 */
export async function claimJobTick(
  db: Queryable,
  target: LeaseTarget & { ttlMs: number; notBefore: Date },
): Promise<{ claim: JobClaim; tick: Date }> {
  return queryOne<{ claim: JobClaim; tick: Date }>(
    db,
    `SELECT * FROM provisioning.claim_job_tick($1, $2, $3, $4::interval, $5)`,
    [target.job, target.tick, target.holder, seconds(target.ttlMs), target.notBefore],
  );
}

/** False when the lease was lost (expired and taken over by another process). */
export async function renewJobLease(
  db: Queryable,
  target: LeaseTarget & { ttlMs: number },
): Promise<boolean> {
  const row = await queryOne<{ ok: boolean }>(
    db,
    `SELECT provisioning.renew_job_lease($1, $2, $3, $4::interval) AS ok`,
    [target.job, target.tick, target.holder, seconds(target.ttlMs)],
  );
  return row.ok;
}

/** Finishes a tick (outcome) or, with outcome null, gives it up for another process to run. */
export async function endJobTick(
  db: Queryable,
  target: LeaseTarget & { outcome: JobOutcome | null; error?: string },
): Promise<boolean> {
  const row = await queryOne<{ ok: boolean }>(
    db,
    `SELECT provisioning.end_job_tick($1, $2, $3, $4, $5) AS ok`,
    [target.job, target.tick, target.holder, target.outcome, target.error ?? null],
  );
  return row.ok;
}

export async function pruneJobLeases(db: Queryable, keepDays: number): Promise<number> {
  const row = await queryOne<{ n: number }>(
    db,
    `SELECT provisioning.prune_job_leases(make_interval(days => $1)) AS n`,
    [keepDays],
  );
  return row.n;
}

export interface JobRun {
  job: string;
  tick: Date;
  holder: string;
  attempts: number;
  claimedAt: Date;
  expiresAt: Date;
  finishedAt: Date | null;
  outcome: JobOutcome | null;
  error: string | null;
}

/** Ticks of every job (or one), newest first. */
export async function listJobRuns(
  db: Queryable,
  options: { job?: string; limit?: number } = {},
): Promise<JobRun[]> {
  return query<JobRun>(
    db,
    `SELECT job, tick, holder, attempts, claimed_at AS "claimedAt", expires_at AS "expiresAt",
            finished_at AS "finishedAt", outcome, error
       FROM provisioning.job_leases WHERE $1::text IS NULL OR job = $1
      ORDER BY tick DESC, job LIMIT $2`,
    [options.job ?? null, options.limit ?? 100],
  );
}
