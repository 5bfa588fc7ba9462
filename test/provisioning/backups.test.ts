import { readdir, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  BackupKeyError,
  ensureIndividualDatabase,
  generateAgeKeyPair,
  listBackups,
  ProvisioningError,
  restoreBackup,
  retireDatabase,
  takeBackup,
  verifyBackup,
  type BackupContext,
} from '../../provisioning/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';

// Before the cluster helper loads: it reads the server binaries' location once.
await selectBackupTestServer();
const { startTestDevDb } = await import('../helpers/devdb.js');

const MARKER = 'confidential-payload-7f3a';

/** Tables, a sequence with a value, a view, a function and a second schema, ~100k rows, as the owner. */
async function populate(client: pg.Client, owner: string): Promise<void> {
  await client.query(`SET ROLE ${owner}`);
  await client.query(`
    CREATE SCHEMA app;
    CREATE TABLE app.items (id bigserial PRIMARY KEY, label text NOT NULL, qty int);
    INSERT INTO app.items (label, qty) SELECT '${MARKER}-' || g, g % 97 FROM generate_series(1, 100000) g;
    CREATE TABLE public.notes (id int PRIMARY KEY, body text);
    INSERT INTO public.notes VALUES (1, 'one'), (2, 'two'), (3, NULL);
    CREATE SEQUENCE public.tickets START 1000;
    SELECT setval('public.tickets', 4242);
    CREATE VIEW app.heavy AS SELECT id, qty FROM app.items WHERE qty > 90;
    CREATE FUNCTION public.double_it(x int) RETURNS int LANGUAGE sql AS 'SELECT x * 2';
  `);
  await client.query('RESET ROLE');
}

/** Per table: rows and an md5 over the rows' text, in a stable order. */
async function contentChecksums(client: pg.Client): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ['app.items', 'public.notes']) {
    const { rows } = await client.query<{ n: string; sum: string }>(
      `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS sum FROM ${table} t`,
    );
    out[table] = `${rows[0]!.n}:${rows[0]!.sum}`;
  }
  return out;
}

/** A superuser session of its own, ended here: the test terminates sessions of the database. */
async function asSuperuser<T>(devdb: TestDevDb, db: string, fn: (c: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: devdb.cluster.url(undefined, undefined, db) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('backups (real pg_dump / pg_restore)', () => {
  let devdb: TestDevDb;
  let ctx: BackupContext;
  let dir: string;
  const database = 'dev_alice';

  beforeAll(async () => {
    devdb = await startTestDevDb();
    ctx = { db: devdb.pool, adminUrl: devdb.provisionerUrl };
    dir = await mkdtemp(path.join(tmpdir(), 'devdb-backups-'));
    await ensureIndividualDatabase(devdb.pool, { owner: 'alice' });
    await asSuperuser(devdb, database, (c) => populate(c, database));
  });
  afterAll(async () => {
    await devdb?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('backup → drop → restore gives the same tables, rows, sequence, view and function', async () => {
    const before = await asSuperuser(devdb, database, contentChecksums);
    const backup = await takeBackup(ctx, { database, kind: 'manual', dir, recipients: [] });
    expect(backup.status).toBe('ok');
    expect(backup.rowCounts).toEqual({ 'app.items': 100000, 'public.notes': 3 });
    expect(path.basename(backup.file)).toMatch(/^dev_alice-\d{8}T\d{6}\.\d{3}Z\.dump$/);

    const verified = await verifyBackup(ctx, backup.id, []);
    expect(verified).toMatchObject({ ok: true, error: null, tables: 2 });

    const sessions = await devdb.superuser('postgres');
    await sessions.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`,
      [database],
    );
    expect(await retireDatabase(devdb.pool, { database, policy: 'drop', finalBackup: false })).toBe(
      'dropped',
    );

    const restored = await restoreBackup(ctx, { id: backup.id, identities: [] });
    expect(restored).toEqual({ id: backup.id, database, tables: 2 });
    expect(await asSuperuser(devdb, database, contentChecksums)).toEqual(before);
    const { rows } = await asSuperuser(devdb, database, (c) =>
      c.query(`
      SELECT nextval('public.tickets')::int AS next, public.double_it(21) AS doubled,
             (SELECT count(*)::int FROM app.heavy) AS heavy,
             (SELECT array_agg(DISTINCT pg_get_userbyid(relowner)::text) FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('app', 'public')) AS owners,
             (SELECT datacl::text[] FROM pg_database WHERE datname = current_database()) AS acl`),
    );
    expect(rows[0]).toMatchObject({ next: 4243, doubled: 42, owners: [database] });
    expect(rows[0].heavy).toBeGreaterThan(0);
    expect((rows[0].acl as string[]).some((entry) => entry.startsWith('='))).toBe(false);
  });

  it('an encrypted backup hides the content, restores only with the identity, detects a flipped byte', async () => {
    const keys = await generateAgeKeyPair();
    const plain = await takeBackup(ctx, { database, kind: 'manual', dir, recipients: [] });
    const sealed = await takeBackup(ctx, {
      database,
      kind: 'manual',
      dir,
      recipients: [keys.recipient],
    });
    expect(sealed.file.endsWith('.dump.age')).toBe(true);
    // The custom format keeps DDL (names) uncompressed: the plain file shows them, the sealed one must not.
    expect((await readFile(plain.file)).includes('CREATE TABLE app.items')).toBe(true);
    const sealedBytes = await readFile(sealed.file);
    for (const needle of ['CREATE TABLE', 'items', 'double_it', MARKER]) {
      expect(sealedBytes.includes(needle)).toBe(false);
    }

    expect((await verifyBackup(ctx, sealed.id, [keys.identity])).ok).toBe(true);
    // No key, or the wrong one: refused, and the backup stays verified.
    const verifiedState = async () => {
      const [b] = (await listBackups(devdb.pool, database)).filter((x) => x.id === sealed.id);
      return { verifiedAt: b!.verifiedAt, verifyError: b!.verifyError };
    };
    const verified = await verifiedState();
    expect(verified.verifiedAt).toBeInstanceOf(Date);
    await expect(verifyBackup(ctx, sealed.id, [])).rejects.toThrow(
      new BackupKeyError(
        `backup ${sealed.id} is encrypted; pass --identity FILE or set backup_identity_file`,
      ),
    );
    const wrongKey = await generateAgeKeyPair();
    await expect(verifyBackup(ctx, sealed.id, [wrongKey.identity])).rejects.toThrow(BackupKeyError);
    expect(await verifiedState()).toEqual(verified);

    const stranger = await generateAgeKeyPair();
    await expect(
      restoreBackup(ctx, { id: sealed.id, as: 'team_bob', identities: [stranger.identity] }),
    ).rejects.toThrow(ProvisioningError);
    // Another person's name is refused with the right key too: bob would get this data.
    await expect(
      restoreBackup(ctx, { id: sealed.id, as: 'dev_bob', identities: [keys.identity] }),
    ).rejects.toThrow(/as "dev_bob": it is the personal database of a user/);
    const absent = await devdb.pool.query(
      `SELECT FROM pg_database WHERE datname IN ('dev_bob', 'team_bob')`,
    );
    expect(absent.rowCount).toBe(0);

    const restored = await restoreBackup(ctx, {
      id: sealed.id,
      as: 'team_bob',
      identities: [keys.identity],
    });
    expect(restored.database).toBe('team_bob');

    sealedBytes[Math.floor(sealedBytes.length / 2)]! ^= 0x01;
    await writeFile(sealed.file, sealedBytes);
    const flipped = await verifyBackup(ctx, sealed.id, [keys.identity]);
    expect(flipped.ok).toBe(false);
    expect(flipped.error).toMatch(/checksum mismatch/);
    const [row] = (await listBackups(devdb.pool, database)).filter((b) => b.id === sealed.id);
    expect(row).toMatchObject({ verifiedAt: null, verifyError: flipped.error });
    const scratch = await devdb.pool.query(
      `SELECT datname FROM pg_database WHERE datname LIKE 'devdb_verify_%'`,
    );
    expect(scratch.rows).toEqual([]);
  });

  it('kill -9 of pg_dump: no ok row, no file under a final name; the next run succeeds', async () => {
    const folder = path.join(dir, database);
    const filesBefore = await readdir(folder);
    await expect(
      takeBackup(ctx, {
        database,
        kind: 'manual',
        dir,
        recipients: [],
        onDumpStarted: (pid) => process.kill(pid, 'SIGKILL'),
      }),
    ).rejects.toThrow(/pg_dump was killed \(SIGKILL\)/);
    const [failed] = await listBackups(devdb.pool, database);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(await readdir(folder)).toEqual(filesBefore);

    const next = await takeBackup(ctx, { database, kind: 'manual', dir, recipients: [] });
    expect(next.status).toBe('ok');
    expect((await readdir(folder)).sort()).toEqual(
      [...filesBefore, path.basename(next.file)].sort(),
    );
  });
});
