/**
 * Cleanup acts on Coder's deletions (docs/operations.md, "Cleanup"): `devdb
 * cleanup` asks Coder as `devdb orphans` does (the Coder API stand-in,
 * test/coder-api/), and an attachment whose workspace Coder confirms deleted (404,
 * then 200 with include_deleted) is detached — its credential dies, an event is
 * recorded, and the database follows the on_last_detach recorded when it
 * attached. Anything short of a confirmation detaches nothing and the output
 * says why: Coder answering 500, Coder not answering (within --coder-timeout),
 * Coder not configured, a workspace id Coder does not know.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  attachWorkspace,
  listEvents,
  policyStates,
  type Attachment,
} from '../../provisioning/index.js';
import { startCoderApiStandIn, type CoderApiStandIn } from '../coder-api/server.js';
import { runDevdb } from '../helpers/cli-io.js';
import {
  startTestDevDb,
  tryConnect,
  writeDataDirCredentials,
  type TestDevDb,
} from '../helpers/devdb.js';

let devdb: TestDevDb;
let coder: CoderApiStandIn;
let dataDir: string;
let gone: Attachment;
let live: Attachment;
let stranger: Attachment;
let deletedId: string;

beforeAll(async () => {
  devdb = await startTestDevDb();
  coder = await startCoderApiStandIn();
  dataDir = await mkdtemp(path.join(tmpdir(), 'devdb-cleanup-coder-'));
  await writeDataDirCredentials(devdb, dataDir);
  const alice = coder.addUser({ username: 'alice' });
  const bob = coder.addUser({ username: 'bob' });
  const deleted = coder.addWorkspace({ name: 'old', ownerId: alice.id });
  const running = coder.addWorkspace({ name: 'main', ownerId: bob.id });
  deletedId = deleted.id;
  const attach = (owner: string, workspaceId: string, extra = {}) =>
    attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'individual',
      owner,
      workspaceId,
      actor: 'test',
      ...extra,
    });
  // The template said: archive the database when its last workspace goes.
  gone = await attach('alice', deleted.id, { onLastDetach: 'archive' });
  live = await attach('bob', running.id);
  stranger = await attach('carol', randomUUID()); // an id this Coder never had
  // `coder delete --orphan`: gone from Coder, the provider's destroy never ran.
  coder.deleteWorkspace(deleted.id);
});

afterAll(async () => {
  await coder?.close();
  await devdb?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const coderEnv = () => ({ CODER_URL: coder.url, CODER_SESSION_TOKEN: coder.token });

async function cleanup(args: string[], env: Record<string, string> = coderEnv()) {
  const started = Date.now();
  const result = await runDevdb(['cleanup', '--yes', '--data-dir', dataDir, ...args], { env });
  return { ...result, ms: Date.now() - started };
}

const liveAttachments = async () =>
  (
    await devdb.pool.query<{ db_name: string }>(
      `SELECT db_name FROM provisioning.attachments WHERE detached_at IS NULL ORDER BY db_name`,
    )
  ).rows.map((r) => r.db_name);

const ALL_ATTACHED = ['dev_alice', 'dev_bob', 'dev_carol'];

test('Coder answering 500: nothing detached, and the output says why', async () => {
  // Its first request, and each of the client's 4 retries, answered 500.
  coder.failNext({ status: 500, retryAfter: '0' }, 5);
  const json = await cleanup(['--json']);
  expect(json.code).toBe(0);
  const plan = JSON.parse(json.stdout) as { actions: unknown[]; coder: string };
  expect(plan.actions).toEqual([]);
  expect(plan.coder).toMatch(
    /^no workspace detached: Coder confirmed no deletion \(Coder at http:\/\/127\.0\.0\.1:\d+ answered 500 .* after 5 attempts\)$/,
  );
  coder.failNext({ status: 500, retryAfter: '0' }, 5);
  const text = await cleanup(['--dry-run']);
  expect(text.stdout).toMatch(/\nCoder: no workspace detached: Coder confirmed no deletion \(/);
  expect(await liveAttachments()).toEqual(ALL_ATTACHED);
});

test('Coder not answering: nothing detached within a bounded time (--coder-timeout)', async () => {
  coder.failNext({ delayMs: 60_000 }, 1);
  const run = await cleanup(['--json', '--coder-timeout', '1']);
  expect(run.code).toBe(0);
  expect(run.ms).toBeLessThan(10_000);
  console.log(`cleanup with a hanging Coder (--coder-timeout 1) took ${run.ms} ms`);
  const plan = JSON.parse(run.stdout) as { actions: unknown[]; coder: string };
  expect(plan.actions).toEqual([]);
  expect(plan.coder).toMatch(/^no workspace detached: .*did not answer .* within 1 s/);
  expect(await liveAttachments()).toEqual(ALL_ATTACHED);
});

test('Coder not configured: nothing detached, and how to configure it', async () => {
  const run = await cleanup(['--json'], {});
  expect(run.code).toBe(0);
  const plan = JSON.parse(run.stdout) as { actions: unknown[]; coder: string };
  expect(plan.actions).toEqual([]);
  expect(plan.coder).toMatch(
    /^no workspace detached: Coder is not configured: set CODER_URL and CODER_SESSION_TOKEN/,
  );
  expect(await liveAttachments()).toEqual(ALL_ATTACHED);
});

test('a workspace Coder confirms deleted is detached; the database follows its on_last_detach', async () => {
  const dry = await cleanup(['--dry-run', '--json']);
  const planned = JSON.parse(dry.stdout) as {
    actions: { kind: string; database: string; workspaceId?: string }[];
    coder: string;
  };
  expect(planned.actions).toEqual([
    expect.objectContaining({ kind: 'detach', database: 'dev_alice', workspaceId: deletedId }),
  ]);
  // The unknown id is reported, not acted on.
  expect(planned.coder).toBe(
    'Coder confirmed 1 attached workspace(s) deleted; 1 attachment(s) point at workspaces Coder does not know (404, also with include_deleted): not detached, see `devdb orphans`',
  );

  const run = await cleanup(['--json']);
  expect(run.code).toBe(0);
  const { results } = JSON.parse(run.stdout) as {
    results: { action: { kind: string; database: string }; outcome: string; detail?: string }[];
  };
  expect(results).toEqual([
    expect.objectContaining({
      action: expect.objectContaining({ kind: 'detach', database: 'dev_alice' }),
      outcome: 'done',
      detail: 'last attachment: archived',
    }),
  ]);
  expect(await liveAttachments()).toEqual(['dev_bob', 'dev_carol']);
  // Its credential is gone; the others still work.
  expect(await tryConnect(devdb.url(gone.user, gone.password, gone.name))).toMatchObject({
    ok: false,
  });
  expect(await tryConnect(devdb.url(live.user, live.password, live.name))).toMatchObject({
    ok: true,
  });
  expect(
    await tryConnect(devdb.url(stranger.user, stranger.password, stranger.name)),
  ).toMatchObject({ ok: true });
  const states = Object.fromEntries(
    (await policyStates(devdb.pool)).map((s) => [s.database, s.state]),
  );
  expect(states).toEqual({ dev_alice: 'archived', dev_bob: 'active', dev_carol: 'active' });
  const events = (await listEvents(devdb.pool, { database: 'dev_alice', limit: 5 })).map(
    (e) => `${e.actor} ${e.action}`,
  );
  expect(events.slice(0, 2)).toEqual(['cli database.archive', 'cli workspace.detach']);

  const again = await cleanup(['--json']);
  expect(JSON.parse(again.stdout).actions).toEqual([]);
});
