/**
 * `devdb snapshots [DB]` (table and --json), `snapshots restore` (asks, or
 * --yes), `snapshots delete`, `snapshots allow|disallow` (docs/snapshots.md).
 * The API's routes: test/server/api/snapshots.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { attachWorkspace, takeSnapshot, type Attachment } from '../../provisioning/index.js';
import { runDevdb } from '../helpers/cli-io.js';
import { startTestDevDb, writeDataDirCredentials, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;
let dataDir: string;
let gil: Attachment;
const cli = (args: string[], options: Parameters<typeof runDevdb>[1] = {}) =>
  runDevdb([...args, '--data-dir', dataDir], options);

async function rows(): Promise<number[]> {
  const client = new pg.Client({ connectionString: devdb.url(gil.user, gil.password, gil.name) });
  await client.connect();
  try {
    return (await client.query<{ x: number }>('SELECT x FROM t ORDER BY x')).rows.map((r) => r.x);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  devdb = await startTestDevDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'devdb-snapshots-cli-'));
  await writeDataDirCredentials(devdb, dataDir);
  gil = await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner: 'gil',
    workspaceId: 'ws-gil',
  });
  const client = new pg.Client({ connectionString: devdb.url(gil.user, gil.password, gil.name) });
  await client.connect();
  await client.query('CREATE TABLE t (x int); INSERT INTO t VALUES (1)');
  await client.end();
  await takeSnapshot(devdb.pool, { database: 'dev_gil', name: 'one' });
  const later = new pg.Client({ connectionString: devdb.url(gil.user, gil.password, gil.name) });
  await later.connect();
  await later.query('INSERT INTO t VALUES (2)');
  await later.end();
}, 60_000);

afterAll(async () => {
  await devdb?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('list, restore (asks first), delete; the team setting only for team databases', async () => {
  const listed = await cli(['snapshots', '--json']);
  expect(listed.stderr).toBe('');
  expect(JSON.parse(listed.stdout)).toMatchObject([{ database: 'dev_gil', name: 'one' }]);
  const table = await cli(['snapshots', 'dev_gil']);
  expect(table.stdout).toMatch(/database +│ snapshot +│ taken/);
  expect(table.stdout).toMatch(/dev_gil +│ one /);

  const unasked = await cli(['snapshots', 'restore', 'dev_gil', 'one']);
  expect(unasked.code).toBe(2);
  expect(unasked.stderr).toMatch(/add --yes/);
  expect(await rows()).toEqual([1, 2]);
  const restored = await cli(['snapshots', 'restore', 'dev_gil', 'one', '--yes', '--json']);
  expect(restored.stderr).toBe('');
  expect(JSON.parse(restored.stdout)).toMatchObject({ restored_from: 'snapshot one' });
  expect(await rows()).toEqual([1]);

  const team = await cli(['snapshots', 'allow', 'dev_gil']);
  expect(team.code).toBe(1);
  expect(team.stderr).toMatch(/dev_gil is not a team database/);

  expect((await cli(['snapshots', 'delete', 'dev_gil', 'one'])).code).toBe(0);
  expect((await cli(['snapshots'])).stdout).toMatch(/no snapshots/);
  const missing = await cli(['snapshots', 'delete', 'dev_gil', 'one']);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/database dev_gil has no snapshot named 'one'/);
}, 60_000);
