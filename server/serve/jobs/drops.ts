/**
 * The drops job: finishes the drops that wait for their final backup
 * (`on_last_detach = "drop"`, `on_destroy = "drop"`, the cleanup): each is
 * backed up, verified by a trial restore, then dropped; a failure leaves the
 * database archived and pending, retried at the next tick (docs/backups.md).
 * The backup directory, recipients and identity come from the settings, as for
 * `devdb backup drain-drops`.
 */
import { completePendingDrops, type BackupContext } from '../../../provisioning/index.js';
import type { Job } from '../types.js';

export const dropsJob: Job = {
  name: 'drops',
  defaultSchedule: '*/10 * * * *',
  async run(ctx) {
    const bctx: BackupContext = { db: ctx.db, adminUrl: ctx.adminUrl, env: ctx.env };
    const outcome = await completePendingDrops(bctx, {
      actor: 'devdb serve',
      log: (line) => ctx.log.info(line),
    });
    if (outcome.failed.length > 0) {
      throw new Error(
        `${outcome.failed.length} pending drop(s) failed: ${outcome.failed.map((f) => f.database).join(', ')} (each stays archived and is retried at the next tick)`,
      );
    }
  },
};
