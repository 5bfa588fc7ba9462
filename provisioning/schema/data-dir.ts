/**
 * Reading a `devdb up` data directory's credentials (DIR/credentials.json, 0600):
 * how the CLI and openDevDb find the server `devdb up` started. server/data-dir.ts
 * owns the rest of the layout and writes the file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CENTRAL_DATABASE } from './bootstrap.js';

export interface Credentials {
  superuser: { user: string; password: string };
  provisioner: { user: string; password: string };
  /** Where the server listened when last started. */
  host: string;
  port: number;
  /** The CA file the server's TLS certificate is verified with; absent while it serves no TLS. */
  sslrootcert?: string;
}

export const credentialsFile = (dataDir: string) => path.join(dataDir, 'credentials.json');

/** The data dir's credentials, or undefined when it has none (no `devdb up` ran there). */
export async function readCredentials(dataDir: string): Promise<Credentials | undefined> {
  try {
    return JSON.parse(await readFile(credentialsFile(dataDir), 'utf8')) as Credentials;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A postgresql:// URL (with password) for one of the data dir's roles. */
export function urlFor(
  credentials: Credentials,
  who: 'superuser' | 'provisioner',
  database = CENTRAL_DATABASE,
): string {
  const { user, password } = credentials[who];
  const host = credentials.host.includes(':') ? `[${credentials.host}]` : credentials.host;
  return `postgresql://${user}:${encodeURIComponent(password)}@${host}:${credentials.port}/${database}`;
}

/**
 * `url` as clients off the data dir's machine should use it: with the server's
 * TLS verified (certificate and host name) when it serves TLS.
 */
export function withServerTls(url: string, credentials: Credentials): string {
  if (!credentials.sslrootcert) return url;
  // Slashes stay readable: both libpq and node-postgres decode the value.
  const file = encodeURIComponent(credentials.sslrootcert).replace(/%2F/g, '/');
  const query = `sslmode=verify-full&sslrootcert=${file}`;
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

/**
 * The provisioner's URL of a data dir as every client uses it (`devdb
 * admin-url`, the CLI's --data-dir, openDevDb({ dataDir })): TLS verified
 * with the data dir's CA when the server serves TLS.
 */
export function adminUrlFor(credentials: Credentials): string {
  return withServerTls(urlFor(credentials, 'provisioner'), credentials);
}
