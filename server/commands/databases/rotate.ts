/** `devdb rotate --workspace-id ID`: a new password for a workspace's login role, printed once. */
import { rotateWorkspacePassword, serverAccess } from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withServerOf } from '../../admin-connection.js';
import { JSON_OPTION, portNumber, type CommandSpec } from '../../command.js';
import { fields, text } from '../../render.js';
import type { Connection } from './shared.js';

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
      async (pool, url) => {
        const access = serverAccess(url);
        const rotated = await rotateWorkspacePassword(pool, access.workspaceEndpoint(options), {
          workspaceId: options.workspaceId,
          database: options.database,
          actor: 'cli',
        });
        // Shown to the admin: with the CA's file on this machine.
        return { ...rotated, url: access.forAdmin(rotated.url, rotated.caCert) };
      },
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
