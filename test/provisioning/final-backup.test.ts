/**
 * Before anything destructive, a verified final backup (docs/backups.md,
 * "Before anything destructive"): dropWithFinalBackup, the drops a detach or
 * retire leaves pending (archived), completePendingDrops, and what happens when
 * the backup cannot be taken or verified: nothing is dropped. Real PostgreSQL
 * with its own pg_dump/pg_restore (selectBackupTestServer).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachWorkspace,
  BACKUP_SETTING_KEYS,
  completePendingDrops,
  detachWorkspace,
  dropWithFinalBackup,
  ensureIndividualDatabase,
  generateAgeKeyPair,
  listBackups,
  listPendingDrops,
  restoreBackup,
  restoreDatabase,
  retireDatabase,
  takeBackup,
  writeBackupSetting,
  type BackupContext,
} from '../../provisioning/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';

// Before the cluster helper loads: it reads the server binaries' location once.
await selectBackupTestServer();
const { startTestDevDb } = await import('../helpers/devdb.js');

describe('a verified final backup before every drop (real pg_dump / pg_restore)', () => {
  let devdb: TestDevDb;
  let ctx: BackupContext;
  let dir: string;
  let keys: { identity: string; recipient: string };
  let identityFile: string;
  /** No pg_dump anywhere: DEVDB_PG_BIN_DIR and PATH empty, no Debian versioned dirs. */
  let toolless: BackupContext;

  beforeAll(async () => {
    devdb = await startTestDevDb();
    ctx = { db: devdb.pool, adminUrl: devdb.provisionerUrl };
    dir = await mkdtemp(path.join(tmpdir(), 'devdb-final-backup-'));
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    toolless = {
      ...ctx,
      env: { DEVDB_PG_BIN_DIR: empty, PATH: empty },
      pgVersionedRoot: empty,
    };
    keys = await generateAgeKeyPair();
    identityFile = path.join(dir, 'identity.txt');
    await writeFile(identityFile, `${keys.identity}\n`, { mode: 0o600 });
    await writeBackupSetting(devdb.pool, BACKUP_SETTING_KEYS.dir, path.join(dir, 'store'));
    await writeBackupSetting(devdb.pool, BACKUP_SETTING_KEYS.recipients, keys.recipient);
    await writeBackupSetting(devdb.pool, BACKUP_SETTING_KEYS.identityFile, identityFile);
  });
  afterAll(async () => {
    await devdb?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Runs `sql` in `database` as its owner role, on a superuser session of its own. */
  async function inDatabase<R extends pg.QueryResultRow>(database: string, sql: string) {
    const client = new pg.Client({
      connectionString: devdb.cluster.url(undefined, undefined, database),
    });
    await client.connect();
    try {
      await client.query(`SET ROLE ${database}`);
      return (await client.query<R>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  const populate = (database: string) =>
    inDatabase(
      database,
      `CREATE TABLE items (id int PRIMARY KEY, label text);
       INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 2000) g`,
    );
  const itemCount = async (database: string) =>
    (await inDatabase<{ n: number }>(database, 'SELECT count(*)::int AS n FROM items'))[0]!.n;

  async function catalog(database: string) {
    const { rows } = await devdb.pool.query<{ datname: string; datallowconn: boolean }>(
      `SELECT datname, datallowconn FROM pg_database WHERE datname::text IN ($1::text, 'archived_' || $1::text)`,
      [database],
    );
    const [row] = await devdb.pool
      .query<{
        status: string;
        drop_requested_at: Date | null;
        drop_error: string | null;
      }>(
        `SELECT status, drop_requested_at, drop_error FROM provisioning.databases WHERE db_name = $1`,
        [database],
      )
      .then((r) => r.rows);
    return { databases: rows, ...row };
  }

  async function events(database: string) {
    const { rows } = await devdb.pool.query<{ actor: string; action: string; detail: object }>(
      `SELECT actor, action, detail FROM provisioning.events
        WHERE db_name = $1 AND action LIKE 'database.%' ORDER BY id`,
      [database],
    );
    return rows;
  }

  it('takes a final backup, verifies it by a trial restore, then drops; the backup restores', async () => {
    await ensureIndividualDatabase(devdb.pool, { owner: 'fay' });
    await populate('dev_fay');

    const dropped = await dropWithFinalBackup(ctx, 'dev_fay', { actor: 'admin-ann' });
    const [final] = await listBackups(devdb.pool, 'dev_fay');
    expect(final).toMatchObject({ id: dropped.backupId, kind: 'final', status: 'ok' });
    expect(final!.encrypted).toBe(true);
    expect(final!.verifiedAt).toBeInstanceOf(Date);
    expect(await catalog('dev_fay')).toMatchObject({ databases: [], status: 'dropped' });
    expect(await events('dev_fay')).toContainEqual({
      actor: 'admin-ann',
      action: 'database.drop',
      detail: { final_backup_id: final!.id, sessions_terminated: 0 },
    });

    await restoreBackup(ctx, { id: final!.id, identities: [keys.identity] });
    expect(await itemCount('dev_fay')).toBe(2000);
  });

  it('two drops of one database at once: one final backup, the other waits and finds it dropped', async () => {
    await ensureIndividualDatabase(devdb.pool, { owner: 'twice' });
    await populate('dev_twice');
    // Separate pools: separate processes, as far as the server can tell.
    const other = new pg.Pool({ connectionString: devdb.provisionerUrl, max: 4 });
    try {
      const waits: string[] = [];
      const outcomes = await Promise.all([
        dropWithFinalBackup(ctx, 'dev_twice', { actor: 'one', onWait: () => waits.push('one') }),
        dropWithFinalBackup({ ...ctx, db: other }, 'dev_twice', {
          actor: 'two',
          onWait: () => waits.push('two'),
        }),
      ]);
      expect(waits).toHaveLength(1);
      const [dropped, waited] = waits[0] === 'two' ? outcomes : [...outcomes].reverse();
      expect(dropped).toEqual({ database: 'dev_twice', backupId: expect.any(Number) });
      expect(waited).toEqual({ ...dropped, alreadyDropped: true });
      const finals = (await listBackups(devdb.pool, 'dev_twice')).filter((b) => b.kind === 'final');
      expect(finals.map((b) => [b.id, b.status])).toEqual([[dropped!.backupId, 'ok']]);
      expect((await events('dev_twice')).filter((e) => e.action === 'database.drop')).toHaveLength(
        1,
      );
    } finally {
      await other.end();
    }
  });

  it('two backups of one database at once run one after the other', async () => {
    await ensureIndividualDatabase(devdb.pool, { owner: 'pair' });
    await populate('dev_pair');
    const other = new pg.Pool({ connectionString: devdb.provisionerUrl, max: 4 });
    try {
      const options = {
        database: 'dev_pair',
        kind: 'manual' as const,
        dir: path.join(dir, 'store'),
        recipients: [],
      };
      const both = await Promise.all([
        takeBackup(ctx, options),
        takeBackup({ ...ctx, db: other }, options),
      ]);
      const [first, second] = both.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
      expect([first!.status, second!.status]).toEqual(['ok', 'ok']);
      expect(second!.startedAt.getTime()).toBeGreaterThanOrEqual(first!.finishedAt!.getTime());
      expect(second!.file).not.toBe(first!.file);
    } finally {
      await other.end();
    }
  });

  it('a failed final backup drops nothing, and says why', async () => {
    await ensureIndividualDatabase(devdb.pool, { owner: 'gus' });
    await populate('dev_gus');
    const notADirectory = path.join(dir, 'a-file');
    await writeFile(notADirectory, '');
    await expect(dropWithFinalBackup(ctx, 'dev_gus', { dir: notADirectory })).rejects.toThrow(
      /dev_gus was not dropped: its final backup failed: .*(ENOTDIR|EEXIST).*Nothing was removed/,
    );

    const stranger = await generateAgeKeyPair();
    await expect(
      dropWithFinalBackup(ctx, 'dev_gus', { identities: [stranger.identity] }),
    ).rejects.toThrow(
      /dev_gus was not dropped: its final backup \d+ .* failed verification: cannot decrypt/,
    );
    const [unverified] = await listBackups(devdb.pool, 'dev_gus');
    expect(unverified).toMatchObject({ kind: 'final', status: 'ok', verifiedAt: null });

    // Encrypted, with no identity to verify it: refused before any backup is taken.
    await writeBackupSetting(devdb.pool, BACKUP_SETTING_KEYS.identityFile, null);
    try {
      await expect(dropWithFinalBackup(ctx, 'dev_gus')).rejects.toThrow(
        /dev_gus was not dropped: its final backup would be encrypted, and DevDB has no age identity .*backup_identity_file/,
      );
    } finally {
      await writeBackupSetting(devdb.pool, BACKUP_SETTING_KEYS.identityFile, identityFile);
    }
    // The unverified one, and the attempt that could not create its folder (recorded, with why).
    const attempts = await listBackups(devdb.pool, 'dev_gus');
    expect(attempts.map((b) => b.status)).toEqual(['ok', 'failed']);
    expect(attempts[1]!.error).toMatch(
      /^not a directory creating \S+\/a-file\/dev_gus \(ENOTDIR\)$/,
    );

    expect(await catalog('dev_gus')).toMatchObject({
      databases: [{ datname: 'dev_gus', datallowconn: true }],
      status: 'active',
    });
    expect(await itemCount('dev_gus')).toBe(2000);
    expect((await events('dev_gus')).map((e) => e.action)).not.toContain('database.drop');
  });

  it('no usable pg_dump: the drop is refused and nothing is lost', async () => {
    await ensureIndividualDatabase(devdb.pool, { owner: 'hal' });
    await populate('dev_hal');
    await expect(dropWithFinalBackup(toolless, 'dev_hal')).rejects.toThrow(
      /dev_hal was not dropped: its final backup failed: no pg_dump\/pg_restore for PostgreSQL \d+ or newer .*install postgresql-client-\d+/,
    );
    expect(await listBackups(devdb.pool, 'dev_hal')).toEqual([]);
    expect(await catalog('dev_hal')).toMatchObject({ status: 'active' });
    expect(await itemCount('dev_hal')).toBe(2000);
  });

  it('noBackup drops at once and records the reason and the actor', async () => {
    await ensureIndividualDatabase(devdb.pool, { owner: 'ida' });
    await expect(
      dropWithFinalBackup(ctx, 'dev_ida', { noBackup: { reason: ' ' } }),
    ).rejects.toThrow(/without a backup needs a reason/);
    expect(
      await dropWithFinalBackup(toolless, 'dev_ida', {
        actor: 'admin-ann',
        noBackup: { reason: 'scratch data, owner agreed' },
      }),
    ).toEqual({ database: 'dev_ida', backupId: null });
    expect(await catalog('dev_ida')).toMatchObject({ databases: [], status: 'dropped' });
    expect(await events('dev_ida')).toContainEqual({
      actor: 'admin-ann',
      action: 'database.drop_without_backup',
      detail: { reason: 'scratch data, owner agreed' },
    });
    expect(await listBackups(devdb.pool, 'dev_ida')).toEqual([]);
  });

  it('a drop on the last detach archives and leaves it pending; completePendingDrops finishes it', async () => {
    const att = await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'individual',
      owner: 'jo',
      workspaceId: 'jo-1',
    });
    await populate(att.name);
    const [detached] = await detachWorkspace(devdb.pool, {
      workspaceId: 'jo-1',
      onLastDetach: 'drop',
      actor: 'terraform',
    });
    expect(detached).toMatchObject({ name: 'dev_jo', databaseAction: 'drop_pending' });
    expect(await catalog('dev_jo')).toMatchObject({
      databases: [{ datname: 'archived_dev_jo', datallowconn: false }],
      status: 'archived',
      drop_error: null,
    });
    expect(await listPendingDrops(devdb.pool)).toEqual([
      expect.objectContaining({ database: 'dev_jo', requestedBy: 'terraform', lastError: null }),
    ]);

    // Meanwhile a new workspace of jo's is told what the database waits for.
    await expect(
      attachWorkspace(devdb.pool, devdb.endpoint, {
        type: 'individual',
        owner: 'jo',
        workspaceId: 'jo-2',
      }),
    ).rejects.toThrow(
      /dev_jo is archived and waits for its final backup before it is dropped .*devdb backup drain-drops/,
    );

    // Without pg_dump the drop stays pending, closed, with the reason recorded.
    const lines: string[] = [];
    const failed = await completePendingDrops(toolless, { log: (line) => lines.push(line) });
    expect(failed).toMatchObject({ dropped: [], failed: [{ database: 'dev_jo' }] });
    expect(lines).toEqual([
      expect.stringMatching(/^dev_jo: still archived, drop pending: .*no pg_dump/),
    ]);
    expect(await catalog('dev_jo')).toMatchObject({
      databases: [{ datname: 'archived_dev_jo', datallowconn: false }],
      status: 'archived',
      drop_error: expect.stringMatching(/no pg_dump/),
    });

    const now = new Date('2031-05-04T03:02:01.000Z');
    await devdb.clock.set(now); // the backup's time is the server's
    const done = await completePendingDrops(ctx, { log: (line) => lines.push(line) });
    await devdb.clock.reset();
    expect(done).toMatchObject({ dropped: [{ database: 'dev_jo' }], failed: [] });
    expect(lines[1]).toMatch(/^dev_jo: dropped after its final backup \d+ was verified$/);
    expect(await catalog('dev_jo')).toMatchObject({
      databases: [],
      status: 'dropped',
      drop_requested_at: null,
    });
    expect(await listPendingDrops(devdb.pool)).toEqual([]);
    const [final] = await listBackups(devdb.pool, 'dev_jo');
    expect(final).toMatchObject({ kind: 'final', startedAt: now });
    expect(path.basename(final!.file)).toBe('dev_jo-20310504T030201.000Z.dump.age');
    expect((await events('dev_jo')).map((e) => [e.actor, e.action]).slice(1)).toEqual([
      ['terraform', 'database.archive'],
      ['devdb', 'database.drop'],
    ]);

    await restoreBackup(ctx, { id: final!.id, identities: [keys.identity] });
    expect(await itemCount('dev_jo')).toBe(2000);
  });

  it('retire with drop is deferred too, restoring the archive calls the drop off, final_backup = false drops at once', async () => {
    await ensureIndividualDatabase(devdb.pool, { owner: 'kit' });
    expect(await retireDatabase(devdb.pool, { database: 'dev_kit', policy: 'drop' })).toBe(
      'drop_pending',
    );
    expect(await restoreDatabase(devdb.pool, 'dev_kit')).toEqual({
      name: 'dev_kit',
      restored: true,
    });
    expect((await listPendingDrops(devdb.pool)).map((d) => d.database)).not.toContain('dev_kit');
    expect(await catalog('dev_kit')).toMatchObject({ status: 'active', drop_requested_at: null });

    expect(
      await retireDatabase(devdb.pool, {
        database: 'dev_kit',
        policy: 'drop',
        finalBackup: false,
        actor: 'terraform',
      }),
    ).toBe('dropped');
    expect((await events('dev_kit')).slice(-2)).toEqual([
      { actor: 'terraform', action: 'database.drop', detail: { sessions_terminated: 0 } },
      {
        actor: 'terraform',
        action: 'database.drop_without_backup',
        detail: { reason: 'final_backup = false' },
      },
    ]);
  });

  it('the SQL refuses a drop with neither a verified final backup nor a reason', async () => {
    await ensureIndividualDatabase(devdb.pool, { owner: 'lee' });
    await expect(devdb.pool.query(`SELECT provisioning.drop_database('dev_lee')`)).rejects.toThrow(
      /a drop needs a verified final backup, or a reason to go without one/,
    );
    await expect(
      devdb.pool.query(`SELECT provisioning.drop_database('dev_lee', NULL, 999999)`),
    ).rejects.toThrow(/backup 999999 is not a verified final backup of dev_lee/);
    expect(await catalog('dev_lee')).toMatchObject({ status: 'active' });
  });
});
