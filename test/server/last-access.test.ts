/**
 * Last access from creation (docs/operations.md, "Last access"): a database is
 * given its access baseline when DevDB creates it, right after DevDB's own
 * sessions there end, so the sampler's first pass counts a session that came
 * and went before it — a database used at once is not "never" — while DevDB's
 * own sessions at creation (the team schema, the first workspace's settings)
 * are not access. `devdb list`, `devdb policy` and the API the dashboard reads
 * show the same last access; "never accessed" is flagged (summary, dashboard)
 * only once a database is past NEVER_ACCESSED_GRACE_HOURS.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  attachWorkspace,
  ensureTeamDatabase,
  NEVER_ACCESSED_GRACE_HOURS,
  sampleAll,
  summarize,
  type Attachment,
} from '../../provisioning/index.js';
import { runDevdb } from '../helpers/cli-io.js';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;
beforeAll(async () => {
  devdb = await startTestDevDb();
});
afterAll(() => devdb?.stop());

const cli = async (args: string[]) => {
  const result = await runDevdb([...args, '--json', '--admin-url', devdb.provisionerUrl]);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
};

async function lastAccessed(database: string): Promise<Date | null> {
  const { rows } = await devdb.pool.query(
    'SELECT last_accessed FROM provisioning.databases WHERE db_name = $1',
    [database],
  );
  return rows[0].last_accessed;
}

/** Until nobody is connected to `database` (a closed session's counters are flushed by then). */
async function untilNobodyIn(database: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await devdb.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
      [database],
    );
    if (rows[0]!.n === 0) return;
    if (Date.now() > deadline) throw new Error(`sessions stay in ${database}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function use(att: Attachment): Promise<void> {
  const client = new pg.Client({ connectionString: devdb.url(att.user, att.password, att.name) });
  await client.connect();
  await client.query('CREATE TABLE notes (t text)');
  await client.end();
}

test('a database used at once, before the first sample, has its last access (list, policy and the API agree)', async () => {
  const quick = await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner: 'quick',
    workspaceId: 'ws-quick',
  });
  await use(quick);
  await untilNobodyIn(quick.name); // gone before the sampler ever looked
  const pass = await sampleAll(devdb.pool);
  expect(pass.accessed).toBe(1);
  const at = await lastAccessed(quick.name);
  expect(at).toEqual(pass.at);

  const listed = (await cli(['list'])) as { name: string; lastAccessed: string | null }[];
  const policy = (await cli(['policy'])) as {
    databases: { database: string; lastAccessed: string | null; idleDays: number }[];
  };
  expect(listed.find((d) => d.name === quick.name)?.lastAccessed).toBe(at!.toISOString());
  expect(policy.databases.find((d) => d.database === quick.name)).toMatchObject({
    lastAccessed: at!.toISOString(),
    idleDays: 0,
  });
  const text = await runDevdb(['policy', '--admin-url', devdb.provisionerUrl]);
  expect(text.stdout).toMatch(/│ dev_quick +│ active +│ - +│ +0 │ \d{4}-\d\d-\d\d/);
});

test("DevDB's own sessions at creation are not access; never accessed is flagged only after the grace period", async () => {
  await ensureTeamDatabase(devdb.pool, { team: 'quiet' }); // its schema: a session of DevDB's
  const idle = await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner: 'idle',
    workspaceId: 'ws-idle',
  });
  for (let i = 0; i < 3; i++) await sampleAll(devdb.pool);
  expect(await lastAccessed('team_quiet')).toBeNull();
  expect(await lastAccessed(idle.name)).toBeNull();

  const listed = (await cli(['list'])) as { name: string; lastAccessed: string | null }[];
  expect(listed.filter((d) => d.lastAccessed === null).map((d) => d.name)).toEqual([
    'dev_idle',
    'team_quiet',
  ]);
  const text = await runDevdb(['policy', '--admin-url', devdb.provisionerUrl]);
  expect(text.stdout).toMatch(/│ team_quiet +│ active +│ - +│ +0 │ never +│/);

  // Made a moment ago: not flagged yet.
  expect((await summarize(devdb.pool)).neverAccessed).toBe(0);
  expect((await cli(['summary'])).neverAccessed).toBe(0);
  await devdb.clock.shift((NEVER_ACCESSED_GRACE_HOURS + 1) * 3_600_000);
  try {
    expect((await summarize(devdb.pool)).neverAccessed).toBe(2);
  } finally {
    await devdb.clock.reset();
  }
});
