/**
 * A cleanup killed with SIGKILL midway leaves nothing half-done and a re-run
 * finishes it: `devdb cleanup --yes` (the built executable) runs over many
 * eligible databases in a child process, is killed once some are archived, and
 * a second run archives the rest. Every database ends archived exactly once
 * (one event each), under its archived name on the server, its data restorable.
 */
import { existsSync } from 'node:fs';
import { setTimeout as pause } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  ensureIndividualDatabase,
  policyStates,
  restoreDatabase,
} from '../../provisioning/index.js';
import { runDevdb } from '../helpers/cli-io.js';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';
import { killWhen } from '../helpers/kill.js';
import { CLI } from '../helpers/up-process.js';

const COUNT = 40;
const names = Array.from({ length: COUNT }, (_, i) => `dev_user${String(i).padStart(2, '0')}`);

let devdb: TestDevDb;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('this test runs the built CLI: run `npm run build` first');
  devdb = await startTestDevDb();
  // Each database with a row in it.
  for (const name of names) {
    await ensureIndividualDatabase(devdb.pool, { owner: name.slice('dev_'.length) });
    const client = await devdb.superuser(name);
    await client.query('CREATE TABLE t (v text)');
    await client.query('INSERT INTO t VALUES ($1)', [name]);
    await client.end();
  }
  await devdb.pool.query(
    `UPDATE provisioning.databases SET created_at = now() - interval '100 days'`,
  );
});

afterAll(async () => {
  await devdb?.stop();
});

const archiveEvents = async () =>
  (
    await devdb.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM provisioning.events WHERE action = 'database.archive'`,
    )
  ).rows[0]!.n;

/** Runs `devdb cleanup --yes` in a child and SIGKILLs it once `after` archives are recorded. */
const killMidway = (after: number) =>
  killWhen(
    [CLI, 'cleanup', '--yes', '--admin-url', devdb.provisionerUrl],
    async () => (await archiveEvents()) >= after,
    { what: 'cleanup' },
  );

/**
 * The killed client's server session finishes (or abandons) the statement it
 * was running on its own: waits until no other provisioner session is busy.
 */
async function untilServerQuiet(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await devdb.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE usename = current_user AND state <> 'idle' AND pid <> pg_backend_pid()`,
    );
    if (rows[0]!.n === 0) return;
    if (Date.now() > deadline) throw new Error('the killed cleanup left a busy session for 30 s');
    await pause(20);
  }
}

test('kill -9 midway, then a re-run converges with nothing lost', async () => {
  expect(await killMidway(5)).toBeNull(); // killed by the signal, not exited
  await untilServerQuiet();
  const archivedByFirst = await archiveEvents();
  expect(archivedByFirst).toBeGreaterThanOrEqual(5);
  expect(archivedByFirst).toBeLessThan(COUNT);

  const rerun = await runDevdb(['cleanup', '--yes', '--json', '--admin-url', devdb.provisionerUrl]);
  expect(rerun.code).toBe(0);
  const { results } = JSON.parse(rerun.stdout) as { results: { outcome: string }[] };
  expect(results.every((r) => r.outcome === 'done')).toBe(true);
  // What the first run did is not done again; what it left half-way is finished.
  expect(results).toHaveLength(COUNT - archivedByFirst);

  // Converged: every database archived, once; nothing left to do.
  const states = await policyStates(devdb.pool);
  expect(states.map((s) => s.state)).toEqual(names.map(() => 'archived'));
  const perDatabase = await devdb.pool.query<{ db_name: string; n: number }>(
    `SELECT db_name, count(*)::int AS n FROM provisioning.events
      WHERE action = 'database.archive' GROUP BY db_name ORDER BY db_name`,
  );
  expect(perDatabase.rows).toEqual(names.map((db_name) => ({ db_name, n: 1 })));
  const su = await devdb.superuser();
  const onServer = await su.query<{ datname: string; datallowconn: boolean }>(
    `SELECT datname, datallowconn FROM pg_database WHERE datname LIKE '%dev_user%' ORDER BY datname`,
  );
  expect(onServer.rows).toEqual(
    names.map((name) => ({ datname: `archived_${name}`, datallowconn: false })),
  );
  const dry = await runDevdb([
    'cleanup',
    '--dry-run',
    '--json',
    '--admin-url',
    devdb.provisionerUrl,
  ]);
  expect(JSON.parse(dry.stdout).actions).toEqual([]);

  // Nothing lost: each comes back with its row (two of them, to keep it short).
  for (const name of [names[0]!, names[COUNT - 1]!]) {
    await restoreDatabase(devdb.pool, name, { actor: 'test' });
    const client = await devdb.superuser(name);
    expect((await client.query('SELECT v FROM t')).rows).toEqual([{ v: name }]);
  }
});
