/**
 * "Using an existing PostgreSQL" as the README gives it: the superuser step
 * (bootstrap), then `devdb migrate` with the provisioner's URL, and DevDB
 * provisions — the loopback connection configured by migrate, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootstrap,
  CENTRAL_DATABASE,
  generatePassword,
  PROVISIONER_ROLE,
} from '../../provisioning/index.js';
import { startTempCluster, type TempCluster } from '../helpers/cluster.js';
import { runDevdb } from '../helpers/cli-io.js';

let cluster: TempCluster;
let adminUrl: string;
const password = generatePassword();

beforeAll(async () => {
  cluster = await startTempCluster();
  await bootstrap(cluster.url(), { provisionerPassword: password });
  adminUrl = cluster.url(PROVISIONER_ROLE, password, CENTRAL_DATABASE);
});

afterAll(async () => {
  await cluster?.stop();
});

describe('devdb migrate on a server devdb up did not start', () => {
  it('configures the loopback connection once, and then DevDB provisions', async () => {
    const env = { DEVDB_ADMIN_URL: adminUrl };
    const first = await runDevdb(['migrate'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      `loopback connection configured: the server reaches itself at ${cluster.host}:${cluster.port}`,
    );
    expect(first.stdout + first.stderr).not.toContain(password);

    const again = await runDevdb(['migrate', '--json'], { env });
    expect(JSON.parse(again.stdout)).toEqual({ applied: [], loopbackConfigured: null });

    const created = await runDevdb(['create-team', 'platform', '--json'], { env });
    expect(created.code, created.stderr).toBe(0);
    // A new database was made, not repaired: what was done is `done`.
    const made = JSON.parse(created.stdout);
    expect(made).toMatchObject({ name: 'team_platform', created: true, repaired: [] });
    expect(made.done).toContain('database created');
    const listed = await runDevdb(['list', '--json'], { env });
    expect(JSON.parse(listed.stdout).map((d: { name: string }) => d.name)).toEqual([
      'team_platform',
    ]);
  });
});
