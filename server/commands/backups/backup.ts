/**
 * `devdb backup [NAMES…] | keygen | settings | verify | prune | drain-drops`:
 * taking per-database backups and looking after them (docs/backups.md). The work
 * is in provisioning/backups/; this module reads flags, environment and
 * settings, and shapes the output.
 */
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import type pg from 'pg';
import {
  activeDatabaseNames,
  BACKUP_SETTING_KEYS,
  BackupFailedError,
  completePendingDrops,
  generateAgeKeyPair,
  getBackup,
  latestBackup,
  listBackups,
  ProvisioningError,
  pruneBackups,
  readBackupSettings,
  requireIdentities,
  takeBackup,
  verifyBackup,
  writeBackupSetting,
  type BackupContext,
  type BackupRecord,
  type RoutedServer,
  type ServerRouter,
  type UnreachableServer,
  type VerifyResult,
} from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withEachServer, withRouter } from '../../admin-connection.js';
import { readIdentities } from '../../backup-config.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { UserError } from '../../errors.js';
import type { CliIO } from '../../io.js';
import { serverColumn } from '../../pool-reads.js';
import { fields, table, type Output } from '../../render.js';
import {
  backupDestination,
  backupId,
  backupsTable,
  DIR_OPTION,
  IDENTITY_OPTION,
  RECIPIENT_OPTION,
  withBackupContext,
  type Connection,
} from './shared.js';

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return Number(value);
}

type BackupOptions = Connection & {
  names: string[];
  all?: boolean;
  dir?: string;
  recipient?: string;
  json?: boolean;
};

function checkWhatToBackUp(options: BackupOptions): void {
  if (options.all && options.names.length) {
    throw new UserError('name databases or pass --all, not both');
  }
  if (!options.all && !options.names.length) {
    throw new UserError('name the databases to back up, or pass --all');
  }
}

/** A backup context on a routed server (pg_dump and pg_restore connect with its URL). */
const contextOf = (routed: RoutedServer, io: CliIO): BackupContext => ({
  db: routed.db,
  adminUrl: routed.adminUrl,
  env: { ...process.env, ...io.env },
});

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
    // Written on every server of the pool: serve backs each up alike (docs/servers.md).
    const written = changes.length
      ? await withEachServer({ ...options, env: io.env }, async (db) => {
          for (const [key, value] of changes) {
            await writeBackupSetting(db, keys[key], String(value) || null);
          }
        })
      : undefined;
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
      unreachable: written?.unreachable,
      leftOut: 'the change is not written there: run this again once it is back',
    };
  },
};

type VerifyOptions = Connection & {
  id?: number;
  latest?: string;
  all?: boolean;
  server?: string;
  identity?: string;
  json?: boolean;
};

/**
 * The servers to verify on (docs/servers.md): the named database's, every
 * server for --all, and for an id (each server numbers its own) --server's or
 * the one server that has it (an unknown id: the central server refuses it).
 */
async function serversToVerify(
  router: ServerRouter,
  options: VerifyOptions,
): Promise<RoutedServer[]> {
  if (options.server !== undefined) return [await router.forServer(options.server)];
  if (options.latest !== undefined) return [await router.forDatabase(options.latest)];
  const servers = await router.all();
  if (options.id === undefined) return servers;
  const holding: RoutedServer[] = [];
  for (const routed of servers) {
    if (await getBackup(routed.db, options.id)) holding.push(routed);
  }
  if (holding.length > 1) {
    const names = holding.map((r) => r.server.name).join(', ');
    throw new UserError(
      `servers ${names} each have a backup ${options.id}: add --server NAME (devdb backups shows each backup's server)`,
    );
  }
  return holding.length ? holding : servers.slice(0, 1);
}

/** The backups to verify (an unknown id is left to verifyBackup to refuse). */
async function backupsToVerify(
  pool: pg.Pool,
  options: VerifyOptions,
): Promise<Pick<BackupRecord, 'id' | 'encrypted'>[]> {
  const chosen = [options.id !== undefined, options.latest !== undefined, options.all === true];
  if (chosen.filter(Boolean).length !== 1) {
    throw new UserError('verify one of: a backup ID, --latest NAME, or --all');
  }
  if (options.server !== undefined && options.latest !== undefined) {
    throw new UserError("--latest NAME verifies on NAME's server: leave out --server");
  }
  if (options.id !== undefined) {
    return [(await getBackup(pool, options.id)) ?? { id: options.id, encrypted: false }];
  }
  if (options.latest !== undefined) {
    const latest = await latestBackup(pool, options.latest);
    if (!latest) throw new UserError(`no successful backup of ${options.latest}`);
    return [latest];
  }
  return (await listBackups(pool)).filter((b) => b.status === 'ok');
}

const verifyCommand: CommandSpec<VerifyOptions> = {
  name: 'verify',
  description: 'checksum, pg_restore --list and a trial restore with row counts compared',
  arguments: [{ name: 'id', description: 'backup id', optional: true }],
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--latest <name>', description: 'the newest backup of this database' },
    { flags: '--all', description: 'every successful backup, on every server' },
    {
      flags: '--server <name>',
      description: "the server holding the backup ID (ids are each server's own)",
    },
    IDENTITY_OPTION,
    JSON_OPTION,
  ],
  async run(options, io): Promise<Output> {
    const id = options.id === undefined ? undefined : backupId(String(options.id));
    const results = await withRouter({ ...options, env: io.env }, async (router) => {
      const picked = [];
      for (const routed of await serversToVerify(router, { ...options, id })) {
        const settings = await readBackupSettings(routed.db);
        const identities = await readIdentities(options.identity, io.env, settings);
        const chosen = await backupsToVerify(routed.db, { ...options, id });
        // An encrypted one and no identity: refused before any is verified, nothing recorded.
        for (const backup of chosen) requireIdentities(backup, identities);
        picked.push({ routed, identities, chosen });
      }
      const out: (VerifyResult & { server: string })[] = [];
      for (const { routed, identities, chosen } of picked) {
        for (const each of chosen) {
          const result = await verifyBackup(contextOf(routed, io), each.id, identities);
          out.push({ ...result, server: routed.server.name });
        }
      }
      return { out, servers: picked.length };
    });
    const rows = table(results.out, [
      { header: 'id', value: (r) => r.id },
      ...serverColumn<(typeof results.out)[number]>(results.servers > 1),
      { header: 'database', value: (r) => r.database },
      { header: 'tables', value: (r) => r.tables },
      { header: 'result', value: (r) => (r.ok ? 'ok' : `FAILED: ${r.error}`) },
    ]);
    const ok = results.out.every((r) => r.ok);
    return { json: results.out, blocks: [rows], exitCode: ok ? 0 : 1 };
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
      blocks: [
        backupsTable(result.pruned, { title, whenNone: 'nothing' }),
        fields([{ label: 'kept', value: result.kept }]),
      ],
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
    checkWhatToBackUp(options);
    // Each database on its server (docs/servers.md); --all: every server's, over
    // the servers reached (one that is not is left out: one line, exit code 3).
    const one = options.names.length === 1 ? options.names[0] : undefined;
    const env = { ...process.env, ...io.env };
    const {
      outcome,
      unreachable,
    }: { outcome: (BackupOutcome & { server?: string })[]; unreachable: UnreachableServer[] } =
      await withRouter({ ...options, env: io.env }, async (router) => {
        // Several servers: each backup says its server (ids are each server's own).
        const several = (await router.all()).length > 1;
        // Read at the first backup: a server that is down is named before any warning.
        let destination: ReturnType<typeof backupDestination> | undefined;
        const backUp = async (routed: RoutedServer, database: string) => {
          destination ??= backupDestination(router.central.db, options, io);
          const { dir, recipients } = await destination;
          const ctx = { db: routed.db, adminUrl: routed.adminUrl, env };
          return takeBackup(ctx, { database, kind: 'manual', dir, recipients });
        };
        const on = (routed: RoutedServer, done: BackupOutcome[]) =>
          done.map((o): BackupOutcome & { server?: string } =>
            several ? { ...o, server: routed.server.name } : o,
          );
        if (options.all) {
          const each = await router.each(async (routed) =>
            on(
              routed,
              await backUpEach(await activeDatabaseNames(routed.db), io, true, (database) =>
                backUp(routed, database),
              ),
            ),
          );
          return { outcome: each.results.flatMap((r) => r.result), unreachable: each.unreachable };
        }
        // Several: each failure is said on stderr as it happens; one: it is the command's error.
        const servers = new Map<string, RoutedServer>();
        const done = await backUpEach(options.names, io, one === undefined, async (database) => {
          const routed = await router.forDatabase(database);
          servers.set(database, routed);
          return backUp(routed, database);
        });
        const outcome = done.flatMap((o) => {
          const routed = servers.get(o.database);
          return routed ? on(routed, [o]) : [o];
        });
        return { outcome, unreachable: [] };
      });
    const failed = outcome.filter((o) => o.error !== undefined);
    // One database: its failure is the command's error (one line, exit 1).
    if (one !== undefined && failed.length === 1) throw failed[0]!.cause;
    // Several servers: each backup with its server (ids are each server's own).
    const where = (o: (typeof outcome)[number]) =>
      o.server === undefined ? {} : { server: o.server };
    const records = outcome.flatMap((o) => (o.backup ? [{ ...o.backup, ...where(o) }] : []));
    const json = outcome.map((o) =>
      o.backup
        ? { ...o.backup, ...where(o) }
        : { database: o.database, ...where(o), status: 'failed', error: o.error },
    );
    if (failed.length === 0) return { json, blocks: [backupsTable(records)], unreachable };
    const summary = table(
      outcome,
      [
        { header: 'database', value: (o) => o.database },
        ...(outcome.some((o) => o.server !== undefined)
          ? [{ header: 'server', value: (o: { server?: string }) => o.server }]
          : []),
        {
          header: 'result',
          value: (o) =>
            o.error === undefined ? `ok (backup ${o.backup!.id})` : `FAILED: ${o.error}`,
        },
      ],
      { title: `${outcome.length - failed.length} backed up, ${failed.length} failed` },
    );
    return { json, blocks: [backupsTable(records), summary], exitCode: 1, unreachable };
  },
};

/** One database's backup: its registry row, and why it failed when it did. */
interface BackupOutcome {
  database: string;
  /** Absent when it failed before it was recorded (e.g. no such database). */
  backup: BackupRecord | null;
  error?: string;
  cause?: Error;
}

/**
 * Backs up each database in turn; after one that fails the rest go on (with
 * `report`, its failure is said on stderr at once). A bug (not a
 * ProvisioningError) still stops the command.
 */
async function backUpEach(
  names: string[],
  io: CliIO,
  report: boolean,
  backUp: (database: string) => Promise<BackupRecord>,
): Promise<BackupOutcome[]> {
  const outcome: BackupOutcome[] = [];
  for (const [index, database] of names.entries()) {
    if (io.isTTY && names.length > 1)
      io.stderr.write(`[${index + 1}/${names.length}] ${database}…\n`);
    try {
      outcome.push({ database, backup: await backUp(database) });
    } catch (error) {
      if (!(error instanceof ProvisioningError)) throw error;
      const backup = error instanceof BackupFailedError ? error.backup : null;
      outcome.push({ database, backup, error: error.message, cause: error });
      if (report) io.stderr.write(`devdb: backup of ${database} failed: ${error.message}\n`);
    }
  }
  return outcome;
}
