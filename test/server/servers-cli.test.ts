/**
 * `devdb servers` and `devdb move` from the command line, with two real servers
 * (docs/servers.md): a server is added, listed without its password, and a
 * move killed with SIGKILL midway is finished by a re-run, leaving both
 * registries consistent (doctor clean, one placement, the data there).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensureIndividualDatabase } from '../../provisioning/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';
import { killWhen } from '../helpers/kill.js';

// Before the cluster helper loads: it reads the server binaries' location once.
await selectBackupTestServer();
const { startTestDevDb } = await import('../helpers/devdb.js');
const { runDevdb } = await import('../helpers/cli-io.js');
const { CLI } = await import('../helpers/up-process.js');

const ROWS = 400_000;
let central: TestDevDb;
let member: TestDevDb;
let backupDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('this test runs the built CLI: run `npm run build` first');
  [central, member] = await Promise.all([startTestDevDb(), startTestDevDb()]);
  backupDir = await mkdtemp(path.join(tmpdir(), 'devdb-move-cli-'));
  env = { DEVDB_ADMIN_URL: central.provisionerUrl, DEVDB_BACKUP_DIR: backupDir };
  // A database with enough rows that its dump takes a moment to kill into.
  await ensureIndividualDatabase(central.pool, { owner: 'dana' });
  const client = await central.superuser('dev_dana');
  await client.query('CREATE TABLE notes (id int PRIMARY KEY, body text)');
  await client.query(
    `INSERT INTO notes SELECT g, repeat('x', 80) FROM generate_series(1, ${ROWS}) g`,
  );
  await client.query('ALTER TABLE notes OWNER TO dev_dana');
  await client.end();
});

afterAll(async () => {
  await Promise.all([central?.stop(), member?.stop()]);
  if (backupDir) await rm(backupDir, { recursive: true, force: true });
});

const cli = (args: string[]) => runDevdb(args, { env });

test('servers add and list: the admin URL is never shown with its password', async () => {
  const added = await cli([
    'servers',
    'add',
    'pg-2',
    '--server-url',
    member.provisionerUrl,
    '--json',
  ]);
  expect(added.code, added.stderr).toBe(0);
  expect(JSON.parse(added.stdout)).toMatchObject({ name: 'pg-2', state: 'active', databases: 0 });
  const listed = await cli(['servers', 'list', '--json']);
  expect(JSON.parse(listed.stdout).map((s: { name: string }) => s.name)).toEqual([
    'central',
    'pg-2',
  ]);
  const table = await cli(['servers', 'list']);
  for (const output of [added.stdout, listed.stdout, table.stdout]) {
    expect(output).not.toContain(member.provisionerPassword);
    expect(output).not.toContain('adminUrl');
  }
  expect(table.stdout).toMatch(
    /pg-2\s*│\s*active\s*│\s*reachable\s*│\s*\d{4}-\d\d-\d\d [\d:]+Z?\s*│\s*127\.0\.0\.1:\d+/,
  );
});

test('policy settings reach every server, and cleanup plans over every server', async () => {
  expect((await cli(['policy', 'settings', '--idle-days', '45'])).code).toBe(0);
  const { rows } = await member.pool.query<{ value: string }>(
    `SELECT value FROM provisioning.settings WHERE key = 'policy_idle_days'`,
  );
  expect(rows[0]?.value).toBe('45');
  // A forgotten database on the member: eligible, so cleanup would archive it.
  await ensureIndividualDatabase(member.pool, { owner: 'gone' });
  await member.pool.query(
    `UPDATE provisioning.databases SET created_at = now() - interval '200 days' WHERE db_name = 'dev_gone'`,
  );
  const plan = JSON.parse((await cli(['cleanup', '--dry-run', '--json'])).stdout);
  expect(plan.actions).toContainEqual(
    expect.objectContaining({ kind: 'archive', database: 'dev_gone' }),
  );
  const policy = JSON.parse((await cli(['policy', '--json'])).stdout);
  expect(policy.databases.map((d: { database: string }) => d.database)).toContain('dev_gone');
  const orphans = JSON.parse((await cli(['orphans', '--json'])).stdout);
  expect(JSON.stringify(orphans)).toContain('dev_gone');
  await member.pool.query(`SELECT provisioning.drop_database('dev_gone', 'test', NULL, 'test')`);
});

test('a bad move says what is allowed', async () => {
  const nowhere = await cli(['move', 'dev_dana', '--to', 'nowhere']);
  expect(nowhere.code).toBe(1);
  expect(nowhere.stderr).toMatch(/no DevDB server named 'nowhere'.*devdb servers list/);
  const same = await cli(['move', 'dev_dana', '--to', 'central']);
  expect(same.stderr).toMatch(/already on server central/);
});

const placementOf = async () =>
  (
    await central.pool.query<{ server_name: string; moving_to: string | null }>(
      `SELECT server_name, moving_to FROM provisioning.placements WHERE db_name = 'dev_dana'`,
    )
  ).rows[0];

/** Starts `devdb move` in a child and SIGKILLs it while pg_dump runs. */
const killWhileDumping = () =>
  killWhen(
    [CLI, 'move', 'dev_dana', '--to', 'pg-2'],
    async () => {
      const { rowCount } = await central.pool.query(
        `SELECT FROM provisioning.backups WHERE db_name = 'dev_dana' AND status = 'running'`,
      );
      return rowCount! > 0;
    },
    { env: { ...process.env, ...env }, what: 'move' },
  );

test('a move killed midway is finished by a re-run, and nothing is left half done', async () => {
  await killWhileDumping();
  expect(await placementOf()).toEqual({ server_name: 'central', moving_to: 'pg-2' });
  // Meanwhile, another move of it is refused with what to run instead.
  const other = await cli(['move', 'dev_dana', '--to', 'central']);
  expect(other.stderr).toMatch(/being moved to pg-2.*devdb move dev_dana --to pg-2/);

  const rerun = await cli(['move', 'dev_dana', '--to', 'pg-2', '--json']);
  expect(rerun.code, rerun.stderr).toBe(0);
  expect(JSON.parse(rerun.stdout)).toMatchObject({ from: 'central', to: 'pg-2', tables: 1 });
  expect(rerun.stderr).toMatch(/final backup of dev_dana on central/);
  expect(await placementOf()).toEqual({ server_name: 'pg-2', moving_to: null });

  const moved = await member.superuser('dev_dana');
  const { rows } = await moved.query<{ n: number }>('SELECT count(*)::int AS n FROM notes');
  await moved.end();
  expect(rows[0]!.n).toBe(ROWS);
  // The killed run's backup is marked failed, the re-run's is there and verified by counts.
  const backups = await central.pool.query<{ status: string }>(
    `SELECT status FROM provisioning.backups WHERE db_name = 'dev_dana' ORDER BY id`,
  );
  expect(backups.rows.map((b) => b.status)).toEqual(['failed', 'ok']);
  for (const server of [central, member]) {
    const doctor = await server.pool.query('SELECT * FROM provisioning.doctor()');
    expect(doctor.rows).toEqual([]);
  }
  const states = await Promise.all(
    [central, member].map(async (server) =>
      (
        await server.pool.query<{ status: string }>(
          `SELECT status FROM provisioning.databases WHERE db_name = 'dev_dana'`,
        )
      ).rows.map((r) => r.status),
    ),
  );
  expect(states).toEqual([['archived'], ['active']]);
  // `devdb list` shows both copies, each with its server.
  const listed = JSON.parse((await cli(['list', '--json'])).stdout) as Array<{
    name: string;
    server: string;
    status: string;
  }>;
  expect(listed.filter((d) => d.name === 'dev_dana').map((d) => [d.server, d.status])).toEqual([
    ['central', 'archived'],
    ['pg-2', 'active'],
  ]);
  // A command on a named database goes to its server.
  const inspected = JSON.parse((await cli(['inspect', 'dev_dana', '--json'])).stdout);
  expect(inspected.database).toMatchObject({ name: 'dev_dana', status: 'active' });
  expect((await cli(['protect', 'dev_dana', '--reason', 'demo'])).code).toBe(0);
  const protectedOn = await member.pool.query(
    `SELECT FROM provisioning.protections WHERE db_name = 'dev_dana'`,
  );
  expect(protectedOn.rowCount).toBe(1);
  expect((await cli(['unprotect', 'dev_dana'])).code).toBe(0);
  // The doctor checks both servers: nothing to fix.
  const doctor = await cli(['doctor']);
  expect([doctor.code, doctor.stdout.trim()]).toEqual([0, 'nothing to fix']);
});

test('drain moves what is left and then the server can be removed', async () => {
  const drained = await cli(['servers', 'drain', 'pg-2', '--json']);
  expect(drained.code, drained.stderr).toBe(0);
  expect(JSON.parse(drained.stdout).moved).toMatchObject([
    { database: 'dev_dana', from: 'pg-2', to: 'central' },
  ]);
  const removed = await cli(['servers', 'remove', 'pg-2']);
  expect(removed.code, removed.stderr).toBe(0);
  const client = new pg.Client({
    connectionString: central.url(central.cluster.superuser, central.cluster.password, 'dev_dana'),
  });
  await client.connect();
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM notes');
  await client.end();
  expect(rows[0]!.n).toBe(ROWS);
});
