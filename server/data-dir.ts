/**
 * The layout of a `devdb up` data directory:
 *   DIR/credentials.json  generated admin and provisioner credentials (0600)
 *   DIR/pgdata/           the PostgreSQL cluster
 *   DIR/tls/              its CA and server certificate (embedded/tls.ts)
 */
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../provider/devdb/package-layout.js';
import {
  credentialsFile,
  generatePassword,
  PROVISIONER_ROLE,
  type Credentials,
} from '../provisioning/index.js';

// Reading the credentials is the library's too (openDevDb({ dataDir })).
export {
  adminUrlFor,
  readCredentials,
  urlFor,
  withServerTls,
  type Credentials,
} from '../provisioning/index.js';

/** `npm start` keeps its data in the project's git-ignored .devdb/. */
export const DEFAULT_DATA_DIR = path.join(packageRoot(), '.devdb');
export const SUPERUSER = 'devdb_admin';

export const pgDataDir = (dataDir: string) => path.join(dataDir, 'pgdata');

export function newCredentials(host: string, port: number): Credentials {
  return {
    superuser: { user: SUPERUSER, password: generatePassword() },
    provisioner: { user: PROVISIONER_ROLE, password: generatePassword() },
    host,
    port,
  };
}

/** Written with `mode` via a temp file and rename, so a crash never leaves half a file. */
export async function replaceFile(file: string, content: string, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content, { mode });
  await chmod(temp, mode); // the umask may have changed the mode writeFile created it with
  await rename(temp, file);
}

/** Written 0600: the passwords of the admin and the provisioner. */
export async function writeCredentials(dataDir: string, credentials: Credentials): Promise<void> {
  const json = `${JSON.stringify(credentials, null, 2)}\n`;
  await replaceFile(credentialsFile(dataDir), json, 0o600);
}

/**
 * The data dir itself is 0711: PostgreSQL (run as an unprivileged user when we
 * are root) must traverse it to reach pgdata/, but nobody may list it.
 */
export async function ensureDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await chmod(dataDir, 0o711);
}
