/**
 * Which backups to keep (docs/backups.md, "Retention"): grandfather-father-son
 * per database, as restic's `forget --keep-daily/--keep-weekly/--keep-monthly`:
 * for each of the last N days (ISO weeks, months) that have a backup, the newest
 * backup of that period is kept. Periods are UTC. A final backup (taken before
 * a database is dropped) is kept for its own number of days instead. A
 * database's newest verified backup is always kept, so pruning never leaves a
 * database without one it had. Pure: the clock is a parameter.
 */
import type { BackupKind } from '../contract/index.js';

export interface RetentionPolicy {
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
  /** Days a final backup is kept, counted from when it finished. */
  finalKeepDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  keepDaily: 7,
  keepWeekly: 4,
  keepMonthly: 6,
  finalKeepDays: 90,
};

/** What retention needs to know of a successful backup. */
export interface RetainedBackup {
  id: number;
  database: string;
  kind: BackupKind;
  startedAt: Date;
  verifiedAt: Date | null;
}

export type KeepReason = 'daily' | 'weekly' | 'monthly' | 'final' | 'only verified';

export interface RetentionPlan {
  /** Backup id → why it stays (a backup may satisfy several rules). */
  keep: Map<number, KeepReason[]>;
  /** Ids to delete, oldest first. */
  prune: number[];
}

const DAY_MS = 86_400_000;

const dayKey = (date: Date): string => date.toISOString().slice(0, 10);
const monthKey = (date: Date): string => date.toISOString().slice(0, 7);

/** ISO 8601 week, e.g. `2025-W01` (the week with the year's first Thursday). */
export function isoWeekKey(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** The newest backup of each of the `count` most recent periods that have one. */
function newestPerPeriod(
  newestFirst: RetainedBackup[],
  period: (date: Date) => string,
  count: number,
): RetainedBackup[] {
  const seen = new Set<string>();
  const picked: RetainedBackup[] = [];
  for (const backup of newestFirst) {
    if (seen.size >= count) break;
    const key = period(backup.startedAt);
    if (seen.has(key)) continue;
    seen.add(key);
    picked.push(backup);
  }
  return picked;
}

function planDatabase(
  backups: RetainedBackup[],
  policy: RetentionPolicy,
  now: Date,
  keep: Map<number, KeepReason[]>,
): void {
  const mark = (backup: RetainedBackup, reason: KeepReason) =>
    keep.set(backup.id, [...(keep.get(backup.id) ?? []), reason]);
  const newestFirst = [...backups].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  const finals = newestFirst.filter((b) => b.kind === 'final');
  for (const backup of finals) {
    if (now.getTime() - backup.startedAt.getTime() < policy.finalKeepDays * DAY_MS) {
      mark(backup, 'final');
    }
  }
  const rotating = newestFirst.filter((b) => b.kind !== 'final');
  for (const b of newestPerPeriod(rotating, dayKey, policy.keepDaily)) mark(b, 'daily');
  for (const b of newestPerPeriod(rotating, isoWeekKey, policy.keepWeekly)) mark(b, 'weekly');
  for (const b of newestPerPeriod(rotating, monthKey, policy.keepMonthly)) mark(b, 'monthly');
  const verified = newestFirst.filter((b) => b.verifiedAt !== null);
  if (verified.length > 0 && !verified.some((b) => keep.has(b.id))) {
    mark(verified[0]!, 'only verified');
  }
}

export function planRetention(
  backups: readonly RetainedBackup[],
  policy: RetentionPolicy,
  now: Date,
): RetentionPlan {
  const keep = new Map<number, KeepReason[]>();
  const byDatabase = new Map<string, RetainedBackup[]>();
  for (const backup of backups) {
    byDatabase.set(backup.database, [...(byDatabase.get(backup.database) ?? []), backup]);
  }
  for (const group of byDatabase.values()) planDatabase(group, policy, now, keep);
  const prune = [...backups]
    .filter((b) => !keep.has(b.id))
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())
    .map((b) => b.id);
  return { keep, prune };
}
