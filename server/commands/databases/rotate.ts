/** `devdb rotate --workspace-id ID`: a new password for a workspace's login role, printed once. */
import {
  describeUnreachable,
  rotateWorkspacePassword,
  workspaceDatabases,
  type RoutedServer,
  type ServerRouter,
} from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withRouter } from '../../admin-connection.js';
import { JSON_OPTION, portNumber, type CommandSpec } from '../../command.js';
import { UserError } from '../../errors.js';
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
    const attachment = await withRouter({ ...options, env: io.env }, async (router) => {
      const { db, access } = options.database
        ? await router.forDatabase(options.database)
        : await serverOfWorkspace(router, options.workspaceId);
      const rotated = await rotateWorkspacePassword(db, access.workspaceEndpoint(options), {
        workspaceId: options.workspaceId,
        database: options.database,
        actor: 'cli',
      });
      // Shown to the admin: with the CA's file on this machine.
      return { ...rotated, url: access.forAdmin(rotated.url, rotated.caCert) };
    });
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

/**
 * The server where the workspace is attached, looked for on every server of
 * the pool; where it is attached nowhere, the central server (whose rotate
 * then says so), unless a server could not be asked: then that is the error.
 */
async function serverOfWorkspace(router: ServerRouter, workspaceId: string): Promise<RoutedServer> {
  const { results, unreachable } = await router.each(async (routed) => ({
    routed,
    databases: await workspaceDatabases(routed.db, workspaceId),
  }));
  const found = results.filter(({ result }) => result.databases.length > 0);
  if (found.length > 1) {
    const where = found.map(({ server, result }) => `${result.databases.join(', ')} on ${server}`);
    throw new UserError(
      `workspace ${workspaceId} is attached to ${where.join(' and ')}: say which with --database`,
    );
  }
  if (found.length === 1) return found[0]!.result.routed;
  if (unreachable.length) {
    const down = unreachable.map((u) => `server ${describeUnreachable(u)}`).join('; ');
    throw new UserError(
      `workspace ${workspaceId} is not attached on the servers reached, and ${down}`,
    );
  }
  return results[0]!.result.routed;
}
