/** Last access (docs/architecture.md, "Last access and lifecycle"): what the agent and the sampler report about a database. */
import { queryOne, type Queryable } from '../schema/index.js';

/**
 * Records that a database was seen: `last_accessed` moves only when PostgreSQL's
 * own counters for it advanced since the previous report.
 */
export async function reportAccess(
  db: Queryable,
  input: { database: string; workspaceId?: string; actor?: string },
): Promise<{ accessed: boolean }> {
  return queryOne<{ accessed: boolean }>(
    db,
    `SELECT provisioning.record_access($1, $2, $3) AS accessed`,
    [input.database, input.workspaceId ?? null, input.actor ?? null],
  );
}
