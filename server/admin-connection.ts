/**
 * How every admin command finds the server: --admin-url, else DEVDB_ADMIN_URL,
 * else the credentials `devdb up` stored in --data-dir (default: the one
 * `npm start` uses). URLs are never printed with their password.
 */
import pg from 'pg';
import { DEFAULT_DATA_DIR, readCredentials, urlFor } from './data-dir.js';
import { UsageError } from './errors.js';

export interface ConnectionOptions {
  adminUrl?: string;
  dataDir?: string;
}

export async function resolveAdminUrl(options: ConnectionOptions): Promise<string> {
  if (options.adminUrl) return options.adminUrl;
  if (process.env.DEVDB_ADMIN_URL) return process.env.DEVDB_ADMIN_URL;
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const credentials = await readCredentials(dataDir);
  if (!credentials) {
    throw new UsageError(
      `no DevDB server to talk to: pass --admin-url, set DEVDB_ADMIN_URL, or start one with \`devdb up\` (no credentials in ${dataDir})`,
    );
  }
  return urlFor(credentials, 'provisioner');
}

/** host:port/database of a URL, for messages: never the password. */
export function describeServer(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    throw new UsageError('the admin URL is not a valid postgresql:// URL');
  }
}

export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '****';
  return u.toString();
}

const CONNECT_HINTS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: is `devdb up` (or the PostgreSQL server) running?',
  ENOTFOUND: 'host not found: check the host name in the admin URL',
  ETIMEDOUT: 'timed out: check the host, port and firewalls',
  EHOSTUNREACH: 'host unreachable: check the network',
  '28P01': 'password authentication failed: check the credentials in the admin URL',
  '3D000': 'the database does not exist: the admin URL should name the `devdb` database',
};

/** Opens a pool and checks it can reach the server, with a message that says what to check. */
export async function openAdminPool(options: ConnectionOptions, max = 4): Promise<pg.Pool> {
  const url = await resolveAdminUrl(options);
  const server = describeServer(url);
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined); // idle-client errors surface on the next query
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    const code = (error as { code?: string }).code ?? '';
    const why = CONNECT_HINTS[code] ?? (error as Error).message;
    throw new UsageError(`cannot reach the DevDB server at ${server}: ${why}`);
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
