import { access, chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pgBinaries, serverMajorVersion } from './binaries.js';
import { spawnPg } from './proc.js';
import { type RunAs, assertReachable, unprivilegedUser } from './runas.js';

export interface InitOptions {
  dataDir: string;
  superuser: string;
  superuserPassword: string;
  onLog?: (line: string) => void;
  /** Another installation's bin directory (binaries.ts); null: the embedded 17; default: DEVDB_PG_BIN_DIR, else the embedded. */
  binDir?: string | null;
}

/** A data directory is initialised once initdb has written PG_VERSION into it. */
export async function isInitialised(dataDir: string): Promise<boolean> {
  return access(path.join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

/** Creates a new cluster: SCRAM-only authentication, UTF-8, no trust lines in pg_hba. */
export async function initCluster(opts: InitOptions): Promise<void> {
  checkPassword(opts.superuserPassword);
  const dataDir = path.resolve(opts.dataDir);
  if (await isInitialised(dataDir))
    throw new Error(`${dataDir} already holds a PostgreSQL cluster`);
  const runAs = await unprivilegedUser();
  await prepareDataDir(dataDir, runAs);
  const pwDir = await mkdtemp(path.join(tmpdir(), 'devdb-initdb-'));
  try {
    const pwfile = await writePwfile(pwDir, opts.superuserPassword, runAs);
    await runInitdb(dataDir, opts.superuser, pwfile, runAs, opts.onLog, opts.binDir);
  } finally {
    await rm(pwDir, { recursive: true, force: true });
  }
}

function checkPassword(pw: string): void {
  // initdb reads only the first line of the pwfile; a newline would silently truncate.
  if (!pw || /[\r\n]/.test(pw))
    throw new Error('superuser password must be non-empty and contain no line breaks');
}

/**
 * As root we create the data directory ourselves and hand it to the unprivileged user,
 * so only its ancestors need to be searchable by that user, not writable.
 */
async function prepareDataDir(dataDir: string, runAs: RunAs | undefined): Promise<void> {
  const existing = await readdir(dataDir).catch(() => undefined);
  if (existing && existing.length > 0)
    throw new Error(`${dataDir} exists and is not empty; initdb needs an empty directory`);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (!runAs) return;
  await assertReachable(dataDir, runAs);
  await chown(dataDir, runAs.uid, runAs.gid);
}

/** The password reaches initdb only through a 0600 file owned by the user initdb runs as. */
async function writePwfile(
  dir: string,
  password: string,
  runAs: RunAs | undefined,
): Promise<string> {
  const file = path.join(dir, 'pwfile');
  await writeFile(file, password + '\n', { mode: 0o600 });
  if (runAs) {
    await chown(dir, runAs.uid, runAs.gid);
    await chown(file, runAs.uid, runAs.gid);
  }
  return file;
}

async function runInitdb(
  dataDir: string,
  superuser: string,
  pwfile: string,
  runAs: RunAs | undefined,
  onLog?: (line: string) => void,
  binDir?: string | null,
): Promise<void> {
  const binaries = pgBinaries(binDir);
  const major = await serverMajorVersion(binaries.postgres);
  const args = [
    `--pgdata=${dataDir}`,
    `--username=${superuser}`,
    `--pwfile=${pwfile}`,
    '--auth=scram-sha-256', // both local and host lines; initdb then writes no trust lines
    '--encoding=UTF8',
    // The builtin provider's C.UTF-8 (PostgreSQL 17) is Unicode-aware and independent of
    // which glibc locales the host has installed; the libc locale is plain C, which always
    // exists. Older servers (--pg-bin-dir, DEVDB_PG_BIN_DIR) have no builtin provider: plain C.
    '--locale=C',
    ...(major >= 17 ? ['--locale-provider=builtin', '--builtin-locale=C.UTF-8'] : []),
    // initdb --set is PostgreSQL 16+; scram-sha-256 is the default since 14 anyway.
    ...(major >= 16 ? ['--set=password_encryption=scram-sha-256'] : []),
    '--no-instructions',
  ];
  const proc = spawnPg(binaries.initdb, args, runAs, onLog);
  const code = await proc.exited;
  if (code !== 0) throw new Error(`initdb failed (exit ${code}):\n${proc.tail()}`);
}
