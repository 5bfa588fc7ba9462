// The sampler (provisioning/access/sampler.ts, provisioning/access/sampler.sql): one pass
// over every active database moves last_accessed by the agent's rule — client
// sessions did something — with no agent running; autovacuum alone and DevDB's
// own sessions (a backup's) do not count; samples are kept for the retention.
// Time is the server's: the test moves it there (devdb.clock), never in the client.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attachWorkspace,
  ensureTeamDatabase,
  listDatabases,
  listSamples,
  searchDatabases,
  sampleAll,
  withoutCountingAsAccess,
  type Attachment,
} from '../../provisioning/index.js';
import {
  SAMPLE_RETENTION_SETTING,
  SAMPLER_SIZE_BUDGET_SETTING,
} from '../../provisioning/access/index.js';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;
let alice: Attachment;
const DAY = 86_400_000;
/** The server's clock, set by the test: every pass a minute later than the one before. */
let clock = Date.parse('2030-01-01T00:00:00Z');
const nextMinute = () => new Date((clock += 60_000));

/** One pass with the server's clock at `at`. */
async function sampleAt(at: Date) {
  await devdb.clock.set(at);
  return sampleAll(devdb.pool);
}

beforeAll(async () => {
  devdb = await startTestDevDb();
  alice = await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner: 'alice',
    workspaceId: 'ws-alice',
  });
  await ensureTeamDatabase(devdb.pool, { team: 'quiet' });
});
afterAll(() => devdb?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function lastAccessed(database: string): Promise<Date | null> {
  const { rows } = await devdb.pool.query(
    'SELECT last_accessed FROM provisioning.databases WHERE db_name = $1',
    [database],
  );
  return rows[0].last_accessed;
}

/** One pass; whether `database` counted as used in it. */
async function sample(database: string): Promise<boolean> {
  const at = nextMinute();
  await sampleAt(at);
  return (await lastAccessed(database))?.getTime() === at.getTime();
}

/** Passes until one sees no use: earlier activity is accounted for. */
async function settle(database: string): Promise<void> {
  for (let i = 0; i < 20; i++) if (!(await sample(database))) return;
  throw new Error(`${database} never looked unused`);
}

/** Passes until one sees use: PostgreSQL flushes a session's counters asynchronously. */
async function untilUsed(database: string, ms = 8000): Promise<Date> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await sample(database)) return (await lastAccessed(database))!;
    await sleep(150);
  }
  throw new Error(`no pass saw the use of ${database} within ${ms} ms`);
}

async function useAsWorkspace(sql: string): Promise<void> {
  const client = new pg.Client({
    connectionString: devdb.url(alice.user, alice.password, alice.name),
  });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('last access without an agent', () => {
  test('a session of the workspace moves last_accessed to the pass that saw it', async () => {
    await settle(alice.name);
    const before = await lastAccessed(alice.name);
    await useAsWorkspace('CREATE TABLE notes (t text)');
    const seen = await untilUsed(alice.name);
    expect(seen.getTime()).toBeGreaterThan(before?.getTime() ?? 0);
    // And the next pass, with nothing new, leaves it there.
    expect(await sample(alice.name)).toBe(false);
    expect(await lastAccessed(alice.name)).toEqual(seen);
  });

  test("last_accessed never moves backwards: a pass at an earlier time (the server's clock set back) keeps the later access", async () => {
    await settle(alice.name);
    await useAsWorkspace('SELECT 1');
    const seen = await untilUsed(alice.name);
    await useAsWorkspace('SELECT 2');
    const earlier = new Date(seen.getTime() - 100 * DAY);
    const deadline = Date.now() + 8000;
    let counted = false;
    while (!counted && Date.now() < deadline) {
      await sampleAt(earlier);
      const [pass] = (await listSamples(devdb.pool, alice.name, { since: earlier })).filter(
        (s) => s.at.getTime() === earlier.getTime(),
      );
      counted = pass?.accessed ?? false;
      if (!counted) await sleep(150);
    }
    expect(counted, 'the pass at the earlier time saw the use').toBe(true);
    expect(await lastAccessed(alice.name)).toEqual(seen);
    await devdb.pool.query('DELETE FROM provisioning.samples WHERE at = $1', [earlier]);
  });

  test('a database nobody used keeps last_accessed unset', async () => {
    await settle('team_quiet');
    expect(await lastAccessed('team_quiet')).toBeNull();
  });

  test('autovacuum visiting the database is not access (it moves xact_commit)', async () => {
    const su = await devdb.superuser();
    const commits = async () =>
      Number(
        (
          await su.query('SELECT xact_commit FROM pg_stat_database WHERE datname = $1', [
            alice.name,
          ])
        ).rows[0].xact_commit,
      );
    await su.query(`ALTER SYSTEM SET autovacuum_naptime = '1s'`);
    await su.query('SELECT pg_reload_conf()');
    try {
      await settle(alice.name);
      const before = await lastAccessed(alice.name);
      const start = await commits();
      const deadline = Date.now() + 20_000;
      while ((await commits()) === start && Date.now() < deadline) await sleep(250);
      expect(await commits(), 'autovacuum committed in the database').toBeGreaterThan(start);
      expect(await sample(alice.name)).toBe(false);
      expect(await lastAccessed(alice.name)).toEqual(before);
    } finally {
      await su.query('ALTER SYSTEM RESET autovacuum_naptime');
      await su.query('SELECT pg_reload_conf()');
    }
  });

  test("DevDB's own sessions (a backup's) are not access; someone else's during them is", async () => {
    const asProvisioner = async () => {
      const client = new pg.Client({
        connectionString: devdb.url('devdb_provisioner', devdb.provisionerPassword, alice.name),
      });
      await client.connect();
      await client.query('SELECT count(*) FROM pg_class');
      await client.end();
    };
    await settle(alice.name);
    const before = await lastAccessed(alice.name);
    await withoutCountingAsAccess(devdb.pool, alice.name, asProvisioner);
    await sleep(1100); // anything left to flush would be flushed by now
    expect(await sample(alice.name)).toBe(false);
    expect(await lastAccessed(alice.name)).toEqual(before);

    // A workspace session open while DevDB works there: the next pass counts it.
    const workspace = new pg.Client({
      connectionString: devdb.url(alice.user, alice.password, alice.name),
    });
    await workspace.connect();
    try {
      await withoutCountingAsAccess(devdb.pool, alice.name, asProvisioner);
    } finally {
      await workspace.end();
    }
    await untilUsed(alice.name);
  });
});

describe('samples', () => {
  test('one row per active database and pass, with size, sessions and counters', async () => {
    const at = nextMinute();
    const result = await sampleAt(at);
    expect(result).toMatchObject({ databases: 2, at });
    const [latest] = (await listSamples(devdb.pool, alice.name, { since: at })).slice(-1);
    expect(latest).toMatchObject({ database: alice.name, at, connections: 0, accessed: false });
    expect(latest!.sizeBytes).toBeGreaterThan(1_000_000);
    expect(latest!.sessions).toBeGreaterThan(0);
  });

  test("an idle database's size is measured hourly and repeated in between", async () => {
    const first = nextMinute();
    await sampleAt(first);
    const [measured] = await listSamples(devdb.pool, 'team_quiet', { since: first });
    const sizeAt = measured!.sizeAt!;
    const second = await sampleAt(nextMinute());
    expect(second.measured).toBe(0);
    const later = (await listSamples(devdb.pool, 'team_quiet', { since: first })).at(-1)!;
    expect([later.sizeBytes, later.sizeAt]).toEqual([measured!.sizeBytes, sizeAt]);
    const hourLater = new Date(sizeAt.getTime() + 3_600_000);
    clock = hourLater.getTime();
    expect((await sampleAt(hourLater)).measured).toBe(2);
  });

  test('idle databases are re-measured at most sampler_size_budget a pass, the oldest measure first', async () => {
    await devdb.pool.query(
      `INSERT INTO provisioning.settings (key, value) VALUES ($1, '1')
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [SAMPLER_SIZE_BUDGET_SETTING],
    );
    try {
      await settle(alice.name);
      const sizedAt = async () =>
        Object.fromEntries(
          await Promise.all(
            [alice.name, 'team_quiet'].map(async (name): Promise<[string, number]> => [
              name,
              (await listSamples(devdb.pool, name)).at(-1)!.sizeAt!.getTime(),
            ]),
          ),
        );
      const before = await sizedAt();
      const oldest = before[alice.name]! <= before.team_quiet! ? alice.name : 'team_quiet';
      // Both due (over an hour since their measure): one a pass, the oldest measure first.
      clock = Math.max(...Object.values(before)) + 3_600_000;
      const first = nextMinute();
      expect((await sampleAt(first)).measured).toBe(1);
      expect((await sizedAt())[oldest]).toBe(first.getTime());
      const second = nextMinute();
      expect((await sampleAt(second)).measured).toBe(1);
      expect(Object.values(await sizedAt()).sort((a, b) => a - b)).toEqual([
        first.getTime(),
        second.getTime(),
      ]);
      expect((await sampleAt(nextMinute())).measured).toBe(0);
      // A database in use is measured whatever the budget.
      clock += 3_600_000;
      await useAsWorkspace('SELECT 1');
      await untilUsed(alice.name);
      const [latest] = (await listSamples(devdb.pool, alice.name)).slice(-1);
      expect(latest!.sizeAt).toEqual(latest!.at);
    } finally {
      await devdb.pool.query('DELETE FROM provisioning.settings WHERE key = $1', [
        SAMPLER_SIZE_BUDGET_SETTING,
      ]);
    }
  });

  test("the lists read the sampler's latest size; a database it has not sized is measured", async () => {
    const at = nextMinute();
    await sampleAt(at);
    await devdb.pool.query(
      `UPDATE provisioning.samples SET size_bytes = 12345 WHERE db_name = $1 AND at = $2`,
      [alice.name, at],
    );
    const team = await ensureTeamDatabase(devdb.pool, { team: 'unsampled' });
    const sizes = Object.fromEntries(
      (await listDatabases(devdb.pool)).map((d) => [d.name, d.sizeBytes]),
    );
    expect(sizes[alice.name]).toBe(12345);
    expect(sizes[team.name]).toBeGreaterThan(1_000_000);
    const page = await searchDatabases(devdb.pool, { sort: 'size', limit: 10, offset: 0 });
    expect(page.items.find((d) => d.name === alice.name)?.sizeBytes).toBe(12345);
  });

  test('samples older than the retention are removed by the pass (30 days, or the setting)', async () => {
    const now = clock + 100 * DAY;
    const at = (daysAgo: number) => new Date(now - daysAgo * DAY);
    await sampleAt(at(40));
    await sampleAt(at(20));
    await sampleAt(at(0));
    const times = async () =>
      (await listSamples(devdb.pool, 'team_quiet', { since: at(50) })).map((s) => s.at);
    expect(await times()).toEqual([at(20), at(0)]);

    await devdb.pool.query(
      `INSERT INTO provisioning.settings (key, value) VALUES ($1, '10')
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [SAMPLE_RETENTION_SETTING],
    );
    try {
      const result = await sampleAt(new Date(now + 60_000));
      expect(result.pruned).toBeGreaterThanOrEqual(2);
      expect(await times()).toEqual([at(0), new Date(now + 60_000)]);
    } finally {
      await devdb.pool.query('DELETE FROM provisioning.settings WHERE key = $1', [
        SAMPLE_RETENTION_SETTING,
      ]);
    }
    clock = now + 120_000;
  });
});
