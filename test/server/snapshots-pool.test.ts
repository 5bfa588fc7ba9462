/**
 * Snapshots over the server pool (docs/snapshots.md, docs/servers.md): a
 * database on a member is snapshotted on that member, through the workspace's
 * login on the address it was handed; the admin side (`devdb snapshots`,
 * restore) reaches it through the router from the central server.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  addServer,
  attachPlaced,
  setServerState,
  type Attachment,
  type ServerRouter,
} from '../../provisioning/index.js';
import { runDevdb } from '../helpers/cli-io.js';
import { centralRouter, startTestDevDb, type TestDevDb } from '../helpers/devdb.js';

let central: TestDevDb;
let member: TestDevDb;
let router: ServerRouter;
let ivy: Attachment;
const cli = (args: string[]) =>
  runDevdb(args, { env: { DEVDB_ADMIN_URL: central.provisionerUrl } });

/** A client as the workspace connects: the host and port its attachment names. */
async function asWorkspace(database: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: ivy.host,
    port: ivy.port,
    user: ivy.user,
    password: ivy.password,
    database,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

const copiesOn = async (server: TestDevDb) =>
  (
    await server.pool.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname ~ '^devdb_(snap|swap|gone)_'`,
    )
  ).rows.map((r) => r.datname);

beforeAll(async () => {
  [central, member] = await Promise.all([startTestDevDb(), startTestDevDb()]);
  await addServer(central.pool, { name: 'pg-b', adminUrl: member.provisionerUrl });
  router = centralRouter(central);
  await setServerState(central.pool, 'central', 'paused'); // dev_ivy goes to pg-b
  try {
    ivy = await attachPlaced(router, { type: 'individual', owner: 'ivy', workspaceId: 'ws-ivy' });
  } finally {
    await setServerState(central.pool, 'central', 'active');
  }
}, 60_000);

afterAll(async () => {
  await router?.close();
  await Promise.all([central?.stop(), member?.stop()]);
});

test('a database on a member is snapshotted there, and restored there from the central side', async () => {
  expect(ivy.port).toBe(member.endpoint.port);
  const db = await asWorkspace('dev_ivy');
  await db.query('CREATE TABLE t (x int); INSERT INTO t VALUES (1)');
  await db.end();
  const agent = await asWorkspace('devdb'); // the agent's connection: devdb on its own server
  await agent.query(`SELECT provisioning.workspace_snapshots('snapshot', 'one')`);
  await agent.end();
  expect(await copiesOn(member)).toHaveLength(1);
  expect(await copiesOn(central)).toEqual([]);

  const listed = await cli(['snapshots', '--json']);
  expect(listed.stderr).toBe('');
  expect(JSON.parse(listed.stdout)).toMatchObject([
    { server: 'pg-b', database: 'dev_ivy', name: 'one' },
  ]);
  const again = await asWorkspace('dev_ivy');
  await again.query('DELETE FROM t');
  await again.end();
  const restored = await cli(['snapshots', 'restore', 'dev_ivy', 'one', '--yes']);
  expect(restored.stderr).toBe('');
  const after = await asWorkspace('dev_ivy');
  expect((await after.query('SELECT x FROM t')).rows).toEqual([{ x: 1 }]);
  await after.end();
  expect(await copiesOn(member)).toHaveLength(1);
}, 60_000);
