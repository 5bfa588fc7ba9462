import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import {
  bootstrap,
  CENTRAL_DATABASE,
  configureLoopback,
  generatePassword,
  migrate,
  PROVISIONER_ROLE,
  ServerRouter,
} from '../../provisioning/index.js';
import type { Credentials, ServerEndpoint } from '../../provisioning/index.js';
import { startTempCluster, type TempCluster } from './cluster.js';

/** A throwaway DevDB: a fresh cluster, bootstrapped and migrated, driven as the provisioner. */
export interface TestDevDb {
  cluster: TempCluster;
  endpoint: ServerEndpoint;
  provisionerPassword: string;
  /** A pool connected to `devdb` as devdb_provisioner (NOSUPERUSER). */
  pool: pg.Pool;
  provisionerUrl: string;
  /** A URL for any role/password/database on this server. */
  url(user: string, password: string, database: string): string;
  /** Superuser client for assertions on catalogs (never used to provision). */
  superuser(database?: string): Promise<pg.Client>;
  /** DevDB's clock on this server (provisioning._now()): tests move it there, never in the client. */
  clock: TestClock;
  stop(): Promise<void>;
}

/**
 * Moves DevDB's clock on the server: provisioning._now() (helpers.sql) reads
 * devdb_test.clock, a table only a superuser can make (so production, whose
 * provisioner is no superuser, never has one). Every session sees a change at
 * once: the CLI and `devdb serve` in child processes too.
 */
export interface TestClock {
  /** The server's time is `at`, frozen, until set again or reset. */
  set(at: Date): Promise<void>;
  /** The server's time runs `ms` ahead of the real time (negative: behind). */
  shift(ms: number): Promise<void>;
  /** Back to the real time. */
  reset(): Promise<void>;
  /** DevDB's time now (provisioning._now()). */
  now(): Promise<Date>;
}

export const DAY_MS = 86_400_000;

function testClock(open: () => Promise<pg.Client>, pool: () => pg.Pool): TestClock {
  let client: Promise<pg.Client> | undefined;
  const su = () =>
    (client ??= open().then(async (c) => {
      await c.query(`CREATE SCHEMA IF NOT EXISTS devdb_test;
        CREATE TABLE IF NOT EXISTS devdb_test.clock (frozen_at timestamptz, shift interval NOT NULL DEFAULT '0');
        GRANT USAGE ON SCHEMA devdb_test TO PUBLIC;
        GRANT SELECT ON devdb_test.clock TO PUBLIC`);
      return c;
    }));
  const write = async (frozenAt: Date | null, shiftMs: number) => {
    const c = await su();
    await c.query('BEGIN');
    await c.query('DELETE FROM devdb_test.clock');
    await c.query(
      `INSERT INTO devdb_test.clock VALUES ($1, make_interval(secs => $2::float8 / 1000))`,
      [frozenAt, shiftMs],
    );
    await c.query('COMMIT');
  };
  return {
    set: (at) => write(at, 0),
    shift: (ms) => write(null, ms),
    reset: () => write(null, 0),
    now: async () =>
      (await pool().query<{ now: Date }>('SELECT provisioning._now() AS now')).rows[0]!.now,
  };
}

export async function startTestDevDb(
  options: { preloadLibraries?: string[] } = {},
): Promise<TestDevDb> {
  const cluster = await startTempCluster(options);
  const clients: pg.Client[] = [];
  let pool: pg.Pool | undefined;
  const stop = async () => {
    await Promise.allSettled(clients.map((c) => c.end()));
    await pool?.end().catch(() => undefined);
    await cluster.stop();
  };
  try {
    const provisionerPassword = generatePassword();
    await bootstrap(cluster.url(), { provisionerPassword });
    const provisionerUrl = cluster.url(PROVISIONER_ROLE, provisionerPassword, CENTRAL_DATABASE);
    const migrator = new pg.Client({ connectionString: provisionerUrl });
    await migrator.connect();
    try {
      await migrate(migrator);
      await configureLoopback(migrator, {
        host: cluster.host,
        port: cluster.port,
        password: provisionerPassword,
      });
    } finally {
      await migrator.end();
    }
    pool = new pg.Pool({ connectionString: provisionerUrl, max: 25 });
    // Idle clients see the server shut down at teardown; that is expected, not a failure.
    pool.on('error', () => undefined);
    const openSuperuser = async (database: string) => {
      const client = new pg.Client({
        connectionString: cluster.url(undefined, undefined, database),
      });
      await client.connect();
      clients.push(client);
      return client;
    };
    const provisioner = pool;
    return {
      cluster,
      endpoint: { host: cluster.host, port: cluster.port },
      provisionerPassword,
      pool,
      provisionerUrl,
      url: (user, password, database) => cluster.url(user, password, database),
      superuser: (database = 'postgres') => openSuperuser(database),
      clock: testClock(
        () => openSuperuser(CENTRAL_DATABASE),
        () => provisioner,
      ),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Tries to log in and run one query; returns the error message on failure. */
export async function tryConnect(
  url: string,
): Promise<{ ok: true; currentUser: string } | { ok: false; error: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ u: string }>('SELECT current_user AS u');
    return { ok: true, currentUser: rows[0]!.u };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Writes DIR/credentials.json for this DevDB, as `devdb up` would: a data dir to open. */
export async function writeDataDirCredentials(devdb: TestDevDb, dataDir: string): Promise<void> {
  const credentials: Credentials = {
    superuser: { user: devdb.cluster.superuser, password: devdb.cluster.password },
    provisioner: { user: PROVISIONER_ROLE, password: devdb.provisionerPassword },
    host: devdb.cluster.host,
    port: devdb.cluster.port,
  };
  await writeFile(path.join(dataDir, 'credentials.json'), JSON.stringify(credentials));
}

/** A server-pool router whose central server is this DevDB (docs/servers.md); close it after. */
export function centralRouter(devdb: TestDevDb): ServerRouter {
  return new ServerRouter({
    db: devdb.pool,
    adminUrl: devdb.provisionerUrl,
    endpoint: devdb.endpoint,
  });
}
