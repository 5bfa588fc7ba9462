import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  openDevDb,
  ProvisioningError,
  PROVISIONER_ROLE,
  type Clock,
  type DevDb,
} from '../../provisioning/index.js';
import { startTestDevDb, writeDataDirCredentials, type TestDevDb } from '../helpers/devdb.js';

// The library (docs/library.md) against a real DevDB: operations bound to its own
// pool, transactions, health, stats, pool limits and a bounded close.

let devdb: TestDevDb;
let locks: pg.Client;

beforeAll(async () => {
  devdb = await startTestDevDb();
  locks = await devdb.superuser('devdb');
});
afterAll(() => devdb?.stop());

const open = (options: Partial<Parameters<typeof openDevDb>[0]> = {}) =>
  openDevDb({ adminUrl: devdb.provisionerUrl, ...options } as Parameters<typeof openDevDb>[0]);

/** Holds the advisory lock every operation on a database takes, so calls on it wait. */
async function holdDatabaseLock(database: string): Promise<() => Promise<void>> {
  await locks.query('SELECT pg_advisory_lock(1684371044, hashtext($1))', [database]);
  return async () => {
    await locks.query('SELECT pg_advisory_unlock(1684371044, hashtext($1))', [database]);
  };
}

/** Provisioner sessions waiting for an advisory lock right now. */
async function waitingOnLocks(): Promise<number> {
  const { rows } = await locks.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE usename = $1 AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
    [PROVISIONER_ROLE],
  );
  return rows[0]!.n;
}

/** Until that many provisioner sessions wait on locks (connecting may be slow on a busy machine). */
const untilWaiting = (sessions: number) =>
  vi.waitFor(async () => expect(await waitingOnLocks()).toBe(sessions), {
    timeout: 60_000,
    interval: 50,
  });

/** A clock whose delays end only when the test says so. */
function manualClock() {
  const delays: { ms: number; end: () => void }[] = [];
  const clock: Clock = {
    now: () => 0,
    delay: (ms) => new Promise<void>((end) => delays.push({ ms, end })),
  };
  return { clock, delays };
}

/** Whether a promise has settled, after letting pending callbacks run. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await locks.query('SELECT 1'); // a round trip: anything ready has run by now
  return settled;
}

describe('openDevDb', () => {
  it('binds every operation to its pool, with connection info for the admin URL’s server', async () => {
    const db = await open();
    try {
      const attached = await db.attachWorkspace({
        type: 'individual',
        owner: 'libby',
        workspaceId: 'lib-ws-1',
      });
      expect(attached).toMatchObject({ name: 'dev_libby', host: devdb.cluster.host });
      expect(attached.port).toBe(devdb.cluster.port);
      expect(db.endpoint).toEqual({ host: devdb.cluster.host, port: devdb.cluster.port });
      expect((await db.listDatabases()).map((d) => d.name)).toContain('dev_libby');
      await expect(db.ensureTeamDatabase({ team: 'Not Valid' })).rejects.toThrow(/team name/);
    } finally {
      await db.close();
    }
  });

  it('opens a `devdb up` data directory from its credentials.json', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'devdb-lib-'));
    try {
      await writeDataDirCredentials(devdb, dataDir);
      const db = await openDevDb({ dataDir });
      try {
        expect((await db.health()).migrations.current).toBe(true);
      } finally {
        await db.close();
      }
      await expect(openDevDb({ dataDir: path.join(dataDir, 'none') })).rejects.toThrow(
        ProvisioningError,
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('transaction', () => {
  it('commits what fn did and returns its result', async () => {
    const db = await open();
    try {
      const name = await db.transaction(async (tx) => {
        const team = await tx.ensureTeamDatabase({ team: 'lib-committed' });
        return team.name;
      });
      expect(name).toBe('team_lib_committed');
      expect((await db.databaseState(name)).status).toBe('active');
    } finally {
      await db.close();
    }
  });

  it('rolls back when fn throws, leaving no trace, and rethrows', async () => {
    const db = await open();
    try {
      await db.attachWorkspace({ type: 'individual', owner: 'rolly', workspaceId: 'lib-rb' });
      const events = async () =>
        (await db.inspectDatabase('dev_rolly'))!.recentEvents.map((e) => e.action);
      const before = await events();
      const failure = new Error('changed my mind');
      let kept: Parameters<Parameters<DevDb['transaction']>[0]>[0] | undefined;
      await expect(
        db.transaction(async (tx) => {
          kept = tx;
          await tx.updateAttachment({
            database: 'dev_rolly',
            workspaceId: 'lib-rb',
            workspaceName: 'renamed',
          });
          expect(
            (await tx.findAttachment({ database: 'dev_rolly', workspaceId: 'lib-rb' }))!
              .workspaceName,
          ).toBe('renamed');
          throw failure;
        }),
      ).rejects.toBe(failure);
      const found = await db.findAttachment({ database: 'dev_rolly', workspaceId: 'lib-rb' });
      expect(found!.workspaceName).toBeUndefined();
      expect(await events()).toEqual(before);
      // The transaction's API does not outlive it.
      await expect(kept!.listDatabases()).rejects.toThrow(/transaction is over/);
    } finally {
      await db.close();
    }
  });
});

describe('health and stats', () => {
  it('reports the server, the round trip, the pool and current migrations', async () => {
    const db = await open({ pool: { max: 3 } });
    try {
      const health = await db.health();
      expect(health.serverVersion).toMatch(/^\d+/);
      expect(health.latencyMs).toBeGreaterThanOrEqual(0);
      // The one connection health itself is using.
      expect(health.pool).toEqual({ total: 1, idle: 0, waiting: 0 });
      expect(health.migrations).toMatchObject({ current: true, pending: 0 });
      expect(health.migrations.applied).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });

  it('says migrations are not current on a database that was never migrated', async () => {
    const superuser = await devdb.superuser();
    await superuser.query('CREATE DATABASE lib_unmigrated');
    const db = await openDevDb({
      adminUrl: devdb.url(devdb.cluster.superuser, devdb.cluster.password, 'lib_unmigrated'),
    });
    try {
      const { migrations } = await db.health();
      expect(migrations.current).toBe(false);
      expect(migrations.applied).toBe(0);
      expect(migrations.pending).toBeGreaterThan(0);
      expect(migrations.problem).toBeUndefined();
      // A ledger naming a migration this DevDB does not ship: not current, and why.
      const unmigrated = await devdb.superuser('lib_unmigrated');
      await unmigrated.query(`CREATE SCHEMA provisioning;
        CREATE TABLE provisioning.schema_migrations (version int PRIMARY KEY, file text,
          checksum text, applied_at timestamptz DEFAULT now());
        INSERT INTO provisioning.schema_migrations VALUES (999, '999_future.sql', 'x')`);
      const later = (await db.health()).migrations;
      expect(later.current).toBe(false);
      expect(later.problem).toMatch(/999_future\.sql/);
    } finally {
      await db.close();
    }
  });

  it('counts databases by status, their size and the connections', async () => {
    const db = await open();
    try {
      await db.ensureTeamDatabase({ team: 'lib-stats' });
      await db.retireDatabase({ database: 'team_lib_stats', policy: 'archive' });
      const stats = await db.stats();
      expect(stats.databases.active).toBeGreaterThan(0);
      expect(stats.databases.archived).toBeGreaterThan(0);
      expect(stats.databases.dropped).toBeGreaterThanOrEqual(0);
      expect(stats.totalSizeBytes).toBeGreaterThan(0);
      expect(stats.connections.server).toBeGreaterThan(0);
      expect(stats.connections.databases).toBeGreaterThanOrEqual(0);
    } finally {
      await db.close();
    }
  });
});

describe('pool limits', () => {
  it('never opens more than max connections; calls beyond it wait', async () => {
    const db = await open({ pool: { max: 2 } });
    const releases = await Promise.all(
      ['team_lib_p1', 'team_lib_p2', 'team_lib_p3'].map(holdDatabaseLock),
    );
    try {
      const calls = ['lib-p1', 'lib-p2', 'lib-p3'].map((team) => db.ensureTeamDatabase({ team }));
      await untilWaiting(2);
      expect(await isSettled(Promise.all(calls))).toBe(false);
      for (const release of releases) await release();
      expect((await Promise.all(calls)).map((r) => r.created)).toEqual([true, true, true]);
      expect((await db.health()).pool.total).toBeLessThanOrEqual(2);
    } finally {
      await db.close();
    }
  });

  it('gives up waiting for a connection after connectionTimeoutMillis', async () => {
    // 2 s, not less: the first login (SCRAM) must fit in it on a loaded 2-core machine.
    const db = await open({ pool: { max: 1, connectionTimeoutMillis: 2_000 } });
    const release = await holdDatabaseLock('team_lib_timeout');
    try {
      // The one connection, opened before the clock matters: the blocked call reuses it.
      await db.listDatabases();
      const blocked = db.ensureTeamDatabase({ team: 'lib-timeout' });
      await untilWaiting(1);
      await expect(db.listDatabases()).rejects.toThrow(/timeout/i);
      await release();
      await blocked;
    } finally {
      await db.close();
    }
  });
});

describe('close', () => {
  it('waits for work in flight, then ends; later calls are refused', async () => {
    const { clock, delays } = manualClock();
    const db = await open({ clock });
    const release = await holdDatabaseLock('team_lib_inflight');
    const inFlight = db.ensureTeamDatabase({ team: 'lib-inflight' });
    await untilWaiting(1);
    const closed = db.close({ timeoutMs: 60_000 });
    expect(delays.map((d) => d.ms)).toEqual([60_000]);
    expect(await isSettled(closed)).toBe(false);
    await expect(db.listDatabases()).rejects.toThrow(/closed/);
    await release();
    expect((await inFlight).created).toBe(true);
    expect(await closed).toEqual({ drained: true });
  });

  it('ends work still running when its bound expires', async () => {
    const { clock, delays } = manualClock();
    const db = await open({ clock });
    const release = await holdDatabaseLock('team_lib_stuck');
    try {
      const stuck = db.ensureTeamDatabase({ team: 'lib-stuck' });
      stuck.catch(() => undefined);
      await untilWaiting(1);
      const closed = db.close({ timeoutMs: 250 });
      expect(delays.map((d) => d.ms)).toEqual([250]);
      expect(await isSettled(closed)).toBe(false);
      delays[0]!.end(); // the bound expires
      expect(await closed).toEqual({ drained: false });
      await expect(stuck).rejects.toThrow(/terminat/);
      expect(await waitingOnLocks()).toBe(0); // the server is not left running it
    } finally {
      await release();
    }
  });
});
