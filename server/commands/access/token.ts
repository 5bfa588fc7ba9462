/** `devdb token create | list | revoke`: the control plane's API tokens (docs/api.md). */
import type pg from 'pg';
import {
  API_ROLES,
  createApiToken,
  listApiTokens,
  revokeApiToken,
  type ApiRole,
} from '../../../provisioning/index.js';
import {
  CONNECTION_OPTIONS,
  withAdminPool,
  type ConnectionOptions,
} from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import type { CliIO } from '../../io.js';
import { fields, table, text } from '../../render.js';

type Connection = Omit<ConnectionOptions, 'env'>;

const OPTIONS = [...CONNECTION_OPTIONS, JSON_OPTION];

const onServer = <T>(options: Connection, io: CliIO, fn: (pool: pg.Pool) => Promise<T>) =>
  withAdminPool({ ...options, env: io.env }, fn);

const createCommand: CommandSpec<Connection & { name: string; role: ApiRole; json?: boolean }> = {
  name: 'create',
  description: 'create an API token (printed once: DevDB keeps only its hash)',
  options: [
    {
      flags: '--name <name>',
      description: 'who or what uses it; events name it api:<name>',
      required: true,
    },
    {
      flags: '--role <role>',
      description: 'viewer reads; admin also changes',
      choices: [...API_ROLES],
      required: true,
    },
    ...OPTIONS,
  ],
  async run(options, io) {
    const created = await onServer(options, io, (pool) =>
      createApiToken(pool, { name: options.name, role: options.role, actor: 'cli' }),
    );
    return {
      // Asked for: the one place the token is ever shown.
      json: {
        name: created.name,
        role: created.role,
        token: created.token,
        createdAt: created.createdAt,
      },
      blocks: [
        fields([
          { label: 'name', value: created.name },
          { label: 'role', value: created.role },
          { label: 'token', value: created.token },
        ]),
        text(
          '\nSave it now: it is shown once. Use it as `Authorization: Bearer <token>`, or log in to the dashboard with it.\n',
        ),
      ],
    };
  },
};

const listCommand: CommandSpec<Connection & { json?: boolean }> = {
  name: 'list',
  description: 'list API tokens (never their secrets)',
  options: OPTIONS,
  async run(options, io) {
    const tokens = await onServer(options, io, listApiTokens);
    return {
      json: tokens,
      blocks: [
        table(
          tokens,
          [
            { header: 'name', value: (t) => t.name },
            { header: 'role', value: (t) => t.role },
            { header: 'created', value: (t) => t.createdAt },
            { header: 'last used', value: (t) => t.lastUsedAt, whenEmpty: 'never' },
            { header: 'revoked', value: (t) => t.revokedAt, whenEmpty: 'no' },
          ],
          {
            whenNone:
              'no API tokens: `devdb token create --name NAME --role viewer|admin` makes one',
          },
        ),
      ],
    };
  },
};

const revokeCommand: CommandSpec<Connection & { name: string; json?: boolean }> = {
  name: 'revoke',
  description: 'revoke an API token: it and its dashboard sessions stop working at once',
  arguments: [{ name: 'name', description: 'the token name' }],
  options: OPTIONS,
  async run(options, io) {
    const result = await onServer(options, io, (pool) =>
      revokeApiToken(pool, { name: options.name, actor: 'cli' }),
    );
    const line = result.revoked
      ? `revoked API token ${result.name}\n`
      : `API token ${result.name} was revoked already\n`;
    return { json: result, blocks: [text(line)] };
  },
};

export const tokenCommand: CommandSpec = {
  name: 'token',
  description: 'API tokens for the control plane (REST API, dashboard, /metrics)',
  subcommands: [createCommand, listCommand, revokeCommand] as CommandSpec[],
};
