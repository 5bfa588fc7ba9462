/**
 * The API's snapshot routes (docs/snapshots.md) over real HTTP, each response
 * checked against the served OpenAPI document (harness.ts): the lists, a
 * restore (admin only), a delete, and what a missing snapshot gets.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { attachWorkspace, takeSnapshot, type Attachment } from '../../../provisioning/index.js';
import { startApiHarness, type ApiHarness } from './harness.js';

let api: ApiHarness;
let hal: Attachment;

async function sql(text: string): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({
    connectionString: api.devdb.url(hal.user, hal.password, hal.name),
  });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  api = await startApiHarness();
  hal = await attachWorkspace(api.devdb.pool, api.devdb.endpoint, {
    type: 'individual',
    owner: 'hal',
    workspaceId: 'ws-hal',
  });
  await sql('CREATE TABLE t (x int); INSERT INTO t VALUES (1)');
  await takeSnapshot(api.devdb.pool, { database: 'dev_hal', name: 'one', actor: 'test' });
  await sql('INSERT INTO t VALUES (2)');
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

it('lists, restores (write tokens only) and deletes snapshots', async () => {
  const all = await api.call('GET', '/api/v1/snapshots', { token: api.tokens.viewer });
  expect(all.status).toBe(200);
  expect(all.json.items).toMatchObject([{ database: 'dev_hal', name: 'one', server: 'central' }]);
  const one = await api.call('GET', '/api/v1/databases/dev_hal/snapshots', {
    token: api.tokens.viewer,
  });
  expect(one.json.items).toHaveLength(1);

  const path = '/api/v1/databases/dev_hal/snapshots/one/restore';
  expect((await api.call('POST', path, { token: api.tokens.viewer })).status).toBe(403);
  const restored = await api.call('POST', path, { token: api.tokens.admin });
  expect(restored.status).toBe(200);
  expect(restored.json).toMatchObject({ database: 'dev_hal', restoredFrom: 'snapshot one' });
  expect(await sql('SELECT x FROM t')).toEqual([{ x: 1 }]);

  const missing = await api.call('POST', '/api/v1/databases/dev_hal/snapshots/two/restore', {
    token: api.tokens.admin,
  });
  expect(missing.status).toBe(404);
  const deleted = await api.call('DELETE', '/api/v1/databases/dev_hal/snapshots/one', {
    token: api.tokens.admin,
  });
  expect(deleted.status).toBe(200);
  expect(
    (await api.call('GET', '/api/v1/snapshots', { token: api.tokens.admin })).json.items,
  ).toEqual([]);
}, 60_000);
