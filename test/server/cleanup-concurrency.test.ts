/**
 * One cleanup at a time (docs/operations.md, "One at a time"), with the real
 * built CLI in child processes and real final backups (pg_dump, a trial
 * restore): a second `devdb cleanup` waits for the first, saying who holds the
 * lock, then finds nothing left and exits 0; `--no-wait` refuses instead (exit
 * 1, nothing changed); two cleanups started together take one final backup per
 * drop; a cleanup killed with SIGKILL while it takes a final backup frees the
 * lock with its session, and a re-run converges.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  ensureIndividualDatabase,
  policyStates,
  retireDatabase,
  withCleanupLock,
} from '../../provisioning/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';
import { killWhen } from '../helpers/kill.js';
import { CLI } from '../helpers/up-process.js';

// Real final backups: a server whose major has a pg_dump here, chosen before the
// cluster helper loads (it reads the server binaries' location once).
await selectBackupTestServer();
const { startTestDevDb } = await import('../helpers/devdb.js');

let devdb: TestDevDb;
let backupDir: string;

/** Databases made 100 days ago (eligible) and archived 40 days ago (past the retention), with a row each. */
async function make(names: { eligible?: string[]; archived?: string[] }): Promise<void> {
  for (const name of [...(names.eligible ?? []), ...(names.archived ?? [])]) {
    await ensureIndividualDatabase(devdb.pool, { owner: name.slice('dev_'.length) });
    const client = await devdb.superuser(name);
    await client.query(`SET ROLE ${name}`); // the table is the database's, as a workspace's would be
    await client.query(
      `CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 20000) g`,
    );
    await client.end();
  }
  await devdb.pool.query(
    `UPDATE provisioning.databases SET created_at = now() - interval '100 days' WHERE db_name = ANY ($1)`,
    [[...(names.eligible ?? []), ...(names.archived ?? [])]],
  );
  for (const database of names.archived ?? []) {
    await retireDatabase(devdb.pool, { database, policy: 'archive', actor: 'test' });
    await devdb.pool.query(
      `UPDATE provisioning.databases
          SET metadata = jsonb_set(metadata, '{archived,at}', to_jsonb(now() - interval '40 days'))
        WHERE db_name = $1`,
      [database],
    );
  }
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('this test runs the built CLI: run `npm run build` first');
  devdb = await startTestDevDb();
  backupDir = await mkdtemp(path.join(tmpdir(), 'devdb-cleanup-concurrency-'));
  await devdb.pool.query(`INSERT INTO provisioning.settings VALUES ('backup_dir', $1)`, [
    backupDir,
  ]);
});

afterAll(async () => {
  await devdb?.stop();
  if (backupDir) await rm(backupDir, { recursive: true, force: true });
});

interface Cleanup {
  stderr(): string;
  stdout(): string;
  exited: Promise<number | null>;
}

/** `devdb cleanup --yes --json …` in a child process. */
function cleanup(extra: string[] = []): Cleanup {
  const child = spawn(
    'node',
    [CLI, 'cleanup', '--yes', '--json', '--admin-url', devdb.provisionerUrl, ...extra],
    { env: { ...process.env, DEVDB_ADMIN_URL: '', CODER_URL: '', CODER_SESSION_TOKEN: '' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { stderr: () => stderr, stdout: () => stdout, exited };
}

const results = (run: Cleanup) =>
  (
    JSON.parse(run.stdout()) as {
      results: { action: { kind: string; database: string }; outcome: string }[];
    }
  ).results.map((r) => `${r.action.kind} ${r.action.database}: ${r.outcome}`);

const finalBackups = async (databases: string[]) =>
  (
    await devdb.pool.query<{ db_name: string; status: string; n: number }>(
      `SELECT db_name, status, count(*)::int AS n FROM provisioning.backups
        WHERE kind = 'final' AND db_name = ANY ($1) GROUP BY db_name, status ORDER BY db_name, status`,
      [databases],
    )
  ).rows;

const state = async () =>
  Object.fromEntries((await policyStates(devdb.pool)).map((s) => [s.database, s.state]));

async function until(what: string, probe: () => boolean | Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(20);
  }
}

const WAITING =
  /^devdb: another cleanup is running \(pid \d+ on [^,]+, since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\); waiting — --no-wait to refuse$/m;

test('while one cleanup runs, --no-wait refuses and a second waits, saying so, then does what is left', async () => {
  await make({ eligible: ['dev_e1', 'dev_e2'], archived: ['dev_a1'] });
  const before = await state();
  let waited: Cleanup | undefined;
  let holding = 0;
  await withCleanupLock(devdb.pool, { what: 'cleanup' }, async () => {
    holding = Date.now();
    const refused = cleanup(['--no-wait']);
    expect(await refused.exited).toBe(1);
    expect(refused.stdout()).toBe('');
    expect(refused.stderr()).toMatch(
      /^devdb: another cleanup is running \(pid \d+ on [^,]+, since \S+Z\): not waiting \(--no-wait\); nothing was changed\n$/,
    );
    waited = cleanup();
    await until('the second cleanup to say it waits', () => WAITING.test(waited!.stderr()));
    await pause(1000);
    expect(await state()).toEqual(before); // it waits: nothing done yet
  });
  const released = Date.now();
  expect(await waited!.exited).toBe(0);
  const ended = waited!.stderr().match(/the other cleanup ended after ([\d.]+) s; going on/);
  expect(ended).not.toBeNull();
  expect(Number(ended![1]) * 1000).toBeGreaterThanOrEqual(1000);
  console.log(
    `the second cleanup waited ${ended![1]} s (the lock was held ${((released - holding) / 1000).toFixed(1)} s)`,
  );
  expect(results(waited!)).toEqual([
    'archive dev_e1: done',
    'archive dev_e2: done',
    'drop dev_a1: done',
  ]);
  expect(await finalBackups(['dev_a1'])).toEqual([{ db_name: 'dev_a1', status: 'ok', n: 1 }]);
});

test('two cleanups started together: one final backup per drop, both exit 0, the second finds nothing left', async () => {
  const drops = ['dev_c1', 'dev_c2', 'dev_c3'];
  await make({ eligible: ['dev_c4'], archived: drops });
  const started = Date.now();
  const [one, two] = [cleanup(), cleanup()];
  const codes = await Promise.all([one.exited, two.exited]);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  expect(codes).toEqual([0, 0]);
  const [first, second] = WAITING.test(two.stderr()) ? [one, two] : [two, one];
  expect(second.stderr()).toMatch(WAITING);
  expect(first.stderr()).not.toMatch(WAITING);
  console.log(
    `two concurrent cleanups with ${drops.length} drops took ${seconds} s; the second: ${second.stderr().trim().replace(/\n/g, ' / ')}`,
  );
  expect(results(first)).toEqual(['archive dev_c4: done', ...drops.map((d) => `drop ${d}: done`)]);
  expect(results(second)).toEqual([]);
  expect(await finalBackups(drops)).toEqual(
    drops.map((db_name) => ({ db_name, status: 'ok', n: 1 })),
  );
  const { rows } = await devdb.pool.query<{ db_name: string; n: number }>(
    `SELECT db_name, count(*)::int AS n FROM provisioning.events
      WHERE action = 'database.drop' AND db_name = ANY ($1) GROUP BY db_name ORDER BY db_name`,
    [drops],
  );
  expect(rows).toEqual(drops.map((db_name) => ({ db_name, n: 1 })));
});

test('kill -9 of a cleanup while it takes a final backup frees the lock; a re-run converges', async () => {
  await make({ archived: ['dev_k1'] });
  const code = await killWhen(
    [CLI, 'cleanup', '--yes', '--admin-url', devdb.provisionerUrl],
    async () =>
      (
        await devdb.pool.query(
          `SELECT FROM provisioning.backups WHERE db_name = 'dev_k1' AND kind = 'final' AND status = 'running'`,
        )
      ).rowCount === 1,
    { what: 'cleanup', env: { ...process.env, DEVDB_ADMIN_URL: '' } },
  );
  expect(code).toBeNull(); // killed, not exited

  // Its sessions, and with them its lock, end with it (the server sees the connection close).
  await until(
    'the killed cleanup to let go of its lock',
    async () => {
      const { rowCount } = await devdb.pool.query(
        `SELECT FROM pg_locks WHERE locktype = 'advisory' AND classid = 1684371043 AND granted`,
      );
      return rowCount === 0;
    },
    10_000,
  );
  const rerun = cleanup(['--no-wait']);
  expect(await rerun.exited).toBe(0);
  expect(results(rerun)).toEqual(['drop dev_k1: done']);
  expect((await state()).dev_k1).toBe('dropped');
  // The killed run's backup is marked failed (its file removed); one final backup made the drop.
  expect(await finalBackups(['dev_k1'])).toEqual([
    { db_name: 'dev_k1', status: 'failed', n: 1 },
    { db_name: 'dev_k1', status: 'ok', n: 1 },
  ]);
  const files = await readdir(path.join(backupDir, 'dev_k1'));
  expect(files.filter((f) => f.endsWith('.partial'))).toEqual([]);
  const again = cleanup();
  expect(await again.exited).toBe(0);
  expect(results(again)).toEqual([]);
});
