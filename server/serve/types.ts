/**
 * What plugs into `devdb serve` (docs/operations.md, "Running devdb serve"):
 * scheduled jobs, and extensions that run beside them for the process's life
 * (the HTTP control plane).
 */
import type pg from 'pg';
import type { JobOutcome } from '../../provisioning/contract/index.js';
import type { Logger } from './log.js';
import type { Settings } from './settings.js';

/** Wall-clock time, injectable: tests move it instead of sleeping. */
export interface WallClock {
  now(): Date;
  /** Resolves after `ms`, or early when `signal` aborts; never keeps the process alive alone. */
  delay(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What a job's run gets. */
export interface JobContext {
  /** Pool on the `devdb` database, as the provisioner. */
  db: pg.Pool;
  /** The provisioner's URL (backups hand it to pg_dump); never log it. */
  adminUrl: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The scheduled time this run is for (the same in every serve process). */
  tick: Date;
  now(): Date;
  /** Lines marked with the job's name. */
  log: Logger;
  /**
   * Aborted when the process stops or loses the lease. A job checks it between
   * units of work and then throws (`signal.throwIfAborted()`): the tick is
   * given up, and another process (or the next start) runs it again, so a
   * job must be safe to run again for the same tick.
   */
  signal: AbortSignal;
  /** provisioning.settings as read at this poll. */
  settings: Settings;
}

export interface Job {
  /** Lower case, digits, `_`; its schedule is the setting `schedule_<name>`. */
  name: string;
  /** Used while `schedule_<name>` is unset: a cron pattern, or `off`. */
  defaultSchedule: string;
  /** Resolves: the tick ran (outcome ok). Rejects: failed, or given up if `signal` aborted. */
  run(ctx: JobContext): Promise<void>;
}

/** One tick of a job, as it ended in this process. */
export interface JobEnd {
  job: string;
  tick: Date;
  /** null: given up (the process stopped or lost the lease); another process runs it. */
  outcome: JobOutcome | null;
  error?: string;
  ms: number;
}

export interface ExtensionContext {
  db: pg.Pool;
  adminUrl: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Lines marked with the extension's name. */
  log: Logger;
  now(): Date;
  /** Hears of every tick this process ran; returns the unsubscribe. */
  onJobEnd(listener: (end: JobEnd) => void): () => void;
}

/** Runs beside the jobs for the life of the process (the HTTP control plane). */
export interface ServeExtension {
  name: string;
  /** Started after the schema check, before the first poll; a rejection stops serve from starting. */
  start(ctx: ExtensionContext): Promise<void>;
  /** Stopped after the jobs, in reverse order of start. */
  stop(): Promise<void>;
  /** Where it listens, once started (the control plane's http(s)://host:port). */
  url?(): string | undefined;
}
