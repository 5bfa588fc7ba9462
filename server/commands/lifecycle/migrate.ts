/** `devdb migrate [--status]`. */
import pg from 'pg';
import {
  ensureLoopback,
  migrate,
  migrationStatus,
  PROVISIONER_ROLE,
  serverAccess,
} from '../../../provisioning/index.js';
import {
  CONNECTION_OPTIONS,
  openAdminPool,
  resolveAdminUrl,
  type ConnectionOptions,
} from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import type { CliIO } from '../../io.js';
import { columnsOf, table, text, type Output } from '../../render.js';

type Options = Omit<ConnectionOptions, 'env'> & { status?: boolean; json?: boolean };

async function apply(
  client: pg.Client,
  adminUrl: string,
  options: Options,
  io: CliIO,
): Promise<Output> {
  const applied: string[] = [];
  await migrate(client, {
    onApplied: (m) => {
      applied.push(m.file);
      if (!options.json) io.stderr.write(`applied ${m.kind} ${m.file}\n`);
    },
  });
  const loopback = await ensureLoopback(client, adminUrl);
  const message = [
    applied.length ? `${applied.length} file(s) applied\n` : 'schema is up to date\n',
    loopback
      ? `loopback connection configured: the server reaches itself at ${loopback} as ${PROVISIONER_ROLE}\n`
      : '',
  ].join('');
  return { json: { applied, loopbackConfigured: loopback }, blocks: [text(message)] };
}

/** Every field of the status rows is a column, so new ones show up without changes here. */
async function status(client: pg.Client): Promise<Output> {
  const { numbered, repeatable } = await migrationStatus(client);
  const rows = [
    ...numbered.map(({ file, state, appliedAt }) => ({ file, kind: 'numbered', state, appliedAt })),
    ...repeatable.map(({ file, state, appliedAt }) => ({
      file,
      kind: 'repeatable',
      state,
      appliedAt,
    })),
  ];
  return { json: rows, blocks: [table(rows, columnsOf(rows, { file: 'migration' }))] };
}

export const migrateCommand: CommandSpec<Options> = {
  name: 'migrate',
  description: 'apply pending schema migrations',
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--status', description: 'only show which migrations are applied' },
    JSON_OPTION,
  ],
  async run(options, io) {
    const connection = { ...options, env: io.env };
    // Checks reachability with a clear message before taking a dedicated session.
    await (await openAdminPool(connection, 1)).end();
    const adminUrl = await resolveAdminUrl(connection);
    const client = new pg.Client(serverAccess(adminUrl).pgConfig());
    await client.connect();
    try {
      return await (options.status ? status(client) : apply(client, adminUrl, options, io));
    } finally {
      await client.end();
    }
  },
};
