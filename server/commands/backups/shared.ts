/**
 * What the backup commands share (docs/backups.md): the server a command runs
 * on, the flags of where backups go and how they are read, and the backups table.
 */
import { InvalidArgumentError } from 'commander';
import type pg from 'pg';
import {
  readBackupSettings,
  type BackupContext,
  type BackupRecord,
} from '../../../provisioning/index.js';
import { withServerOf, type ConnectionOptions } from '../../admin-connection.js';
import { backupDirFrom, recipientsFrom } from '../../backup-config.js';
import type { OptionSpec } from '../../command.js';
import { UserError } from '../../errors.js';
import { runnableText } from '../../invocation.js';
import type { CliIO } from '../../io.js';
import { table } from '../../render.js';

export type Connection = Omit<ConnectionOptions, 'env'>;

/** On the server holding `database` when one is named (docs/servers.md), else the central one. */
export function withBackupContext<T>(
  options: Connection,
  io: CliIO,
  fn: (ctx: BackupContext, pool: pg.Pool) => Promise<T>,
  database?: string,
): Promise<T> {
  return withServerOf({ ...options, env: io.env }, database, (pool, adminUrl) =>
    fn({ db: pool, adminUrl, env: { ...process.env, ...io.env } }, pool),
  );
}

export function backupId(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a backup id (a number)');
  return Number(value);
}

export const IDENTITY_OPTION: OptionSpec = {
  flags: '--identity <file>',
  description:
    'age identity file, for encrypted backups (default: $DEVDB_BACKUP_IDENTITY, else settings)',
};

const age = (from: Date, now: Date): string => {
  const hours = Math.floor((now.getTime() - from.getTime()) / 3_600_000);
  return hours < 48 ? `${hours}h` : `${Math.floor(hours / 24)}d`;
};

/** Backups as a table; with a `server` column when they carry their server (a pool of several). */
export function backupsTable(
  backups: (BackupRecord & { server?: string })[],
  options: { title?: string; whenNone?: string } = {},
  now = new Date(),
) {
  return table(
    backups,
    [
      { header: 'id', value: (b) => b.id },
      ...(backups.some((b) => b.server !== undefined)
        ? [{ header: 'server', value: (b: { server?: string }) => b.server }]
        : []),
      { header: 'database', value: (b) => b.database },
      { header: 'kind', value: (b) => b.kind },
      { header: 'status', value: (b) => b.status },
      { header: 'age', value: (b) => age(b.startedAt, now) },
      { header: 'size', value: (b) => b.bytes, format: 'bytes' },
      { header: 'encrypted', value: (b) => (b.encrypted ? 'yes' : 'no') },
      {
        header: 'verified',
        value: (b) => (b.verifiedAt ? b.verifiedAt : b.verifyError ? 'FAILED' : 'no'),
      },
    ],
    { whenNone: 'no backups', ...options },
  );
}

/** BACKUP_DIR and the age recipients: flags, then environment, then settings. */
export async function backupDestination(
  pool: pg.Pool,
  options: { dir?: string; recipient?: string },
  io: CliIO,
): Promise<{ dir: string; recipients: string[] }> {
  const settings = await readBackupSettings(pool);
  const dir = backupDirFrom(settings, io.env, options.dir);
  if (!dir) {
    throw new UserError(
      'no backup directory: pass --dir, set DEVDB_BACKUP_DIR, or run `devdb backup settings --dir DIR`',
    );
  }
  const recipients = recipientsFrom(settings, io.env, options.recipient);
  if (recipients.length === 0) {
    io.stderr.write(
      runnableText(
        io,
        'devdb: warning: no age recipients configured, backups are stored unencrypted (see `devdb backup keygen`)\n',
      ),
    );
  }
  return { dir, recipients };
}

export const DIR_OPTION: OptionSpec = {
  flags: '--dir <dir>',
  description: 'BACKUP_DIR (default: $DEVDB_BACKUP_DIR, else settings)',
};
export const RECIPIENT_OPTION: OptionSpec = {
  flags: '--recipient <age1…>',
  description: 'age recipients, comma-separated (default: $DEVDB_BACKUP_RECIPIENTS, else settings)',
};
