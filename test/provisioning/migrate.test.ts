/**
 * Migrations (docs/architecture-sql.md) on a bootstrapped but unmigrated server,
 * run as the NOSUPERUSER provisioner: concurrent fresh apply under the advisory
 * lock, checksums recorded, re-apply is a no-op, status, a tampered or missing
 * applied file is refused by name, a failing migration rolls back alone.
 * The tests share one server and run in order; later ones build on earlier ones.
 */
import { cp, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  migrate,
  MigrationError,
  migrationStatus,
  PROVISIONER_ROLE,
} from '../../provisioning/index.js';
import { loadMigrations, migrationsDir } from '../../provisioning/schema/index.js';
import { startUnmigratedDevDb, type UnmigratedDevDb } from '../helpers/unmigrated.js';

let server: UnmigratedDevDb;
let provisionerUrl: string;
let client: pg.Client;
let tmp: string;

beforeAll(async () => {
  server = await startUnmigratedDevDb('migrations');
  ({ provisionerUrl, client, tmp } = server);
});

afterAll(async () => {
  await server?.stop();
});

async function copyOfMigrations(name: string): Promise<string> {
  const dir = path.join(tmp, name);
  await cp(migrationsDir(), dir, { recursive: true });
  return dir;
}

async function ledger() {
  const { rows } = await client.query<{ version: number; file: string; checksum: string }>(
    'SELECT version, file, checksum FROM provisioning.schema_migrations ORDER BY version',
  );
  return rows;
}

async function migrationLockHeld(): Promise<boolean> {
  const { rowCount } = await client.query(
    `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 1684371044 AND objid = 0`,
  );
  return rowCount !== 0;
}

test('the migrator is not a superuser', async () => {
  const { rows } = await client.query<{ rolsuper: boolean }>(
    'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
  );
  expect(rows[0]!.rolsuper).toBe(false);
});

test('before migrating, every migration is pending', async () => {
  const all = await loadMigrations();
  expect(all.map((m) => m.version)).toEqual(all.map((_, i) => i + 1));
  expect(all.length).toBeGreaterThanOrEqual(4);
  const status = (await migrationStatus(client)).numbered;
  expect(status.map((s) => [s.file, s.state, s.appliedAt])).toEqual(
    all.map((m) => [m.file, 'pending', null]),
  );
});

test('two concurrent migrate() calls on a fresh devdb: one applies all, the other waits and finds nothing to do', async () => {
  const a = new pg.Client({ connectionString: provisionerUrl });
  const b = new pg.Client({ connectionString: provisionerUrl });
  await Promise.all([a.connect(), b.connect()]);
  try {
    const results = await Promise.all([migrate(a), migrate(b)]);
    const all = await loadMigrations();
    const counts = results.map((r) => r.length).sort();
    expect(counts).toEqual([0, all.length]);
    const applied = results.find((r) => r.length > 0)!;
    expect(applied.map((m) => m.file)).toEqual(all.map((m) => m.file));
  } finally {
    await Promise.all([a.end(), b.end()]);
  }
  expect(await migrationLockHeld()).toBe(false);
});

test('every migration is recorded once, with the checksum of its file', async () => {
  const all = await loadMigrations();
  expect(await ledger()).toEqual(
    all.map((m) => ({ version: m.version, file: m.file, checksum: m.checksum })),
  );
  for (const row of await ledger()) expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
  // The schema is the provisioner's, and the entry points exist.
  const { rows } = await client.query<{ owner: string }>(
    `SELECT tableowner AS owner FROM pg_tables
      WHERE schemaname = 'provisioning' AND tablename = 'schema_migrations'`,
  );
  expect(rows[0]!.owner).toBe(PROVISIONER_ROLE);
  const fns = await client.query<{ proname: string }>(
    `SELECT proname FROM pg_proc WHERE pronamespace = 'provisioning'::regnamespace
      AND proname IN ('create_team_db', 'list_user_databases', 'get_connection_info') ORDER BY 1`,
  );
  expect(fns.rows.map((r) => r.proname)).toEqual([
    'create_team_db',
    'get_connection_info',
    'list_user_databases',
  ]);
});

test('re-applying is a no-op', async () => {
  const before = await ledger();
  expect(await migrate(client)).toEqual([]);
  expect(await ledger()).toEqual(before);
  const status = (await migrationStatus(client)).numbered;
  expect(status.every((s) => s.state === 'applied' && s.appliedAt instanceof Date)).toBe(true);
});

test('a migration changed after it was applied is refused, naming the file', async () => {
  const dir = await copyOfMigrations('tampered');
  const file = path.join(dir, '002_naming.sql');
  await writeFile(file, (await readFile(file, 'utf8')).replace('"Names"', '"Naming"'));
  const before = await ledger();

  const error = await migrate(client, { dir }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MigrationError);
  expect((error as Error).message).toMatch(
    /migration 002_naming\.sql was changed after it was applied/,
  );
  expect((error as Error).message).toMatch(/restore the file and add a new migration instead/);
  await expect(migrationStatus(client, dir)).rejects.toThrow(/002_naming\.sql was changed/);
  expect(await ledger()).toEqual(before);
  expect(await migrationLockHeld()).toBe(false);

  // Even a whitespace change counts.
  const dir2 = await copyOfMigrations('tampered-ws');
  await writeFile(
    path.join(dir2, '004_entry_points.sql'),
    `${await readFile(path.join(dir2, '004_entry_points.sql'), 'utf8')}\n`,
  );
  await expect(migrate(client, { dir: dir2 })).rejects.toThrow(/004_entry_points\.sql/);
});

test('an applied migration missing from disk is refused, naming it', async () => {
  const dir = await copyOfMigrations('missing');
  const all = await loadMigrations();
  const last = all.at(-1)!.file;
  await unlink(path.join(dir, last));
  await expect(migrate(client, { dir })).rejects.toThrow(
    new RegExp(`migration ${last.replace('.', '\\.')} applied, which this DevDB does not know`),
  );
});

test('pending migrations are reported, then applied each in its own transaction', async () => {
  const all = await loadMigrations();
  const n = all.length;
  const pad = (v: number) => String(v).padStart(3, '0');
  const dir = await copyOfMigrations('pending');
  await writeFile(
    path.join(dir, `${pad(n + 1)}_extra.sql`),
    'CREATE TABLE provisioning.extra (x int);',
  );
  await writeFile(
    path.join(dir, `${pad(n + 2)}_broken.sql`),
    'CREATE TABLE provisioning.half_done (x int);\nSELECT 1 / 0;',
  );

  const status = (await migrationStatus(client, dir)).numbered;
  expect(status.slice(-3).map((s) => [s.file, s.state])).toEqual([
    [all.at(-1)!.file, 'applied'],
    [`${pad(n + 1)}_extra.sql`, 'pending'],
    [`${pad(n + 2)}_broken.sql`, 'pending'],
  ]);

  const error = await migrate(client, { dir }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MigrationError);
  expect((error as Error).message).toMatch(
    new RegExp(`migration ${pad(n + 2)}_broken\\.sql failed: division by zero`),
  );
  // The good one stays applied; the broken one left nothing behind.
  const tables = await client.query<{ t: string | null; h: string | null }>(
    `SELECT to_regclass('provisioning.extra')::text AS t, to_regclass('provisioning.half_done')::text AS h`,
  );
  expect(tables.rows[0]).toEqual({ t: 'provisioning.extra', h: null });
  const after = (await migrationStatus(client, dir)).numbered;
  expect(after.slice(-2).map((s) => s.state)).toEqual(['applied', 'pending']);
  expect(await migrationLockHeld()).toBe(false);
});

test('migration files out of sequence are refused', async () => {
  const dir = await copyOfMigrations('gap');
  await writeFile(path.join(dir, '099_far_away.sql'), 'SELECT 1;');
  await expect(migrate(client, { dir })).rejects.toThrow(/099_far_away\.sql is out of sequence/);
});
