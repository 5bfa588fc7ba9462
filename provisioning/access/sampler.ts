/**
 * The sampler (docs/operations.md, "Running devdb serve"): one set-based pass
 * over every active DevDB database (provisioning/access/sampler.sql). last_accessed
 * moves by the same rule as the agent's reports (reportAccess); a sample of
 * each database is kept for trends, for a retention.
 */
import { queryOne, type Queryable } from '../schema/index.js';

/** provisioning.settings key: days samples are kept (default DEFAULT_SAMPLE_RETENTION_DAYS). */
export const SAMPLE_RETENTION_SETTING = 'sample_retention_days';
export const DEFAULT_SAMPLE_RETENTION_DAYS = 30;
/**
 * provisioning.settings key: idle databases whose size a pass re-measures at
 * most (default 250, in provisioning/access/sampler.sql); used ones are always measured.
 */
export const SAMPLER_SIZE_BUDGET_SETTING = 'sampler_size_budget';

export interface SampleResult {
  /** Databases sampled (active, present under their name). */
  databases: number;
  /** Of those, used since the previous report: their last_accessed moved to `at` (never back). */
  accessed: number;
  /**
   * Of those, whose size was measured: used, connected, or (at most
   * sampler_size_budget of them) never measured or last measured over an hour ago.
   */
  measured: number;
  /** Samples older than the retention, removed. */
  pruned: number;
  /** The pass's time: the server's clock (provisioning._now()), never the caller's. */
  at: Date;
}

async function retentionDays(db: Queryable): Promise<number> {
  const row = await queryOne<{ days: string | null }>(
    db,
    `SELECT (SELECT value FROM provisioning.settings WHERE key = $1) AS days`,
    [SAMPLE_RETENTION_SETTING],
  );
  const days = Number(row.days ?? DEFAULT_SAMPLE_RETENTION_DAYS);
  return Number.isFinite(days) && days > 0 ? days : DEFAULT_SAMPLE_RETENTION_DAYS;
}

/**
 * Samples every active database once, at the server's time (the samples' `at`
 * and the last_accessed of the databases used: a caller's clock, ahead or
 * behind, moves nothing). `retentionDays` overrides the setting. A size is
 * measured where the database was used or is connected to, else hourly (at
 * most sampler_size_budget idle databases a pass, the oldest measure first).
 */
export async function sampleAll(
  db: Queryable,
  options: { retentionDays?: number } = {},
): Promise<SampleResult> {
  const days = options.retentionDays ?? (await retentionDays(db));
  return queryOne<SampleResult>(
    db,
    `SELECT at, databases, accessed, measured, pruned
       FROM provisioning.sample_databases(make_interval(days => $1))`,
    [days],
  );
}

export interface Sample {
  database: string;
  at: Date;
  sizeBytes: number | null;
  /** When sizeBytes was measured (an idle database's size is measured hourly). */
  sizeAt: Date | null;
  connections: number;
  sessions: number;
  xactCommit: number;
  accessed: boolean;
}

/**
 * The samples kept of one database, oldest first (for trends): since a time,
 * or of the last `days` by the server's clock.
 */
export async function listSamples(
  db: Queryable,
  database: string,
  options: { since?: Date; days?: number } = {},
): Promise<Sample[]> {
  const { rows } = await db.query<Sample>(
    `SELECT db_name AS database, at, size_bytes::float8 AS "sizeBytes", size_at AS "sizeAt", connections,
            sessions::float8 AS sessions, xact_commit::float8 AS "xactCommit", accessed
       FROM provisioning.samples
      WHERE db_name = $1 AND ($2::timestamptz IS NULL OR at >= $2)
        AND ($3::int IS NULL OR at >= provisioning._now() - make_interval(days => $3))
      ORDER BY at`,
    [database, options.since ?? null, options.days ?? null],
  );
  return rows;
}

/**
 * Runs `fn` (DevDB's own work in `database`: a backup) so that its sessions do
 * not count as access: what happened before is judged first, and afterwards,
 * once DevDB's sessions there have ended, the baseline takes the counters as
 * they are, unless someone else is connected then.
 */
export async function withoutCountingAsAccess<T>(
  db: Queryable,
  database: string,
  fn: () => Promise<T>,
  options: { settleMs?: number } = {},
): Promise<T> {
  await db.query(`SELECT FROM provisioning._advance_access(ARRAY[$1])`, [database]);
  try {
    return await fn();
  } finally {
    await ownSessionsGone(db, database, options.settleMs ?? 100);
    await db.query(`SELECT provisioning._absorb_own_sessions($1)`, [database]);
  }
}

/**
 * A backend leaves pg_stat_activity just before it flushes its last
 * statistics: wait for DevDB's sessions in `database` to be gone, then a
 * little more. Bounded: a stuck session must not stop the caller.
 */
async function ownSessionsGone(db: Queryable, database: string, settleMs: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = $1 AND usename = current_user AND pid <> pg_backend_pid()`,
      [database],
    );
    if (rows[0]!.n === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, settleMs));
}
