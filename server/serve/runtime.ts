/**
 * The `devdb serve` runtime (docs/operations.md, "Running devdb serve"): checks
 * the schema, starts the extensions, then polls: for each job, the latest tick
 * of its schedule is claimed through PostgreSQL (provisioning/jobs/jobs.sql) and
 * run by whichever process gets it, its lease renewed while it runs. `devdb
 * serve` and `devdb up` both run it; tests drive it with their own clock.
 * Its clock is the server's (read at every poll): a process whose own clock is
 * wrong still runs each tick at its time, as the other processes do.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import {
  claimJobTick,
  endJobTick,
  explainConnectionError,
  migrationStatus,
  ping,
  pruneJobLeases,
  renewJobLease,
  serverAccess,
  serverNow,
  type JobClaim,
  type Queryable,
} from '../../provisioning/index.js';
import { UserError } from '../errors.js';
import { messageOf, type Logger } from './log.js';
import { parseSchedule, SCHEDULE_OFF, type Schedule } from './schedule.js';
import {
  positiveSetting,
  readSettings,
  scheduleKey,
  SERVE_DEFAULTS,
  SERVE_SETTING_KEYS,
  type Settings,
} from './settings.js';
import type { Job, JobEnd, ServeExtension, WallClock } from './types.js';

export interface ServeOptions {
  /** The provisioner's URL of the `devdb` database. */
  adminUrl: string;
  jobs: readonly Job[];
  extensions?: readonly ServeExtension[];
  log: Logger;
  env?: Readonly<Record<string, string | undefined>>;
  /** Default: the server's clock (provisioning._now()), read at every poll. */
  clock?: WallClock;
  /** Unique per process (default: host:pid:random); shown in provisioning.job_leases.holder. */
  holder?: string;
  /**
   * false: no polling loop; the caller calls poll() (tests with an injected
   * clock). Default true.
   */
  autoPoll?: boolean;
  /** How long stop() lets running jobs reach a safe point before giving their ticks up (30 s). */
  stopTimeoutMs?: number;
}

export interface ServeRuntime {
  readonly holder: string;
  /** The runtime's log (lines without a job). */
  readonly log: Logger;
  /** Where a started extension listens (`api`: the control plane, for `devdb up` to print). */
  extensionUrl(name: string): string | undefined;
  /** One pass: claims and starts every due tick; resolves once they are started. */
  poll(): Promise<void>;
  /** Resolves when no job of this process is running. */
  idle(): Promise<void>;
  /** Stops polling, stops running jobs at a safe point (or gives their ticks up), stops extensions, closes the pool. */
  stop(): Promise<void>;
}

export const systemClock: WallClock = {
  now: () => new Date(),
  delay: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * The server's clock as a WallClock: the process's clock corrected by the
 * difference to the server's, measured again at every poll (sync). So ticks,
 * the jobs' now() and the extensions' are the server's time even when this
 * machine's clock is days off.
 */
export function serverClock(db: Queryable): WallClock & { sync(): Promise<void> } {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    delay: systemClock.delay,
    async sync() {
      const before = Date.now();
      const server = await serverNow(db);
      offsetMs = server.getTime() - (before + Date.now()) / 2;
    },
  };
}

const JOB_NAME = /^[a-z][a-z0-9_]*$/;
const LEASE_HISTORY_DAYS = 30;
const PRUNE_EVERY_MS = 3_600_000;

/** Refuses to run on a schema this DevDB did not migrate to. */
export async function assertSchemaCurrent(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    const { numbered, repeatable } = await migrationStatus(client);
    const pending = [...numbered, ...repeatable].filter((m) => m.state !== 'applied');
    if (pending.length) {
      throw new UserError(
        `the schema is not current (${pending.map((m) => m.file).join(', ')} not applied): run \`devdb migrate\` first`,
      );
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot use this schema: ${messageOf(error)}`);
  } finally {
    client.release();
  }
}

function checkJobs(jobs: readonly Job[]): void {
  const seen = new Set<string>();
  for (const job of jobs) {
    if (!JOB_NAME.test(job.name))
      throw new Error(`job name ${JSON.stringify(job.name)} is invalid`);
    if (seen.has(job.name)) throw new Error(`two jobs are named ${job.name}`);
    seen.add(job.name);
  }
}

async function openPool(adminUrl: string, max: number): Promise<pg.Pool> {
  const pool = new pg.Pool({
    ...serverAccess(adminUrl).pgConfig(),
    max,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', () => undefined); // an idle client's error surfaces on the next query
  try {
    await ping(pool);
  } catch (error) {
    await pool.end();
    throw new UserError(explainConnectionError(error, adminUrl));
  }
  return pool;
}

interface Running {
  tick: Date;
  done: Promise<void>;
}

/** Starts the runtime: schema checked, extensions started, polling (unless autoPoll is false). */
export async function startServe(options: ServeOptions): Promise<ServeRuntime> {
  checkJobs(options.jobs);
  const env = options.env ?? process.env;
  const log = options.log;
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const pool = await openPool(options.adminUrl, 10);
  const synced = options.clock ? null : serverClock(pool);
  const clock: WallClock = options.clock ?? synced!;
  await synced?.sync().catch(() => undefined); // a schema without _now() is refused below
  const startedAt = clock.now();
  const running = new Map<string, Running>();
  const finishedTicks = new Map<string, number>();
  const listeners = new Set<(end: JobEnd) => void>();
  const started: ServeExtension[] = [];
  const stopping = new AbortController();
  const schedules = new Map<string, Schedule | string>();
  let lastPrune = 0;
  let loop: Promise<void> | undefined;

  /** The job's schedule, or why it has none; a bad pattern is logged once per change. */
  function scheduleOf(job: Job, settings: Settings): Schedule | null {
    const pattern = settings.get(scheduleKey(job.name)) ?? job.defaultSchedule;
    if (pattern === SCHEDULE_OFF) return null;
    const timezone = settings.get(SERVE_SETTING_KEYS.timezone) ?? SERVE_DEFAULTS.timezone;
    const key = `${job.name}\n${pattern}\n${timezone}`;
    let schedule = schedules.get(key);
    if (schedule === undefined) {
      try {
        schedule = parseSchedule(pattern, timezone);
        const next = schedule.nextTick(clock.now())?.toISOString() ?? 'never';
        log.info(`job ${job.name}: schedule ${pattern} (${timezone}), next run ${next}`);
      } catch (error) {
        schedule = messageOf(error);
        log.error(
          `job ${job.name} does not run: ${scheduleKey(job.name)} = ${JSON.stringify(pattern)} is not a schedule: ${schedule}`,
        );
      }
      for (const old of schedules.keys())
        if (old.startsWith(`${job.name}\n`)) schedules.delete(old);
      schedules.set(key, schedule);
    }
    return typeof schedule === 'string' ? null : schedule;
  }

  function leaseMs(settings: Settings): number {
    const seconds = SERVE_DEFAULTS.leaseSeconds;
    return positiveSetting(settings, SERVE_SETTING_KEYS.leaseSeconds, seconds) * 1000;
  }

  async function runTick(job: Job, tick: Date, claim: JobClaim, settings: Settings) {
    const jobLog = log.child(job.name);
    const ttlMs = leaseMs(settings);
    const target = { job: job.name, tick, holder };
    const controller = new AbortController();
    const onStop = () => controller.abort(new Error('serve is stopping'));
    stopping.signal.addEventListener('abort', onStop, { once: true });
    const begun = Date.now();
    jobLog.info(claim === 'taken_over' ? 'taking over a tick whose holder died' : 'started', {
      tick: tick.toISOString(),
    });
    const renewal = setInterval(() => {
      renewJobLease(pool, { ...target, ttlMs }).then(
        (held) => {
          if (held || controller.signal.aborted) return;
          jobLog.warn('lease lost (another process took the tick over): stopping this run');
          controller.abort(new Error('lease lost'));
        },
        (error: unknown) => jobLog.warn(`cannot renew the lease: ${messageOf(error)}`),
      );
    }, ttlMs / 3);
    renewal.unref();
    let end: JobEnd;
    try {
      await job.run({
        db: pool,
        adminUrl: options.adminUrl,
        env,
        tick,
        now: () => clock.now(),
        log: jobLog,
        signal: controller.signal,
        settings,
      });
      end = { job: job.name, tick, outcome: 'ok', ms: Date.now() - begun };
    } catch (error) {
      const outcome = controller.signal.aborted ? null : 'failed';
      end = { job: job.name, tick, outcome, error: messageOf(error), ms: Date.now() - begun };
    } finally {
      clearInterval(renewal);
      stopping.signal.removeEventListener('abort', onStop);
    }
    await finish(jobLog, target, end);
  }

  async function finish(
    jobLog: Logger,
    target: { job: string; tick: Date; holder: string },
    end: JobEnd,
  ) {
    const recorded = await endJobTick(pool, {
      ...target,
      outcome: end.outcome,
      error: end.error,
    }).catch((error: unknown) => {
      jobLog.error(`cannot record the end of the tick: ${messageOf(error)}`);
      return false;
    });
    if (end.outcome === 'ok') {
      finishedTicks.set(target.job, target.tick.getTime());
      jobLog.info('finished', { ms: end.ms });
    } else if (end.outcome === 'failed') {
      finishedTicks.set(target.job, target.tick.getTime());
      jobLog.error(`failed: ${end.error}`, { ms: end.ms });
    } else {
      jobLog.warn(`given up (${end.error}): another process runs the tick again`, { ms: end.ms });
    }
    if (!recorded && end.outcome) jobLog.warn('the tick was no longer this process’s to finish');
    for (const listener of listeners) listener(end);
  }

  async function pollJob(job: Job, settings: Settings): Promise<void> {
    if (running.has(job.name)) return;
    const schedule = scheduleOf(job, settings);
    const tick = schedule?.latestTick(clock.now());
    if (!tick || (finishedTicks.get(job.name) ?? -Infinity) >= tick.getTime()) return;
    const { claim, tick: claimed } = await claimJobTick(pool, {
      job: job.name,
      tick,
      holder,
      ttlMs: leaseMs(settings),
      notBefore: startedAt,
    });
    if (claim === 'finished' || claim === 'stale' || claim === 'before_start') {
      finishedTicks.set(job.name, tick.getTime());
      return;
    }
    if (claim !== 'claimed' && claim !== 'taken_over') return; // held, running, waiting: later
    const done = runTick(job, claimed, claim, settings)
      .catch((error: unknown) => log.child(job.name).error(`run failed: ${messageOf(error)}`))
      .finally(() => running.delete(job.name));
    running.set(job.name, { tick: claimed, done });
  }

  /** One pass; returns the settings it read (undefined once stopping). */
  async function pollOnce(): Promise<Settings | undefined> {
    if (stopping.signal.aborted) return undefined;
    await synced?.sync();
    const settings = await readSettings(pool);
    for (const job of options.jobs) {
      if (stopping.signal.aborted) return settings;
      await pollJob(job, settings).catch((error: unknown) =>
        log.child(job.name).error(`cannot claim its tick: ${messageOf(error)}`),
      );
    }
    if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
      lastPrune = Date.now();
      await pruneJobLeases(pool, LEASE_HISTORY_DAYS).catch((error: unknown) =>
        log.warn(`cannot prune old job leases: ${messageOf(error)}`),
      );
    }
    return settings;
  }

  async function pollForever(): Promise<void> {
    while (!stopping.signal.aborted) {
      let pollMs = SERVE_DEFAULTS.pollSeconds * 1000;
      try {
        const settings = await pollOnce();
        const { pollSeconds } = SERVE_DEFAULTS;
        if (settings)
          pollMs = positiveSetting(settings, SERVE_SETTING_KEYS.pollSeconds, pollSeconds) * 1000;
      } catch (error) {
        log.error(`poll failed: ${messageOf(error)}`);
      }
      await clock.delay(pollMs, stopping.signal);
    }
  }

  const idle = async () => {
    while (running.size) await Promise.all([...running.values()].map((r) => r.done));
  };

  async function stop(): Promise<void> {
    if (stopping.signal.aborted) return;
    stopping.abort();
    await loop;
    const timeoutMs = options.stopTimeoutMs ?? 30_000;
    const settled = await Promise.race([
      idle().then(() => true),
      systemClock.delay(timeoutMs).then(() => false),
    ]);
    if (!settled) {
      for (const [job, run] of running) {
        log.child(job).warn(`still running after ${timeoutMs} ms: giving its tick up`);
        await endJobTick(pool, { job, tick: run.tick, holder, outcome: null }).catch(() => false);
      }
    }
    for (const extension of started.reverse()) {
      await extension
        .stop()
        .catch((error: unknown) =>
          log.child(extension.name).error(`stop failed: ${messageOf(error)}`),
        );
    }
    await pool.end().catch(() => undefined);
    log.info('stopped');
  }

  try {
    await assertSchemaCurrent(pool);
    for (const extension of options.extensions ?? []) {
      await extension.start({
        db: pool,
        adminUrl: options.adminUrl,
        env,
        log: log.child(extension.name),
        now: () => clock.now(),
        onJobEnd: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      });
      started.push(extension);
    }
  } catch (error) {
    for (const extension of started.reverse()) await extension.stop().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw error;
  }
  log.info(`serving ${options.jobs.map((j) => j.name).join(', ') || 'no jobs'}`, { holder });
  if (options.autoPoll !== false) loop = pollForever();
  const poll = async () => void (await pollOnce());
  const extensionUrl = (name: string) => started.find((e) => e.name === name)?.url?.();
  return { holder, log, extensionUrl, poll, idle, stop };
}
