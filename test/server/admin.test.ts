import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { attachWorkspace, detachWorkspace, retireDatabase } from '../../provisioning/index.js';
import { runDevdb } from '../helpers/cli-io.js';
import { startTestDevDb, writeDataDirCredentials, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;
let dataDir: string;

beforeAll(async () => {
  devdb = await startTestDevDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'devdb-admin-'));
  await writeDataDirCredentials(devdb, dataDir);
  // One database in each status.
  for (const owner of ['anna', 'ben', 'cleo']) {
    await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'individual',
      owner,
      workspaceId: `ws-${owner}`,
    });
  }
  await detachWorkspace(devdb.pool, { workspaceId: 'ws-ben', onLastDetach: 'archive' });
  await detachWorkspace(devdb.pool, { workspaceId: 'ws-cleo' });
  await retireDatabase(devdb.pool, { database: 'dev_cleo', policy: 'drop', finalBackup: false });
});

afterAll(async () => {
  await devdb?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it("summary's breakdowns add up to its total, dropped and archived included", async () => {
  const { stdout } = await runDevdb(['summary', '--data-dir', dataDir]);
  const figure = (label: string) =>
    Number(new RegExp(`^ *${label} +(\\d+)$`, 'm').exec(stdout)![1]);
  expect(figure('databases')).toBe(3);
  expect(figure('individual') + figure('team')).toBe(3);
  expect([figure('active'), figure('archived'), figure('dropped')]).toEqual([1, 1, 1]);
  const json = JSON.parse((await runDevdb(['summary', '--data-dir', dataDir, '--json'])).stdout);
  expect(json.byStatus).toEqual({ active: 1, archived: 1, dropped: 1 });
  expect(json.byType).toEqual({ individual: 3, team: 0 });
});

it('shows "never" (null in JSON) as the idle days of a database never accessed', async () => {
  const list = JSON.parse((await runDevdb(['list', '--data-dir', dataDir, '--json'])).stdout);
  expect(list.map((d: { idleDays: unknown }) => d.idleDays)).toEqual([null, null, null]);
  const { stdout } = await runDevdb(['list', '--data-dir', dataDir]);
  const anna = stdout.split('\n').find((line) => line.includes('dev_anna'))!;
  expect(anna).toMatch(/│ never +│ never +│$/);
});
