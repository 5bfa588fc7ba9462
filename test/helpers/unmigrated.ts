import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  bootstrap,
  CENTRAL_DATABASE,
  generatePassword,
  PROVISIONER_ROLE,
} from '../../provisioning/index.js';
import { startTempCluster, type TempCluster } from './cluster.js';

/** A fresh cluster, bootstrapped but not migrated, for the migration suites. */
export interface UnmigratedDevDb {
  cluster: TempCluster;
  provisionerPassword: string;
  provisionerUrl: string;
  /** A dedicated client connected to `devdb` as devdb_provisioner (NOSUPERUSER). */
  client: pg.Client;
  /** A scratch directory, removed by stop(). */
  tmp: string;
  stop(): Promise<void>;
}

export async function startUnmigratedDevDb(name: string): Promise<UnmigratedDevDb> {
  const tmp = await mkdtemp(path.join(tmpdir(), `devdb-${name}-`));
  const cluster = await startTempCluster();
  const provisionerPassword = generatePassword();
  await bootstrap(cluster.url(), { provisionerPassword });
  const provisionerUrl = cluster.url(PROVISIONER_ROLE, provisionerPassword, CENTRAL_DATABASE);
  const client = new pg.Client({ connectionString: provisionerUrl });
  await client.connect();
  const stop = async () => {
    await client.end().catch(() => undefined);
    await cluster.stop();
    await rm(tmp, { recursive: true, force: true });
  };
  return { cluster, provisionerPassword, provisionerUrl, client, tmp, stop };
}
