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
  stop(): Promise<void>;
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
    return {
      cluster,
      endpoint: { host: cluster.host, port: cluster.port },
      provisionerPassword,
      pool,
      provisionerUrl,
      url: (user, password, database) => cluster.url(user, password, database),
      superuser: async (database = 'postgres') => {
        const client = new pg.Client({
          connectionString: cluster.url(undefined, undefined, database),
        });
        await client.connect();
        clients.push(client);
        return client;
      },
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
