/**
 * The layout of a `devdb up` data directory:
 *   DIR/credentials.json  generated admin and provisioner credentials (0600)
 *   DIR/pgdata/           the PostgreSQL cluster
 *   DIR/tls/              its CA and server certificate (embedded/tls.ts)
 */
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
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

/**
 * Where `devdb up` keeps its cluster and credentials unless told (--data-dir).
 * In a clone of this repository: its git-ignored .devdb/, as `npm start` does.
 * Installed (under node_modules, in a project or globally): the platform's data
 * directory, $XDG_DATA_HOME/devdb, else ~/.local/share/devdb — never inside the
 * package, whose folder the next `npm ci` or upgrade deletes.
 */
export function defaultDataDir(
  root: string = packageRoot(),
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  if (!root.split(path.sep).includes('node_modules')) return path.join(root, '.devdb');
  // The XDG Base Directory spec ignores a relative XDG_DATA_HOME.
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : null;
  return path.join(xdg ?? path.join(env.HOME || homedir(), '.local', 'share'), 'devdb');
}

export const DEFAULT_DATA_DIR = defaultDataDir();
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
