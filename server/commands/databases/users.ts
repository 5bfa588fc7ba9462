/** `devdb users`: each user and the databases they have. */
import { listUsers } from '../../../provisioning/index.js';
import type { CommandSpec } from '../../command.js';
import { table } from '../../render.js';
import { ADMIN_OPTIONS, fromServer, type Connection } from './shared.js';

export const usersCommand: CommandSpec<Connection> = {
  name: 'users',
  description: 'list users and their databases',
  options: ADMIN_OPTIONS,
  async run(options, io) {
    const users = await fromServer(options, io, listUsers);
    const rows = table(users, [
      { header: 'username', value: (u) => u.username },
      { header: 'databases', value: (u) => u.databases.join(', ') },
      { header: 'owned', value: (u) => u.owned },
      { header: 'teams', value: (u) => u.teams },
      { header: 'attached workspaces', value: (u) => u.activeAttachments },
    ]);
    return { json: users, blocks: [rows] };
  },
};
