/** `devdb release`: a workspace detached from the shell, on every server of the pool. */
import { detachWorkspace } from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withRouter, type ConnectionOptions } from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { table } from '../../render.js';

export const releaseCommand: CommandSpec<Omit<ConnectionOptions, 'env'> & { workspaceId: string }> =
  {
    name: 'release',
    description: 'detach a workspace: its login role and sessions are dropped, databases stay',
    options: [
      ...CONNECTION_OPTIONS,
      { flags: '--workspace-id <id>', description: 'the Coder workspace id', required: true },
      JSON_OPTION,
    ],
    async run(options, io) {
      const { workspaceId } = options;
      // A workspace may use databases on several servers of the pool: each one reached.
      const { results, unreachable } = await withRouter({ ...options, env: io.env }, (router) =>
        router.each(({ db }) => detachWorkspace(db, { workspaceId, actor: 'cli' })),
      );
      const detached = results.flatMap((r) => r.result);
      const rows = table(
        detached,
        [
          { header: 'database', value: (d) => d.name },
          { header: 'dropped login role', value: (d) => d.user },
          { header: 'sessions terminated', value: (d) => d.sessionsTerminated },
        ],
        {
          whenNone: `workspace ${workspaceId} was not attached to any database${unreachable.length ? ' on the servers reached' : ''}`,
        },
      );
      return {
        json: { workspaceId, detached },
        blocks: [rows],
        unreachable,
        leftOut: 'the workspace was not detached there: run this again once it is back',
      };
    },
  };
