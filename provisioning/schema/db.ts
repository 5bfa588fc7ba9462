/**
 * How every operation talks to the `devdb` database: one query helper that turns
 * PostgreSQL's errors into ProvisioningErrors (errors.ts), over anything that can
 * run a query.
 */
import type pg from 'pg';
import { translatePgError } from '../contract/index.js';

/** A pool, a pooled client or a client: anything that runs a query. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** Runs one statement and returns its rows; PostgreSQL errors become ProvisioningErrors. */
export async function query<R extends object>(
  db: Queryable,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  try {
    return (await db.query<R & pg.QueryResultRow>(sql, params)).rows;
  } catch (error) {
    return translatePgError(error);
  }
}

/** The one row a statement always returns (an SQL function called as `SELECT * FROM f(…)`). */
export async function queryOne<R extends object>(
  db: Queryable,
  sql: string,
  params: unknown[] = [],
): Promise<R> {
  const [row] = await query<R>(db, sql, params);
  if (row === undefined) throw new Error(`expected one row from: ${sql}`);
  return row;
}

/**
 * One round trip (`SELECT 1`): the server answers this connection. A failure is
 * the driver's or the server's error, its code kept (explainConnectionError).
 */
export async function ping(db: Queryable): Promise<void> {
  await query(db, 'SELECT 1');
}

/** A pool: it hands out a session of its own (pg.Pool). */
type Pool = Queryable & { connect(): Promise<Queryable & { release(destroy?: boolean): void }> };

const isPool = (db: Queryable): db is Pool =>
  typeof (db as { totalCount?: unknown }).totalCount === 'number';

/**
 * Runs `fn` on one session: a session of its own taken from a pool (given back
 * afterwards), or the client given, which is one session already. What needs
 * one session (a transaction, a session lock) goes through here.
 */
export async function withSession<T>(db: Queryable, fn: (session: Queryable) => Promise<T>) {
  if (!isPool(db)) return fn(db);
  const session = await db.connect();
  let broken = false;
  try {
    return await fn(session);
  } catch (error) {
    // A session that failed mid-way may be left in a transaction or holding a lock: not reused.
    broken = true;
    throw error;
  } finally {
    session.release(broken);
  }
}

/** Runs `fn` in one transaction (committed when it returns, rolled back when it throws). */
export function inTransaction<T>(db: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return withSession(db, async (tx) => {
    await query(tx, 'BEGIN');
    try {
      const result = await fn(tx);
      await query(tx, 'COMMIT');
      return result;
    } catch (error) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

/** This server's time (provisioning._now(), helpers.sql): what every decision by time uses. */
export async function serverNow(db: Queryable): Promise<Date> {
  const [row] = await query<{ now: Date }>(db, `SELECT provisioning._now() AS now`);
  return row!.now;
}
