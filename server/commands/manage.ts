/**
 * The admin guide's changing commands: `devdb delete`, `create-team`,
 * `connections [--terminate]`, `rotate` (docs/operations.md, "Admin commands").
 */
import {
  ensureTeamDatabase,
  listConnections,
  policyStates,
  retireDatabase,
  rotateWorkspacePassword,
  teamDatabaseName,
  terminateSessions,
  workspaceEndpoint,
} from '../../provisioning/index.js';
import { CONNECTION_OPTIONS, withServerOf, type ConnectionOptions } from '../admin-connection.js';
import { JSON_OPTION, portNumber, type CommandSpec } from '../command.js';
import { confirmOrRefuse } from '../confirm.js';
import { UserError } from '../errors.js';
import { POLICY_WIRING } from '../policy-wiring.js';
import { fields, table, text } from '../render.js';
import { protectionText } from './policy.js';

type Connection = Omit<ConnectionOptions, 'env'>;

type DeleteOptions = Connection & {
  name: string;
  now?: boolean;
  /** commander's negation: false with --no-backup. */
  backup?: boolean;
  reason?: string;
  yes?: boolean;
  json?: boolean;
};

function checkDeleteFlags(options: DeleteOptions): { reason: string } | undefined {
  if (options.backup !== false) return undefined;
  if (!options.now) throw new UserError('--no-backup goes with --now (an archive loses nothing)');
  if (!options.reason) {
    throw new UserError('--no-backup needs --reason TEXT: it is recorded with the drop');
  }
  return { reason: options.reason };
}

export const deleteCommand: CommandSpec<DeleteOptions> = {
  name: 'delete',
  description:
    'archive a database (renamed, connections refused, restorable); --now drops it after its final backup',
  arguments: [{ name: 'name', description: 'database name, e.g. dev_alice' }],
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--now', description: 'drop it now, after a final verified backup (asks, or --yes)' },
    {
      flags: '--no-backup',
      description: 'with --now: drop without the final backup (needs --reason)',
    },
    { flags: '--reason <text>', description: 'why there is no final backup (recorded)' },
    { flags: '--yes', description: 'confirm --now without asking' },
    JSON_OPTION,
  ],
  async run(options, io) {
    const { name } = options;
    const noBackup = checkDeleteFlags(options);
    const done = await withServerOf({ ...options, env: io.env }, name, async (pool, adminUrl) => {
      const [state] = await policyStates(pool, { database: name });
      if (!state)
        throw new UserError(
          `no DevDB database named ${JSON.stringify(name)}; \`devdb list\` shows them`,
        );
      if (state.status === 'dropped') throw new UserError(`${name} was dropped already`);
      if (state.protected) {
        throw new UserError(
          `${name} is protected (${protectionText(state)}): \`devdb unprotect ${name}\` first`,
        );
      }
      if (state.liveAttachments > 0) {
        throw new UserError(
          `${name} still has ${state.liveAttachments} attached workspace(s) (\`devdb inspect ${name}\`): ` +
            'delete those workspaces in Coder, or detach them with `devdb release --workspace-id ID`, first',
        );
      }
      if (!options.now) {
        if (state.status === 'archived') return 'archived already';
        return retireDatabase(pool, { database: name, policy: 'archive', actor: 'cli' });
      }
      await confirmOrRefuse(io, {
        yes: options.yes,
        what: `devdb delete ${name} --now`,
        question: `Drop ${name}${noBackup ? ' WITHOUT a final backup' : ' after its final backup'}? It cannot be restored from the archive afterwards.`,
      });
      const drop = POLICY_WIRING.dropDatabase({
        db: pool,
        adminUrl,
        env: { ...process.env, ...io.env },
      });
      await drop(name, { actor: 'cli', noBackup });
      return 'dropped';
    });
    const restore = done === 'archived' ? `\nRestore it with \`devdb restore ${name}\`.\n` : '';
    return {
      json: { database: name, action: done },
      blocks: [fields([{ label: name, value: done }]), ...(restore ? [text(restore)] : [])],
    };
  },
};

export const createTeamCommand: CommandSpec<
  Connection & { name: string; seedFrom?: string; json?: boolean }
> = {
  name: 'create-team',
  description: 'create a team database team_NAME (nothing happens when it exists)',
  arguments: [{ name: 'name', description: 'team name, e.g. frontend-project' }],
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--seed-from <db>', description: 'copy this database when creating it' },
    JSON_OPTION,
  ],
  async run(options, io) {
    const { name, seedFrom } = options;
    const result = await withServerOf(
      { ...options, env: io.env },
      teamDatabaseName(name),
      (pool) => ensureTeamDatabase(pool, { team: name, seedFrom, actor: 'cli' }),
      { place: true, seed: seedFrom },
    );
    return {
      json: result,
      blocks: [
        fields([
          { label: 'database', value: result.name },
          { label: 'created', value: result.created ? 'yes' : 'no (it existed)' },
          ...(result.repaired.length
            ? [{ label: 'repaired', value: result.repaired.join(', ') }]
            : []),
        ]),
      ],
    };
  },
};

type ConnectionsOptions = Connection & {
  name?: string;
  user?: string;
  terminate?: boolean;
  yes?: boolean;
  json?: boolean;
};

export const connectionsCommand: CommandSpec<ConnectionsOptions> = {
  name: 'connections',
  description: 'client sessions per database and user; --terminate ends them (asks, or --yes)',
  arguments: [{ name: 'name', description: 'one database', optional: true }],
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--user <role>', description: "only this user's sessions (with --terminate)" },
    { flags: '--terminate', description: 'end the sessions of the database named' },
    { flags: '--yes', description: 'confirm --terminate without asking' },
    JSON_OPTION,
  ],
  async run(options, io) {
    const { name } = options;
    if (options.terminate && !name) {
      throw new UserError('--terminate needs a database: `devdb connections NAME --terminate`');
    }
    return withServerOf({ ...options, env: io.env }, name, async (pool) => {
      const sessions = await listConnections(pool, { database: name });
      if (!options.terminate) {
        const rows = table(
          sessions,
          [
            { header: 'database', value: (c) => c.database },
            { header: 'user', value: (c) => c.user },
            { header: 'sessions', value: (c) => c.sessions },
            { header: 'active', value: (c) => c.active },
            { header: 'idle', value: (c) => c.idle },
            { header: 'idle in transaction', value: (c) => c.idleInTransaction },
            { header: 'oldest since', value: (c) => c.oldestSince },
          ],
          { whenNone: name ? `no sessions in ${name}` : 'no sessions in DevDB databases' },
        );
        return { json: sessions, blocks: [rows] };
      }
      const whose = options.user ? `${options.user}'s sessions` : 'every session';
      await confirmOrRefuse(io, {
        yes: options.yes,
        what: `devdb connections ${name} --terminate`,
        question: `End ${whose} in ${name}? (open transactions are rolled back)`,
      });
      const ended = await terminateSessions(pool, {
        database: name!,
        user: options.user,
        actor: 'cli',
      });
      return {
        json: { database: name, user: options.user ?? null, ...ended },
        blocks: [
          fields([
            { label: 'sessions ended', value: ended.terminated },
            ...(ended.leftRunning
              ? [{ label: 'superuser sessions left', value: ended.leftRunning }]
              : []),
          ]),
        ],
      };
    });
  },
};

type RotateOptions = Connection & {
  workspaceId: string;
  database?: string;
  host?: string;
  port?: number;
  json?: boolean;
};

export const rotateCommand: CommandSpec<RotateOptions> = {
  name: 'rotate',
  description:
    "a new password for a workspace's login role (the old one stops working); printed once",
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--workspace-id <id>', description: 'the Coder workspace id', required: true },
    { flags: '--database <name>', description: 'when the workspace is attached to several' },
    {
      flags: '--host <host>',
      description: 'host workspaces connect to (default: the admin URL host)',
    },
    {
      flags: '--port <n>',
      description: 'port workspaces connect to (default: the admin URL port)',
      parse: portNumber,
    },
    JSON_OPTION,
  ],
  async run(options, io) {
    const attachment = await withServerOf(
      { ...options, env: io.env },
      options.database,
      (pool, url) =>
        rotateWorkspacePassword(pool, workspaceEndpoint(url, options), {
          workspaceId: options.workspaceId,
          database: options.database,
          actor: 'cli',
        }),
    );
    const { name, user, password, url } = attachment;
    const needs =
      'The old password no longer works: the workspace needs this one. It was given the old one in DEVDB_PASSWORD (the agent wrote it to ~/.pgpass): put the new one there, and save it now: it is shown once.';
    return {
      json: { name, user, password, url, workspaceId: options.workspaceId, needsNewPassword: true },
      blocks: [
        fields([
          { label: 'database', value: name },
          { label: 'user', value: user },
          { label: 'url', value: url },
          { label: 'password', value: password },
        ]),
        text(`\n${needs}\n`),
      ],
    };
  },
};
