/**
 * Snapshots, restore and reset (docs/snapshots.md) against a real PostgreSQL 17:
 * through the workspace's own entry point (provisioning.workspace_snapshots, as
 * devdb-agent calls it) and the admin side. A restore killed with SIGKILL
 * between its steps leaves the old or the new database under the name, and a
 * re-run converges.
 */
import pg from 'pg';
import { setTimeout as pause } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attachWorkspace,
  detachWorkspace,
  ensureTeamDatabase,
  listSnapshots,
  restoreDatabase,
  restoreSnapshot,
  setTeamSnapshots,
  takeSnapshot,
  type Attachment,
} from '../../provisioning/index.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;
const creds: Record<string, Attachment> = {};

async function connect(att: Attachment, database: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: devdb.url(att.user, att.password, database),
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => undefined); // sessions a copy ends report here
  await client.connect();
  return client;
}

/** What workspace_snapshots answers (each action fills its part). */
interface Answer {
  database: string;
  snapshot: string;
  snapshots: { name: string }[];
  restores: { by: string; from: string }[];
  will_end: unknown[];
  blocking: unknown[];
  sessions_ended: unknown[];
  size_bytes: number;
  pruned: string[];
  restored_from: string;
}

/** The agent's call: the workspace's login role in `devdb`. */
async function selfService(att: Attachment, action: string, name?: string): Promise<Answer> {
  const client = await connect(att, 'devdb');
  try {
    const { rows } = await client.query<{ r: Answer }>(
      'SELECT provisioning.workspace_snapshots($1, $2) AS r',
      [action, name ?? null],
    );
    return rows[0]!.r;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function sql(att: Attachment, text: string): Promise<Record<string, unknown>[]> {
  const client = await connect(att, att.name);
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const rowsOf = async (att: Attachment) =>
  (await sql(att, 'SELECT id, note FROM items ORDER BY id')).map(
    (r) => `${String(r.id)}:${String(r.note)}`,
  );

async function superQuery<R extends pg.QueryResultRow>(text: string, params: unknown[] = []) {
  const su = new pg.Client({ connectionString: devdb.cluster.url(undefined, undefined, 'devdb') });
  await su.connect();
  try {
    return (await su.query<R>(text, params)).rows;
  } finally {
    await su.end();
  }
}

/** Alice's copies on the server: snapshots, and whatever a killed restore left. */
const copies = async () =>
  (
    await superQuery<{ datname: string }>(
      `SELECT datname FROM pg_database
        WHERE datname ~ '^devdb_(snap|swap|gone)_' AND pg_get_userbyid(datdba) = 'dev_alice' ORDER BY datname`,
    )
  ).map((r) => r.datname);

beforeAll(async () => {
  devdb = await startTestDevDb();
  const attach = (key: string, input: Parameters<typeof attachWorkspace>[2]) =>
    attachWorkspace(devdb.pool, devdb.endpoint, input).then((a) => (creds[key] = a));
  await attach('alice', { type: 'individual', owner: 'alice', workspaceId: 'ws-alice' });
  await attach('bob', { type: 'individual', owner: 'bob', workspaceId: 'ws-bob' });
  await attach('carolTeam', { type: 'team', owner: 'carol', team: 'web', workspaceId: 'ws-c' });
  await attach('daveTeam', { type: 'team', owner: 'dave', team: 'web', workspaceId: 'ws-d' });
  await sql(
    creds.alice!,
    `CREATE TABLE items (id int PRIMARY KEY, note text);
    INSERT INTO items SELECT g, 'v1-' || g FROM generate_series(1, 100) g`,
  );
}, 60_000);

afterAll(async () => {
  await devdb?.stop();
});

describe('a workspace and its own database', () => {
  test('snapshot → write → restore gives back exactly the snapshot’s rows; $DEVDB_URL keeps working', async () => {
    const alice = creds.alice!;
    const before = await rowsOf(alice);
    // A session of the workspace's own is open: the snapshot says it ends it.
    const open = await connect(alice, alice.name);
    const preview = await selfService(alice, 'sessions');
    expect(preview.will_end).toHaveLength(1);
    expect(preview.blocking).toEqual([]);
    const taken = await selfService(alice, 'snapshot', 'before-migration');
    expect(taken).toMatchObject({
      database: 'dev_alice',
      snapshot: 'before-migration',
      pruned: [],
    });
    expect(taken.sessions_ended).toHaveLength(1);
    expect(taken.size_bytes).toBeGreaterThan(1_000_000);
    await open.end().catch(() => undefined);

    await sql(
      alice,
      `DELETE FROM items WHERE id > 50; UPDATE items SET note = 'changed';
      CREATE TABLE extra (x int)`,
    );
    const list = await selfService(alice, 'list');
    expect(list.snapshots.map((s: { name: string }) => s.name)).toEqual(['before-migration']);

    const restored = await selfService(alice, 'restore', 'before-migration');
    expect(restored).toMatchObject({
      database: 'dev_alice',
      restored_from: 'snapshot before-migration',
    });
    // Same URL, same credentials: the rows as they were, the later table gone.
    expect(await rowsOf(alice)).toEqual(before);
    expect(await sql(alice, `SELECT to_regclass('extra') AS t`)).toEqual([{ t: null }]);
    // Still acting as the owner role; PUBLIC still holds nothing; no copy left over.
    expect(await sql(alice, 'SELECT current_user AS u')).toEqual([{ u: 'dev_alice' }]);
    const [state] = await superQuery<{ drift: string[]; allow: boolean }>(
      `SELECT provisioning.access_drift('dev_alice') AS drift,
              (SELECT datallowconn FROM pg_database WHERE datname = 'dev_alice') AS allow`,
    );
    expect(state).toEqual({ drift: [], allow: true });
    expect(await copies()).toHaveLength(1); // the snapshot itself, closed
    const [snap] = await superQuery<{ datallowconn: boolean; public: number }>(
      `SELECT d.datallowconn, (SELECT count(*) FROM aclexplode(d.datacl) a WHERE a.grantee = 0)::int AS public
         FROM pg_database d JOIN provisioning.snapshots s ON s.copy_name = d.datname`,
    );
    expect(snap).toEqual({ datallowconn: false, public: 0 });
    // The admin sees it, and the restore is in the trail for the others of the database.
    expect((await listSnapshots(devdb.pool, 'dev_alice')).map((s) => s.name)).toEqual([
      'before-migration',
    ]);
    expect((await selfService(alice, 'list')).restores[0]).toMatchObject({
      by: alice.user,
      from: 'snapshot before-migration',
    });
  }, 60_000);

  test('reset puts an unseeded database back to empty', async () => {
    const bob = creds.bob!;
    await sql(bob, 'CREATE TABLE t (x int); INSERT INTO t VALUES (1)');
    const reset = await selfService(bob, 'reset');
    expect(reset.restored_from).toBe('empty');
    expect(await sql(bob, `SELECT to_regclass('t') AS t, current_user AS u`)).toEqual([
      { t: null, u: 'dev_bob' },
    ]);
    await sql(bob, 'CREATE TABLE t2 (x int)'); // the owner role still owns public
  }, 60_000);

  test('another workspace’s login cannot see, restore or delete a snapshot that is not its own', async () => {
    const bob = creds.bob!;
    const list = await selfService(bob, 'list');
    expect(list).toMatchObject({ database: 'dev_bob', snapshots: [] });
    await expect(selfService(bob, 'restore', 'before-migration')).rejects.toThrow(
      /database dev_bob has no snapshot named 'before-migration'/,
    );
    await expect(selfService(bob, 'delete', 'before-migration')).rejects.toThrow(/no snapshot/);
    // The admin functions and the registry are not the workspace's.
    const client = await connect(bob, 'devdb');
    try {
      for (const statement of [
        `SELECT provisioning.restore_snapshot('dev_alice', 'before-migration')`,
        `SELECT provisioning.take_snapshot('dev_alice')`,
        `SELECT * FROM provisioning.list_snapshots()`,
        `SELECT * FROM provisioning.snapshots`,
        `SELECT provisioning._restore_snapshot('dev_alice', 'before-migration', NULL, NULL, NULL)`,
      ]) {
        await expect(client.query(statement), statement).rejects.toThrow(/permission denied/);
      }
    } finally {
      await client.end();
    }
    // Nor can it connect to the snapshot's copy.
    const copy = await superQuery<{ copy_name: string }>(
      `SELECT copy_name FROM provisioning.snapshots WHERE db_name = 'dev_alice'`,
    );
    const copy_name = copy[0]?.copy_name;
    expect((await tryConnect(devdb.url(bob.user, bob.password, copy_name!))).ok).toBe(false);
    expect(
      (await tryConnect(devdb.url(creds.alice!.user, creds.alice!.password, copy_name!))).ok,
    ).toBe(false);
  }, 60_000);

  test('a team database refuses until the team allows it; a teammate’s session blocks, and sees the restore', async () => {
    const carol = creds.carolTeam!;
    const dave = creds.daveTeam!;
    await expect(selfService(carol, 'snapshot', 'x')).rejects.toThrow(
      /team database team_web does not allow snapshots from workspaces/,
    );
    await expect(selfService(carol, 'list')).rejects.toThrow(/does not allow snapshots/);
    await setTeamSnapshots(devdb.pool, { database: 'team_web', allowed: true, actor: 'admin' });
    await sql(carol, 'CREATE TABLE shared.t (x int); INSERT INTO shared.t VALUES (1)');
    // Dave's session is not Carol's to end: refused, naming it, and the database stays open.
    const daveSession = await connect(dave, dave.name);
    await expect(selfService(carol, 'snapshot', 'one')).rejects.toThrow(
      new RegExp(`in use by ${dave.user} \\(1 session\\)`),
    );
    await daveSession.end();
    expect((await tryConnect(devdb.url(dave.user, dave.password, 'team_web'))).ok).toBe(true);
    await selfService(carol, 'snapshot', 'one');
    await sql(carol, 'INSERT INTO shared.t VALUES (2)');
    await selfService(carol, 'restore', 'one');
    expect(await sql(dave, 'SELECT x FROM shared.t')).toEqual([{ x: 1 }]);
    expect((await selfService(dave, 'list')).restores[0]).toMatchObject({ by: carol.user });
    // Reset of a team database: empty again, with its shared schema.
    await selfService(dave, 'reset');
    expect(
      await sql(
        dave,
        `SELECT to_regclass('shared.t') AS t, to_regnamespace('shared') IS NOT NULL AS s`,
      ),
    ).toEqual([{ t: null, s: true }]);
  }, 60_000);
});

describe('reset of a seeded database', () => {
  test('goes back to a copy of its seed, its objects the owner role’s; its snapshots are archived with it', async () => {
    await ensureTeamDatabase(devdb.pool, { team: 'seed' });
    const seed = await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'team',
      owner: 'sam',
      team: 'seed',
      workspaceId: 'ws-seed',
    });
    await sql(seed, `CREATE TABLE shared.fixtures (x int); INSERT INTO shared.fixtures VALUES (7)`);
    await detachWorkspace(devdb.pool, { workspaceId: 'ws-seed' });
    await ensureTeamDatabase(devdb.pool, { team: 'seeded', seedFrom: 'team_seed' });
    await setTeamSnapshots(devdb.pool, { database: 'team_seeded', allowed: true });
    const erin = await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'team',
      owner: 'erin',
      team: 'seeded',
      workspaceId: 'ws-erin',
    });
    await sql(erin, `DELETE FROM shared.fixtures; CREATE TABLE shared.mine (y int)`);
    expect((await selfService(erin, 'reset')).restored_from).toBe('seed team_seed');
    expect(await sql(erin, 'SELECT x FROM shared.fixtures')).toEqual([{ x: 7 }]);
    expect(
      await sql(
        erin,
        `SELECT to_regclass('shared.mine') AS mine,
                (SELECT tableowner FROM pg_tables WHERE tablename = 'fixtures') AS owner`,
      ),
    ).toEqual([{ mine: null, owner: 'team_seeded' }]);

    // Archived with their database (kept, closed), and there again when it is restored.
    await takeSnapshot(devdb.pool, { database: 'team_seeded', name: 'kept' });
    await detachWorkspace(devdb.pool, { workspaceId: 'ws-erin', onLastDetach: 'archive' });
    expect((await listSnapshots(devdb.pool, 'team_seeded')).map((s) => s.name)).toEqual(['kept']);
    await expect(
      restoreSnapshot(devdb.pool, { database: 'team_seeded', name: 'kept' }),
    ).rejects.toThrow(/team_seeded is archived/);
    await restoreDatabase(devdb.pool, 'team_seeded');
    await restoreSnapshot(devdb.pool, { database: 'team_seeded', name: 'kept' });
  }, 60_000);
});

describe('limits', () => {
  test('per database: the oldest pruned, or a clear refusal; bytes per server', async () => {
    const bob = creds.bob!;
    await devdb.pool.query(
      `INSERT INTO provisioning.settings VALUES ('snapshots_per_database', '2')`,
    );
    try {
      await selfService(bob, 'snapshot', 'a');
      await selfService(bob, 'snapshot', 'b');
      const third = await selfService(bob, 'snapshot', 'c');
      expect(third.pruned).toEqual(['a']);
      expect((await listSnapshots(devdb.pool, 'dev_bob')).map((s) => s.name)).toEqual(['b', 'c']);
      await devdb.pool.query(
        `INSERT INTO provisioning.settings VALUES ('snapshot_limit_action', 'refuse')`,
      );
      await expect(selfService(bob, 'snapshot', 'd')).rejects.toThrow(
        /database dev_bob has 2 snapshots, the most allowed \(snapshots_per_database\)/,
      );
      await devdb.pool.query(
        `UPDATE provisioning.settings SET value = '10' WHERE key = 'snapshots_per_database'`,
      );
      await devdb.pool.query(
        `INSERT INTO provisioning.settings VALUES ('snapshot_max_bytes', '1')`,
      );
      await expect(selfService(bob, 'snapshot', 'd')).rejects.toThrow(
        /over the limit of 1 \(snapshot_max_bytes\)/,
      );
      // Pruning never takes another database's snapshots (Alice's stays), and
      // prunes nothing when even that would not make room.
      await devdb.pool.query(
        `UPDATE provisioning.settings SET value = 'prune' WHERE key = 'snapshot_limit_action'`,
      );
      await expect(selfService(bob, 'snapshot', 'd')).rejects.toThrow(/snapshot_max_bytes/);
      expect((await listSnapshots(devdb.pool, 'dev_bob')).map((s) => s.name)).toEqual(['b', 'c']);
      expect((await listSnapshots(devdb.pool, 'dev_alice')).map((s) => s.name)).toEqual([
        'before-migration',
      ]);
    } finally {
      await devdb.pool.query(
        `DELETE FROM provisioning.settings WHERE key IN ('snapshots_per_database', 'snapshot_limit_action', 'snapshot_max_bytes')`,
      );
    }
  }, 60_000);
});

describe('kill -9 mid-restore', () => {
  /** Runs alice's restore, SIGKILLs its server process while it waits at `step`, waits for the server back. */
  async function killAt(step: string): Promise<void> {
    const alice = creds.alice!;
    await superQuery(`CREATE SCHEMA IF NOT EXISTS devdb_test;
      CREATE TABLE IF NOT EXISTS devdb_test.snapshot_pause (step text);
      GRANT USAGE ON SCHEMA devdb_test TO PUBLIC; GRANT SELECT ON devdb_test.snapshot_pause TO PUBLIC;
      DELETE FROM devdb_test.snapshot_pause`);
    await superQuery('INSERT INTO devdb_test.snapshot_pause VALUES ($1)', [step]);
    const running = selfService(alice, 'restore', 'before-migration').catch((e: Error) => e);
    let pid: number | undefined;
    for (let i = 0; i < 600 && pid === undefined; i++) {
      await pause(50);
      const rows = await superQuery<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE usename = $1 AND wait_event = 'PgSleep'`,
        [alice.user],
      );
      pid = rows[0]?.pid;
    }
    expect(pid, `restore reached ${step}`).toBeDefined();
    process.kill(pid!, 'SIGKILL'); // the backend running the restore: the server restarts all sessions
    expect(await running).toBeInstanceOf(Error);
    for (let i = 0; i < 200; i++) {
      if ((await tryConnect(devdb.provisionerUrl)).ok) break;
      await pause(100);
    }
    await superQuery('DELETE FROM devdb_test.snapshot_pause');
  }

  test('killed before the swap: the old database; killed after: the new one; a re-run converges', async () => {
    const alice = creds.alice!;
    const snapshotRows = await rowsOf(alice); // restored in the first test
    await sql(alice, `INSERT INTO items VALUES (1000, 'after')`);
    const changedRows = await rowsOf(alice);

    await killAt('restore:copied');
    expect(await rowsOf(alice)).toEqual(changedRows); // the old one, working
    expect((await copies()).some((c) => c.startsWith('devdb_swap_'))).toBe(true);
    const leftovers = await devdb.pool.query<{ object: string }>(
      `SELECT object FROM provisioning.doctor() WHERE kind = 'left-over snapshot copy'`,
    );
    expect(leftovers.rows.map((r) => r.object)).toEqual(
      (await copies()).filter((c) => c.startsWith('devdb_swap_')),
    );
    await selfService(alice, 'restore', 'before-migration');
    expect(await rowsOf(alice)).toEqual(snapshotRows);
    expect(await copies()).toHaveLength(1);

    await sql(alice, `INSERT INTO items VALUES (1000, 'after')`);
    await killAt('restore:swapped');
    expect(await rowsOf(alice)).toEqual(snapshotRows); // the new one, working
    expect((await copies()).some((c) => c.startsWith('devdb_gone_'))).toBe(true);
    // `devdb doctor --fix` converges too (the next operation on the database would).
    const fixed = await devdb.pool.query<{ outcome: string }>(
      `SELECT outcome FROM provisioning.doctor_fix('test') WHERE kind = 'left-over snapshot copy'`,
    );
    expect(fixed.rows.map((r) => r.outcome)).toEqual([
      expect.stringMatching(/^left-over copy devdb_gone_\d+ dropped$/),
    ]);
    expect(await copies()).toHaveLength(1);
    expect(await rowsOf(alice)).toEqual(snapshotRows);
  }, 120_000);

  test('dropping the database drops its snapshots', async () => {
    await detachWorkspace(devdb.pool, {
      workspaceId: 'ws-alice',
      onLastDetach: 'drop',
      finalBackup: false,
    });
    expect(await copies()).toEqual([]);
    expect(await listSnapshots(devdb.pool, 'dev_alice')).toEqual([]);
  }, 60_000);
});
