import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  attachWorkspace,
  listBackups,
  restoreBackup,
  restoreInPlace,
  takeBackup,
  type Attachment,
  type BackupContext,
} from '../../provisioning/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';

// Before the cluster helper loads: it reads the server binaries' location once.
await selectBackupTestServer();
const { startTestDevDb } = await import('../helpers/devdb.js');

/** A session with a workspace's credential, ended here. */
async function asWorkspace<T>(att: Attachment, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    host: att.host,
    port: att.port,
    user: att.user,
    password: att.password,
    database: att.name,
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Who the session acts as, its search_path, and every table with its rows, owner and schema owner. */
async function snapshot(c: pg.Client) {
  const { rows: who } = await c.query<{ role: string; path: string }>(
    `SELECT current_user AS role, current_setting('search_path') AS path`,
  );
  const { rows: tables } = await c.query<{ name: string; owner: string; schema_owner: string }>(
    `SELECT n.nspname || '.' || c.relname AS name, pg_get_userbyid(c.relowner)::text AS owner,
            pg_get_userbyid(n.nspowner)::text AS schema_owner
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname !~ '^pg_' ORDER BY 1`,
  );
  const contents: Record<string, string> = {};
  for (const table of tables) {
    const { rows } = await c.query<{ sum: string }>(
      `SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS sum
         FROM ${table.name} t`,
    );
    contents[table.name] = rows[0]!.sum;
  }
  return { ...who[0]!, tables, contents };
}

describe('restores keep what lives outside the dump (real pg_dump / pg_restore)', () => {
  let devdb: TestDevDb;
  let ctx: BackupContext;
  let dir: string;

  beforeAll(async () => {
    devdb = await startTestDevDb();
    ctx = { db: devdb.pool, adminUrl: devdb.provisionerUrl };
    dir = await mkdtemp(path.join(tmpdir(), 'devdb-backup-restore-'));
  });
  afterAll(async () => {
    await devdb?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const attach = (owner: string, workspaceId: string, team?: string) =>
    attachWorkspace(devdb.pool, devdb.endpoint, {
      type: team ? 'team' : 'individual',
      owner,
      team,
      workspaceId,
    });

  it('a team database: backup → drop → restore keeps personal schemas, a large object, and the credentials', async () => {
    const ann = await attach('ann', 'ann-1', 'core');
    const ben = await attach('ben', 'ben-1', 'core');
    await asWorkspace(ann, (c) =>
      c.query(`CREATE TABLE notes (id int PRIMARY KEY, body text);
               INSERT INTO notes SELECT g, 'ann ' || g FROM generate_series(1, 500) g;
               CREATE TABLE shared.board (id int, body text); INSERT INTO shared.board VALUES (1, 'hi');
               SELECT lo_from_bytea(424242, 'large object bytes')`),
    );
    await asWorkspace(ben, (c) =>
      c.query(`CREATE TABLE notes (id int); INSERT INTO notes VALUES (7)`),
    );
    const before = await asWorkspace(ann, snapshot);
    expect(before).toMatchObject({ role: 'team_core', path: 'ann, shared, public' });
    expect(before.tables.map((t) => t.name)).toEqual(['ann.notes', 'ben.notes', 'shared.board']);

    const backup = await takeBackup(ctx, {
      database: 'team_core',
      kind: 'manual',
      dir,
      recipients: [],
    });
    const admin = await devdb.superuser('postgres');
    await admin.query('DROP DATABASE team_core WITH (FORCE)');

    expect(await restoreBackup(ctx, { id: backup.id, identities: [] })).toMatchObject({
      database: 'team_core',
      tables: 3,
    });
    const after = await asWorkspace(ann, snapshot);
    expect(after).toEqual(before);
    expect(
      after.tables.every((t) => t.owner === 'team_core' && t.schema_owner === 'team_core'),
    ).toBe(true);
    expect(await asWorkspace(ben, snapshot)).toMatchObject({
      role: 'team_core',
      path: 'ben, shared, public',
    });
    const { rows } = await asWorkspace(ann, (c) =>
      c.query(`SELECT convert_from(lo_get(424242), 'UTF8') AS body,
                      (SELECT pg_get_userbyid(lomowner)::text FROM pg_largeobject_metadata WHERE oid = 424242) AS owner`),
    );
    expect(rows[0]).toEqual({ body: 'large object bytes', owner: 'team_core' });
  });

  it('in place: pre-restore backup, same database, credentials keep their role, read access keeps reading', async () => {
    const writer = await attach('cy', 'cy-1');
    const reader = await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'individual',
      owner: 'cy',
      workspaceId: 'cy-2',
      access: 'read',
    });
    await asWorkspace(writer, (c) =>
      c.query(`CREATE SCHEMA app; CREATE TABLE app.items (id int PRIMARY KEY, label text);
               INSERT INTO app.items SELECT g, 'item ' || g FROM generate_series(1, 1000) g`),
    );
    const before = await asWorkspace(writer, snapshot);
    const oid = async () =>
      (await devdb.pool.query(`SELECT oid::int FROM pg_database WHERE datname = 'dev_cy'`)).rows[0];
    const oidBefore = await oid();
    const backup = await takeBackup(ctx, {
      database: 'dev_cy',
      kind: 'manual',
      dir,
      recipients: [],
    });

    // A session stays open; work after the backup that the restore undoes.
    const open = new pg.Client({ ...writer, database: writer.name });
    open.on('error', () => undefined);
    await open.connect();
    await open.query(`DELETE FROM app.items WHERE id > 10; CREATE TABLE app.later (x int);
                      INSERT INTO app.later VALUES (1)`);

    const result = await restoreInPlace(ctx, {
      id: backup.id,
      identities: [],
      dir,
      recipients: [],
    });
    expect(result).toMatchObject({ id: backup.id, database: 'dev_cy', tables: 1 });
    await expect(open.query('SELECT 1')).rejects.toThrow();
    await open.end().catch(() => undefined);

    expect(await oid()).toEqual(oidBefore);
    expect(await asWorkspace(writer, snapshot)).toEqual(before);
    const readable = await asWorkspace(reader, (c) =>
      c.query<{ n: number }>(`SELECT count(*)::int AS n FROM app.items`),
    );
    expect(readable.rows).toEqual([{ n: 1000 }]);
    const [pre] = (await listBackups(devdb.pool, 'dev_cy')).filter((b) => b.kind === 'pre-restore');
    expect(pre).toMatchObject({
      id: result.preRestoreBackupId,
      status: 'ok',
      rowCounts: { 'app.items': 10, 'app.later': 1 },
    });
    const live = await devdb.pool.query(
      `SELECT count(*)::int AS n FROM provisioning.attachments WHERE db_name = 'dev_cy' AND detached_at IS NULL`,
    );
    expect(live.rows).toEqual([{ n: 2 }]);
  });

  it('in place: when the pre-restore backup fails, nothing happens', async () => {
    const writer = await attach('dee', 'dee-1');
    await asWorkspace(writer, (c) => c.query(`CREATE TABLE t (x int); INSERT INTO t VALUES (1)`));
    const backup = await takeBackup(ctx, {
      database: 'dev_dee',
      kind: 'manual',
      dir,
      recipients: [],
    });
    await asWorkspace(writer, (c) => c.query(`INSERT INTO t VALUES (2)`));
    const notADirectory = path.join(dir, 'a-file');
    await writeFile(notADirectory, '');
    await expect(
      restoreInPlace(ctx, { id: backup.id, identities: [], dir: notADirectory, recipients: [] }),
    ).rejects.toThrow(/ENOTDIR|EEXIST/);
    const { rows } = await asWorkspace(writer, (c) => c.query(`SELECT count(*)::int AS n FROM t`));
    expect(rows).toEqual([{ n: 2 }]);
  });
});
