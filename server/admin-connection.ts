/**
 * How every admin command finds the server: --admin-url, else DEVDB_ADMIN_URL,
 * else the credentials `devdb up` stored in --data-dir (default: the one
 * `npm start` uses). URLs are never printed with their password.
 */
import pg from 'pg';
import { explainConnectionError } from '../provisioning/index.js';
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

/** Opens a pool and checks it can reach the server, with a message that says what to check. */
function assertValidUrl(url: string): void {
  try {
    new URL(url);
  } catch {
    throw new UsageError('the admin URL is not a valid postgresql:// URL');
  }
}

export async function openAdminPool(options: ConnectionOptions, max = 4): Promise<pg.Pool> {
  const url = await resolveAdminUrl(options);
  assertValidUrl(url);
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined); // idle-client errors surface on the next query
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new UsageError(explainConnectionError(error, url));
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
