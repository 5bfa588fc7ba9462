/**
 * Work that acts on its own is single-flight across processes and machines
 * (docs/operations.md, "One at a time"): cleanup (and the policy job's
 * actions), each database's drop and each database's backup run under a
 * PostgreSQL advisory lock held by a session. A second run waits for the first
 * (or, asked not to wait, refuses, saying who holds it); the lock goes with its
 * session, so a holder killed with SIGKILL or lost with its machine frees it,
 * and a re-run converges.
 */
import { hostname } from 'node:os';
import { ProvisioningError } from '../contract/index.js';
import { query, queryOne, withSession, type Queryable } from '../schema/index.js';

/** One kind of run lock: an advisory lock class ('devc'…) and what it guards, for messages. */
export interface RunLockKind {
  /** The advisory lock's first key. */
  classId: number;
  /** `cleanup`, `drop of dev_alice`: what another run is doing. */
  what: string;
}

/** Cleanup, and the policy job when it archives or drops: one run at a time per registry ('devc'). */
export const CLEANUP_RUN_LOCK: RunLockKind = { classId: 1684371043, what: 'cleanup' };
/** One database's drop (its final backup, verification and the drop) at a time ('devx'). */
export const DROP_RUN_LOCK = 1684371064;
/** One backup of a database at a time ('devk'); each run also holds BACKUP_RUN_LOCK on its row. */
export const BACKUP_DATABASE_LOCK = 1684371051;

/** Who holds a run lock, as PostgreSQL shows the holding session. */
export interface RunLockHolder {
  /** The holding session's application_name: `devdb cleanup (pid 4242 on ops-1)`. */
  application: string | null;
  /** Since when it holds it (the holding session went idle then). */
  since: Date | null;
  /** The holder's address as the server sees it (null: a local socket). */
  clientAddr: string | null;
}

/** A run lock someone else holds, with `wait: false`: nothing was done. */
export class RunLockBusyError extends ProvisioningError {
  constructor(
    readonly what: string,
    readonly holder: RunLockHolder | null,
  ) {
    super(`another ${what} is running (${describeHolder(holder)})`, '55P03');
    this.name = 'RunLockBusyError';
  }
}

/** `pid 4242 on ops-1, since 2030-01-01T02:00:03Z`, for messages. */
export function describeHolder(holder: RunLockHolder | null): string {
  if (!holder) return 'holder unknown';
  const who = holder.application?.match(/\((.*)\)$/)?.[1] ?? holder.application ?? 'unknown';
  const from = holder.clientAddr ? ` from ${holder.clientAddr}` : '';
  const since = holder.since ? `, since ${holder.since.toISOString().replace(/\.\d+Z$/, 'Z')}` : '';
  return `${who}${from}${since}`;
}

/** `devdb cleanup (pid 4242 on ops-1)`: the holding session's application_name (63 bytes at most). */
function label(what: string): string {
  return `devdb ${what} (pid ${process.pid} on ${hostname()})`.slice(0, 63);
}

async function holderOf(db: Queryable, classId: number, key: string) {
  const [row] = await query<RunLockHolder>(
    db,
    `SELECT a.application_name AS application, a.state_change AS since, host(a.client_addr) AS "clientAddr"
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::oid
        AND l.objid = hashtext($2)::oid AND l.objsubid = 2
      LIMIT 1`,
    [classId, key],
  );
  return row ?? null;
}

export interface RunLockOptions {
  /** What the holder does, in its session's application_name and in errors (default: the kind's). */
  what?: string;
  /** false: refuse with RunLockBusyError when another run holds it. Default true: wait. */
  wait?: boolean;
  /** Hears, once, that another run holds the lock and this one waits. */
  onWait?: (holder: RunLockHolder | null) => void;
}

/**
 * Runs `fn` holding the run lock (`classId`, `key`) on a session of its own
 * (from the pool `db`, or `db` itself when it is one session), released when
 * `fn` ends or the session does. Waits for another holder unless told not to.
 */
export async function withRunLock<T>(
  db: Queryable,
  lock: { classId: number; key: string; what: string },
  options: RunLockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const what = options.what ?? lock.what;
  return withSession(db, async (session) => {
    await query(session, `SELECT set_config('application_name', $1, false)`, [label(what)]);
    const params = [lock.classId, lock.key];
    const { got } = await queryOne<{ got: boolean }>(
      session,
      `SELECT pg_try_advisory_lock($1, hashtext($2)) AS got`,
      params,
    );
    if (!got) {
      const holder = await holderOf(session, lock.classId, lock.key);
      if (options.wait === false) throw new RunLockBusyError(lock.what, holder);
      options.onWait?.(holder);
      await query(session, `SELECT pg_advisory_lock($1, hashtext($2))`, params);
    }
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await fn() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    // A session that cannot let go is not given back to its pool (withSession ends it on a throw).
    await query(session, `SELECT pg_advisory_unlock($1, hashtext($2))`, params);
    await query(session, `RESET application_name`);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  });
}

/** The cleanup lock of one registry (CLEANUP_RUN_LOCK). */
export function withCleanupLock<T>(
  db: Queryable,
  options: RunLockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  return withRunLock(db, { ...CLEANUP_RUN_LOCK, key: 'cleanup' }, options, fn);
}

/** One database's drop lock (DROP_RUN_LOCK): a second drop of it waits, then finds it dropped. */
export function withDropLock<T>(
  db: Queryable,
  database: string,
  options: RunLockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  return withRunLock(
    db,
    { classId: DROP_RUN_LOCK, key: database, what: `drop of ${database}` },
    options,
    fn,
  );
}
