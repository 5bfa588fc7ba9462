/**
 * A database's slowest statements by mean time, from pg_stat_statements
 * (docs/api.md, "Slow queries"). `devdb up` preloads the module and creates the
 * extension; on another server it is used wherever an admin has enabled it,
 * and otherwise the error says how to.
 */
import pg from 'pg';
import { query, type Queryable } from '../schema/index.js';
import { ProvisioningError } from '../contract/index.js';

export interface SlowQuery {
  /** Normalised text ($1 for constants), as pg_stat_statements keeps it. */
  query: string;
  /** The role that ran it. */
  role: string | null;
  calls: number;
  meanMs: number;
  totalMs: number;
  rows: number;
}

export const PG_STAT_STATEMENTS_HOWTO =
  "pg_stat_statements is not enabled on the DevDB server: add it to shared_preload_libraries (ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', then restart PostgreSQL) and, as a superuser in the devdb database, run CREATE EXTENSION pg_stat_statements (`devdb up` does both)";

/**
 * The schema pg_stat_statements is installed in (in the `devdb` database), or
 * null when it is not installed or not preloaded (then it refuses to answer;
 * the provisioner may not read shared_preload_libraries to ask first).
 */
async function extensionSchema(db: Queryable): Promise<string | null> {
  const [row] = await query<{ schema: string }>(
    db,
    `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname = 'pg_stat_statements'`,
  );
  if (!row) return null;
  try {
    await query(
      db,
      `SELECT FROM ${pg.escapeIdentifier(row.schema)}.pg_stat_statements(false) LIMIT 1`,
    );
    return row.schema;
  } catch (error) {
    if (error instanceof ProvisioningError && error.code === '55000') return null; // not preloaded
    throw error;
  }
}

/** Whether slowQueries can answer on this server. */
export async function slowQueriesAvailable(db: Queryable): Promise<boolean> {
  return (await extensionSchema(db)) !== null;
}

/** The statements run in `database` with the highest mean execution time, slowest first. */
export async function slowQueries(
  db: Queryable,
  database: string,
  options: { limit?: number } = {},
): Promise<SlowQuery[]> {
  const schema = await extensionSchema(db);
  if (!schema) throw new ProvisioningError(PG_STAT_STATEMENTS_HOWTO, '55000');
  const [known] = await query(db, `SELECT FROM provisioning.databases WHERE db_name = $1`, [
    database,
  ]);
  if (!known) {
    throw new ProvisioningError(
      `no DevDB database named ${JSON.stringify(database)}; \`devdb list\` shows them`,
      '42704',
    );
  }
  return query<SlowQuery>(
    db,
    `SELECT s.query, r.rolname AS role, s.calls::float8 AS calls,
            s.mean_exec_time AS "meanMs", s.total_exec_time AS "totalMs", s.rows::float8 AS rows
       FROM ${pg.escapeIdentifier(schema)}.pg_stat_statements s
       JOIN pg_database d ON d.oid = s.dbid
       LEFT JOIN pg_roles r ON r.oid = s.userid
      WHERE d.datname = $1
      ORDER BY s.mean_exec_time DESC
      LIMIT $2`,
    [database, Math.min(Math.max(options.limit ?? 10, 1), 1000)],
  );
}
