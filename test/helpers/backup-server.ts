/**
 * Backup tests need a server whose major equals the newest pg_dump on the
 * machine (pg_dump refuses newer servers): Debian's postgresql-N server when it
 * is installed, else the embedded 17 when that pg_dump is 17. Chosen here, not
 * by the caller's DEVDB_PG_BIN_DIR; a machine without a fitting pair fails the
 * suite with what to install, it never skips.
 */
import { access } from 'node:fs/promises';
import { candidateTools, type PgClientTools } from '../../provisioning/backups/index.js';

const EMBEDDED_MAJOR = 17;

export async function selectBackupTestServer(): Promise<PgClientTools> {
  const tools = (await candidateTools()).sort((a, b) => b.major - a.major)[0];
  if (!tools) {
    throw new Error(
      'the backup tests need pg_dump and pg_restore: install postgresql-client-15 (Debian 12) or postgresql-client-17 (Debian 13); .ci/run does',
    );
  }
  const debianServer = `/usr/lib/postgresql/${tools.major}/bin`;
  const hasDebianServer = await access(`${debianServer}/postgres`).then(
    () => true,
    () => false,
  );
  if (hasDebianServer) {
    process.env.DEVDB_PG_BIN_DIR = debianServer;
  } else if (tools.major === EMBEDDED_MAJOR) {
    delete process.env.DEVDB_PG_BIN_DIR;
  } else {
    throw new Error(
      `the newest pg_dump here is ${tools.major} (${tools.pgDump}) and no PostgreSQL ${tools.major} server is installed: install postgresql-${tools.major}`,
    );
  }
  return tools;
}
