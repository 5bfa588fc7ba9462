/**
 * `devdb move NAME --to SERVER`: a database moved to another server of the pool
 * (docs/servers.md): final backup, restore there, switch, archive the old copy.
 */
import type { CommandSpec } from '../../command.js';
import { fields, text, type Output } from '../../render.js';
import { IDENTITY_OPTION, move, onPool, OPTIONS, type Connection } from './shared.js';

export const moveCommand: CommandSpec<
  Connection & { name: string; to: string; identity?: string }
> = {
  name: 'move',
  description:
    'move a database to another server: final backup, restore there, switch, archive the old copy',
  arguments: [{ name: 'name', description: 'database name, e.g. dev_alice' }],
  options: [
    { flags: '--to <server>', description: 'the server it goes to', required: true },
    IDENTITY_OPTION,
    ...OPTIONS,
  ],
  async run(options, io): Promise<Output> {
    const result = await onPool(options, io, (router) =>
      move(router, io, { database: options.name, to: options.to, identity: options.identity }),
    );
    return {
      json: result,
      blocks: [
        fields([
          { label: 'database', value: result.database },
          { label: 'from', value: result.from },
          { label: 'to', value: result.to },
          { label: 'workspaces detached', value: result.detached },
          { label: 'final backup', value: result.backupId },
          { label: 'tables restored', value: result.tables },
        ]),
        text(
          `\nWorkspaces get credentials on ${result.to} at their next start; the old copy stays archived on ${result.from}.\n`,
        ),
      ],
    };
  },
};
