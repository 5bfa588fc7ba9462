/**
 * When a job is due (docs/operations.md, "Schedules"): its cron pattern in the
 * schedule time zone, evaluated by croner. The tick of a moment is the latest
 * scheduled time at or before it; every serve process computes the same ticks,
 * which is what lets them agree on who runs which (provisioning/jobs/jobs.sql).
 */
import { Cron } from 'croner';

export const SCHEDULE_OFF = 'off';

export interface Schedule {
  pattern: string;
  timezone: string;
  /** The latest scheduled time ≤ now; null when there is none. */
  latestTick(now: Date): Date | null;
  /** The first scheduled time after `now`. */
  nextTick(now: Date): Date | null;
}

/** Parses a pattern; throws an Error that says what is wrong. */
export function parseSchedule(pattern: string, timezone: string): Schedule {
  const cron = new Cron(pattern, { timezone, paused: true, mode: '5-or-6-parts' });
  // An unknown time zone shows only when a date is computed.
  cron.nextRun(new Date(0));
  return {
    pattern,
    timezone,
    // croner's previousRuns excludes its reference and ignores milliseconds:
    // from the next whole second, the previous run is the latest ≤ now.
    latestTick: (now) =>
      cron.previousRuns(1, new Date(Math.floor(now.getTime() / 1000) * 1000 + 1000))[0] ?? null,
    nextTick: (now) => cron.nextRun(now),
  };
}

/** Checks a pattern for a setting: null when fine, else why not. */
export function scheduleProblem(pattern: string, timezone: string): string | null {
  if (pattern === SCHEDULE_OFF) return null;
  try {
    parseSchedule(pattern, timezone);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
