/**
 * The scheduled backups (docs/backups.md, "Scheduled backups"): every active
 * database backed up, a bounded number at a time; each database's newest
 * backup verified when none was verified within backup_verify_days; then the
 * GFS retention applied. One log line per database. The backup, verify and
 * prune functions are the ones `devdb backup` uses.
 *
 * Safe to run again for the same tick (a process that took it over): databases
 * that already have a scheduled backup since the tick are not backed up again.
 */
import {
  backupsDueForVerification,
  databasesDueForBackup,
  pruneBackups,
  readBackupSettings,
  takeBackup,
  toolsFor,
  verifyBackup,
  type BackupContext,
} from '../../../provisioning/index.js';
import { backupDirFrom, readIdentities, recipientsFrom } from '../../backup-config.js';
import { formatBytes } from '../../../provisioning/contract/index.js';
import { messageOf } from '../log.js';
import { positiveSetting, SERVE_DEFAULTS, SERVE_SETTING_KEYS } from '../settings.js';
import type { Job, JobContext } from '../types.js';

/** Runs `work` over `items`, at most `limit` at a time; stops taking new items once `signal` aborts. */
async function eachBounded<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined && !signal.aborted; item = queue.shift()) {
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
  signal.throwIfAborted();
}

interface Tally {
  failed: number;
}

async function backUpAll(
  ctx: JobContext,
  bctx: BackupContext,
  target: { dir: string; recipients: string[] },
  concurrency: number,
  tally: Tally,
): Promise<void> {
  const names = await databasesDueForBackup(ctx.db, ctx.tick);
  await eachBounded(names, concurrency, ctx.signal, async (database) => {
    const started = Date.now();
    try {
      const backup = await takeBackup(bctx, { database, kind: 'scheduled', ...target });
      ctx.log.info(`backed up ${database}: ${formatBytes(backup.bytes ?? 0)}`, {
        database,
        backup: backup.id,
        bytes: backup.bytes,
        encrypted: backup.encrypted,
        ms: Date.now() - started,
      });
    } catch (error) {
      tally.failed++;
      ctx.log.error(`backup of ${database} failed: ${messageOf(error)}`, { database });
    }
  });
}

async function verifyDue(
  ctx: JobContext,
  bctx: BackupContext,
  concurrency: number,
  tally: Tally,
): Promise<void> {
  const days = positiveSetting(
    ctx.settings,
    SERVE_SETTING_KEYS.backupVerifyDays,
    SERVE_DEFAULTS.backupVerifyDays,
  );
  const due = await backupsDueForVerification(ctx.db, days);
  if (!due.length) return;
  const identities = await readIdentities(undefined, ctx.env, await readBackupSettings(ctx.db));
  await eachBounded(due, concurrency, ctx.signal, async ({ id, database, encrypted }) => {
    if (encrypted && identities.length === 0) {
      ctx.log.warn(
        `cannot verify ${database}'s backup ${id}: it is encrypted and neither DEVDB_BACKUP_IDENTITY nor the backup_identity_file setting names an identity file`,
        { database, backup: id },
      );
      return;
    }
    const result = await verifyBackup(bctx, id, identities).catch((error: unknown) => ({
      ok: false,
      error: messageOf(error),
      tables: 0,
    }));
    if (result.ok) {
      ctx.log.info(`verified ${database}'s backup ${id}`, {
        database,
        backup: id,
        tables: result.tables,
      });
    } else {
      tally.failed++;
      ctx.log.error(`verification of ${database}'s backup ${id} FAILED: ${result.error}`, {
        database,
        backup: id,
      });
    }
  });
}

async function prune(ctx: JobContext, bctx: BackupContext): Promise<void> {
  const result = await pruneBackups(bctx, { dryRun: false });
  ctx.log.info(`retention: ${result.pruned.length} backups deleted, ${result.kept} kept`, {
    pruned: result.pruned.map((b) => b.id).join(',') || undefined,
    kept: result.kept,
  });
}

export const backupsJob: Job = {
  name: 'backups',
  defaultSchedule: '0 2 * * *',
  async run(ctx) {
    const settings = await readBackupSettings(ctx.db);
    const dir = backupDirFrom(settings, ctx.env);
    if (!dir) {
      ctx.log.info(
        'skipped: no backup directory is configured (`devdb backup settings --dir DIR`, or DEVDB_BACKUP_DIR for this process)',
      );
      return;
    }
    const bctx: BackupContext = { db: ctx.db, adminUrl: ctx.adminUrl, env: ctx.env };
    await toolsFor(bctx); // no usable pg_dump: one error for the run, not one per database
    const recipients = recipientsFrom(settings, ctx.env);
    if (!recipients.length) {
      ctx.log.warn(
        'no age recipients configured: backups are stored unencrypted (see `devdb backup keygen`)',
      );
    }
    const concurrency =
      Math.floor(
        positiveSetting(
          ctx.settings,
          SERVE_SETTING_KEYS.backupConcurrency,
          SERVE_DEFAULTS.backupConcurrency,
        ),
      ) || 1;
    const tally: Tally = { failed: 0 };
    await backUpAll(ctx, bctx, { dir, recipients }, concurrency, tally);
    await verifyDue(ctx, bctx, concurrency, tally);
    await prune(ctx, bctx);
    if (tally.failed)
      throw new Error(`${tally.failed} backup(s) or verification(s) failed (see above)`);
  },
};
