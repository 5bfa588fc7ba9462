/** `devdb list`: every database of the pool, as a table or --json. */
import { listDatabases } from '../../../provisioning/index.js';
import type { CommandSpec } from '../../command.js';
import { table } from '../../render.js';
import { ADMIN_OPTIONS, fromEachServer, type Connection } from './shared.js';

export const listCommand: CommandSpec<Connection> = {
  name: 'list',
  description: 'list databases (on every server of the pool)',
  options: ADMIN_OPTIONS,
  async run(options, io) {
    const { results, unreachable } = await fromEachServer(options, io, listDatabases);
    const databases = results
      .flatMap(({ server, result }) => result.map((d) => ({ ...d, server })))
      .sort((a, b) => a.name.localeCompare(b.name) || a.server.localeCompare(b.server));
    const manyServers = results.length + unreachable.length > 1;
    const rows = table(databases, [
      { header: 'database', value: (d) => d.name },
      ...(manyServers ? [{ header: 'server', value: (d: { server: string }) => d.server }] : []),
      { header: 'type', value: (d) => d.type },
      { header: 'owner / team', value: (d) => d.owner ?? d.team },
      { header: 'status', value: (d) => d.status },
      { header: 'policy', value: (d) => d.policyState },
      { header: 'workspaces', value: (d) => d.activeAttachments },
      { header: 'users', value: (d) => d.users },
      { header: 'size', value: (d) => d.sizeBytes, format: 'bytes' },
      { header: 'last accessed', value: (d) => d.lastAccessed, whenEmpty: 'never' },
      { header: 'idle days', value: (d) => d.idleDays, whenEmpty: 'never' },
    ]);
    return { json: databases, blocks: [rows], unreachable };
  },
};
