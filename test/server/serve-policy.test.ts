/**
 * `devdb serve` runs the policy (docs/operations.md, "The policy job"): the
 * runtime with DevDB's policy job, driven tick by tick (an injected clock for the
 * ticks, the server's clock moved to the same time for the policy). Each state
 * change is POSTed to a real local webhook exactly once, with two serve
 * processes polling every tick and across a restart. policy_auto_action says
 * what it does on its own: `notify` changes nothing; `archive` detaches the
 * workspaces Coder (the API stand-in) confirmed deleted and archives eligible
 * databases, not while another cleanup holds the lock; `archive-and-drop` also
 * drops archives past their retention after a verified final backup (real
 * pg_dump).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  attachWorkspace,
  ensureIndividualDatabase,
  listBackups,
  listJobRuns,
  policyStates,
  retireDatabase,
  withCleanupLock,
  writePolicySettings,
} from '../../provisioning/index.js';
import { policyJob } from '../../server/serve/jobs/policy.js';
import { createLogger } from '../../server/serve/log.js';
import { startServe, type ServeRuntime, type WallClock } from '../../server/serve/index.js';
import { startCoderApiStandIn, type CoderApiStandIn } from '../coder-api/server.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';
import { startWebhookServer, type WebhookServer } from '../helpers/webhook-server.js';

// The drop takes a real final backup: a server whose major has a pg_dump here.
await selectBackupTestServer();
const { DAY_MS, startTestDevDb } = await import('../helpers/devdb.js');

let devdb: TestDevDb;
let webhook: WebhookServer;
let coder: CoderApiStandIn;
let backupDir: string;
/** A tick of the policy job (hourly at :07), just after the databases were made. */
let base: number;
const day = (n: number, hours = 0) => new Date(base + n * DAY_MS + hours * 3_600_000);

let time = 0;
const clock: WallClock = { now: () => new Date(time), delay: () => new Promise(() => undefined) };
const runtimes: ServeRuntime[] = [];
let logText = '';

beforeAll(async () => {
  devdb = await startTestDevDb();
  webhook = await startWebhookServer();
  coder = await startCoderApiStandIn();
  backupDir = await mkdtemp(path.join(tmpdir(), 'devdb-serve-policy-'));
  await devdb.pool.query(`INSERT INTO provisioning.settings VALUES ('backup_dir', $1)`, [
    backupDir,
  ]);
  await writePolicySettings(devdb.pool, { webhookUrl: webhook.url });
  await ensureIndividualDatabase(devdb.pool, { owner: 'ann' });
  await ensureIndividualDatabase(devdb.pool, { owner: 'ben' });
  const owner = coder.addUser({ username: 'gil' });
  const workspace = coder.addWorkspace({ name: 'old', ownerId: owner.id });
  await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner: 'gil',
    workspaceId: workspace.id,
  });
  coder.deleteWorkspace(workspace.id); // `coder delete --orphan`: no destroy ran
  const now = (await devdb.clock.now()).getTime();
  base = Math.ceil((now - 7 * 60_000) / 3_600_000) * 3_600_000 + 7 * 60_000;
});

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop()));
  await coder?.close();
  await webhook?.close();
  await devdb?.stop();
  if (backupDir) await rm(backupDir, { recursive: true, force: true });
});

/** A serve process with the policy job only (DevDB's, as DEFAULT_JOBS has it). */
async function serve(holder: string): Promise<ServeRuntime> {
  const runtime = await startServe({
    adminUrl: devdb.provisionerUrl,
    jobs: [policyJob],
    log: createLogger({
      format: 'text',
      sink: { write: (text: string) => (logText += text) },
      now: clock.now,
    }),
    env: { ...process.env, CODER_URL: coder.url, CODER_SESSION_TOKEN: coder.token },
    clock,
    holder,
    autoPoll: false,
    stopTimeoutMs: 5000,
  });
  runtimes.push(runtime);
  return runtime;
}

/** Both clocks at `at`: the runtime's (which tick is due) and the server's (the policy's). */
async function at(when: Date): Promise<void> {
  time = when.getTime();
  await devdb.clock.set(when);
}

async function pollAll(...rs: ServeRuntime[]): Promise<void> {
  await Promise.all(rs.map((r) => r.poll()));
  await Promise.all(rs.map((r) => r.idle()));
}

const posted = () =>
  webhook.received
    .map((m) => `${m.database as string} ${m.from as string}→${m.to as string}`)
    .sort();

const states = async () =>
  Object.fromEntries((await policyStates(devdb.pool)).map((s) => [s.database, s.state]));

test('notify (the default): each state change POSTed once by two processes, and not again after a restart; nothing changes', async () => {
  await at(day(31));
  const a = await serve('a');
  const b = await serve('b');
  await pollAll(a, b);
  await pollAll(b, a);
  expect(posted()).toEqual(['dev_ann active→idle', 'dev_ben active→idle', 'dev_gil active→idle']);
  const runs = await listJobRuns(devdb.pool, { job: 'policy' });
  expect(runs.map((r) => [r.tick.toISOString(), r.outcome])).toEqual([
    [day(31).toISOString(), 'ok'],
  ]);

  // A restart: the changes notified before are not notified again.
  await a.stop();
  await at(day(31, 1));
  const c = await serve('c');
  await pollAll(c, b);
  expect(webhook.received).toHaveLength(3);

  await at(day(91));
  await pollAll(b, c);
  expect(posted()).toEqual([
    'dev_ann active→idle',
    'dev_ann idle→eligible',
    'dev_ben active→idle',
    'dev_ben idle→eligible',
    'dev_gil active→idle',
    'dev_gil idle→eligible',
  ]);
  expect(await states()).toEqual({
    dev_ann: 'eligible',
    dev_ben: 'eligible',
    dev_gil: 'eligible',
  });
  expect(logText).toContain(
    'cleanup would archive 2 and drop 0 database(s): policy_auto_action = notify, so `devdb cleanup` does it',
  );
  await Promise.all(runtimes.splice(0).map((r) => r.stop()));
});

test('archive: not while another cleanup runs; then detaches what Coder deleted and archives, notifying it in the same tick', async () => {
  await writePolicySettings(devdb.pool, { autoAction: 'archive' });
  // An archive 40 days old: past the retention, but archive does not drop.
  await ensureIndividualDatabase(devdb.pool, { owner: 'old' });
  await retireDatabase(devdb.pool, { database: 'dev_old', policy: 'archive', actor: 'test' });
  await devdb.pool.query(
    `UPDATE provisioning.databases
        SET metadata = jsonb_set(metadata, '{archived,at}', to_jsonb($1::timestamptz))
      WHERE db_name = 'dev_old'`,
    [day(51)],
  );
  const p = await serve('p');
  await withCleanupLock(devdb.pool, {}, async () => {
    await at(day(91, 1));
    await pollAll(p);
  });
  expect(logText).toMatch(
    /WARN \[policy\] another cleanup is running \(pid \d+ on .*\): this tick's actions are left to the next tick/,
  );
  expect((await states()).dev_ann).toBe('eligible');

  await at(day(91, 2));
  await pollAll(p);
  expect(logText).toContain('[policy] Coder: Coder confirmed 1 attached workspace(s) deleted');
  expect(logText).toMatch(/INFO \[policy\] detach dev_gil \([0-9a-f-]+\): done/);
  expect(logText).toContain(
    '1 archive(s) past their retention left for `devdb cleanup` (policy_auto_action = archive)',
  );
  expect(await states()).toEqual({
    dev_ann: 'archived',
    dev_ben: 'archived',
    dev_gil: 'archived',
    dev_old: 'archived',
  });
  expect(posted().filter((m) => m.endsWith('→archived'))).toEqual([
    'dev_ann eligible→archived',
    'dev_ben eligible→archived',
    'dev_gil eligible→archived',
    'dev_old active→archived',
  ]);
  await Promise.all(runtimes.splice(0).map((r) => r.stop()));
});

test('archive-and-drop: an archive past its retention is dropped after a verified final backup', async () => {
  await writePolicySettings(devdb.pool, { autoAction: 'archive-and-drop' });
  const p = await serve('p');
  await at(day(91, 3));
  await pollAll(p);
  expect((await states()).dev_old).toBe('dropped');
  const [final] = await listBackups(devdb.pool, 'dev_old');
  expect(final).toMatchObject({ kind: 'final', status: 'ok' });
  expect(final!.verifiedAt).toBeInstanceOf(Date);
  expect(posted()).toContain('dev_old archived→dropped');
  expect(webhook.received.filter((m) => m.to === 'dropped')).toHaveLength(1);
  expect((await states()).dev_ann).toBe('archived'); // archived 0 days ago: kept
  const runs = await listJobRuns(devdb.pool, { job: 'policy' });
  expect(runs.every((r) => r.outcome === 'ok')).toBe(true);
});
