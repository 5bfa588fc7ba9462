/**
 * Which pg_dump/pg_restore DevDB runs (docs/backups.md, "Which pg_dump"):
 * DEVDB_PG_BIN_DIR when it holds a usable pair, else the newest pair on PATH or
 * under /usr/lib/postgresql/N/bin whose major is at least the server's —
 * pg_dump refuses a server newer than itself. The embedded PostgreSQL ships
 * neither, so a machine running `devdb up` needs a client package.
 */
import { execFile } from 'node:child_process';
import { access, constants, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ProvisioningError } from '../contract/index.js';

const run = promisify(execFile);

export interface PgClientTools {
  pgDump: string;
  pgRestore: string;
  /** Major version of both (they come from one directory). */
  major: number;
}

export interface FindToolsOptions {
  /** Where DEVDB_PG_BIN_DIR and PATH are read (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Debian's layout; a parameter so tests can point elsewhere. */
  versionedRoot?: string;
}

const DEBIAN_ROOT = '/usr/lib/postgresql';

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `pg_dump (PostgreSQL) 15.14 (Debian …)` → 15; null when it does not run. */
export async function toolMajor(file: string): Promise<number | null> {
  try {
    const { stdout } = await run(file, ['--version']);
    const match = /\(PostgreSQL\) (\d+)/.exec(stdout);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** The pair in `dir`, when both are there and report the same major. */
async function toolsIn(dir: string): Promise<PgClientTools | null> {
  const pgDump = path.join(dir, 'pg_dump');
  const pgRestore = path.join(dir, 'pg_restore');
  if (!(await isExecutable(pgDump)) || !(await isExecutable(pgRestore))) return null;
  const [dumpMajor, restoreMajor] = await Promise.all([toolMajor(pgDump), toolMajor(pgRestore)]);
  if (dumpMajor === null || dumpMajor !== restoreMajor) return null;
  return { pgDump, pgRestore, major: dumpMajor };
}

async function versionedDirs(root: string): Promise<string[]> {
  const entries = await readdir(root).catch(() => [] as string[]);
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .sort((a, b) => Number(b) - Number(a))
    .map((entry) => path.join(root, entry, 'bin'));
}

/** Every pair on the machine, in the order of preference before the version rule. */
export async function candidateTools(options: FindToolsOptions = {}): Promise<PgClientTools[]> {
  const env = options.env ?? process.env;
  const pathDirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const dirs = [...pathDirs, ...(await versionedDirs(options.versionedRoot ?? DEBIAN_ROOT))];
  const found = await Promise.all([...new Set(dirs)].map(toolsIn));
  return found.filter((tools): tools is PgClientTools => tools !== null);
}

/** The server's major from `server_version_num` (150014 → 15). */
export const majorOf = (serverVersionNum: number): number => Math.floor(serverVersionNum / 10000);

/**
 * The pg_dump/pg_restore to use against a server of `serverMajor`; throws one
 * line naming the server's version and the package to install when none fits.
 */
export async function findPgClientTools(
  serverMajor: number,
  options: FindToolsOptions = {},
): Promise<PgClientTools> {
  const env = options.env ?? process.env;
  const fits = (tools: PgClientTools | null) => tools !== null && tools.major >= serverMajor;
  if (env.DEVDB_PG_BIN_DIR) {
    const pinned = await toolsIn(env.DEVDB_PG_BIN_DIR);
    if (pinned && fits(pinned)) return pinned;
  }
  const usable = (await candidateTools(options)).filter(fits);
  const newest = usable.sort((a, b) => b.major - a.major)[0];
  if (newest) return newest;
  throw new ProvisioningError(
    `no pg_dump/pg_restore for PostgreSQL ${serverMajor} or newer on this machine (the server is PostgreSQL ${serverMajor}): install postgresql-client-${serverMajor}, or set DEVDB_PG_BIN_DIR to the bin directory of one`,
    'pg_client_missing',
  );
}
