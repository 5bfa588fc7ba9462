/** `devdb users`: each user and the databases they have, on every server of the pool. */
import { listUsers } from '../../../provisioning/index.js';
import type { CommandSpec } from '../../command.js';
import { table } from '../../render.js';
import { ADMIN_OPTIONS, fromEachServer, type Connection } from './shared.js';

export const usersCommand: CommandSpec<Connection> = {
  name: 'users',
  description: 'list users and their databases (on every server of the pool)',
  options: ADMIN_OPTIONS,
  async run(options, io) {
    const { results: perServer, unreachable } = await fromEachServer(options, io, listUsers);
    const users = addUpUsers(perServer);
    const rows = table(users, [
      { header: 'username', value: (u) => u.username },
      { header: 'databases', value: (u) => u.databases.join(', ') },
      ...(perServer.length + unreachable.length > 1
        ? [{ header: 'servers', value: (u: PoolUser) => u.servers.join(', ') }]
        : []),
      { header: 'owned', value: (u) => u.owned },
      { header: 'teams', value: (u) => u.teams },
      { header: 'attached workspaces', value: (u) => u.activeAttachments },
    ]);
    return { json: users, blocks: [rows], unreachable };
  },
};

type UserRow = Awaited<ReturnType<typeof listUsers>>[number];
/** A user over the pool: their databases on every server, and which servers those are on. */
type PoolUser = UserRow & { servers: string[] };

/** Each server's users as one list: a user with databases on several servers once, counts added up. */
function addUpUsers(perServer: { server: string; result: UserRow[] }[]): PoolUser[] {
  const users = new Map<string, PoolUser>();
  for (const { server, result } of perServer) {
    for (const row of result) {
      const user = users.get(row.username);
      if (!user) {
        users.set(row.username, { ...row, servers: [server] });
        continue;
      }
      user.databases = [...new Set([...user.databases, ...row.databases])].sort();
      user.owned += row.owned;
      user.teams += row.teams;
      user.activeAttachments += row.activeAttachments;
      user.servers.push(server);
    }
  }
  return [...users.values()].sort((a, b) => (a.username < b.username ? -1 : 1));
}
