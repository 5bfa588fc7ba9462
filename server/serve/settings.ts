/**
 * What `devdb serve` reads from provisioning.settings (docs/operations.md,
 * "Settings"). Read again at every poll, so a change takes effect without a
 * restart, in every serve process at once.
 */
import { storedSettings, type Queryable } from '../../provisioning/index.js';

/** `schedule_<job>`: a cron pattern (5 fields, or 6 with seconds first) or `off`. */
export const scheduleKey = (job: string) => `schedule_${job}`;

export const SERVE_SETTING_KEYS = {
  /** IANA time zone the cron patterns are read in; default UTC (the same in every process). */
  timezone: 'schedule_timezone',
  /** How often each process looks for due ticks, in seconds (fractions allowed). */
  pollSeconds: 'schedule_poll_seconds',
  /** How long a lease lasts without renewal: a dead holder's tick is taken over after this. */
  leaseSeconds: 'schedule_lease_seconds',
  /** Databases backed up (and verified) at the same time by the backups job. */
  backupConcurrency: 'backup_concurrency',
  /** A database's newest backup is verified when none was verified within this many days. */
  backupVerifyDays: 'backup_verify_days',
} as const;

export const SERVE_DEFAULTS = {
  timezone: 'UTC',
  pollSeconds: 5,
  leaseSeconds: 60,
  backupConcurrency: 2,
  backupVerifyDays: 7,
} as const;

/** Every setting, as text, keyed by its key. */
export type Settings = ReadonlyMap<string, string>;

export function readSettings(db: Queryable): Promise<Settings> {
  return storedSettings(db);
}

/** A positive number setting; `fallback` when unset or not a positive number. */
export function positiveSetting(settings: Settings, key: string, fallback: number): number {
  const value = Number(settings.get(key));
  return settings.has(key) && Number.isFinite(value) && value > 0 ? value : fallback;
}
