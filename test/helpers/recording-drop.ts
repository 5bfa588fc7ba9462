import type { DropDatabase, Queryable } from '../../provisioning/index.js';
import { sqlDropDatabase } from '../../server/policy-wiring.js';

/**
 * The drop cleanup is given, standing in for the final-backup drop: DevDB's SQL
 * drop path (server/policy-wiring.ts), with every call recorded.
 */
export function recordingDrop(db: Queryable): {
  drop: DropDatabase;
  calls: { database: string; actor: string; noBackup?: { reason: string } }[];
} {
  const calls: { database: string; actor: string; noBackup?: { reason: string } }[] = [];
  const sql = sqlDropDatabase({ db, adminUrl: 'postgresql://unused' });
  return {
    calls,
    drop: async (database, options) => {
      calls.push({ database, ...options });
      await sql(database, options);
    },
  };
}
