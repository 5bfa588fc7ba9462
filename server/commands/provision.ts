/** `devdb provision` / `devdb release`: the operations from the shell. */
import {
  attachWorkspace,
  detachWorkspace,
  validateAccess,
  validateDatabaseType,
  workspaceEndpoint,
  type AttachInput,
} from '../../provisioning/index.js';
import { withAdminPool, type ConnectionOptions } from '../admin-connection.js';
import { printFields, printJson, printTable } from '../output.js';

export type ProvisionOptions = ConnectionOptions &
  Omit<AttachInput, 'type' | 'actor' | 'connectionLimit' | 'seedFrom' | 'access'> & {
    /** Checked here, so the message names the allowed values. */
    type: string;
    /** write (default) | read. */
    access?: string;
    /** Address workspaces use; default: the admin URL's host and port. */
    host?: string;
    port?: number;
    json?: boolean;
  };

export async function provision(options: ProvisionOptions): Promise<void> {
  const type = validateDatabaseType(options.type);
  const access = validateAccess(options.access ?? 'write');
  const attachment = await withAdminPool(options, (pool, url) =>
    attachWorkspace(pool, workspaceEndpoint(url, options), {
      type,
      owner: options.owner,
      ownerId: options.ownerId,
      team: options.team,
      workspaceId: options.workspaceId,
      workspaceName: options.workspaceName,
      template: options.template,
      access,
      actor: 'cli',
    }),
  );
  const { name, user, password, host, port, url, env } = attachment;
  if (options.json) {
    // Asked for explicitly: the one place the CLI prints a workspace password.
    printJson({ name, user, password, host, port, url, env });
    return;
  }
  printFields([
    ['database', `${name}${attachment.createdDatabase ? ' (created)' : ''}`],
    ['user', `${user}${attachment.reattached ? ' (re-attached: new password)' : ''}`],
    ['access', attachment.access],
    ['url', url],
    ['password', 'not shown; use --json to receive it'],
  ]);
}

export async function release(
  options: ConnectionOptions & { workspaceId: string; json?: boolean },
): Promise<void> {
  const detached = await withAdminPool(options, (pool) =>
    detachWorkspace(pool, { workspaceId: options.workspaceId, actor: 'cli' }),
  );
  if (options.json) {
    printJson({ workspaceId: options.workspaceId, detached });
    return;
  }
  if (detached.length === 0) {
    process.stdout.write(`workspace ${options.workspaceId} was not attached to any database\n`);
    return;
  }
  printTable(
    ['database', 'dropped login role', 'sessions terminated'],
    detached.map((d) => [d.name, d.user, d.sessionsTerminated]),
  );
}
