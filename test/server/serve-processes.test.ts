// Two real `devdb serve` processes on one registry (docs/operations.md, "Several
// serve processes"): the sampler runs every second; its first tick is held up
// on a row lock the test holds, the process holding the tick's lease is killed
// with SIGKILL, and the other one takes the tick over: it completes exactly
// once. Real time here (the schedule is every second, the lease 2 s), waited
// for by polling provisioning.job_leases with deadlines.
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensureIndividualDatabase, listJobRuns, sampleAll } from '../../provisioning/index.js';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';
import { CLI } from '../helpers/up-process.js';

let devdb: TestDevDb;
const children: ChildProcess[] = [];

beforeAll(async () => {
  devdb = await startTestDevDb();
  await ensureIndividualDatabase(devdb.pool, { owner: 'alice' });
  await sampleAll(devdb.pool); // baselines exist: the sampler locks them
  const su = await devdb.superuser();
  // A killed client's backend notices at once, even while waiting for a lock.
  await su.query(`ALTER SYSTEM SET client_connection_check_interval = '100ms'`);
  await su.query('SELECT pg_reload_conf()');
  await devdb.pool.query(
    `INSERT INTO provisioning.settings (key, value) VALUES
       ('schedule_sampler', '* * * * * *'), ('schedule_backups', 'off'),
       ('schedule_poll_seconds', '0.2'), ('schedule_lease_seconds', '2')`,
  );
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await devdb?.stop();
});

interface Serve {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function serve(): Serve {
  const child = spawn(
    'node',
    [CLI, 'serve', '--admin-url', devdb.provisionerUrl, '--log-format', 'json'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEVDB_ADMIN_URL: '' } },
  );
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, output: () => output, exited };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('kill -9 of the process holding a tick: the other takes it over, it completes once', async () => {
  const blocker = new pg.Client({ connectionString: devdb.provisionerUrl });
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query(`SELECT FROM provisioning.access_baseline FOR UPDATE`);
    const a = serve();
    const b = serve();
    const first = await until('a claimed sampler tick', async () => {
      const [run] = await listJobRuns(devdb.pool, { job: 'sampler' });
      return run;
    });
    const [holder, other] = first.holder.includes(`:${a.child.pid}:`) ? [a, b] : [b, a];
    expect(first.holder).toContain(`:${holder.child.pid}:`);
    holder.child.kill('SIGKILL');
    expect(await holder.exited).toBe(null);

    // The lease expires (2 s); the survivor takes the same tick over, and waits on the lock too.
    const taken = await until('the takeover', async () => {
      const runs = await listJobRuns(devdb.pool, { job: 'sampler' });
      const run = runs.find((r) => r.tick.getTime() === first.tick.getTime());
      return run && run.holder !== first.holder ? run : undefined;
    });
    expect(taken).toMatchObject({ holder: expect.stringContaining(`:${other.child.pid}:`) });
    expect(taken.attempts).toBe(2);
    await blocker.query('COMMIT');

    const done = await until('the tick to finish', async () => {
      const runs = await listJobRuns(devdb.pool, { job: 'sampler' });
      const run = runs.find((r) => r.tick.getTime() === first.tick.getTime());
      return run?.finishedAt ? run : undefined;
    });
    expect(done).toMatchObject({ outcome: 'ok', attempts: 2, holder: taken.holder });

    // Later ticks go on, each once, all by the survivor.
    await until('two more ticks', async () => {
      const runs = await listJobRuns(devdb.pool, { job: 'sampler' });
      return runs.filter((r) => r.tick > first.tick && r.outcome === 'ok').length >= 2
        ? true
        : undefined;
    });
    // One pass for that tick: the dead process's statement was rolled back. A
    // pass's time is the server's when it runs, so the tick's passes are those
    // before the next tick was claimed (a later tick waits for the earlier one).
    const next = (await listJobRuns(devdb.pool, { job: 'sampler' }))
      .filter((r) => r.tick > first.tick)
      .sort((x, y) => x.tick.getTime() - y.tick.getTime())[0]!;
    const { rows } = await devdb.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM provisioning.samples WHERE at >= $1 AND at < $2`,
      [first.tick, next.claimedAt],
    );
    expect(rows[0]!.n).toBe(1);
    const runs = await listJobRuns(devdb.pool, { job: 'sampler' });
    expect(new Set(runs.map((r) => r.tick.getTime())).size).toBe(runs.length);
    expect(runs.every((r) => r.holder === taken.holder)).toBe(true);

    other.child.kill('SIGTERM');
    expect(await other.exited).toBe(0);
    const lines = other
      .output()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; job: string | null; message: string });
    expect(lines).toContainEqual(
      expect.objectContaining({ job: 'sampler', message: 'taking over a tick whose holder died' }),
    );
    expect(lines.at(-1)).toMatchObject({ job: null, message: 'stopped' });
    for (const out of [a.output(), b.output()])
      expect(out).not.toContain(devdb.provisionerPassword);
  } finally {
    await blocker.end().catch(() => undefined);
  }
});
