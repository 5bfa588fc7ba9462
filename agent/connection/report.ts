/**
 * The access report: provisioning.report_access() finds this login role's own
 * attachment (it takes no database argument, so a role can report for nothing
 * else), records last_seen_at, and moves last_accessed only when the
 * database's pg_stat_database counters advanced since the previous report.
 */
import type pg from 'pg';
import type { Config } from '../config.js';
import { AgentError, EXIT } from '../errors.js';

export interface Report {
  database: string;
  /** True when the database was used since the previous report. */
  accessed: boolean;
}

export async function reportAccess(client: pg.Client, config: Config): Promise<Report> {
  let rows: { db_name: string; accessed: boolean }[];
  try {
    ({ rows } = await client.query('SELECT db_name, accessed FROM provisioning.report_access()'));
  } catch (error) {
    const err = error as Error & { code?: string };
    throw new AgentError(
      `DevDB refused the access report for ${config.user}: ${err.message}`,
      err.code === '42501'
        ? 'this workspace is no longer attached to a DevDB database: restart the workspace to attach it again'
        : 'check that DevDB is migrated (`devdb migrate`) and run `devdb-agent doctor`',
      EXIT.rejected,
    );
  }
  const row = rows[0]!;
  if (row.db_name !== config.name) {
    throw new AgentError(
      `${config.user} belongs to database ${row.db_name}, but DEVDB_NAME is ${config.name}`,
      'the DEVDB_* variables come from different attachments: restart the workspace so they are set together',
      EXIT.usage,
    );
  }
  return { database: row.db_name, accessed: row.accessed };
}

/** One line for the log. */
export const describeReport = (r: Report) =>
  `access reported for ${r.database} (${r.accessed ? 'used since the previous report' : 'no use since the previous report'})`;
