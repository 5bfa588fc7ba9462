import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  backupToolsStatus,
  DEFAULT_RETENTION,
  findPgClientTools,
  isoWeekKey,
  planRetention,
  type RetainedBackup,
} from '../../provisioning/backups/index.js';
import { fakePgToolsDir } from '../helpers/fake-pg-tools.js';

const DAY = 86_400_000;
const at = (iso: string) => new Date(`${iso}T02:00:00Z`);
const day = (backup: RetainedBackup) => backup.startedAt.toISOString().slice(0, 10);

/** One backup a day at 02:00 UTC, from..to inclusive. */
function dailyBackups(database: string, from: string, to: string, firstId = 1): RetainedBackup[] {
  const out: RetainedBackup[] = [];
  for (let t = at(from).getTime(), id = firstId; t <= at(to).getTime(); t += DAY, id++) {
    out.push({ id, database, kind: 'scheduled', startedAt: new Date(t), verifiedAt: null });
  }
  return out;
}

describe('GFS retention on a synthetic calendar', () => {
  const now = new Date('2025-06-30T12:00:00Z'); // a Monday
  const backups = dailyBackups('dev_alice', '2024-06-01', '2025-06-30');

  it('keeps the last 7 days, the newest of 4 ISO weeks and of 6 months, nothing else', () => {
    const plan = planRetention(backups, DEFAULT_RETENTION, now);
    const kept = backups.filter((b) => plan.keep.has(b.id)).map(day);
    expect(kept).toEqual([
      '2025-01-31',
      '2025-02-28',
      '2025-03-31',
      '2025-04-30',
      '2025-05-31',
      '2025-06-15',
      '2025-06-22',
      '2025-06-24',
      '2025-06-25',
      '2025-06-26',
      '2025-06-27',
      '2025-06-28',
      '2025-06-29',
      '2025-06-30',
    ]);
    expect(plan.keep.get(backups.at(-1)!.id)).toEqual(['daily', 'weekly', 'monthly']);
    expect(plan.prune).toHaveLength(backups.length - kept.length);
  });

  it("never prunes a database's only verified backup", () => {
    const verified = backups.map((b) =>
      day(b) === '2024-07-01' ? { ...b, verifiedAt: new Date('2024-07-02T00:00:00Z') } : b,
    );
    const plan = planRetention(verified, DEFAULT_RETENTION, now);
    const old = verified.find((b) => day(b) === '2024-07-01')!;
    expect(plan.keep.get(old.id)).toEqual(['only verified']);
  });

  it('keeps a final backup for its own days, independent of GFS', () => {
    const finals: RetainedBackup[] = [
      {
        id: 9001,
        database: 'dev_gone',
        kind: 'final',
        startedAt: at('2025-04-10'),
        verifiedAt: null,
      },
      {
        id: 9002,
        database: 'dev_older',
        kind: 'final',
        startedAt: at('2025-03-01'),
        verifiedAt: null,
      },
    ];
    const plan = planRetention(finals, DEFAULT_RETENTION, now);
    expect(plan.keep.get(9001)).toEqual(['final']);
    expect(plan.prune).toEqual([9002]);
  });

  it('numbers ISO weeks as ISO 8601 does across a year boundary', () => {
    expect(isoWeekKey(new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
    expect(isoWeekKey(new Date('2021-01-03T00:00:00Z'))).toBe('2020-W53');
  });
});

describe('which pg_dump', () => {
  it('none fitting: one line naming the server version and the package', async () => {
    const search = findPgClientTools(99, { env: { PATH: '' }, versionedRoot: '/nonexistent' });
    await expect(search).rejects.toThrow(
      /^no pg_dump\/pg_restore for PostgreSQL 99 or newer .*install postgresql-client-99/,
    );
  });

  it('DEVDB_PG_BIN_DIR first, else the newest that is at least the server', async () => {
    const all = await findPgClientTools(1);
    expect(all.major).toBeGreaterThanOrEqual(15);
    const pinned = await findPgClientTools(1, {
      env: { DEVDB_PG_BIN_DIR: `/usr/lib/postgresql/${all.major}/bin`, PATH: '' },
    });
    expect(pinned.pgDump).toBe(`/usr/lib/postgresql/${all.major}/bin/pg_dump`);
  });

  it('says what the machine has when nothing fits, and what to install', async () => {
    const nowhere = { versionedRoot: '/nonexistent' };
    const none = await backupToolsStatus(17, { env: { PATH: '' }, ...nowhere });
    expect(none).toMatchObject({ serverMajor: 17, tools: null });
    expect(none.problem).toMatch(
      /^no pg_dump\/pg_restore for PostgreSQL 17 or newer \(the server is PostgreSQL 17; this machine has none\): install postgresql-client-17 .*DEVDB_PG_BIN_DIR/,
    );
    const old = await fakePgToolsDir(14);
    try {
      const tooOld = await backupToolsStatus(17, { env: { PATH: old }, ...nowhere });
      expect(tooOld.problem).toContain('this machine has pg_dump 14 only');
      const fits = await backupToolsStatus(14, { env: { PATH: old }, ...nowhere });
      expect(fits).toMatchObject({ problem: null, tools: { major: 14 } });
    } finally {
      await rm(old, { recursive: true, force: true });
    }
  });
});
