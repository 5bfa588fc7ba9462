/**
 * Which PostgreSQL `devdb up` runs (docs/backups.md, "Running DevDB on the
 * machine's PostgreSQL"):
 *
 * 1. `--pg-bin-dir DIR`, else DEVDB_PG_BIN_DIR: another installation's initdb and
 *    postgres, e.g. Debian's postgresql-15 (/usr/lib/postgresql/15/bin), whose
 *    pg_dump can then back the server up. `embedded` names the npm package's own.
 * 2. else the directory recorded in DATA_DIR/postgres.json by the start that
 *    chose it: a data dir belongs to the major version that initialised it, so a
 *    restart without the flag runs the same server, as an admin expects.
 * 3. else the embedded PostgreSQL 17 of the npm package.
 *
 * The choice is checked against the data dir's PG_VERSION before anything
 * starts: PostgreSQL 15 cannot run a cluster 17 initialised, nor the reverse.
 * A DEVDB_PG_BIN_DIR with client programs only (pg_dump, pg_restore: how backups
 * were pointed at a pg_dump before) keeps the embedded server and gives
 * backups that pg_dump.
 */
import { access, constants, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { checkPgBinDir, EMBEDDED_MAJOR, SUPPORTED_MAJORS } from './embedded/index.js';
import { pgDataDir, replaceFile } from './data-dir.js';
import { UserError } from './errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The word `--pg-bin-dir` takes for the npm package's own PostgreSQL 17. */
export const EMBEDDED = 'embedded';

export interface ChosenPostgres {
  /** The bin directory, or null for the embedded PostgreSQL. */
  binDir: string | null;
  major: number;
  /** How it was chosen, for the banner: `--pg-bin-dir`, `DEVDB_PG_BIN_DIR`, `recorded in …`, `embedded`. */
  source: string;
  /** DEVDB_PG_BIN_DIR when it held client programs only: backups use them, the server is embedded. */
  clientToolsDir?: string;
}

interface Record_ {
  binDir: string;
  major: number;
}

/** DATA_DIR/postgres.json: the bin directory a start chose, for the next ones. */
export const postgresRecordFile = (dataDir: string) => path.join(dataDir, 'postgres.json');

async function readRecord(dataDir: string): Promise<Record_ | undefined> {
  const text = await readFile(postgresRecordFile(dataDir), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Record_>;
    if (typeof parsed.binDir === 'string' && typeof parsed.major === 'number') {
      return { binDir: parsed.binDir, major: parsed.major };
    }
  } catch {
    // fall through
  }
  throw new UserError(
    `${postgresRecordFile(dataDir)} is not what devdb up writes: remove it and start with --pg-bin-dir DIR (or --pg-bin-dir ${EMBEDDED})`,
  );
}

/** The major version of the cluster in DATA_DIR/pgdata (its PG_VERSION), or null before initdb. */
export async function clusterMajor(dataDir: string): Promise<number | null> {
  const text = await readFile(path.join(pgDataDir(dataDir), 'PG_VERSION'), 'utf8').catch(
    () => undefined,
  );
  const major = Number(text?.trim());
  return text !== undefined && Number.isInteger(major) ? major : null;
}

const DEBIAN_ROOT = '/usr/lib/postgresql';

const runnable = (file: string) =>
  access(file, constants.X_OK).then(
    () => true,
    () => false,
  );

/**
 * Debian's server packages (postgresql-N) on this machine whose bin directory
 * holds the server and its pg_dump/pg_restore, newest first.
 */
export async function debianServers(root = DEBIAN_ROOT): Promise<{ major: number; dir: string }[]> {
  const entries = await readdir(root).catch(() => [] as string[]);
  const found: { major: number; dir: string }[] = [];
  for (const entry of entries) {
    const major = Number(entry);
    if (!/^\d+$/.test(entry) || major < SUPPORTED_MAJORS.min || major > SUPPORTED_MAJORS.max)
      continue;
    const dir = path.join(root, entry, 'bin');
    const files = ['initdb', 'postgres', 'pg_dump', 'pg_restore'].map((n) => path.join(dir, n));
    if ((await Promise.all(files.map(runnable))).every(Boolean)) found.push({ major, dir });
  }
  return found.sort((a, b) => b.major - a.major);
}

/** What to pass to run a cluster of `major`, for the refusal below. */
async function howToRun(major: number): Promise<string> {
  if (major === EMBEDDED_MAJOR)
    return `--pg-bin-dir ${EMBEDDED} (the npm package's PostgreSQL ${major})`;
  const debian = (await debianServers()).find((s) => s.major === major);
  return debian
    ? `--pg-bin-dir ${debian.dir} (installed here)`
    : `--pg-bin-dir and PostgreSQL ${major}'s bin directory (Debian: apt-get install postgresql-${major}, then /usr/lib/postgresql/${major}/bin)`;
}

/** Which PostgreSQL to run on `dataDir` (see the module's comment); throws a UserError saying what to pass. */
export async function choosePostgres(
  dataDir: string,
  flag: string | undefined,
  env: Env,
): Promise<ChosenPostgres> {
  const chosen = await chooseBinaries(dataDir, flag, env);
  const existing = await clusterMajor(dataDir);
  if (existing !== null && existing !== chosen.major) {
    const what = chosen.binDir
      ? `${chosen.binDir} (${chosen.source}) is PostgreSQL ${chosen.major}`
      : `the embedded server is PostgreSQL ${chosen.major}`;
    throw new UserError(
      `${pgDataDir(dataDir)} holds a PostgreSQL ${existing} cluster and ${what}, which cannot run it: start with ${await howToRun(existing)}. To move to PostgreSQL ${chosen.major}, start it on a fresh --data-dir and move the databases with devdb backup and devdb restore.`,
    );
  }
  return chosen;
}

async function chooseBinaries(
  dataDir: string,
  flag: string | undefined,
  env: Env,
): Promise<ChosenPostgres> {
  const embedded = (source: string): ChosenPostgres => ({
    binDir: null,
    major: EMBEDDED_MAJOR,
    source,
  });
  if (flag === EMBEDDED) return embedded('--pg-bin-dir embedded');
  if (flag) return fromDir(path.resolve(flag), '--pg-bin-dir');
  const fromEnv = env.DEVDB_PG_BIN_DIR;
  if (fromEnv === EMBEDDED) return embedded('DEVDB_PG_BIN_DIR=embedded');
  if (fromEnv) {
    const clientOnly =
      !(await runnable(path.join(fromEnv, 'postgres'))) &&
      (await runnable(path.join(fromEnv, 'pg_dump')));
    if (!clientOnly) return fromDir(path.resolve(fromEnv), 'DEVDB_PG_BIN_DIR');
    const recorded = await readRecord(dataDir);
    const server = recorded
      ? await fromDir(recorded.binDir, `recorded in ${postgresRecordFile(dataDir)}`)
      : embedded('embedded');
    return { ...server, clientToolsDir: fromEnv };
  }
  const recorded = await readRecord(dataDir);
  if (recorded) return fromDir(recorded.binDir, `recorded in ${postgresRecordFile(dataDir)}`);
  return embedded('embedded');
}

async function fromDir(dir: string, source: string): Promise<ChosenPostgres> {
  try {
    const { major } = await checkPgBinDir(dir, source);
    return { binDir: dir, major, source };
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

/**
 * Keeps the choice for the next start: the bin directory in DATA_DIR/postgres.json
 * (0644, no secret), or no file for the embedded server.
 */
export async function recordPostgres(dataDir: string, chosen: ChosenPostgres): Promise<void> {
  if (chosen.binDir === null) {
    await rm(postgresRecordFile(dataDir), { force: true });
    return;
  }
  const record: Record_ = { binDir: chosen.binDir, major: chosen.major };
  await replaceFile(postgresRecordFile(dataDir), `${JSON.stringify(record, null, 2)}\n`, 0o644);
}

/** The environment backups run with: the chosen directory first (provisioning/backups/pg-tools.ts). */
export function backupEnv(env: Env, chosen: ChosenPostgres): Env {
  const dir = chosen.clientToolsDir ?? chosen.binDir;
  if (dir) return { ...env, DEVDB_PG_BIN_DIR: dir };
  const { DEVDB_PG_BIN_DIR: _ignored, ...rest } = env;
  return rest;
}
