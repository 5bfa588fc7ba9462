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

/** Whether backups can run on this machine against a server of one major version. */
export interface BackupToolsStatus {
  serverMajor: number;
  /** The pair backups would use; null when none fits. */
  tools: PgClientTools | null;
  /**
   * One line saying why backups cannot run here and what to install (the same
   * words `devdb backup` fails with); null when they can.
   */
  problem: string | null;
}

/** The pair the version rule picks (DEVDB_PG_BIN_DIR first), or null; never throws. */
async function pickTools(
  serverMajor: number,
  options: FindToolsOptions,
): Promise<{ tools: PgClientTools | null; found: PgClientTools[] }> {
  const env = options.env ?? process.env;
  const fits = (tools: PgClientTools | null) => tools !== null && tools.major >= serverMajor;
  if (env.DEVDB_PG_BIN_DIR) {
    const pinned = await toolsIn(env.DEVDB_PG_BIN_DIR);
    if (pinned && fits(pinned)) return { tools: pinned, found: [pinned] };
  }
  const found = await candidateTools(options);
  const newest = found.filter(fits).sort((a, b) => b.major - a.major)[0];
  return { tools: newest ?? null, found };
}

/**
 * Why no pair fits, naming what the machine has (a pg_dump too old is the
 * usual case: Debian 12 offers 15, `devdb up` runs 17) and what to install.
 */
function missingToolsProblem(serverMajor: number, found: PgClientTools[]): string {
  const majors = [...new Set(found.map((t) => t.major))].sort((a, b) => b - a);
  const has = majors.length
    ? `this machine has pg_dump ${majors.join(', ')} only`
    : 'this machine has none';
  return `no pg_dump/pg_restore for PostgreSQL ${serverMajor} or newer (the server is PostgreSQL ${serverMajor}; ${has}): install postgresql-client-${serverMajor} (on Debian and Ubuntu releases that lack it, from apt.postgresql.org), or set DEVDB_PG_BIN_DIR to the bin directory of one`;
}

/** Whether backups can run here against a server of `serverMajor` (docs/backups.md, "Which pg_dump"). */
export async function backupToolsStatus(
  serverMajor: number,
  options: FindToolsOptions = {},
): Promise<BackupToolsStatus> {
  const { tools, found } = await pickTools(serverMajor, options);
  return { serverMajor, tools, problem: tools ? null : missingToolsProblem(serverMajor, found) };
}

/**
 * The pg_dump/pg_restore to use against a server of `serverMajor`; throws one
 * line naming the server's version and the package to install when none fits.
 */
export async function findPgClientTools(
  serverMajor: number,
  options: FindToolsOptions = {},
): Promise<PgClientTools> {
  const { tools, problem } = await backupToolsStatus(serverMajor, options);
  if (tools) return tools;
  throw new ProvisioningError(problem!, 'pg_client_missing');
}
