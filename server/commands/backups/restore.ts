/**
 * `devdb restore NAME [--from ID]`: an archived database back under its name, or a
 * backup restored into a new database or over the one it was taken of
 * (docs/backups.md).
 */
import {
  claimDatabase,
  databaseState,
  listBackups,
  readBackupSettings,
  restoreBackup,
  restoreDatabase,
  restoreInPlace,
} from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withRouter, withServerOf } from '../../admin-connection.js';
import { readIdentities } from '../../backup-config.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { UserError } from '../../errors.js';
import type { CliIO } from '../../io.js';
import { fields, type Output } from '../../render.js';
import {
  backupDestination,
  backupId,
  DIR_OPTION,
  IDENTITY_OPTION,
  RECIPIENT_OPTION,
  withBackupContext,
  type Connection,
} from './shared.js';

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

/**
 * A restore into a new database makes it on NAME's server (where the backup
 * is): the new name is claimed there first, refused when the pool has it on
 * another server (docs/servers.md).
 */
async function claimTarget(options: RestoreOptions, io: CliIO): Promise<void> {
  const target = options.as ?? options.name;
  await withRouter({ ...options, env: io.env }, async (router) => {
    const { server } = await router.forDatabase(options.name);
    const holder = await claimDatabase(router.central.db, target, server.name);
    if (holder !== server.name) {
      throw new UserError(
        `${target} is on server ${holder}, and the backups of ${options.name} on server ${server.name}: restore under another name with --as NEW`,
      );
    }
  });
}

async function runRestore(
  options: RestoreOptions & { from: number },
  io: CliIO,
): Promise<{ id: number; database: string; tables: number; preRestoreBackupId?: number | null }> {
  if (!options.inPlace) await claimTarget(options, io);
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
