/**
 * Before anything destructive, a verified final backup (docs/backups.md,
 * "Before anything destructive"). dropWithFinalBackup takes a backup of kind
 * 'final', verifies it by a trial restore, and only then drops the database
 * (provisioning.drop_database); when any step fails, nothing is dropped and the
 * error says why. A drop asked for through the Terraform provider or
 * detachWorkspace/retireDatabase archives the database at once and leaves the
 * drop pending: the provider runs on Coder's provisioners, which have neither
 * pg_dump nor the backup directory nor the age identity. DevDB's own process
 * has them, and completePendingDrops finishes those drops.
 */
import { type BackupContext } from './context.js';
import { takeBackup } from './take.js';
import { verifyBackup } from './verify.js';
import { BackupKeyError, loadIdentityFile } from './crypto.js';
import { readBackupSettings, type BackupRecord } from './registry.js';
import { query, queryOne, type Queryable } from '../schema/index.js';
import { ProvisioningError } from '../contract/index.js';
import { withDropLock, type RunLockHolder } from '../jobs/index.js';

export interface FinalBackupOptions {
  /** Recorded in the events (default: the session's role). */
  actor?: string;
  /**
   * Drop without a final backup: the explicit way out, recorded as the event
   * `database.drop_without_backup` with the reason and the actor.
   */
  noBackup?: { reason: string };
  /** age identities that open the final backup; default: the `backup_identity_file` setting. */
  identities?: string[];
  /** BACKUP_DIR; default: the `backup_dir` setting. */
  dir?: string;
  /** age recipients; default: the `backup_recipients` setting (none: stored unencrypted). */
  recipients?: string[];
  /** Hears that another process drops this database now, and this one waits for it. */
  onWait?: (holder: RunLockHolder | null) => void;
}

export interface FinalDrop {
  database: string;
  /** The verified final backup, or null when dropped without one. */
  backupId: number | null;
  /**
   * Set when another process dropped it while this one waited for the drop
   * lock: this one took no backup and dropped nothing (backupId is that drop's).
   */
  alreadyDropped?: true;
}

/** The error of a refused drop: what went wrong, that nothing was dropped, the ways on. */
function notDropped(database: string, why: string, code?: string): ProvisioningError {
  return new ProvisioningError(
    `${database} was not dropped: ${why}. Nothing was removed; fix that and drop it again, or drop it without a backup (noBackup / --no-backup with a reason, recorded as an event)`,
    code,
  );
}

/** Known, not dropped yet, and no workspace attached: checked before any backup is taken. */
async function assertDroppable(db: Queryable, database: string): Promise<void> {
  await query(db, `SELECT provisioning._check_detached($1)`, [database]);
  const row = await queryOne<{ status: string }>(
    db,
    `SELECT status FROM provisioning.databases WHERE db_name = $1`,
    [database],
  );
  if (row.status === 'dropped') {
    throw new ProvisioningError(
      `${database} is dropped already`,
      'object_not_in_prerequisite_state',
    );
  }
}

interface FinalBackupPlan {
  dir: string;
  recipients: string[];
  identities: string[];
}

/** Where the final backup goes and how it will be verified; refuses what cannot work. */
async function planFinalBackup(
  ctx: BackupContext,
  database: string,
  options: FinalBackupOptions,
): Promise<FinalBackupPlan> {
  const settings = await readBackupSettings(ctx.db);
  const dir = options.dir ?? settings.dir;
  if (!dir) {
    throw notDropped(
      database,
      'no backup directory is configured for its final backup (set one with `devdb backup settings --dir DIR`, setting backup_dir)',
    );
  }
  const recipients = options.recipients ?? settings.recipients;
  let identities = options.identities ?? [];
  if (recipients.length > 0 && identities.length === 0) {
    if (!settings.identityFile) {
      throw notDropped(
        database,
        'its final backup would be encrypted, and DevDB has no age identity to verify it with: set backup_identity_file to an identity file this process can read, matching backup_recipients (`devdb backup settings --identity-file FILE`)',
      );
    }
    identities = await loadIdentityFile(settings.identityFile).catch((error: Error) => {
      throw notDropped(database, `backup_identity_file: ${error.message}`);
    });
  }
  return { dir, recipients, identities };
}

/** Takes the final backup and verifies it by a trial restore; an error when either fails. */
async function verifiedFinalBackup(
  ctx: BackupContext,
  database: string,
  plan: FinalBackupPlan,
): Promise<BackupRecord> {
  let backup: BackupRecord;
  try {
    backup = await takeBackup(ctx, { database, kind: 'final', ...plan });
  } catch (error) {
    const code = error instanceof ProvisioningError ? error.code : undefined;
    throw notDropped(database, `its final backup failed: ${(error as Error).message}`, code);
  }
  // A key that does not open it is refused unrecorded (BackupKeyError); here it is one more reason not to drop.
  const verified = await verifyBackup(ctx, backup.id, plan.identities).catch((error: unknown) => {
    if (!(error instanceof BackupKeyError)) throw error;
    return { ok: false, error: error.message };
  });
  if (!verified.ok) {
    throw notDropped(
      database,
      `its final backup ${backup.id} (${backup.file}) failed verification: ${verified.error}`,
    );
  }
  return backup;
}

/** The final backup of a drop that happened (null: none, or not dropped). */
async function droppedWith(
  db: Queryable,
  database: string,
): Promise<{ backupId: number | null } | null> {
  const [row] = await query<{ backupId: number | null }>(
    db,
    `SELECT (metadata #>> '{dropped,final_backup_id}')::int AS "backupId"
       FROM provisioning.databases WHERE db_name = $1 AND status = 'dropped'`,
    [database],
  );
  return row ?? null;
}

/**
 * Drops a database, active with no live attachment or archived (a pending
 * drop too), after a final backup of it is taken and verified by a trial
 * restore; with `noBackup`, at once, recorded as a drop without backup. When
 * the backup or its verification fails, nothing is dropped and the error says
 * why and what to do. One drop of a database at a time, across processes
 * (DROP_RUN_LOCK): a second waits, then finds it dropped (`alreadyDropped`)
 * and takes no second final backup.
 */
export async function dropWithFinalBackup(
  ctx: BackupContext,
  database: string,
  options: FinalBackupOptions = {},
): Promise<FinalDrop> {
  await assertDroppable(ctx.db, database);
  return withDropLock(ctx.db, database, { onWait: options.onWait }, async () => {
    const done = await droppedWith(ctx.db, database);
    if (done) return { database, backupId: done.backupId, alreadyDropped: true };
    await assertDroppable(ctx.db, database);
    return dropLocked(ctx, database, options);
  });
}

async function dropLocked(
  ctx: BackupContext,
  database: string,
  options: FinalBackupOptions,
): Promise<FinalDrop> {
  const actor = options.actor ?? null;
  if (options.noBackup) {
    const reason = options.noBackup.reason.trim();
    if (!reason) {
      throw new ProvisioningError(
        `dropping ${database} without a backup needs a reason: it is recorded with the drop`,
        'invalid_parameter_value',
      );
    }
    await query(ctx.db, `SELECT provisioning.drop_database($1, $2, NULL, $3)`, [
      database,
      actor,
      reason,
    ]);
    return { database, backupId: null };
  }
  const plan = await planFinalBackup(ctx, database, options);
  const backup = await verifiedFinalBackup(ctx, database, plan);
  await query(ctx.db, `SELECT provisioning.drop_database($1, $2, $3)`, [
    database,
    actor,
    backup.id,
  ]);
  return { database, backupId: backup.id };
}

/** A drop waiting for its final backup: the database is archived meanwhile. */
export interface PendingDrop {
  database: string;
  requestedAt: Date;
  requestedBy: string | null;
  /** Why the last attempt failed, or null before the first one. */
  lastError: string | null;
}

/** Pending drops, oldest request first. */
export async function listPendingDrops(db: Queryable): Promise<PendingDrop[]> {
  return query<PendingDrop>(
    db,
    `SELECT db_name AS database, drop_requested_at AS "requestedAt",
            drop_requested_by AS "requestedBy", drop_error AS "lastError"
       FROM provisioning.databases
      WHERE drop_requested_at IS NOT NULL AND status = 'archived'
      ORDER BY drop_requested_at, db_name`,
  );
}

export interface CompletePendingDropsOptions {
  /** One line per database: dropped, or why not. */
  log?: (line: string) => void;
  /** At most this many drops (oldest request first); default all. */
  limit?: number;
  /** Recorded as the drop's actor (default 'devdb'). */
  actor?: string;
}

export interface PendingDropsOutcome {
  dropped: { database: string; backupId: number }[];
  /** Still archived and pending, retried by the next run. */
  failed: { database: string; error: string }[];
}

/**
 * Finishes the drops left pending (archived, `drop_pending`): for each, oldest
 * first, dropWithFinalBackup with the settings' backup directory, recipients
 * and identity file. A failure leaves the database archived and pending, with
 * the reason recorded (PendingDrop.lastError) and logged; the next run retries.
 * DevDB's long-running process calls it, and `devdb backup drain-drops`.
 */
export async function completePendingDrops(
  ctx: BackupContext,
  options: CompletePendingDropsOptions = {},
): Promise<PendingDropsOutcome> {
  const log = options.log ?? (() => undefined);
  const pending = (await listPendingDrops(ctx.db)).slice(0, options.limit ?? Infinity);
  const outcome: PendingDropsOutcome = { dropped: [], failed: [] };
  for (const { database } of pending) {
    try {
      const done = await dropWithFinalBackup(ctx, database, { actor: options.actor ?? 'devdb' });
      if (done.alreadyDropped) {
        log(`${database}: dropped meanwhile by another process (final backup ${done.backupId})`);
        continue;
      }
      outcome.dropped.push({ database, backupId: done.backupId! });
      log(`${database}: dropped after its final backup ${done.backupId} was verified`);
    } catch (error) {
      if (await droppedWith(ctx.db, database)) {
        log(`${database}: dropped meanwhile by another process`);
        continue;
      }
      const message = (error as Error).message;
      await query(
        ctx.db,
        `UPDATE provisioning.databases SET drop_error = $2
          WHERE db_name = $1 AND drop_requested_at IS NOT NULL`,
        [database, message],
      );
      outcome.failed.push({ database, error: message });
      log(`${database}: still archived, drop pending: ${message}`);
    }
  }
  return outcome;
}
