/**
 * `devdb backups [NAME]`: the backups taken on every server of the pool (each
 * keeps its own: docs/servers.md), of one database when named, newest first.
 */
import { listBackups } from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withEachServer } from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { newestBackupFirst, rowsOf } from '../../pool-reads.js';
import { backupsTable, type Connection } from './shared.js';

export const backupsCommand: CommandSpec<Connection & { name?: string; json?: boolean }> = {
  name: 'backups',
  description: 'list backups on every server (of one database when named)',
  arguments: [{ name: 'name', description: 'database name', optional: true }],
  options: [...CONNECTION_OPTIONS, JSON_OPTION],
  async run(options, io) {
    const { results, unreachable } = await withEachServer({ ...options, env: io.env }, (pool) =>
      listBackups(pool, options.name),
    );
    // Several servers: each backup with its server (ids are each server's own).
    const several = results.length + unreachable.length > 1;
    const backups = several ? rowsOf(results).sort(newestBackupFirst) : results[0]!.result;
    return { json: backups, blocks: [backupsTable(backups)], unreachable };
  },
};
