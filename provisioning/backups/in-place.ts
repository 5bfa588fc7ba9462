/**
 * Restoring a backup over the database it was taken of (docs/backups.md, "In
 * place"): same name, same owner role, same oid, so the registry row, the
 * attachments and the login roles' per-database settings (`ALTER ROLE … IN
 * DATABASE … SET role / search_path`, kept in pg_db_role_setting by database
 * oid) stay as they are and the workspaces' credentials keep working.
 *
 * A pre-restore backup comes first, checked (checksum, `pg_restore --list` of
 * its decrypted stream) before anything changes; when either fails nothing
 * else happens. `noBackup` skips it, recorded as the event
 * `database.restore_without_backup`. Then the sessions end, every object the
 * owner role owns in the database is dropped (DROP OWNED BY: what was created
 * after the backup goes too), and pg_restore recreates the backup's objects as
 * the owner role. Should that fail, the pre-restore backup is put back the same way.
 */
import pg from 'pg';
import { toolsFor, withClient, type BackupContext } from './context.js';
import { assertRestoredCounts, reapplyAfterRestore, logRestore } from './restore.js';
import { takeBackup } from './take.js';
import { assertIntact, openDump, pgRestore } from './verify.js';
import { successfulBackup, type BackupRecord } from './registry.js';
import { query } from '../schema/index.js';
import { ProvisioningError } from '../contract/index.js';
import type { PgClientTools } from './pg-tools.js';

export interface InPlaceRestoreOptions {
  /** The backup to restore; its database is the one replaced. */
  id: number;
  identities: string[];
  /** Where the pre-restore backup goes (BACKUP_DIR) and whom it is encrypted to. */
  dir: string;
  recipients: string[];
  actor?: string;
  /** Skip the pre-restore backup: the explicit way out, recorded as an event with the reason. */
  noBackup?: { reason: string };
}

export interface InPlaceRestoreResult {
  id: number;
  database: string;
  tables: number;
  /** The backup taken just before, of what the restore replaced; null with noBackup. */
  preRestoreBackupId: number | null;
}

async function assertLive(ctx: BackupContext, database: string): Promise<void> {
  const [row] = await query<{ status: string }>(
    ctx.db,
    `SELECT r.status FROM provisioning.databases r
       JOIN pg_database d ON d.datname = r.db_name WHERE r.db_name = $1`,
    [database],
  );
  if (row?.status !== 'active') {
    throw new ProvisioningError(
      `${database} is not an active DevDB database: restore in place replaces an existing one (without --in-place, a backup restores into a new database)`,
      'undefined_object',
    );
  }
}

/** Drops what the owner role owns in the database, then restores the backup as that role. */
async function replaceContents(
  ctx: BackupContext,
  tools: PgClientTools,
  record: BackupRecord,
  identities: string[],
): Promise<number> {
  const database = record.database;
  await withClient(ctx, database, async (c) => {
    await c.query(`SET ROLE ${pg.escapeIdentifier(database)}`);
    await c.query(`DROP OWNED BY ${pg.escapeIdentifier(database)}`);
  });
  const args = ['--no-owner', '--no-privileges', `--role=${database}`, '--clean', '--if-exists'];
  args.push('--exit-on-error', '--single-transaction', `--dbname=${database}`);
  await pgRestore(ctx, tools, database, args, await openDump(record, identities));
  return assertRestoredCounts(ctx, database, record);
}

/** Checksum and `pg_restore --list` of the decrypted stream: the backup is whole and readable. */
async function assertReadable(
  ctx: BackupContext,
  tools: PgClientTools,
  record: BackupRecord,
  identities: string[],
): Promise<void> {
  await assertIntact(record);
  await pgRestore(ctx, tools, 'postgres', ['--list'], await openDump(record, identities));
}

/** The pre-restore backup, taken and checked, or an error saying nothing was changed. */
async function preRestoreBackup(
  ctx: BackupContext,
  tools: PgClientTools,
  options: InPlaceRestoreOptions & { database: string },
): Promise<BackupRecord> {
  const { database, dir, recipients, identities } = options;
  const safety = await takeBackup(ctx, { database, kind: 'pre-restore', dir, recipients });
  try {
    await assertReadable(ctx, tools, safety, identities);
  } catch (error) {
    throw new ProvisioningError(
      `the pre-restore backup ${safety.id} of ${database} could not be checked, so nothing was changed: ${(error as Error).message}. Give the identity that opens backups encrypted to these recipients (--identity, DEVDB_BACKUP_IDENTITY or backup_identity_file), or restore without a backup (--no-backup, recorded)`,
    );
  }
  return safety;
}

/** Records a restore in place that goes without a pre-restore backup; refuses an empty reason. */
async function recordNoBackup(
  ctx: BackupContext,
  database: string,
  options: InPlaceRestoreOptions,
): Promise<void> {
  const reason = options.noBackup!.reason.trim();
  if (!reason) {
    throw new ProvisioningError(
      'restoring in place without a pre-restore backup needs a reason: it is recorded',
      'invalid_parameter_value',
    );
  }
  await query(
    ctx.db,
    `SELECT provisioning._log($1, 'database.restore_without_backup', $2, NULL, $3)`,
    [options.actor ?? 'cli', database, JSON.stringify({ backup_id: options.id, reason })],
  );
}

/**
 * Replaces a database's contents with a backup of it, after a pre-restore
 * backup (kind 'pre-restore') that is checked first; see the module comment.
 */
export async function restoreInPlace(
  ctx: BackupContext,
  options: InPlaceRestoreOptions,
): Promise<InPlaceRestoreResult> {
  const record = await successfulBackup(ctx, options.id);
  const database = record.database;
  await assertLive(ctx, database);
  const { tools } = await toolsFor(ctx);
  // Readable with these identities? Checked before anything changes.
  await assertReadable(ctx, tools, record, options.identities);
  let safety: BackupRecord | null = null;
  if (options.noBackup) await recordNoBackup(ctx, database, options);
  else safety = await preRestoreBackup(ctx, tools, { ...options, database });
  await query(ctx.db, `SELECT provisioning._end_sessions($1)`, [database]);
  let tables: number;
  try {
    tables = await replaceContents(ctx, tools, record, options.identities);
  } catch (error) {
    const back = safety
      ? await replaceContents(ctx, tools, safety, options.identities).then(
          () => `its contents before were put back`,
          (again: Error) =>
            `putting back its contents failed too (${again.message}): restore backup ${safety.id}`,
        )
      : 'there is no pre-restore backup to put back (--no-backup): restore another backup of it';
    throw new ProvisioningError(
      `restoring backup ${record.id} into ${database} failed (${(error as Error).message}); ${back}`,
    );
  }
  await reapplyAfterRestore(ctx, database);
  await logRestore(ctx, database, options.actor, {
    backup_id: record.id,
    in_place: true,
    pre_restore_backup_id: safety?.id ?? null,
  });
  return { id: record.id, database, tables, preRestoreBackupId: safety?.id ?? null };
}
