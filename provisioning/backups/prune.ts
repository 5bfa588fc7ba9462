/** Pruning backups by the retention plan (docs/backups.md): files and registry rows. */
import { rm } from 'node:fs/promises';
import {
  deleteBackupRecord,
  listBackups,
  readBackupSettings,
  type BackupRecord,
} from './registry.js';
import { planRetention } from './retention.js';

import { serverNow } from '../schema/index.js';
import { type BackupContext } from './context.js';
import { cleanUpStaleRuns } from './take.js';

export interface PruneResult {
  /** Backups deleted (or, with dryRun, that would be). */
  pruned: BackupRecord[];
  kept: number;
}

/**
 * Applies the retention policy in provisioning.settings (retention.ts)
 * to the successful backups: deletes the file, then the row. Failed attempts
 * left no file and are not touched.
 */
export async function pruneBackups(
  ctx: BackupContext,
  options: { dryRun: boolean },
): Promise<PruneResult> {
  if (!options.dryRun) await cleanUpStaleRuns(ctx);
  const [settings, all, now] = await Promise.all([
    readBackupSettings(ctx.db),
    listBackups(ctx.db),
    serverNow(ctx.db),
  ]);
  const successful = all.filter((b) => b.status === 'ok');
  // The server's clock: a client whose clock is ahead would prune what the retention keeps.
  const plan = planRetention(successful, settings.retention, now);
  const byId = new Map(successful.map((b) => [b.id, b]));
  const pruned = plan.prune.map((id) => byId.get(id)!);
  if (!options.dryRun) {
    for (const backup of pruned) {
      await rm(backup.file, { force: true });
      await deleteBackupRecord(ctx.db, backup.id);
    }
  }
  return { pruned, kept: plan.keep.size };
}
