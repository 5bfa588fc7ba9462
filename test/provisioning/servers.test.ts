/**
 * The server pool with two real servers (docs/servers.md): the central one and
 * a member. Placement spreads new databases and honours pause and drain; each
 * database's operations and address follow its server; a move carries the data
 * and a workspace attached afterwards works there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  addServer,
  attachPlaced,
  moveDatabase,
  removeServer,
  setServerState,
  type ServerRouter,
} from '../../provisioning/index.js';
import { listServers, placeDatabase } from '../../provisioning/servers/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';

// Before the cluster helper loads: it reads the server binaries' location once.
// A move runs pg_dump and pg_restore, which must match the servers' major.
await selectBackupTestServer();
const { centralRouter, startTestDevDb, tryConnect } = await import('../helpers/devdb.js');

let central: TestDevDb;
let member: TestDevDb;
let router: ServerRouter;
let backupDir: string;

beforeAll(async () => {
  [central, member] = await Promise.all([startTestDevDb(), startTestDevDb()]);
  router = centralRouter(central);
  backupDir = await mkdtemp(path.join(tmpdir(), 'devdb-move-'));
});

afterAll(async () => {
  await router?.close();
  await Promise.all([central?.stop(), member?.stop()]);
  if (backupDir) await rm(backupDir, { recursive: true, force: true });
});

const attach = (owner: string, workspaceId = `ws-${owner}`) =>
  attachPlaced(router, { type: 'individual', owner, workspaceId, actor: 'test' });

/** The placement the central registry holds for a database. */
const placement = async (database: string) =>
  (
    await central.pool.query<{ server_name: string; moving_to: string | null }>(
      'SELECT server_name, moving_to FROM provisioning.placements WHERE db_name = $1',
      [database],
    )
  ).rows[0];

async function rowsIn(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM notes')).rows[0]!.n;
  } finally {
    await client.end();
  }
}

describe('one server: the central one', () => {
  test('is the only member, and new databases go to it', async () => {
    const servers = await listServers(central.pool);
    expect(servers.map((s) => [s.name, s.central, s.state])).toEqual([['central', true, 'active']]);
    const attachment = await attach('solo');
    expect(attachment.port).toBe(central.endpoint.port);
    expect(await placement('dev_solo')).toEqual({ server_name: 'central', moving_to: null });
  });
});

describe('two servers', () => {
  beforeAll(async () => {
    await addServer(central.pool, { name: 'pg-2', adminUrl: member.provisionerUrl });
  });

  test('a server is added once, and the central server never as a member', async () => {
    await expect(
      addServer(central.pool, { name: 'again', adminUrl: member.provisionerUrl }),
    ).rejects.toThrow(/already in the pool as "pg-2"/);
    await expect(
      addServer(central.pool, { name: 'self', adminUrl: central.provisionerUrl }),
    ).rejects.toThrow(/already in the pool as "central"/);
    await expect(
      addServer(central.pool, { name: 'Bad Name', adminUrl: member.provisionerUrl }),
    ).rejects.toThrow(/invalid server name/);
  });

  test('new databases go to the least-loaded server, and each works where it is', async () => {
    // central holds dev_solo: the next one goes to pg-2, then they alternate.
    const bob = await attach('bob');
    expect((await placement('dev_bob'))?.server_name).toBe('pg-2');
    expect(bob.port).toBe(member.endpoint.port);
    expect(await tryConnect(member.url(bob.user, bob.password, bob.name))).toMatchObject({
      ok: true,
    });
    // Registered on the member, not on the central server.
    const onMember = await member.pool.query(
      `SELECT FROM provisioning.databases WHERE db_name = 'dev_bob'`,
    );
    const onCentral = await central.pool.query(
      `SELECT FROM provisioning.databases WHERE db_name = 'dev_bob'`,
    );
    expect([onMember.rowCount, onCentral.rowCount]).toEqual([1, 0]);
    // Attaching again goes to the same server.
    const again = await attach('bob', 'ws-bob-2');
    expect(again.port).toBe(member.endpoint.port);
  });

  test('placement is even and deterministic', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `dev_even${i}`);
    const placed: string[] = [];
    for (const name of names) placed.push(await placeDatabase(central.pool, name));
    const counts = await listServers(central.pool);
    const [c, m] = [counts[0]!.databases, counts[1]!.databases];
    expect(Math.abs(c - m)).toBeLessThanOrEqual(1);
    // The same name placed again stays where it is.
    expect(await placeDatabase(central.pool, names[7]!)).toBe(placed[7]);
    await central.pool.query(`DELETE FROM provisioning.placements WHERE db_name LIKE 'dev_even%'`);
  });

  test('a paused or draining server takes no new database; resumed, it does again', async () => {
    for (const state of ['paused', 'draining'] as const) {
      await setServerState(central.pool, 'pg-2', state);
      for (let i = 0; i < 4; i++) {
        expect(await placeDatabase(central.pool, `dev_${state}${i}`)).toBe('central');
      }
    }
    await setServerState(central.pool, 'pg-2', 'active');
    expect(await placeDatabase(central.pool, 'dev_resumed')).toBe('pg-2');
    await central.pool.query(
      `DELETE FROM provisioning.placements WHERE db_name ~ '^dev_(paused|draining|resumed)'`,
    );
  });

  test('with no server active, creating says what to do', async () => {
    await setServerState(central.pool, 'pg-2', 'paused');
    await setServerState(central.pool, 'central', 'paused');
    try {
      await expect(attach('nowhere')).rejects.toThrow(
        /no DevDB server can take database 'dev_nowhere'.*devdb servers list/,
      );
    } finally {
      await setServerState(central.pool, 'central', 'active');
      await setServerState(central.pool, 'pg-2', 'active');
    }
  });

  test('a move carries the data; the workspace attached afterwards works on the new server', async () => {
    const carol = await attach('carol');
    const from = (await placement('dev_carol'))!.server_name;
    const to = from === 'central' ? 'pg-2' : 'central';
    const [source, target] = from === 'central' ? [central, member] : [member, central];
    const url = source.url(carol.user, carol.password, carol.name);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE notes (id int PRIMARY KEY, body text)');
    await client.query(`INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 500) g`);
    await client.end();

    const steps: string[] = [];
    const result = await moveDatabase(router, {
      database: 'dev_carol',
      to,
      backupDir,
      recipients: [],
      identities: [],
      onStep: (step) => steps.push(step),
    });
    expect(result).toMatchObject({ from, to, detached: 1, tables: 1 });
    expect(steps).toEqual(['record', 'detach', 'archive', 'backup', 'restore', 'switch']);
    expect(await placement('dev_carol')).toEqual({ server_name: to, moving_to: null });
    // The old credential is gone with the old copy, which stays archived there.
    expect((await tryConnect(url)).ok).toBe(false);
    const old = await source.pool.query<{ status: string }>(
      `SELECT status FROM provisioning.databases WHERE db_name = 'dev_carol'`,
    );
    expect(old.rows[0]?.status).toBe('archived');

    // The workspace's next start attaches it again: on the new server, with the data.
    const next = await attach('carol');
    expect(next.port).toBe(target.endpoint.port);
    expect(await rowsIn(target.url(next.user, next.password, next.name))).toBe(500);
    for (const server of [central, member]) {
      const { rows } = await server.pool.query('SELECT * FROM provisioning.doctor()');
      expect(rows).toEqual([]);
    }
  });

  test('a server holding databases cannot be removed; the central server never', async () => {
    await expect(removeServer(central.pool, 'pg-2')).rejects.toThrow(
      /still holds \d+ database\(s\).*devdb servers drain pg-2/,
    );
    await expect(removeServer(central.pool, 'central')).rejects.toThrow(/cannot be removed/);
  });
});
