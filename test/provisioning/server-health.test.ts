/**
 * A member of the pool down (docs/servers.md, "A server that cannot be
 * reached"), with three real servers, one halted mid-test: the router names
 * it (server, admin host:port, why) instead of a bare driver error, also for a
 * connection lost during work; each() goes on over the others; each probe is
 * recorded in the central registry; new databases land on live servers only,
 * and no placement is kept for a database its server did not create. Resumed,
 * a probe marks it reachable again.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  addServer,
  attachPlaced,
  ServerUnreachableError,
  setServerState,
  type ServerRouter,
} from '../../provisioning/index.js';
import { centralRouter, startTestDevDb, type TestDevDb } from '../helpers/devdb.js';

let central: TestDevDb;
let pgB: TestDevDb;
let pgC: TestDevDb;
let router: ServerRouter;
let downLine: RegExp;

beforeAll(async () => {
  [central, pgB, pgC] = await Promise.all([startTestDevDb(), startTestDevDb(), startTestDevDb()]);
  await addServer(central.pool, { name: 'pg-b', adminUrl: pgB.provisionerUrl });
  await addServer(central.pool, { name: 'pg-c', adminUrl: pgC.provisionerUrl });
  router = centralRouter(central);
  // dev_bob on pg-b: the only server taking databases while it is placed.
  await setServerState(central.pool, 'central', 'paused');
  await setServerState(central.pool, 'pg-c', 'paused');
  await attach('bob');
  await setServerState(central.pool, 'central', 'active');
  await setServerState(central.pool, 'pg-c', 'active');
  downLine = new RegExp(`^server pg-b \\(127\\.0\\.0\\.1:${pgB.endpoint.port}\\) unreachable: `);
});

afterAll(async () => {
  await router?.close();
  await Promise.all([central?.stop(), pgB?.stop(), pgC?.stop()]);
});

const attach = (owner: string, extra: { seedFrom?: string } = {}) =>
  attachPlaced(router, { type: 'individual', owner, workspaceId: `ws-${owner}`, ...extra });

const health = async (server: string) =>
  (
    await central.pool.query<{
      last_reached_at: Date | null;
      unreachable_since: Date | null;
      last_error: string | null;
    }>(
      `SELECT last_reached_at, unreachable_since, last_error FROM provisioning.servers WHERE name = $1`,
      [server],
    )
  ).rows[0]!;

const placements = async (server: string) =>
  (
    await central.pool.query<{ db_name: string }>(
      `SELECT db_name FROM provisioning.placements WHERE server_name = $1 ORDER BY 1`,
      [server],
    )
  ).rows.map((r) => r.db_name);

test('a member going down mid-work is named, on its pool and on a client taken from it', async () => {
  const routed = await router.forDatabase('dev_bob');
  expect(routed.server.name).toBe('pg-b');
  const client = await routed.db.connect();
  client.on('error', () => undefined); // the test's own client sees the server stop
  try {
    await pgB.cluster.halt();
    const lost = await client.query('SELECT 1').catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(ServerUnreachableError);
    expect((lost as Error).message).toMatch(downLine);
  } finally {
    client.release(true);
  }
  const refused = await routed.db.query('SELECT 1').catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(ServerUnreachableError);
  expect((refused as Error).message).toMatch(new RegExp(`${downLine.source}connection refused$`));
});

test('each() goes on over the servers reached; the probe is recorded in the registry', async () => {
  const { results, unreachable } = await router.each(async ({ db }) => {
    const { rows } = await db.query<{ port: string }>(`SELECT current_setting('port') AS port`);
    return Number(rows[0]!.port);
  });
  expect(results).toEqual([
    { server: 'central', result: central.endpoint.port },
    { server: 'pg-c', result: pgC.endpoint.port },
  ]);
  expect(unreachable).toEqual([
    { server: 'pg-b', address: `127.0.0.1:${pgB.endpoint.port}`, reason: 'connection refused' },
  ]);
  expect(await health('pg-b')).toMatchObject({
    unreachable_since: expect.any(Date),
    last_error: 'connection refused',
  });
  expect(await health('pg-c')).toMatchObject({
    last_reached_at: expect.any(Date),
    unreachable_since: null,
    last_error: null,
  });
  // An operation on one of its databases, or on the server itself: one line naming it.
  await expect(router.forDatabase('dev_bob')).rejects.toThrow(downLine);
  await expect(router.forServer('pg-b')).rejects.toThrow(ServerUnreachableError);
});

test('new databases land on live servers only, and no placement stays on the down one', async () => {
  // pg-b as it looked before anything probed it: healthy, and by far the least loaded.
  await central.pool.query(
    `UPDATE provisioning.servers SET unreachable_since = NULL, last_error = NULL, max_databases = 100000
      WHERE name = 'pg-b'`,
  );
  const ports = [];
  for (const owner of ['ann', 'ben', 'cat', 'dan']) ports.push((await attach(owner)).port);
  expect(ports).not.toContain(pgB.endpoint.port);
  expect(new Set(ports)).toEqual(new Set([central.endpoint.port, pgC.endpoint.port]));
  expect(await placements('pg-b')).toEqual(['dev_bob']);
  // The first one found it down and recorded so: placement skips it now.
  expect((await health('pg-b')).unreachable_since).toBeInstanceOf(Date);
});

test('a create that fails on a live server keeps no placement', async () => {
  // Seeded from a database that does not exist: placed (next to it: central), then refused.
  await expect(attach('eve', { seedFrom: 'dev_nosuch' })).rejects.toThrow(/dev_nosuch/);
  const { rowCount } = await central.pool.query(
    `SELECT FROM provisioning.placements WHERE db_name = 'dev_eve'`,
  );
  expect(rowCount).toBe(0);
});

test('a copy of a database on the down server fails naming it, and keeps no placement', async () => {
  await expect(attach('fay', { seedFrom: 'dev_bob' })).rejects.toThrow(downLine);
  expect(await placements('pg-b')).toEqual(['dev_bob']);
});

test('resumed, a probe marks it reachable again, and it takes new databases again', async () => {
  await pgB.cluster.resume();
  const { results, unreachable } = await router.each(async () => 'ok');
  expect(results.map((r) => r.server)).toEqual(['central', 'pg-b', 'pg-c']);
  expect(unreachable).toEqual([]);
  const after = await health('pg-b');
  expect(after).toMatchObject({ unreachable_since: null, last_error: null });
  expect(after.last_reached_at).toBeInstanceOf(Date);
  const gus = await attach('gus');
  expect(gus.port).toBe(pgB.endpoint.port);
  expect(await placements('pg-b')).toEqual(['dev_bob', 'dev_gus']);
});
