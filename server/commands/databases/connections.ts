/**
 * `devdb connections [NAME] [--terminate]`: client sessions per database and
 * user — whose workspace each login role is — and ending them
 * (docs/operations.md, "Admin commands").
 */
import { listConnections, terminateSessions } from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withServerOf } from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { confirmOrRefuse } from '../../confirm.js';
import { UserError } from '../../errors.js';
import { fields, table } from '../../render.js';
import type { Connection } from './shared.js';

type ConnectionsOptions = Connection & {
  name?: string;
  user?: string;
  terminate?: boolean;
  yes?: boolean;
  json?: boolean;
};

export const connectionsCommand: CommandSpec<ConnectionsOptions> = {
  name: 'connections',
  description:
    'client sessions per database and workspace (owner, name, id, login role); --terminate ends them (asks, or --yes)',
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
            { header: 'owner', value: (c) => c.owner },
            { header: 'workspace', value: (c) => c.workspaceName },
            { header: 'workspace id', value: (c) => c.workspaceId },
            { header: 'login role', value: (c) => c.user },
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
