/** `devdb backups [NAME]`: the backups taken, of one database when named (docs/backups.md). */
import { listBackups } from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS } from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { backupsTable, withBackupContext, type Connection } from './shared.js';

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
