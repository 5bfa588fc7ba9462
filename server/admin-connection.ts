/**
 * How every admin command finds the server: --admin-url, else DEVDB_ADMIN_URL,
 * else the credentials `devdb up` stored in --data-dir (default: the one
 * `npm start` uses), with its TLS as `devdb admin-url` prints it: one server
 * gives the same answers however it was found. URLs are never printed with
 * their password.
 */
import pg from 'pg';
import {
  explainConnectionError,
  ping,
  serverAccess,
  withServerRouter,
  workspaceEndpoint,
  type EachServer,
  type ServerRouter,
} from '../provisioning/index.js';
import type { OptionSpec } from './command.js';
import { adminUrlFor, DEFAULT_DATA_DIR, readCredentials } from './data-dir.js';
import { UserError } from './errors.js';
import type { CliIO } from './io.js';

/** The flags of every command that talks to the server. */
export const CONNECTION_OPTIONS: OptionSpec[] = [
  {
    flags: '--admin-url <url>',
    description: 'provisioner URL (default: $DEVDB_ADMIN_URL, else --data-dir)',
  },
  { flags: '--data-dir <dir>', description: 'data dir of `devdb up`', default: DEFAULT_DATA_DIR },
];

export interface ConnectionOptions {
  adminUrl?: string;
  dataDir?: string;
  /** Where DEVDB_ADMIN_URL is looked up. */
  env: CliIO['env'];
}

export async function resolveAdminUrl(options: ConnectionOptions): Promise<string> {
  if (options.adminUrl) return options.adminUrl;
  if (options.env.DEVDB_ADMIN_URL) return options.env.DEVDB_ADMIN_URL;
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const credentials = await readCredentials(dataDir);
  if (!credentials) {
    throw new UserError(
      `no DevDB server to talk to: pass --admin-url, set DEVDB_ADMIN_URL, or start one with \`devdb up\` (no credentials in ${dataDir})`,
    );
  }
  return adminUrlFor(credentials);
}

/** Opens a pool and checks it can reach the server, with a message that says what to check. */
export async function openAdminPool(options: ConnectionOptions, max = 4): Promise<pg.Pool> {
  const url = await resolveAdminUrl(options);
  const pool = new pg.Pool({
    ...serverAccess(url).pgConfig(),
    max,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', () => undefined); // idle-client errors surface on the next query
  try {
    await ping(pool);
  } catch (error) {
    await pool.end();
    throw new UserError(explainConnectionError(error, url));
  }
  return pool;
}

export async function withAdminPool<T>(
  options: ConnectionOptions,
  fn: (pool: pg.Pool, url: string) => Promise<T>,
): Promise<T> {
  const pool = await openAdminPool(options);
  try {
    return await fn(pool, await resolveAdminUrl(options));
  } finally {
    await pool.end();
  }
}

/**
 * The server pool from the central server the options point at
 * (docs/servers.md): `fn` gets a router that sends each operation on a
 * database to the server holding it. Every pool is closed afterwards.
 */
export async function withRouter<T>(
  options: ConnectionOptions & { host?: string | null; port?: number | null },
  fn: (router: ServerRouter) => Promise<T>,
): Promise<T> {
  return withAdminPool(options, (pool, adminUrl) =>
    withServerRouter({ db: pool, adminUrl, endpoint: workspaceEndpoint(adminUrl, options) }, fn),
  );
}

/**
 * withAdminPool on the server that holds `database` (docs/servers.md); on the
 * central server when no database is named. A server that cannot be reached
 * fails with one line naming it (ServerUnreachableError). `place` puts a new
 * one first (next to `seed` when it is copied from one), and lets go of that
 * placement again when `fn` fails and the server does not hold the database.
 */
export function withServerOf<T>(
  options: ConnectionOptions,
  database: string | undefined,
  fn: (pool: pg.Pool, url: string) => Promise<T>,
  placing: { place?: boolean; seed?: string | null } = {},
): Promise<T> {
  if (database === undefined) return withAdminPool(options, fn);
  return withRouter(options, async (router) => {
    if (placing.place) {
      return router.withPlaced(database, placing, ({ db, adminUrl }) => fn(db, adminUrl));
    }
    const { db, adminUrl } = await router.forDatabase(database);
    return fn(db, adminUrl);
  });
}

/**
 * Runs `fn` on every server of the pool (docs/servers.md), the central one
 * first, one after the other, going on over the servers it can reach: those
 * it cannot are in `unreachable` (a command hands them to its Output: one line
 * each, exit code 3).
 */
export function withEachServer<T>(
  options: ConnectionOptions,
  fn: (pool: pg.Pool, adminUrl: string) => Promise<T>,
): Promise<EachServer<T>> {
  return withRouter(options, (router) => router.each(({ db, adminUrl }) => fn(db, adminUrl)));
}
