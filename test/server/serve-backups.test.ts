// serve's backups job (server/serve/jobs/backups.ts) against a real PostgreSQL
// and pg_dump (Debian's PostgreSQL 15, test/helpers/backup-server.ts), ticks
// run directly with an injected clock: each active database backed up, one log
// line each; a backup verified when none was within 7 days; the run is safe to
// repeat for a tick; the backups are not access; no backup dir: skipped, said once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ensureIndividualDatabase,
  ensureTeamDatabase,
  listBackups,
  sampleAll,
} from '../../provisioning/index.js';
import { backupsJob } from '../../server/serve/jobs/backups.js';
import { createLogger } from '../../server/serve/log.js';
import { readSettings } from '../../server/serve/settings.js';
import type { JobContext } from '../../server/serve/types.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';

// Before the cluster helper loads: it reads the server binaries' location once.
await selectBackupTestServer();
const { startTestDevDb } = await import('../helpers/devdb.js');

let devdb: TestDevDb;
let dir: string;
const DATABASES = ['dev_alice', 'dev_bob', 'team_web'];

beforeAll(async () => {
  devdb = await startTestDevDb();
  dir = await mkdtemp(path.join(tmpdir(), 'devdb-serve-backups-'));
  await ensureIndividualDatabase(devdb.pool, { owner: 'alice' });
  await ensureIndividualDatabase(devdb.pool, { owner: 'bob' });
  await ensureTeamDatabase(devdb.pool, { team: 'web' });
  for (const database of DATABASES) {
    const su = await devdb.superuser(database);
    await su.query(`SET ROLE ${database}`);
    await su.query('CREATE TABLE items AS SELECT g AS id FROM generate_series(1, 500) g');
    await su.end();
  }
  // The setup's own sessions count as use since creation (last access from creation):
  // one pass takes them into the sampler's baseline, then the record starts clean, so
  // what the job's sessions would add is all a later pass can see.
  await sampleAll(devdb.pool);
  await devdb.pool.query('UPDATE provisioning.databases SET last_accessed = NULL');
});

afterAll(async () => {
  await devdb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs one tick of the job at `iso` (the server's clock set there); returns its log lines. */
async function tick(iso: string, env: Record<string, string | undefined> = {}) {
  let out = '';
  const now = new Date(iso);
  await devdb.clock.set(now);
  const ctx: JobContext = {
    db: devdb.pool,
    adminUrl: devdb.provisionerUrl,
    env: { ...process.env, DEVDB_BACKUP_DIR: dir, ...env },
    tick: now,
    now: () => now,
    log: createLogger(
      { format: 'text', sink: { write: (t: string) => (out += t) }, now: () => now },
      'backups',
    ),
    signal: new AbortController().signal,
    settings: await readSettings(devdb.pool),
  };
  await backupsJob.run(ctx);
  return out.trimEnd().split('\n');
}

const count = (lines: string[], pattern: RegExp) => lines.filter((l) => pattern.test(l)).length;

describe('the scheduled backups job', () => {
  test('without a backup directory it says once that it is skipped, and why', async () => {
    const lines = await tick('2030-01-01T02:00:00Z', { DEVDB_BACKUP_DIR: undefined });
    expect(lines).toEqual([
      expect.stringMatching(
        /INFO \[backups\] skipped: no backup directory is configured \(`devdb backup settings --dir DIR`/,
      ),
    ]);
    expect(await listBackups(devdb.pool)).toEqual([]);
  });

  test('day 1: every active database backed up and verified, one line each', async () => {
    const lines = await tick('2030-01-01T02:00:00Z');
    for (const database of DATABASES) {
      expect(count(lines, new RegExp(`\\] backed up ${database}: `))).toBe(1);
      expect(count(lines, new RegExp(`\\] verified ${database}'s backup \\d+`))).toBe(1);
    }
    expect(lines.at(-1)).toMatch(/retention: 0 backups deleted, 3 kept/);
    const backups = await listBackups(devdb.pool);
    expect(backups.map((b) => [b.database, b.kind, b.status]).sort()).toEqual(
      DATABASES.map((d) => [d, 'scheduled', 'ok']),
    );
    expect(backups.every((b) => b.verifiedAt?.toISOString() === '2030-01-01T02:00:00.000Z')).toBe(
      true,
    );
  });

  test("the job's own sessions are not access: the sampler sees no use", async () => {
    await devdb.clock.set(new Date('2030-01-01T02:05:00Z'));
    await sampleAll(devdb.pool);
    const { rows } = await devdb.pool.query(
      `SELECT db_name FROM provisioning.databases WHERE last_accessed IS NOT NULL`,
    );
    expect(rows).toEqual([]);
  });

  test('the same tick run again (a takeover) backs up nothing twice', async () => {
    const lines = await tick('2030-01-01T02:00:00Z');
    expect(count(lines, /backed up/)).toBe(0);
    expect(await listBackups(devdb.pool)).toHaveLength(3);
  });

  test('day 2: backed up, not verified (one was, a day ago); day 9: the newest verified', async () => {
    const day2 = await tick('2030-01-02T02:00:00Z');
    expect(count(day2, /backed up/)).toBe(3);
    expect(count(day2, /verified/)).toBe(0);
    const day9 = await tick('2030-01-09T02:00:00Z');
    expect(count(day9, /backed up/)).toBe(3);
    for (const database of DATABASES) {
      const [newest] = await listBackups(devdb.pool, database);
      expect(newest!.verifiedAt?.toISOString()).toBe('2030-01-09T02:00:00.000Z');
      expect(count(day9, new RegExp(`verified ${database}'s backup ${newest!.id}\\b`))).toBe(1);
    }
  });

  test('an archived database is not backed up', async () => {
    await devdb.pool.query(
      `UPDATE provisioning.databases SET status = 'archived' WHERE db_name = 'team_web'`,
    );
    try {
      const lines = await tick('2030-01-10T02:00:00Z');
      expect(count(lines, /backed up/)).toBe(2);
      expect(count(lines, /team_web/)).toBe(0);
    } finally {
      await devdb.pool.query(
        `UPDATE provisioning.databases SET status = 'active' WHERE db_name = 'team_web'`,
      );
    }
  });
});
