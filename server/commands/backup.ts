/**
 * `devdb backup …`, `devdb backups`, `devdb restore`: per-database backups
 * (docs/backups.md). The work is in provisioning/backups/take.ts; this module reads
 * flags, environment and settings, and shapes the output.
 */
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import type pg from 'pg';
import {
  BACKUP_SETTING_KEYS,
  completePendingDrops,
  generateAgeKeyPair,
  latestBackup,
  listBackups,
  databaseState,
  pruneBackups,
  readBackupSettings,
  restoreBackup,
  restoreDatabase,
  restoreInPlace,
  takeBackup,
  verifyBackup,
  writeBackupSetting,
  type BackupContext,
  type BackupRecord,
  type VerifyResult,
} from '../../provisioning/index.js';
import {
  CONNECTION_OPTIONS,
  withEachServer,
  withServerOf,
  type ConnectionOptions,
} from '../admin-connection.js';
import { backupDirFrom, readIdentities, recipientsFrom } from '../backup-config.js';
import { JSON_OPTION, type CommandSpec, type OptionSpec } from '../command.js';
import { UserError } from '../errors.js';
import type { CliIO } from '../io.js';
import { fields, table, type Output } from '../render.js';

type Connection = Omit<ConnectionOptions, 'env'>;

/** On the server holding `database` when one is named (docs/servers.md), else the central one. */
function withBackupContext<T>(
  options: Connection,
  io: CliIO,
  fn: (ctx: BackupContext, pool: pg.Pool) => Promise<T>,
  database?: string,
): Promise<T> {
  return withServerOf({ ...options, env: io.env }, database, (pool, adminUrl) =>
    fn({ db: pool, adminUrl, env: { ...process.env, ...io.env } }, pool),
  );
}

function backupId(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a backup id (a number)');
  return Number(value);
}

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return Number(value);
}

const IDENTITY_OPTION: OptionSpec = {
  flags: '--identity <file>',
  description:
    'age identity file, for encrypted backups (default: $DEVDB_BACKUP_IDENTITY, else settings)',
};

const age = (from: Date, now: Date): string => {
  const hours = Math.floor((now.getTime() - from.getTime()) / 3_600_000);
  return hours < 48 ? `${hours}h` : `${Math.floor(hours / 24)}d`;
};

function backupsTable(backups: BackupRecord[], now = new Date()) {
  return table(
    backups,
    [
      { header: 'id', value: (b) => b.id },
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
    { whenNone: 'no backups' },
  );
}

type BackupOptions = Connection & {
  names: string[];
  all?: boolean;
  dir?: string;
  recipient?: string;
  json?: boolean;
};

async function databasesToBackUp(pool: pg.Pool, options: BackupOptions): Promise<string[]> {
  if (options.all && options.names.length) {
    throw new UserError('name databases or pass --all, not both');
  }
  if (options.names.length) return options.names;
  if (!options.all) throw new UserError('name the databases to back up, or pass --all');
  const { rows } = await pool.query<{ name: string }>(
    `SELECT db_name AS name FROM provisioning.databases WHERE status = 'active' ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

/** BACKUP_DIR and the age recipients: flags, then environment, then settings. */
async function backupDestination(
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
      'devdb: warning: no age recipients configured, backups are stored unencrypted (see `devdb backup keygen`)\n',
    );
  }
  return { dir, recipients };
}

const DIR_OPTION: OptionSpec = {
  flags: '--dir <dir>',
  description: 'BACKUP_DIR (default: $DEVDB_BACKUP_DIR, else settings)',
};
const RECIPIENT_OPTION: OptionSpec = {
  flags: '--recipient <age1…>',
  description: 'age recipients, comma-separated (default: $DEVDB_BACKUP_RECIPIENTS, else settings)',
};

const keygenCommand: CommandSpec<{ out: string; json?: boolean }> = {
  name: 'keygen',
  description: 'make an age identity file (0600) and print its recipient',
  options: [
    { flags: '--out <file>', description: 'where to write the identity', required: true },
    JSON_OPTION,
  ],
  async run(options) {
    const keys = await generateAgeKeyPair();
    const created = `# created: ${new Date().toISOString()}\n# public key: ${keys.recipient}\n`;
    await writeFile(options.out, `${created}${keys.identity}\n`, { mode: 0o600, flag: 'wx' });
    return {
      json: { identityFile: options.out, recipient: keys.recipient },
      blocks: [
        fields([
          { label: 'identity file', value: options.out },
          { label: 'recipient', value: keys.recipient },
        ]),
      ],
    };
  },
};

type SettingsOptions = Connection & {
  dir?: string;
  recipient?: string;
  identityFile?: string;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  finalKeepDays?: number;
  json?: boolean;
};

const settingsCommand: CommandSpec<SettingsOptions> = {
  name: 'settings',
  description: 'show or change where backups go, whom they are encrypted to, how long they stay',
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--dir <dir>', description: 'BACKUP_DIR on this machine' },
    { flags: '--recipient <age1…>', description: 'age recipients, comma-separated ("" for none)' },
    {
      flags: '--identity-file <file>',
      description:
        'age identity file this DevDB process reads to verify final backups ("" for none)',
    },
    { flags: '--keep-daily <n>', description: 'daily backups kept', parse: count },
    { flags: '--keep-weekly <n>', description: 'weekly backups kept', parse: count },
    { flags: '--keep-monthly <n>', description: 'monthly backups kept', parse: count },
    { flags: '--final-keep-days <n>', description: 'days a final backup is kept', parse: count },
    JSON_OPTION,
  ],
  async run(options, io) {
    const keys = BACKUP_SETTING_KEYS;
    const changes = (
      [
        ['dir', options.dir],
        ['recipients', options.recipient],
        ['identityFile', options.identityFile],
        ['keepDaily', options.keepDaily],
        ['keepWeekly', options.keepWeekly],
        ['keepMonthly', options.keepMonthly],
        ['finalKeepDays', options.finalKeepDays],
      ] satisfies [keyof typeof keys, string | number | undefined][]
    ).filter(([, value]) => value !== undefined);
    if (changes.length) {
      // Written on every server of the pool: serve backs each up alike (docs/servers.md).
      await withEachServer({ ...options, env: io.env }, async (db) => {
        for (const [key, value] of changes) {
          await writeBackupSetting(db, keys[key], String(value) || null);
        }
      });
    }
    const settings = await withBackupContext(options, io, ({ db }) => readBackupSettings(db));
    const r = settings.retention;
    return {
      json: settings,
      blocks: [
        fields([
          { label: 'directory', value: settings.dir, whenEmpty: 'not set' },
          { label: 'recipients', value: settings.recipients.join(', '), whenEmpty: 'none' },
          { label: 'identity file', value: settings.identityFile, whenEmpty: 'not set' },
          {
            label: 'keep daily / weekly / monthly',
            value: `${r.keepDaily} / ${r.keepWeekly} / ${r.keepMonthly}`,
          },
          { label: 'final backups kept', value: `${r.finalKeepDays} days` },
        ]),
      ],
    };
  },
};

type VerifyOptions = Connection & {
  id?: number;
  latest?: string;
  all?: boolean;
  identity?: string;
  json?: boolean;
};

async function backupsToVerify(pool: pg.Pool, options: VerifyOptions): Promise<number[]> {
  const chosen = [options.id !== undefined, options.latest !== undefined, options.all === true];
  if (chosen.filter(Boolean).length !== 1) {
    throw new UserError('verify one of: a backup ID, --latest NAME, or --all');
  }
  if (options.id !== undefined) return [options.id];
  if (options.latest !== undefined) {
    const latest = await latestBackup(pool, options.latest);
    if (!latest) throw new UserError(`no successful backup of ${options.latest}`);
    return [latest.id];
  }
  return (await listBackups(pool)).filter((b) => b.status === 'ok').map((b) => b.id);
}

const verifyCommand: CommandSpec<VerifyOptions> = {
  name: 'verify',
  description: 'checksum, pg_restore --list and a trial restore with row counts compared',
  arguments: [{ name: 'id', description: 'backup id', optional: true }],
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--latest <name>', description: 'the newest backup of this database' },
    { flags: '--all', description: 'every successful backup' },
    IDENTITY_OPTION,
    JSON_OPTION,
  ],
  async run(options, io): Promise<Output> {
    const id = options.id === undefined ? undefined : backupId(String(options.id));
    const results = await withBackupContext(options, io, async (ctx, pool) => {
      const identities = await readIdentities(
        options.identity,
        io.env,
        await readBackupSettings(pool),
      );
      const out: VerifyResult[] = [];
      for (const each of await backupsToVerify(pool, { ...options, id })) {
        out.push(await verifyBackup(ctx, each, identities));
      }
      return out;
    });
    const rows = table(results, [
      { header: 'id', value: (r) => r.id },
      { header: 'database', value: (r) => r.database },
      { header: 'tables', value: (r) => r.tables },
      { header: 'result', value: (r) => (r.ok ? 'ok' : `FAILED: ${r.error}`) },
    ]);
    return { json: results, blocks: [rows], exitCode: results.every((r) => r.ok) ? 0 : 1 };
  },
};

const pruneCommand: CommandSpec<Connection & { dryRun?: boolean; json?: boolean }> = {
  name: 'prune',
  description: 'delete backups the retention policy no longer keeps',
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--dry-run', description: 'only list what would be deleted' },
    JSON_OPTION,
  ],
  async run(options, io) {
    const dryRun = options.dryRun === true;
    const result = await withBackupContext(options, io, (ctx) => pruneBackups(ctx, { dryRun }));
    const title = dryRun ? 'Would delete' : 'Deleted';
    return {
      json: { dryRun, kept: result.kept, pruned: result.pruned },
      blocks: [backupsTable(result.pruned), fields([{ label: 'kept', value: result.kept }], title)],
    };
  },
};

const drainDropsCommand: CommandSpec<Connection & { limit?: number; json?: boolean }> = {
  name: 'drain-drops',
  description:
    'finish pending drops: for each, a final backup, verified, then the drop (failures stay pending)',
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--limit <n>', description: 'at most this many, oldest first', parse: count },
    JSON_OPTION,
  ],
  async run(options, io) {
    const outcome = await withBackupContext(options, io, (ctx) =>
      completePendingDrops(ctx, { limit: options.limit, actor: 'cli' }),
    );
    const rows = [
      ...outcome.dropped.map((d) => ({
        database: d.database,
        result: `dropped (final backup ${d.backupId})`,
      })),
      ...outcome.failed.map((f) => ({ database: f.database, result: `still pending: ${f.error}` })),
    ];
    const summary = table(
      rows,
      [
        { header: 'database', value: (r) => r.database },
        { header: 'result', value: (r) => r.result },
      ],
      { whenNone: 'no pending drops' },
    );
    return { json: outcome, blocks: [summary], exitCode: outcome.failed.length ? 1 : 0 };
  },
};

export const backupCommand: CommandSpec<BackupOptions> = {
  name: 'backup',
  description: 'back up databases (pg_dump from one snapshot, encrypted when configured)',
  arguments: [
    { name: 'names', description: 'databases, e.g. dev_alice', optional: true, variadic: true },
  ],
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--all', description: 'every active DevDB database' },
    DIR_OPTION,
    RECIPIENT_OPTION,
    JSON_OPTION,
  ],
  subcommands: [
    keygenCommand,
    settingsCommand,
    verifyCommand,
    pruneCommand,
    drainDropsCommand,
  ] as CommandSpec[],
  async run(options, io) {
    // One database named: on its server; several, or --all: the central server's
    // (serve's backups job covers every server: docs/servers.md).
    const one = options.names?.length === 1 ? options.names[0] : undefined;
    const done = await withBackupContext(
      options,
      io,
      async (ctx, pool) => {
        const { dir, recipients } = await backupDestination(pool, options, io);
        const names = await databasesToBackUp(pool, options);
        const taken: BackupRecord[] = [];
        for (const [index, database] of names.entries()) {
          if (io.isTTY && names.length > 1)
            io.stderr.write(`[${index + 1}/${names.length}] ${database}…\n`);
          taken.push(await takeBackup(ctx, { database, kind: 'manual', dir, recipients }));
        }
        return taken;
      },
      one,
    );
    return { json: done, blocks: [backupsTable(done)] };
  },
};

export const backupsCommand: CommandSpec<Connection & { name?: string; json?: boolean }> = {
  name: 'backups',
  description: 'list backups (of one database when named)',
  arguments: [{ name: 'name', description: 'database name', optional: true }],
  options: [...CONNECTION_OPTIONS, JSON_OPTION],
  async run(options, io) {
    const backups = await withBackupContext(
      options,
      io,
      (_ctx, pool) => listBackups(pool, options.name),
      options.name,
    );
    return { json: backups, blocks: [backupsTable(backups)] };
  },
};

type RestoreOptions = Connection & {
  name: string;
  /** A backup id; without it the database comes back from the archive. */
  from?: number;
  as?: string;
  inPlace?: boolean;
  yes?: boolean;
  /** false with --no-backup. */
  backup?: boolean;
  reason?: string;
  dir?: string;
  recipient?: string;
  identity?: string;
  json?: boolean;
};

function checkInPlace(options: RestoreOptions): void {
  if (!options.inPlace) {
    if (options.backup === false) throw new UserError('--no-backup only applies to --in-place');
    return;
  }
  if (options.as !== undefined) throw new UserError('--in-place and --as exclude each other');
  if (!options.yes) {
    throw new UserError(
      `--in-place replaces everything in ${options.name} with backup ${options.from}: a pre-restore backup is taken first, then its sessions are ended and its contents replaced (its name, owner role, attachments and credentials stay). Add --yes to do it`,
    );
  }
}

async function runRestore(
  options: RestoreOptions & { from: number },
  io: CliIO,
): Promise<{ id: number; database: string; tables: number; preRestoreBackupId?: number | null }> {
  return withBackupContext(
    options,
    io,
    async (ctx, pool) => {
      const identities = await readIdentities(
        options.identity,
        io.env,
        await readBackupSettings(pool),
      );
      const [record] = (await listBackups(pool, options.name)).filter((b) => b.id === options.from);
      if (!record) throw new UserError(`backup ${options.from} is not a backup of ${options.name}`);
      if (!options.inPlace) {
        return restoreBackup(ctx, { id: options.from, as: options.as, identities, actor: 'cli' });
      }
      if (options.backup === false) {
        const noBackup = { reason: options.reason ?? '--no-backup' };
        return restoreInPlace(ctx, {
          id: options.from,
          identities,
          actor: 'cli',
          noBackup,
          dir: '',
          recipients: [],
        });
      }
      const destination = await backupDestination(pool, options, io);
      return restoreInPlace(ctx, { id: options.from, identities, actor: 'cli', ...destination });
    },
    options.name,
  );
}

/** `devdb restore NAME` without --from: the archived database back under its name. */
async function restoreFromArchive(options: RestoreOptions, io: CliIO): Promise<Output> {
  if (options.as !== undefined || options.inPlace) {
    throw new UserError(
      '--as and --in-place restore a backup: add --from ID (`devdb backups NAME` lists them)',
    );
  }
  const { name } = options;
  const result = await withServerOf({ ...options, env: io.env }, name, async (pool) => {
    const { known, status } = await databaseState(pool, name);
    if (!known)
      throw new UserError(
        `no DevDB database named ${JSON.stringify(name)}; \`devdb list\` shows them`,
      );
    if (status !== 'archived') {
      throw new UserError(
        `${name} is ${status}, not archived: to restore one of its backups, add --from ID (\`devdb backups ${name}\` lists them)`,
      );
    }
    return restoreDatabase(pool, name, { actor: 'cli' });
  });
  return {
    json: { database: name, from: 'archive', restored: result.restored },
    blocks: [
      fields([
        { label: 'database', value: name },
        { label: 'restored from', value: 'the archive' },
      ]),
    ],
  };
}

export const restoreCommand: CommandSpec<RestoreOptions> = {
  name: 'restore',
  description:
    'bring an archived database back; with --from ID restore a backup into a new database (its own name once dropped, or --as NEW), or over it with --in-place --yes',
  arguments: [
    { name: 'name', description: 'the database (archived, or the one the backup was taken of)' },
  ],
  options: [
    ...CONNECTION_OPTIONS,
    {
      flags: '--from <id>',
      description: 'backup id (without it: from the archive)',
      parse: backupId,
    },
    { flags: '--as <new>', description: 'restore under this name (dev_<user> or team_<team>)' },
    {
      flags: '--in-place',
      description: 'replace the existing database, after a pre-restore backup (needs --yes)',
    },
    { flags: '--yes', description: 'confirm --in-place' },
    {
      flags: '--no-backup',
      description: 'with --in-place: skip the pre-restore backup (recorded as an event)',
    },
    { flags: '--reason <text>', description: 'why --no-backup, recorded with it' },
    { ...DIR_OPTION, description: `where the pre-restore backup goes: ${DIR_OPTION.description}` },
    RECIPIENT_OPTION,
    IDENTITY_OPTION,
    JSON_OPTION,
  ],
  async run(options, io) {
    const { from } = options;
    if (from === undefined) return restoreFromArchive(options, io);
    checkInPlace(options);
    const restored = await runRestore({ ...options, from }, io);
    return {
      json: restored,
      blocks: [
        fields([
          { label: 'database', value: restored.database },
          { label: 'from backup', value: restored.id },
          { label: 'tables', value: restored.tables },
          ...(restored.preRestoreBackupId === undefined
            ? []
            : [
                {
                  label: 'pre-restore backup',
                  value: restored.preRestoreBackupId,
                  whenEmpty: 'none (--no-backup)',
                },
              ]),
        ]),
      ],
    };
  },
};
