/**
 * `devdb cleanup` from the shell: the dry run prints exactly what the run then
 * does; without a terminal it needs --yes (exit 2, nothing changed); on a
 * terminal it asks and shows progress; a protected database is left alone.
 * Databases are made old by moving their creation back (the CLI's clock is the
 * real one).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  ensureIndividualDatabase,
  ensureTeamDatabase,
  listEvents,
  policyStates,
  protectDatabase,
  retireDatabase,
} from '../../provisioning/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';

// The drop takes a real final backup: a server whose major has a pg_dump here,
// chosen before the cluster helper loads (it reads the server binaries' location once).
await selectBackupTestServer();
const { startTestDevDb, writeDataDirCredentials } = await import('../helpers/devdb.js');
const { runDevdb } = await import('../helpers/cli-io.js');

let devdb: TestDevDb;
let dataDir: string;
const cli = (args: string[], options: Parameters<typeof runDevdb>[1] = {}) =>
  runDevdb([...args, '--data-dir', dataDir], options);

beforeAll(async () => {
  devdb = await startTestDevDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'devdb-cleanup-cli-'));
  await writeDataDirCredentials(devdb, dataDir);
  await devdb.pool.query(`INSERT INTO provisioning.settings VALUES ('backup_dir', $1)`, [
    path.join(dataDir, 'backups'),
  ]);
  for (const owner of ['ann', 'ben', 'cid', 'old'])
    await ensureIndividualDatabase(devdb.pool, { owner });
  await ensureTeamDatabase(devdb.pool, { team: 'kept' });
  await devdb.pool.query(
    `UPDATE provisioning.databases SET created_at = now() - interval '100 days' WHERE db_name <> 'dev_cid'`,
  );
  await protectDatabase(devdb.pool, { database: 'team_kept', reason: 'legal hold', actor: 'test' });
  // Archived 40 days ago: past the 30 days' retention.
  await retireDatabase(devdb.pool, { database: 'dev_old', policy: 'archive', actor: 'test' });
  await devdb.pool.query(
    `UPDATE provisioning.databases
        SET metadata = jsonb_set(metadata, '{archived,at}', to_jsonb(now() - interval '40 days'))
      WHERE db_name = 'dev_old'`,
  );
});

afterAll(async () => {
  await devdb?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const statuses = async () =>
  Object.fromEntries((await policyStates(devdb.pool)).map((s) => [s.database, s.state]));

const BEFORE = {
  dev_ann: 'eligible',
  dev_ben: 'eligible',
  dev_cid: 'active',
  dev_old: 'archived',
  team_kept: 'protected',
};

test('without a terminal, cleanup needs --yes: exit 2 and nothing changed', async () => {
  const { code, stdout, stderr } = await cli(['cleanup']);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr).toMatch(
    /^devdb: devdb cleanup \(detach 0 workspace\(s\), archive 2 and drop 1 database\(s\) \(each drop after its final backup\)\) asks for confirmation, and stdin is not a terminal: add --yes to go ahead \(nothing was changed\)\n$/,
  );
  expect(await statuses()).toEqual(BEFORE);
});

test('on a terminal it asks; no changes nothing', async () => {
  const questions: string[] = [];
  const { code, stderr } = await cli(['cleanup'], {
    isTTY: true,
    confirm: async (question) => {
      questions.push(question);
      return false;
    },
  });
  expect(code).toBe(1);
  expect(stderr).toBe('devdb: cancelled: nothing was changed\n');
  expect(questions).toHaveLength(1);
  expect(questions[0]).toContain('  archive dev_ann: no access for 100 days (eligible at 90)\n');
  expect(questions[0]).toContain('  drop dev_old: archived ');
  expect(await statuses()).toEqual(BEFORE);
});

test('the dry run prints exactly what cleanup then does', async () => {
  const dryText = await cli(['cleanup', '--dry-run']);
  expect(dryText.code).toBe(0);
  expect(dryText.stdout).toContain('Cleanup plan (dry run: nothing was changed)');
  expect(dryText.stdout).toMatch(
    /│ archive +│ dev_ann +│ +│ no access for 100 days \(eligible at 90\) +│/,
  );
  expect(dryText.stdout).toMatch(/Left alone[\s\S]*│ team_kept +│ +│ protected: legal hold +│/);
  expect(dryText.stdout).toContain(
    'Cleanup would detach 0 workspace(s), archive 2 and drop 1 database(s)',
  );
  const dry = JSON.parse((await cli(['cleanup', '--dry-run', '--json'])).stdout);
  expect(dry.dryRun).toBe(true);
  expect(dry.results).toEqual([]);
  expect(await statuses()).toEqual(BEFORE);

  const run = await cli(['cleanup', '--json'], { isTTY: true, confirm: async () => true });
  expect(run.code).toBe(0);
  const done = JSON.parse(run.stdout);
  expect(done.dryRun).toBe(false);
  expect(done.actions).toEqual(dry.actions);
  expect(done.results.map((r: { action: unknown }) => r.action)).toEqual(dry.actions);
  expect(done.results.map((r: { outcome: string }) => r.outcome)).toEqual(['done', 'done', 'done']);
  expect(
    done.actions.map((a: { kind: string; database: string }) => `${a.kind} ${a.database}`),
  ).toEqual(['archive dev_ann', 'archive dev_ben', 'drop dev_old']);
  // The drop came after a final backup, verified by a trial restore.
  const final = await devdb.pool.query(
    `SELECT status, verified_at IS NOT NULL AS verified FROM provisioning.backups
      WHERE db_name = 'dev_old' AND kind = 'final'`,
  );
  expect(final.rows).toEqual([{ status: 'ok', verified: true }]);
  // Progress on the terminal, one line per action.
  expect(run.stderr).toBe(
    '[1/3] archive dev_ann: done\n[2/3] archive dev_ben: done\n[3/3] drop dev_old: done\n',
  );
  expect(await statuses()).toEqual({
    ...BEFORE,
    dev_ann: 'archived',
    dev_ben: 'archived',
    dev_old: 'dropped',
  });
  const events = await listEvents(devdb.pool, { limit: 10 });
  expect(events.filter((e) => e.actor === 'cli').map((e) => [e.action, e.database])).toEqual([
    ['cleanup.run', null],
    ['database.drop', 'dev_old'],
    ['database.archive', 'dev_ben'],
    ['database.archive', 'dev_ann'],
  ]);

  const again = await cli(['cleanup', '--yes']);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('nothing to do');
});
