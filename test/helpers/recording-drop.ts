import {
  dropWithFinalBackup,
  type DropDatabase,
  type Queryable,
} from '../../provisioning/index.js';

/**
 * The drop cleanup is given in tests on the embedded server (which has no
 * pg_dump): DevDB's real drop, without the final backup (the reason recorded),
 * with every call recorded. The final-backup drop itself is tested in
 * test/provisioning/final-backup.test.ts and, wired into cleanup, on Debian's
 * PostgreSQL in test/server/cleanup-final-backup.test.ts.
 */
export function recordingDrop(db: Queryable): {
  drop: DropDatabase;
  calls: { database: string; actor: string; noBackup?: { reason: string } }[];
} {
  const calls: { database: string; actor: string; noBackup?: { reason: string } }[] = [];
  const ctx = { db, adminUrl: 'postgresql://unused' };
  return {
    calls,
    drop: async (database, options) => {
      calls.push({ database, ...options });
      const noBackup = options.noBackup ?? { reason: 'test: the embedded server has no pg_dump' };
      await dropWithFinalBackup(ctx, database, { actor: options.actor, noBackup });
    },
  };
}
