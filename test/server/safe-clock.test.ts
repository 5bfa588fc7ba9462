/**
 * One clock, the database server's (docs/architecture-sql.md, "One clock"): the
 * real CLI (the built dist/server/cli.js) run under faketime 100 days ahead and
 * 100 days behind changes nothing it would not change with the right time.
 * `cleanup --yes` archives and drops nothing (databases made minutes ago, an
 * archive made a minute ago), `policy` shows the states as they are,
 * `policy evaluate` records no change, and `devdb serve`'s sampler keeps every
 * sample and moves a just-used database's last access to the server's now,
 * never 100 days off. faketime (libfaketime, LD_PRELOAD) moves the clock of
 * node itself; the first test shows that it does.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attachWorkspace,
  ensureIndividualDatabase,
  evaluatePolicy,
  listEvents,
  policyStates,
  retireDatabase,
  sampleAll,
  type Attachment,
} from '../../provisioning/index.js';
import { DAY_MS, startTestDevDb, type TestDevDb } from '../helpers/devdb.js';
import { CLI } from '../helpers/up-process.js';

const run = promisify(execFile);
const OFFSETS = ['+100d', '-100d'] as const;

let devdb: TestDevDb;
let used: Attachment;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('this test runs the built CLI: run `npm run build` first');
  await run('faketime', ['-f', '+0d', 'true']).catch(() => {
    throw new Error(
      'this test needs faketime (Debian: apt-get install faketime; .ci/run installs it)',
    );
  });
  devdb = await startTestDevDb();
  await ensureIndividualDatabase(devdb.pool, { owner: 'fresh1' });
  await ensureIndividualDatabase(devdb.pool, { owner: 'fresh2' });
  await ensureIndividualDatabase(devdb.pool, { owner: 'gone' });
  await retireDatabase(devdb.pool, { database: 'dev_gone', policy: 'archive', actor: 'test' });
  used = await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner: 'used',
    workspaceId: 'ws-used',
  });
  await evaluatePolicy(devdb.pool, { notify: null, actor: 'test' });
  await sampleAll(devdb.pool);
  await devdb.pool.query(
    `INSERT INTO provisioning.settings (key, value) VALUES
       ('schedule_sampler', '* * * * * *'), ('schedule_backups', 'off'), ('schedule_drops', 'off'),
       ('schedule_servers', 'off'), ('schedule_policy', 'off'), ('schedule_poll_seconds', '0.2')`,
  );
});

afterAll(async () => {
  await devdb?.stop();
});

const env = { ...process.env, DEVDB_ADMIN_URL: '', DEVDB_API_LISTEN: 'off', NO_COLOR: '1' };

/** `devdb args…` under faketime `offset`: exit code and output. */
async function devdbAt(offset: string, args: string[]) {
  const child = spawn('faketime', ['-f', offset, 'node', CLI, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

const admin = () => ['--admin-url', devdb.provisionerUrl];

async function serverNow(): Promise<number> {
  const { rows } = await devdb.pool.query<{ now: Date }>('SELECT now()');
  return rows[0]!.now.getTime();
}

/** What nothing may change: each database's status and policy state, and the events so far. */
async function registry() {
  const states = (await policyStates(devdb.pool)).map((s) => [s.database, s.status, s.state]);
  const events = (await listEvents(devdb.pool, { limit: 1000 })).length;
  return { states, events };
}

test('faketime moves the clock of node itself', async () => {
  for (const [offset, sign] of [
    ['+100d', 1],
    ['-100d', -1],
  ] as const) {
    const { stdout } = await run('faketime', [
      '-f',
      offset,
      'node',
      '-e',
      'process.stdout.write(String(Date.now()))',
    ]);
    const skew = Number(stdout) - Date.now();
    expect(Math.abs(skew - sign * 100 * DAY_MS)).toBeLessThan(60_000);
  }
});

describe.each(OFFSETS)('under faketime %s', (offset) => {
  test('cleanup --yes archives and drops nothing; policy and evaluate see the states as they are', async () => {
    const before = await registry();
    expect(before.states).toEqual([
      ['dev_fresh1', 'active', 'active'],
      ['dev_fresh2', 'active', 'active'],
      ['dev_gone', 'archived', 'archived'],
      ['dev_used', 'active', 'active'],
    ]);

    const cleanup = await devdbAt(offset, ['cleanup', '--yes', '--json', ...admin()]);
    expect(cleanup.stderr).toBe('');
    expect(cleanup.code).toBe(0);
    const plan = JSON.parse(cleanup.stdout) as { actions: unknown[]; results: unknown[] };
    expect(plan).toMatchObject({ actions: [], results: [] });
    // The plan's time is the server's, shown as it is.
    const planAt = Date.parse((JSON.parse(cleanup.stdout) as { now: string }).now);
    expect(Math.abs(planAt - (await serverNow()))).toBeLessThan(60_000);

    const policy = await devdbAt(offset, ['policy', '--json', ...admin()]);
    expect(policy.code).toBe(0);
    const shown = JSON.parse(policy.stdout) as {
      databases: { database: string; state: string; idleDays: number }[];
    };
    expect(shown.databases.map((d) => [d.database, d.state, d.idleDays])).toEqual([
      ['dev_fresh1', 'active', 0],
      ['dev_fresh2', 'active', 0],
      ['dev_gone', 'archived', 0],
      ['dev_used', 'active', 0],
    ]);

    const evaluate = await devdbAt(offset, ['policy', 'evaluate', '--json', ...admin()]);
    expect(evaluate.code).toBe(0);
    expect(JSON.parse(evaluate.stdout)).toMatchObject({ changes: [] });

    expect(await registry()).toEqual(before);
  });

  test("devdb serve's sampler keeps every sample and records last access at the server's time", async () => {
    const samples = async () =>
      (
        await devdb.pool.query<{ db_name: string; at: Date }>(
          'SELECT db_name, at FROM provisioning.samples ORDER BY at, db_name',
        )
      ).rows;
    const kept = await samples();
    expect(kept.length).toBeGreaterThanOrEqual(3);
    const lastAccessed = async () =>
      (
        await devdb.pool.query<{ last_accessed: Date | null }>(
          `SELECT last_accessed FROM provisioning.databases WHERE db_name = 'dev_used'`,
        )
      ).rows[0]!.last_accessed;
    const accessedBefore = await lastAccessed();

    // The workspace uses its database just before serve starts.
    const client = new pg.Client({
      connectionString: devdb.url(used.user, used.password, used.name),
    });
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
    const started = await serverNow();

    const child = spawn('faketime', ['-f', offset, 'node', CLI, 'serve', ...admin()], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      // Passes until one saw the use (PostgreSQL flushes a session's counters on its own time).
      const deadline = Date.now() + 30_000;
      for (;;) {
        const at = await lastAccessed();
        if (at && at.getTime() >= started) break;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`serve's sampler never saw the use; its log:\n${log}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
    }

    const now = await serverNow();
    const accessed = (await lastAccessed())!.getTime();
    expect(accessed).toBeGreaterThanOrEqual(started);
    expect(accessed).toBeGreaterThan(accessedBefore?.getTime() ?? 0);
    expect(accessed).toBeLessThanOrEqual(now);
    // Every sample taken before is still there, and the new ones are at the server's time.
    const after = await samples();
    for (const sample of kept) expect(after).toContainEqual(sample);
    const added = after.filter((s) => !kept.some((k) => k.at.getTime() === s.at.getTime()));
    expect(added.length).toBeGreaterThan(0);
    for (const sample of added) {
      expect(sample.at.getTime()).toBeGreaterThanOrEqual(started);
      expect(sample.at.getTime()).toBeLessThanOrEqual(now);
    }
    // The ticks it ran are the server's times too.
    const { rows: ticks } = await devdb.pool.query<{ tick: Date }>(
      `SELECT tick FROM provisioning.job_leases WHERE job = 'sampler'`,
    );
    for (const { tick } of ticks) expect(Math.abs(tick.getTime() - now)).toBeLessThan(120_000);
  });
});
