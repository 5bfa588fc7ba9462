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
