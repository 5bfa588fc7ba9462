/**
 * Cleanup (docs/operations.md, "Cleanup") on a real PostgreSQL whose clock the
 * test moves (devdb.clock, on the server): the dry run's plan is exactly what the real run does; detaches of
 * workspaces Coder confirmed deleted end their credentials; eligible databases
 * are archived and restorable with their data; archives past the retention go
 * through the injected drop; protected databases are never touched, even when
 * protected after the plan was made; a re-run has nothing left to do.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  attachWorkspace,
  ensureIndividualDatabase,
  ensureTeamDatabase,
  executeCleanupPlan,
  listEvents,
  planCleanup,
  policyStates,
  protectDatabase,
  restoreDatabase,
  retireDatabase,
  runCleanup,
  type Attachment,
} from '../../provisioning/index.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../helpers/devdb.js';
import { recordingDrop } from '../helpers/recording-drop.js';

let devdb: TestDevDb;
let t0: number;
const day = (n: number) => new Date(t0 + n * 86_400_000);
let orphan: Attachment;

/** Writes a row into `database` as its owner role, through a workspace's credentials. */
async function writeRow(att: Attachment, value: string): Promise<void> {
  const client = new pg.Client({ connectionString: devdb.url(att.user, att.password, att.name) });
  await client.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS notes (v text)');
    await client.query('INSERT INTO notes VALUES ($1)', [value]);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  devdb = await startTestDevDb();
  const attach = (owner: string, workspaceId: string) =>
    attachWorkspace(devdb.pool, devdb.endpoint, { type: 'individual', owner, workspaceId });
  await ensureIndividualDatabase(devdb.pool, { owner: 'old1' });
  await ensureIndividualDatabase(devdb.pool, { owner: 'old2' });
  await attach('attached', 'ws-attached');
  orphan = await attach('orphan', 'ws-gone');
  await writeRow(orphan, 'kept through the archive');
  await ensureTeamDatabase(devdb.pool, { team: 'safe' });
  await ensureIndividualDatabase(devdb.pool, { owner: 'fresh' });
  await ensureIndividualDatabase(devdb.pool, { owner: 'gone' });
  await ensureTeamDatabase(devdb.pool, { team: 'vault' });
  t0 = (await devdb.clock.now()).getTime() + 1000;
  await devdb.pool.query(
    `UPDATE provisioning.databases SET last_accessed = $1 WHERE db_name = 'dev_fresh'`,
    [day(95)],
  );
  await protectDatabase(devdb.pool, { database: 'team_safe', reason: 'audit', actor: 'test' });
  // Archived on day 10 (past the 30 days' retention on day 100); the vault is protected.
  for (const database of ['dev_gone', 'team_vault']) {
    await retireDatabase(devdb.pool, { database, policy: 'archive', actor: 'test' });
    await devdb.pool.query(
      `UPDATE provisioning.databases
          SET metadata = jsonb_set(metadata, '{archived,at}', to_jsonb($2::timestamptz)) WHERE db_name = $1`,
      [database, day(10)],
    );
  }
  await protectDatabase(devdb.pool, { database: 'team_vault', actor: 'test' });
});

afterAll(async () => {
  await devdb?.stop();
});

const deletedWorkspaces = [
  { database: 'dev_orphan', workspaceId: 'ws-gone' },
  // Not attached (any more): nothing to do.
  { database: 'dev_old1', workspaceId: 'ws-never' },
];

test('the dry run plans exactly what the run then does, and a re-run has nothing left', async () => {
  const { drop, calls } = recordingDrop(devdb.pool);
  await devdb.clock.set(day(100));
  const dry = await runCleanup(devdb.pool, {
    deletedWorkspaces,
    dropDatabase: drop,
    dryRun: true,
  });
  expect(dry.results).toEqual([]);
  expect(dry.plan.actions.map((a) => [a.kind, a.database, a.workspaceId ?? null])).toEqual([
    ['detach', 'dev_orphan', 'ws-gone'],
    ['archive', 'dev_old1', null],
    ['archive', 'dev_old2', null],
    ['archive', 'dev_orphan', null],
    ['drop', 'dev_gone', null],
  ]);
  expect(dry.plan.actions[1]!.reason).toBe('no access for 100 days (eligible at 90)');
  expect(dry.plan.skipped).toEqual([
    {
      database: 'dev_attached',
      reason: 'eligible, but 1 workspace(s) attached that Coder has not confirmed deleted',
    },
    { database: 'team_safe', reason: 'protected: audit' },
    { database: 'team_vault', reason: 'protected' },
  ]);
  // Nothing changed.
  expect(calls).toEqual([]);
  expect((await policyStates(devdb.pool, { database: 'dev_old1' }))[0]!.state).toBe('eligible');

  const progress: string[] = [];
  const run = await runCleanup(devdb.pool, {
    deletedWorkspaces,
    dropDatabase: drop,
    onProgress: ({ index, total, result }) => result && progress.push(`${index + 1}/${total}`),
  });
  expect(run.plan).toEqual(dry.plan);
  expect(run.results.map((r) => [r.action, r.outcome])).toEqual(
    dry.plan.actions.map((a) => [a, 'done']),
  );
  expect(progress).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
  expect(calls).toEqual([{ database: 'dev_gone', actor: 'cleanup' }]);

  const states = Object.fromEntries(
    (await policyStates(devdb.pool)).map((s) => [s.database, s.state]),
  );
  expect(states).toEqual({
    dev_attached: 'eligible',
    dev_fresh: 'active',
    dev_gone: 'dropped',
    dev_old1: 'archived',
    dev_old2: 'archived',
    dev_orphan: 'archived',
    team_safe: 'protected',
    team_vault: 'archived',
  });
  // The deleted workspace's credential stopped working.
  expect(await tryConnect(devdb.url(orphan.user, orphan.password, 'devdb'))).toMatchObject({
    ok: false,
  });

  // Every action is an event, by cleanup's actor, and the run is one too.
  const events = (await listEvents(devdb.pool, { limit: 20 })).filter((e) => e.actor === 'cleanup');
  expect(events.map((e) => [e.action, e.database]).reverse()).toEqual([
    ['workspace.detach', 'dev_orphan'],
    ['database.archive', 'dev_old1'],
    ['database.archive', 'dev_old2'],
    ['database.archive', 'dev_orphan'],
    ['database.drop', 'dev_gone'],
    ['database.drop_without_backup', 'dev_gone'], // the embedded server has no pg_dump
    ['cleanup.run', null],
  ]);
  expect(events[0]!.detail).toEqual({ actions: 5, done: 5, skipped: 0, failed: 0 });

  const again = await runCleanup(devdb.pool, {
    deletedWorkspaces,
    dropDatabase: drop,
  });
  expect(again.plan.actions).toEqual([]);
  expect(calls).toHaveLength(1);
});

test('an archived database comes back with its data', async () => {
  await restoreDatabase(devdb.pool, 'dev_orphan', { actor: 'test' });
  const su = await devdb.superuser('dev_orphan');
  const { rows } = await su.query<{ v: string }>('SELECT v FROM notes');
  expect(rows).toEqual([{ v: 'kept through the archive' }]);
});

test('each action checks its reason again: protected or used since the plan, it is skipped', async () => {
  const { drop, calls } = recordingDrop(devdb.pool);
  await ensureIndividualDatabase(devdb.pool, { owner: 'late1' });
  await ensureIndividualDatabase(devdb.pool, { owner: 'late2' });
  await devdb.clock.set(day(200));
  const plan = await planCleanup(devdb.pool);
  const mine = plan.actions.filter((a) => a.database.startsWith('dev_late'));
  expect(mine.map((a) => [a.kind, a.database])).toEqual([
    ['archive', 'dev_late1'],
    ['archive', 'dev_late2'],
  ]);
  // After the plan: one protected, the other used.
  await protectDatabase(devdb.pool, { database: 'dev_late1', actor: 'test' });
  await devdb.pool.query(
    `UPDATE provisioning.databases SET last_accessed = $1 WHERE db_name = 'dev_late2'`,
    [day(199)],
  );
  const results = await executeCleanupPlan(
    devdb.pool,
    { ...plan, actions: mine },
    { dropDatabase: drop },
  );
  expect(results.map((r) => [r.action.database, r.outcome, r.detail])).toEqual([
    ['dev_late1', 'skipped', 'now protected'],
    ['dev_late2', 'skipped', 'now active'],
  ]);
  const states = await policyStates(devdb.pool);
  expect(states.filter((s) => s.database.startsWith('dev_late')).map((s) => s.status)).toEqual([
    'active',
    'active',
  ]);
  expect(calls).toEqual([]);
});

test('a protected archive is never dropped, however old', async () => {
  const { drop, calls } = recordingDrop(devdb.pool);
  await devdb.clock.set(day(5000));
  const run = await runCleanup(devdb.pool, { dropDatabase: drop });
  expect(run.plan.actions.map((a) => a.database)).not.toContain('team_vault');
  expect(run.plan.actions.map((a) => a.database)).not.toContain('team_safe');
  expect(calls.map((c) => c.database)).not.toContain('team_vault');
  const [vault] = await policyStates(devdb.pool, { database: 'team_vault' });
  expect(vault).toMatchObject({ state: 'archived', protected: true });
});
