// The serve runtime (server/serve/runtime.ts) with an injected clock: when a
// job's tick is due, that each tick runs once across processes sharing a
// registry (provisioning/jobs/jobs.sql), takeover of a dead holder's tick,
// stopping, schedules from settings, and the log formats. No sleeping: the
// clock is moved and the runtime polled by hand.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { listJobRuns, migrate } from '../../provisioning/index.js';
import { createLogger } from '../../server/serve/log.js';
import {
  startServe,
  type Job,
  type JobContext,
  type ServeRuntime,
  type WallClock,
} from '../../server/serve/index.js';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;
beforeAll(async () => {
  devdb = await startTestDevDb();
});
afterAll(() => devdb?.stop());

let time = 0;
const clock: WallClock = { now: () => new Date(time), delay: () => new Promise(() => undefined) };
const at = (iso: string) => (time = Date.parse(iso));

const runtimes: ServeRuntime[] = [];
let logText = '';
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop()));
  await devdb.pool.query('TRUNCATE provisioning.job_leases');
  await devdb.pool.query(`DELETE FROM provisioning.settings WHERE key LIKE 'schedule\\_%'`);
  logText = '';
});

/** A job that records the ticks it ran (and may wait on a gate). */
function probe(gate?: Promise<void>) {
  const ticks: string[] = [];
  const job: Job = {
    name: 'probe',
    defaultSchedule: '0 2 * * *',
    async run(ctx: JobContext) {
      ticks.push(ctx.tick.toISOString());
      if (gate) await Promise.race([gate, abortion(ctx.signal)]);
    },
  };
  return { job, ticks };
}

const abortion = (signal: AbortSignal) =>
  new Promise<never>((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
  );

async function serve(job: Job, holder: string): Promise<ServeRuntime> {
  const log = createLogger({
    format: 'text',
    sink: { write: (text: string) => (logText += text) },
    now: clock.now,
  });
  const runtime = await startServe({
    adminUrl: devdb.provisionerUrl,
    jobs: [job],
    log,
    clock,
    holder,
    autoPoll: false,
    stopTimeoutMs: 5000,
  });
  runtimes.push(runtime);
  return runtime;
}

async function pollAll(...rs: ServeRuntime[]): Promise<void> {
  await Promise.all(rs.map((r) => r.poll()));
  await Promise.all(rs.map((r) => r.idle()));
}

const setSetting = (key: string, value: string) =>
  devdb.pool.query(
    `INSERT INTO provisioning.settings (key, value) VALUES ($1, $2)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [key, value],
  );

describe('when a job runs', () => {
  test('at each scheduled time, once; never for a time before a new job was first served', async () => {
    const { job, ticks } = probe();
    at('2030-01-01T01:00:00Z');
    const a = await serve(job, 'a');
    await pollAll(a); // the latest tick (Dec 31, 02:00) is before this process started
    expect(ticks).toEqual([]);
    at('2030-01-01T02:00:00.400Z');
    await pollAll(a);
    at('2030-01-01T02:03:00Z');
    await pollAll(a);
    at('2030-01-02T02:00:01Z');
    await pollAll(a);
    expect(ticks).toEqual(['2030-01-01T02:00:00.000Z', '2030-01-02T02:00:00.000Z']);
    const runs = await listJobRuns(devdb.pool, { job: 'probe' });
    expect(runs.map((r) => [r.tick.toISOString(), r.holder, r.outcome, r.attempts])).toEqual([
      ['2030-01-02T02:00:00.000Z', 'a', 'ok', 1],
      ['2030-01-01T02:00:00.000Z', 'a', 'ok', 1],
    ]);
  });

  test('of two processes polling the same tick, exactly one runs it', async () => {
    const one = probe();
    const two = probe();
    at('2030-02-01T01:59:00Z');
    const a = await serve(one.job, 'a');
    const b = await serve(two.job, 'b');
    for (let day = 1; day <= 5; day++) {
      at(`2030-02-0${day}T02:00:00Z`);
      await pollAll(a, b);
      await pollAll(b, a);
    }
    expect([...one.ticks, ...two.ticks].sort()).toEqual(
      [1, 2, 3, 4, 5].map((d) => `2030-02-0${d}T02:00:00.000Z`),
    );
  });

  test('a tick missed while no process ran is run once when one starts (the latest only)', async () => {
    const { job, ticks } = probe();
    at('2030-03-01T02:00:00Z');
    const a = await serve(job, 'a');
    await pollAll(a);
    await a.stop();
    at('2030-03-04T09:00:00Z'); // three ticks later
    const b = await serve(job, 'b');
    await pollAll(b);
    await pollAll(b);
    expect(ticks).toEqual(['2030-03-01T02:00:00.000Z', '2030-03-04T02:00:00.000Z']);
  });
});

describe('coordination', () => {
  test('a tick whose holder died (lease expired, unfinished) is taken over and run, before later ones', async () => {
    const { job, ticks } = probe();
    await devdb.pool.query(
      `INSERT INTO provisioning.job_leases (job, tick, holder, expires_at)
       VALUES ('probe', '2030-04-01T02:00:00Z', 'dead', clock_timestamp() - interval '1 second')`,
    );
    at('2030-04-03T02:00:30Z');
    const b = await serve(job, 'b');
    await pollAll(b);
    await pollAll(b);
    expect(ticks).toEqual(['2030-04-01T02:00:00.000Z', '2030-04-03T02:00:00.000Z']);
    const runs = await listJobRuns(devdb.pool, { job: 'probe' });
    expect(runs.map((r) => [r.tick.toISOString(), r.holder, r.attempts, r.outcome])).toEqual([
      ['2030-04-03T02:00:00.000Z', 'b', 1, 'ok'],
      ['2030-04-01T02:00:00.000Z', 'b', 2, 'ok'],
    ]);
    expect(logText).toContain('[probe] taking over a tick whose holder died');
  });

  test('a live lease is left alone; a later tick waits until the earlier one ends', async () => {
    const { job, ticks } = probe();
    await devdb.pool.query(
      `INSERT INTO provisioning.job_leases (job, tick, holder, expires_at)
       VALUES ('probe', '2030-05-01T02:00:00Z', 'alive', clock_timestamp() + interval '1 hour')`,
    );
    at('2030-05-01T02:00:30Z');
    const b = await serve(job, 'b');
    await pollAll(b);
    at('2030-05-02T02:00:00Z');
    await pollAll(b);
    expect(ticks).toEqual([]);
    await devdb.pool.query(
      `UPDATE provisioning.job_leases SET finished_at = clock_timestamp(), outcome = 'ok'`,
    );
    await pollAll(b);
    expect(ticks).toEqual(['2030-05-02T02:00:00.000Z']);
  });

  test('stopping gives a running tick up; another process runs it again at once', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const first = probe(gate);
    at('2030-06-01T02:00:00Z');
    const a = await serve(first.job, 'a');
    await a.poll();
    expect(first.ticks).toEqual(['2030-06-01T02:00:00.000Z']);
    await a.stop(); // the job sees its signal abort and stops
    const [given] = await listJobRuns(devdb.pool, { job: 'probe' });
    expect(given).toMatchObject({ holder: 'a', finishedAt: null });
    expect(logText).toContain('given up (serve is stopping)');

    const second = probe();
    const b = await serve(second.job, 'b');
    await pollAll(b);
    expect(second.ticks).toEqual(['2030-06-01T02:00:00.000Z']);
    expect((await listJobRuns(devdb.pool, { job: 'probe' }))[0]).toMatchObject({
      holder: 'b',
      attempts: 2,
      outcome: 'ok',
    });
    open();
  });

  test('a failed run is recorded as failed, with its error, and not retried', async () => {
    let calls = 0;
    const job: Job = {
      name: 'probe',
      defaultSchedule: '0 2 * * *',
      run: () => Promise.reject(new Error(`boom ${++calls}`)),
    };
    at('2030-07-01T02:00:00Z');
    const a = await serve(job, 'a');
    await pollAll(a);
    await pollAll(a);
    expect(calls).toBe(1);
    expect((await listJobRuns(devdb.pool))[0]).toMatchObject({
      outcome: 'failed',
      error: 'boom 1',
    });
    expect(logText).toMatch(/ERROR \[probe\] failed: boom 1/);
  });
});

describe('schedules from settings', () => {
  test('schedule_<job> replaces the default; off stops it; a bad pattern is reported once', async () => {
    const { job, ticks } = probe();
    at('2030-08-01T00:00:00Z');
    await setSetting('schedule_probe', '*/10 * * * * *'); // every 10 seconds
    const a = await serve(job, 'a');
    at('2030-08-01T00:00:10Z');
    await pollAll(a);
    at('2030-08-01T00:00:25Z');
    await pollAll(a);
    expect(ticks).toEqual(['2030-08-01T00:00:10.000Z', '2030-08-01T00:00:20.000Z']);

    await setSetting('schedule_probe', 'off');
    at('2030-08-01T00:00:35Z');
    await pollAll(a);
    await setSetting('schedule_probe', 'every day');
    at('2030-08-01T00:00:45Z');
    await pollAll(a);
    await pollAll(a);
    expect(ticks).toHaveLength(2);
    expect(logText.match(/job probe does not run: schedule_probe = "every day"/g)).toHaveLength(1);
  });

  test('schedule_timezone says where 02:00 is', async () => {
    const { job, ticks } = probe();
    await setSetting('schedule_timezone', 'Europe/Berlin');
    try {
      at('2030-01-10T00:00:00Z');
      const a = await serve(job, 'a');
      at('2030-01-10T01:00:00Z'); // 02:00 in Berlin (CET, UTC+1)
      await pollAll(a);
      expect(ticks).toEqual(['2030-01-10T01:00:00.000Z']);
    } finally {
      await devdb.pool.query(`DELETE FROM provisioning.settings WHERE key = 'schedule_timezone'`);
    }
  });
});

describe('the log', () => {
  test('json: one object per line with time, level, job, message and fields; secrets masked', () => {
    let out = '';
    const log = createLogger({
      format: 'json',
      sink: { write: (text: string) => (out += text) },
      secrets: ['s3cret-pw'],
      now: () => new Date('2030-01-01T00:00:00Z'),
    });
    log.child('backups').info('backed up dev_a', { database: 'dev_a', bytes: 12 });
    log.error('cannot connect to postgresql://u:s3cret-pw@h/db');
    const lines = out
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      {
        time: '2030-01-01T00:00:00.000Z',
        level: 'info',
        job: 'backups',
        message: 'backed up dev_a',
        fields: { database: 'dev_a', bytes: 12 },
      },
      {
        time: '2030-01-01T00:00:00.000Z',
        level: 'error',
        job: null,
        message: 'cannot connect to postgresql://u:****@h/db',
        fields: {},
      },
    ]);
  });

  test('text: time, level, [job], message, key=value fields', () => {
    let out = '';
    const log = createLogger({
      format: 'text',
      sink: { write: (text: string) => (out += text) },
      now: () => new Date('2030-01-01T00:00:00Z'),
    });
    log.child('sampler').info('sampled 2 databases', { databases: 2, note: 'a b' });
    expect(out).toBe(
      '2030-01-01T00:00:00.000Z INFO [sampler] sampled 2 databases databases=2 note="a b"\n',
    );
  });
});

test('a schema that is not current is refused, saying to run devdb migrate', async () => {
  await devdb.pool.query(
    `UPDATE provisioning.schema_repeatables SET checksum = 'x' WHERE file = 'jobs.sql'`,
  );
  try {
    await expect(serve(probe().job, 'a')).rejects.toThrow(
      /the schema is not current \(jobs\.sql not applied\): run `devdb migrate` first/,
    );
  } finally {
    const client = new pg.Client({ connectionString: devdb.provisionerUrl });
    await client.connect();
    await migrate(client).finally(() => client.end());
  }
});
