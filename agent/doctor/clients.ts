/**
 * Doctor's client check: the workspace's psql and pg_dump against the server's
 * major version. pg_dump refuses a server newer than itself ("aborting because
 * of server version mismatch"), so `pg_dump $DEVDB_URL > backup.sql` fails with
 * an older client; psql connects to a newer server but warns and may lack its
 * newer features. The README's "The workspace agent" says what to install.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { hint, ok, fail, warn, type Finding } from './check.js';

const run = promisify(execFile);
const TIMEOUT_MS = 3000;

/** The major version in `psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` (9 for 9.6). */
export function parseClientMajor(versionOutput: string): number | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(versionOutput);
  return match ? Number(match[1]) : undefined;
}

/** server_version_num (170010) → 17. Before 10 majors were 9.x; 9 is near enough here. */
export const serverMajor = (versionNum: number): number => Math.floor(versionNum / 10_000);

/** What to install to get clients of the server's major. */
export function installAdvice(major: number): string {
  return (
    `install postgresql-client-${major} (or newer) in the workspace image — Debian/Ubuntu ship older ones: ` +
    `add the PGDG apt repository (https://wiki.postgresql.org/wiki/Apt), then \`apt-get install postgresql-client-${major}\``
  );
}

type Probe = { found: false } | { found: true; major: number | undefined };

async function probe(binary: string): Promise<Probe> {
  try {
    const { stdout } = await run(binary, ['--version'], { timeout: TIMEOUT_MS, encoding: 'utf8' });
    return { found: true, major: parseClientMajor(stdout) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { found: false };
    return { found: true, major: undefined };
  }
}

/** How each client copes with an older version of itself than the server. */
const OLDER = {
  psql: (client: number, server: number) =>
    warn(
      'psql',
      `psql ${client} is older than the PostgreSQL ${server} server: it connects, but warns and may not know newer features`,
      installAdvice(server),
    ),
  pg_dump: (client: number, server: number) =>
    fail(
      'pg_dump',
      `pg_dump ${client} cannot dump a PostgreSQL ${server} server (it aborts with "server version mismatch")`,
      installAdvice(server),
    ),
};

async function checkClient(binary: keyof typeof OLDER, server: number): Promise<Finding> {
  const found = await probe(binary);
  if (!found.found) return hint(binary, `${binary} is not on the PATH`, installAdvice(server));
  if (found.major === undefined) {
    return hint(
      binary,
      `could not read a version from \`${binary} --version\``,
      installAdvice(server),
    );
  }
  if (found.major < server) return OLDER[binary](found.major, server);
  return ok(binary, `${binary} ${found.major} works with the PostgreSQL ${server} server`);
}

/** psql and pg_dump against the server's major; `versionNum` is its server_version_num. */
export async function checkClients(versionNum: number): Promise<Finding[]> {
  const server = serverMajor(versionNum);
  return [await checkClient('psql', server), await checkClient('pg_dump', server)];
}
