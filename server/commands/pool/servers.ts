/**
 * `devdb servers add | list | pause | resume | drain | remove`: the server pool
 * (docs/servers.md). Admin URLs are shown without their password.
 */
import { readFile } from 'node:fs/promises';
import {
  activeDatabaseNames,
  describeServer,
  leastLoadedServer,
  placedOn,
  removeServer,
  setServerState,
  addServer,
  type MoveResult,
  type PoolServer,
  type RoutedServer,
  type ServerRouter,
  type ServerState,
} from '../../../provisioning/index.js';
import { portNumber, type CommandSpec } from '../../command.js';
import { UserError } from '../../errors.js';
import { formatDate, table, text, type Block } from '../../render.js';
import { byteSize, positiveCount } from '../../values.js';
import { IDENTITY_OPTION, move, onPool, OPTIONS, type Connection } from './shared.js';

const NAME_ARGUMENT = { name: 'name', description: 'server name, e.g. pg-2' };

/** What is shown of a server: everything but the admin URL's password. */
function publicView(server: PoolServer, routed?: RoutedServer) {
  const { adminUrl, caCert, ...rest } = server;
  return {
    ...rest,
    reachable: server.unreachableSince === null,
    tls: tlsOf(caCert ?? routed?.endpoint.caCert, routed?.endpoint.sslmode),
    admin: adminUrl ? describeServer(adminUrl) : 'central (this connection)',
    address: routed ? `${routed.endpoint.host}:${routed.endpoint.port}` : null,
  };
}

/** How workspaces connect to it: verified with its CA, or another sslmode, or none. */
function tlsOf(caCert: string | null | undefined, sslmode: string | undefined): string | null {
  return caCert ? `${sslmode ?? 'verify-full'} (its CA)` : (sslmode ?? null);
}

type ServerView = ReturnType<typeof publicView>;

/** `reachable`, or `unreachable since … (why)`, as the last probe found it. */
function healthOf(server: ServerView): string {
  if (server.unreachableSince === null) return server.lastReachedAt ? 'reachable' : 'not probed';
  return `unreachable since ${formatDate(server.unreachableSince)} (${server.lastError})`;
}

function serversTable(servers: ServerView[]): Block {
  return table(servers, [
    { header: 'server', value: (s) => s.name },
    { header: 'state', value: (s) => s.state },
    { header: 'health', value: healthOf },
    { header: 'last reached', value: (s) => s.lastReachedAt, whenEmpty: 'never' },
    { header: 'workspaces connect to', value: (s) => s.address },
    { header: 'admin', value: (s) => s.admin },
    { header: 'tls', value: (s) => s.tls, whenEmpty: 'none' },
    { header: 'pg', value: (s) => s.majorVersion },
    { header: 'databases', value: (s) => `${s.databases}/${s.maxDatabases}` },
    { header: 'size', value: (s) => s.usedBytes, format: 'bytes' },
    { header: 'max size', value: (s) => s.maxBytes, format: 'bytes', whenEmpty: 'no limit' },
  ]);
}

const addCommand: CommandSpec<
  Connection & {
    name: string;
    serverUrl: string;
    publicHost?: string;
    publicPort?: number;
    caCert?: string;
    maxDatabases?: number;
    maxBytes?: number;
    paused?: boolean;
  }
> = {
  name: 'add',
  description: 'add a PostgreSQL server to the pool (its schema is migrated first)',
  arguments: [NAME_ARGUMENT],
  options: [
    {
      flags: '--server-url <url>',
      description: "the new server's provisioner URL (kept in the central registry, never printed)",
      required: true,
    },
    { flags: '--public-host <host>', description: 'host workspaces use (default: the URL host)' },
    {
      flags: '--public-port <n>',
      description: 'port workspaces use (default: the URL port)',
      parse: portNumber,
    },
    {
      flags: '--ca-cert <file>',
      description:
        "the CA its TLS certificate is signed by (default: the file the URL's sslrootcert names)",
    },
    {
      flags: '--max-databases <n>',
      description: 'databases it may hold (default 1000)',
      parse: positiveCount,
    },
    {
      flags: '--max-bytes <size>',
      description: 'bytes it may hold, e.g. 500GB (default: no limit)',
      parse: byteSize,
    },
    { flags: '--paused', description: 'add it paused: it takes no database until resumed' },
    ...OPTIONS,
  ],
  async run(options, io) {
    const view = await onPool(options, io, async (router) => {
      const server = await addServer(router.central.db, {
        name: options.name,
        adminUrl: options.serverUrl,
        caCert: options.caCert ? await readCaCert(options.caCert) : undefined,
        publicHost: options.publicHost,
        publicPort: options.publicPort,
        maxDatabases: options.maxDatabases,
        maxBytes: options.maxBytes,
        state: options.paused ? 'paused' : 'active',
      });
      const routed = router.routed(server);
      await router.measure(routed);
      return publicView(server, routed);
    });
    return { json: view, blocks: [serversTable([view])] };
  },
};

async function readCaCert(file: string): Promise<string> {
  const pem = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`cannot read the CA file ${file}: ${error.code ?? error.message}`);
  });
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UserError(`${file} is not a PEM certificate (-----BEGIN CERTIFICATE-----…)`);
  }
  return pem;
}

const listCommand: CommandSpec<Connection> = {
  name: 'list',
  description: 'the servers, their state and load (sizes measured now)',
  options: OPTIONS,
  async run(options, io) {
    const { views, unreachable } = await onPool(options, io, async (router) => {
      // Each server probed (its health recorded) and measured; one that cannot
      // be reached is listed with its last measured size.
      const { unreachable } = await router.each((routed) => router.measure(routed));
      return { views: (await router.all()).map((s) => publicView(s.server, s)), unreachable };
    });
    return {
      json: views,
      blocks: [serversTable(views)],
      unreachable,
      leftOut: 'it is listed with its last measured size',
    };
  },
};

function stateCommand(
  name: string,
  state: ServerState,
  description: string,
): CommandSpec<Connection & { name: string }> {
  return {
    name,
    description,
    arguments: [NAME_ARGUMENT],
    options: OPTIONS,
    async run(options, io) {
      const view = await onPool(options, io, async (router) => {
        const server = await setServerState(router.central.db, options.name, state);
        return publicView(server, router.routed(server));
      });
      return { json: view, blocks: [serversTable([view])] };
    },
  };
}

const drainCommand: CommandSpec<
  Connection & { name: string; to?: string; move?: boolean; identity?: string }
> = {
  name: 'drain',
  description: 'stop placing databases on a server and move each of its databases away',
  arguments: [NAME_ARGUMENT],
  options: [
    { flags: '--to <server>', description: 'where they go (default: the least-loaded active one)' },
    { flags: '--no-move', description: 'only mark it draining' },
    IDENTITY_OPTION,
    ...OPTIONS,
  ],
  async run(options, io) {
    const moved = await onPool(options, io, async (router) => {
      const server = await setServerState(router.central.db, options.name, 'draining');
      if (options.move === false) return [];
      const results: MoveResult[] = [];
      for (const database of await databasesOn(router, server.name)) {
        const to = options.to ?? (await leastLoaded(router, server.name));
        results.push(await move(router, io, { database, to, identity: options.identity }));
      }
      return results;
    });
    return {
      json: { server: options.name, state: 'draining', moved },
      blocks: [
        movesTable(moved),
        text(
          `\nserver ${options.name} is draining; remove it with: devdb servers remove ${options.name}\n`,
        ),
      ],
    };
  },
};

/** The active databases a server holds and the pool places there. */
async function databasesOn(router: ServerRouter, server: string): Promise<string[]> {
  const routed = await router.forServer(server);
  return placedOn(router.central.db, await activeDatabaseNames(routed.db), server);
}

/** Where a draining server's databases go: where a new one would (sql/servers.sql). */
async function leastLoaded(router: ServerRouter, draining: string): Promise<string> {
  const name = await leastLoadedServer(router.central.db);
  if (!name) {
    throw new UserError(
      `no other active server with room to move ${draining}'s databases to: add one with \`devdb servers add\` or resume one`,
    );
  }
  return name;
}

function movesTable(moved: MoveResult[]): Block {
  return table(
    moved,
    [
      { header: 'database', value: (m) => m.database },
      { header: 'from', value: (m) => m.from },
      { header: 'to', value: (m) => m.to },
      { header: 'workspaces detached', value: (m) => m.detached },
      { header: 'final backup', value: (m) => m.backupId },
      { header: 'tables', value: (m) => m.tables },
    ],
    { whenNone: 'no database to move' },
  );
}

const removeCommand: CommandSpec<Connection & { name: string }> = {
  name: 'remove',
  description: 'remove a server that holds no database from the pool (its data is not touched)',
  arguments: [NAME_ARGUMENT],
  options: OPTIONS,
  async run(options, io) {
    await onPool(options, io, (router) => removeServer(router.central.db, options.name));
    return {
      json: { removed: options.name },
      blocks: [text(`removed server ${options.name} from the pool\n`)],
    };
  },
};

export const serversCommand: CommandSpec<Connection> = {
  name: 'servers',
  description: 'the PostgreSQL servers that hold developer databases (docs/servers.md)',
  options: OPTIONS,
  subcommands: [
    addCommand,
    listCommand,
    stateCommand('pause', 'paused', 'take no new database on a server (its databases stay)'),
    stateCommand('resume', 'active', 'take new databases on a server again'),
    drainCommand,
    removeCommand,
  ] as CommandSpec[],
  run: (options, io) => listCommand.run!(options, io),
};
