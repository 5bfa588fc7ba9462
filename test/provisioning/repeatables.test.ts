/**
 * Repeatable files (provisioning/<concept>/*.sql, docs/architecture-sql.md) on a
 * bootstrapped server, as the NOSUPERUSER provisioner: applied in order after
 * the numbered migrations, re-applied only when their content changes, grants
 * re-applied with any of them, concurrent runs queue, a failing file rolls the
 * whole run back. The tests share one server and run in order.
 */
import { cp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { migrate, MigrationError, migrationStatus } from '../../provisioning/index.js';
import {
  loadMigrations,
  migrationsDir,
  REPEATABLE_ORDER,
  repeatablesDir,
} from '../../provisioning/schema/index.js';
import { startUnmigratedDevDb, type UnmigratedDevDb } from '../helpers/unmigrated.js';

let server: UnmigratedDevDb;
let provisionerUrl: string;
let client: pg.Client;
let tmp: string;

beforeAll(async () => {
  server = await startUnmigratedDevDb('repeatables');
  ({ provisionerUrl, client, tmp } = server);
});

afterAll(async () => {
  await server?.stop();
});

/** Where the repeatable file `file` is in a copy of the tree (each concept folder holds its own). */
async function locate(dir: string, file: string): Promise<string> {
  const found = (await readdir(dir, { recursive: true })).find(
    (entry) => path.basename(entry) === file && !entry.includes('migrations'),
  );
  if (!found) throw new Error(`${file} is not under ${dir}`);
  return path.join(dir, found);
}

/** A copy of the repeatable files with `file` changed by `edit`. */
async function editedCopy(name: string, file: string, edit: (sql: string) => string) {
  const dir = path.join(tmp, name);
  await cp(repeatablesDir(), dir, { recursive: true });
  const target = await locate(dir, file);
  await writeFile(target, edit(await readFile(target, 'utf8')));
  return dir;
}

async function repeatableLedger() {
  const { rows } = await client.query<{ file: string; checksum: string; applied_at: Date }>(
    'SELECT file, checksum, applied_at FROM provisioning.schema_repeatables ORDER BY file',
  );
  return rows;
}

async function migrateReporting(c: pg.ClientBase, options: Parameters<typeof migrate>[1] = {}) {
  const applied: string[] = [];
  await migrate(c, { ...options, onApplied: (f) => applied.push(f.file) });
  return applied;
}

async function publicCanExecute(signature: string): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>(
    `SELECT has_function_privilege('public', $1::regprocedure, 'EXECUTE') AS ok`,
    [signature],
  );
  return rows[0]!.ok;
}

test('a fresh migrate applies the numbered migrations, then every repeatable file in order', async () => {
  const before = await migrationStatus(client);
  expect(before.repeatable.map((s) => [s.file, s.state])).toEqual(
    REPEATABLE_ORDER.map((f) => [f, 'pending']),
  );
  const applied = await migrateReporting(client);
  expect(applied).toEqual([...(await loadMigrations()).map((m) => m.file), ...REPEATABLE_ORDER]);
  const after = await migrationStatus(client);
  expect(after.repeatable.every((s) => s.state === 'applied' && s.appliedAt)).toBe(true);
});

test('unchanged repeatable files are not applied again', async () => {
  const before = await repeatableLedger();
  expect(await migrateReporting(client)).toEqual([]);
  expect(await repeatableLedger()).toEqual(before);
});

test('a changed file is reported, then re-applied at the next migrate, and the grants with it', async () => {
  // A function added later, even one a careless edit hands to PUBLIC.
  const dir = await editedCopy(
    'changed',
    'maintenance.sql',
    (sql) =>
      `${sql}\nCREATE OR REPLACE FUNCTION provisioning.added_later() RETURNS int LANGUAGE sql RETURN 1;\n` +
      'GRANT EXECUTE ON FUNCTION provisioning.added_later() TO PUBLIC;\n',
  );
  const before = await repeatableLedger();
  const status = await migrationStatus(client, undefined, dir);
  expect(status.repeatable.filter((s) => s.state !== 'applied')).toEqual([
    { file: 'maintenance.sql', state: 'changed', appliedAt: expect.any(Date) },
  ]);

  expect(await migrateReporting(client, { repeatableDir: dir })).toEqual([
    'maintenance.sql',
    'grants.sql',
  ]);
  expect(await publicCanExecute('provisioning.added_later()')).toBe(false);
  const after = await repeatableLedger();
  after.forEach((row, i) => {
    const reapplied = ['maintenance.sql', 'grants.sql'].includes(row.file);
    if (reapplied)
      expect(row.applied_at.getTime()).toBeGreaterThan(before[i]!.applied_at.getTime());
    else expect(row).toEqual(before[i]);
  });
  expect(await migrateReporting(client, { repeatableDir: dir })).toEqual([]);
});

test('two concurrent runs with a changed file: one applies it, the other waits and finds nothing', async () => {
  const dir = await editedCopy('concurrent', 'access.sql', (sql) => `${sql}\n-- reworded\n`);
  const a = new pg.Client({ connectionString: provisionerUrl });
  const b = new pg.Client({ connectionString: provisionerUrl });
  await Promise.all([a.connect(), b.connect()]);
  try {
    const results = await Promise.all([
      migrateReporting(a, { repeatableDir: dir }),
      migrateReporting(b, { repeatableDir: dir }),
    ]);
    // maintenance.sql goes back to the shipped one, changed by the test before.
    expect(results.map((r) => r.join(',')).sort()).toEqual([
      '',
      'access.sql,maintenance.sql,grants.sql',
    ]);
  } finally {
    await Promise.all([a.end(), b.end()]);
  }
});

test('a failing repeatable file rolls the whole run back, numbered migrations included', async () => {
  const all = await loadMigrations();
  const numbered = path.join(tmp, 'numbered');
  await cp(migrationsDir(), numbered, { recursive: true });
  const extra = `${String(all.length + 1).padStart(3, '0')}_extra.sql`;
  await writeFile(path.join(numbered, extra), 'CREATE TABLE provisioning.extra (x int);');
  const dir = await editedCopy('failing', 'entry-points.sql', (sql) => `${sql}\nSELECT 1 / 0;\n`);
  const naming = await locate(dir, 'naming.sql');
  await writeFile(naming, `${await readFile(naming, 'utf8')}\n-- changed too\n`);
  const before = await repeatableLedger();

  const applied: string[] = [];
  const error = await migrate(client, {
    dir: numbered,
    repeatableDir: dir,
    onApplied: (f) => applied.push(f.file),
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MigrationError);
  expect((error as Error).message).toMatch(/repeatable entry-points\.sql failed: division by zero/);
  expect(applied).toEqual([]);
  const { rows } = await client.query(`SELECT to_regclass('provisioning.extra') AS t`);
  expect(rows[0].t).toBeNull();
  expect((await migrationStatus(client, numbered, dir)).numbered.at(-1)).toMatchObject({
    file: extra,
    state: 'pending',
  });
  expect(await repeatableLedger()).toEqual(before);
  const lock = await client.query(
    `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 1684371044 AND objid = 0`,
  );
  expect(lock.rowCount).toBe(0);
});

test('a .sql file missing from the declared order is refused, naming it', async () => {
  const dir = await editedCopy('stray', 'grants.sql', (sql) => sql);
  await writeFile(path.join(dir, 'zz_new.sql'), 'SELECT 1;');
  await expect(migrate(client, { repeatableDir: dir })).rejects.toThrow(
    /zz_new\.sql in .* not in REPEATABLE_ORDER/,
  );
});

test('moving a repeatable file to another concept folder re-applies nothing', async () => {
  await migrate(client);
  const before = await repeatableLedger();
  const dir = await editedCopy('moved', 'policy.sql', (sql) => sql);
  const from = await locate(dir, 'policy.sql');
  await rename(from, path.join(dir, 'servers', 'policy.sql'));
  expect(await migrateReporting(client, { repeatableDir: dir })).toEqual([]);
  expect(await repeatableLedger()).toEqual(before);
});

test('two repeatable files of one name are refused, naming both', async () => {
  const dir = await editedCopy('twice', 'grants.sql', (sql) => sql);
  await cp(await locate(dir, 'jobs.sql'), path.join(dir, 'policy', 'jobs.sql'));
  await expect(migrate(client, { repeatableDir: dir })).rejects.toThrow(
    /jobs\/jobs\.sql and policy\/jobs\.sql: two repeatable files named jobs\.sql/,
  );
});
