/**
 * The layout of a `devdb up` data directory:
 *   DIR/credentials.json  generated admin and provisioner credentials (0600)
 *   DIR/pgdata/           the PostgreSQL cluster
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../provider/devdb/package-layout.js';
import { CENTRAL_DATABASE, generatePassword, PROVISIONER_ROLE } from '../provisioning/index.js';

/** `npm start` keeps its data in the project's git-ignored .devdb/. */
export const DEFAULT_DATA_DIR = path.join(packageRoot(), '.devdb');
export const SUPERUSER = 'devdb_admin';

export interface Credentials {
  superuser: { user: string; password: string };
  provisioner: { user: string; password: string };
  /** Where the server listened when last started. */
  host: string;
  port: number;
}

export const pgDataDir = (dataDir: string) => path.join(dataDir, 'pgdata');
const credentialsFile = (dataDir: string) => path.join(dataDir, 'credentials.json');

export function newCredentials(host: string, port: number): Credentials {
  return {
    superuser: { user: SUPERUSER, password: generatePassword() },
    provisioner: { user: PROVISIONER_ROLE, password: generatePassword() },
    host,
    port,
  };
}

export async function readCredentials(dataDir: string): Promise<Credentials | undefined> {
  try {
    return JSON.parse(await readFile(credentialsFile(dataDir), 'utf8')) as Credentials;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Written 0600 via a temp file and rename, so a crash never leaves half a file. */
export async function writeCredentials(dataDir: string, credentials: Credentials): Promise<void> {
  const file = credentialsFile(dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, file);
}

/**
 * The data dir itself is 0711: PostgreSQL (run as an unprivileged user when we
 * are root) must traverse it to reach pgdata/, but nobody may list it.
 */
export async function ensureDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await chmod(dataDir, 0o711);
}

export function urlFor(
  credentials: Credentials,
  who: 'superuser' | 'provisioner',
  database = CENTRAL_DATABASE,
): string {
  const { user, password } = credentials[who];
  const host = credentials.host.includes(':') ? `[${credentials.host}]` : credentials.host;
  return `postgresql://${user}:${encodeURIComponent(password)}@${host}:${credentials.port}/${database}`;
}
