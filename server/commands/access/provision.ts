/** `devdb provision`: attach a workspace from the shell; its credentials are printed once. */
import {
  AlreadyAttachedError,
  attachPlaced,
  validateAccess,
  validateDatabaseType,
  WORKSPACE_ACCESS,
  type AttachInput,
  type Attachment,
} from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withRouter, type ConnectionOptions } from '../../admin-connection.js';
import { JSON_OPTION, portNumber, type CommandSpec } from '../../command.js';
import { UserError } from '../../errors.js';
import { fields, text, type Block, type Output } from '../../render.js';

export type ProvisionOptions = Omit<ConnectionOptions, 'env'> &
  Omit<AttachInput, 'type' | 'actor' | 'connectionLimit' | 'seedFrom' | 'access' | 'ifAttached'> & {
    /** Checked here, so the message names the allowed values. */
    type: string;
    /** write (default) | read. */
    access?: string;
    /** Address workspaces use; default: the admin URL's host and port. */
    host?: string;
    port?: number;
    /** Re-key an attached workspace: a new password, the old one stops working. */
    rotate?: boolean;
  };

/**
 * A ready psql line: the workspace's URL as the admin uses it (with the CA's
 * file), with its password: the one place the CLI prints one in a URL.
 */
function psqlLine({ url, password }: Pick<Attachment, 'url' | 'password'>): string {
  const withPassword = new URL(url);
  withPassword.password = encodeURIComponent(password);
  return `psql "${withPassword.toString()}"`;
}

function credentialBlocks(attachment: Attachment): Block[] {
  const { name, user, password, url } = attachment;
  return [
    fields([
      { label: 'database', value: `${name}${attachment.createdDatabase ? ' (created)' : ''}` },
      {
        label: 'user',
        value: `${user}${attachment.reattached ? ' (rotated: the old password no longer works)' : ''}`,
      },
      { label: 'access', value: attachment.access },
      { label: 'url', value: url },
      { label: 'password', value: password },
    ]),
    text(`\nSave these now: the password is shown once.\n  ${psqlLine(attachment)}\n`),
  ];
}

function alreadyAttached(error: AlreadyAttachedError): UserError {
  return new UserError(
    `workspace ${error.workspaceId} is already attached to ${error.database} (login role ${error.user}); ` +
      'its password was shown when it was provisioned. --rotate issues a new password, and the old one stops working',
  );
}

export const provisionCommand: CommandSpec<ProvisionOptions> = {
  name: 'provision',
  description:
    "attach a workspace to its database (creating it if needed); prints the workspace's credentials",
  options: [
    ...CONNECTION_OPTIONS,
    {
      flags: '--type <type>',
      description: 'database type',
      choices: ['individual', 'team'],
      required: true,
    },
    {
      flags: '--owner <user>',
      description: "the workspace owner's Coder username",
      required: true,
    },
    {
      flags: '--owner-id <id>',
      description: "the owner's Coder user id (keeps the database across renames)",
    },
    { flags: '--team <name>', description: 'team name (with --type team)' },
    { flags: '--workspace-id <id>', description: 'the Coder workspace id', required: true },
    { flags: '--workspace-name <name>', description: 'the Coder workspace name' },
    { flags: '--template <name>', description: 'the Coder template name' },
    {
      flags: '--access <level>',
      description: 'what the credential may do (default: write)',
      choices: [...WORKSPACE_ACCESS],
    },
    {
      flags: '--host <host>',
      description: 'host workspaces connect to (default: the admin URL host)',
    },
    {
      flags: '--port <n>',
      description: 'port workspaces connect to (default: the admin URL port)',
      parse: portNumber,
    },
    {
      flags: '--rotate',
      description:
        'when the workspace is attached already: issue a new password (the old one stops working)',
    },
    JSON_OPTION,
  ],
  async run(options, io): Promise<Output> {
    const type = validateDatabaseType(options.type);
    const access = validateAccess(options.access ?? 'write');
    const attachment = await withRouter({ ...options, env: io.env }, async (router) => {
      const attached = await attachPlaced(router, {
        type,
        owner: options.owner,
        ownerId: options.ownerId,
        team: options.team,
        workspaceId: options.workspaceId,
        workspaceName: options.workspaceName,
        template: options.template,
        access,
        actor: 'cli',
        ifAttached: options.rotate ? 'rekey' : 'refuse',
      });
      // Shown to the admin: with the CA's file on this machine (workspaces' own URL,
      // in env, has none: the agent writes the CA where libpq looks).
      return { ...attached, url: router.centralAccess.forAdmin(attached.url, attached.caCert) };
    }).catch((error: unknown) => {
      throw error instanceof AlreadyAttachedError ? alreadyAttached(error) : error;
    });
    const { name, user, password, host, port, url, env } = attachment;
    // The user asked for credentials: shown once (the server keeps only a verifier).
    return {
      json: { name, user, password, host, port, url, env },
      blocks: credentialBlocks(attachment),
    };
  },
};
