/**
 * One router for every entry point (docs/servers.md), on a pool of two real
 * servers, `central` and `pg-b`: the REST API creates on the server a name is
 * placed on (placing a new one first), reads a database on its server and
 * lists every server's; the CLI's users, size, events, backups and backup
 * verify cover the member; the central server refuses to make a name the pool
 * has elsewhere; and the CLI, the API and Terraform creating one new name at
 * the same moment make one database, on one server, with a credential each.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addServer,
  attachPlaced,
  BACKUP_SETTING_KEYS,
  createApiToken,
  listEvents,
  setServerState,
  writeBackupSetting,
  type ServerRouter,
} from '../../provisioning/index.js';
import { placeDatabase } from '../../provisioning/servers/index.js';
import type { RunningControlPlane } from '../../server/api/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';
import type { Harness } from '../provider/devdb/harness.js';

// Before the cluster helper loads: it reads the server binaries' location once.
await selectBackupTestServer();
const { centralRouter, startTestDevDb, tryConnect } = await import('../helpers/devdb.js');
const { runDevdb } = await import('../helpers/cli-io.js');
const { databaseConfig, startHarness, vars } = await import('../provider/devdb/harness.js');
const { startControlPlane } = await import('../../server/api/index.js');

let h: Harness;
let member: TestDevDb;
let router: ServerRouter;
let plane: RunningControlPlane;
let token: string;
let backupDir: string;
const central = () => h.devdb;

/** An answer's JSON, as the test reads it. */
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A call of the control plane as an admin; its JSON answer. */
async function api(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${plane.url}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const cli = (args: string[]) =>
  runDevdb(args, { env: { DEVDB_ADMIN_URL: h.adminUrl, DEVDB_BACKUP_DIR: backupDir } });

async function count(server: TestDevDb, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await server.pool.query<{ n: number }>(sql, params);
  return rows[0]!.n;
}
/** Copies of `name` on `server` (pg_database) and rows of it in its registry. */
const copies = (server: TestDevDb, name: string) =>
  count(server, `SELECT count(*)::int AS n FROM pg_database WHERE datname = $1`, [name]);
const registered = (server: TestDevDb, name: string) =>
  count(server, `SELECT count(*)::int AS n FROM provisioning.databases WHERE db_name = $1`, [name]);
const placement = async (name: string) =>
  (
    await central().pool.query<{ server_name: string }>(
      `SELECT server_name FROM provisioning.placements WHERE db_name = $1`,
      [name],
    )
  ).rows[0]?.server_name;

/** Runs `fn` with only `server` taking new databases. */
async function onlyOn<T>(server: 'central' | 'pg-b', fn: () => Promise<T>): Promise<T> {
  const other = server === 'central' ? 'pg-b' : 'central';
  await setServerState(central().pool, other, 'paused');
  try {
    return await fn();
  } finally {
    await setServerState(central().pool, other, 'active');
  }
}

beforeAll(async () => {
  [h, member] = await Promise.all([startHarness('pool-entry'), startTestDevDb()]);
  backupDir = await mkdtemp(path.join(tmpdir(), 'devdb-pool-entry-'));
  // Set before the member joins: `servers add` copies it there.
  await writeBackupSetting(central().pool, BACKUP_SETTING_KEYS.dir, backupDir);
  await addServer(central().pool, { name: 'pg-b', adminUrl: member.provisionerUrl });
  token = (await createApiToken(central().pool, { name: 'admin', role: 'admin' })).token;
  plane = await startControlPlane({
    pool: central().pool,
    adminUrl: central().provisionerUrl,
    port: 0,
  });
  router = centralRouter(central());
  // dev_cal on the central server, dev_bea on pg-b.
  const attach = (owner: string) =>
    attachPlaced(router, {
      type: 'individual',
      owner,
      workspaceId: `ws-${owner}-1`,
      actor: 'test',
    });
  await onlyOn('central', () => attach('cal'));
  await onlyOn('pg-b', () => attach('bea'));
});

afterAll(async () => {
  await plane?.close();
  await router?.close();
  await Promise.all([h?.cleanup(), member?.stop()]);
  if (backupDir) await rm(backupDir, { recursive: true, force: true });
});

describe('the REST API over the pool', () => {
  it('attaches to dev_bea on pg-b, where it lives: no copy on the central server, listed once', async () => {
    // Both servers active and the central server the less loaded: only the placement says pg-b.
    const attached = await api('POST', '/api/v1/databases', {
      type: 'individual',
      owner: 'bea',
      credential: { workspaceId: 'ws-bea-api' },
    });
    expect(attached.status).toBe(201);
    expect(attached.json).toMatchObject({ created: false, database: { server: 'pg-b' } });
    const { user, password, port } = attached.json.credential;
    expect(port).toBe(member.endpoint.port);
    expect(await tryConnect(member.url(user, password, 'dev_bea'))).toMatchObject({ ok: true });
    const ensured = await api('POST', '/api/v1/databases', { type: 'individual', owner: 'bea' });
    expect(ensured.status).toBe(200);
    expect(ensured.json).toMatchObject({ created: false, database: { server: 'pg-b' } });
    expect([await copies(central(), 'dev_bea'), await registered(central(), 'dev_bea')]).toEqual([
      0, 0,
    ]);
    const list = await cli(['list', '--json']);
    const rows = JSON.parse(list.stdout).filter((d: { name: string }) => d.name === 'dev_bea');
    expect(rows.map((d: { server: string }) => d.server)).toEqual(['pg-b']);
  });

  it('places a database it creates before making it', async () => {
    const created = await onlyOn('pg-b', () =>
      api('POST', '/api/v1/databases', { type: 'team', team: 'made-by-api' }),
    );
    expect(created.status).toBe(201);
    expect(created.json.database.server).toBe('pg-b');
    expect(await placement('team_made_by_api')).toBe('pg-b');
    expect(await copies(member, 'team_made_by_api')).toBe(1);
    expect(await copies(central(), 'team_made_by_api')).toBe(0);
  });

  it("lists every server's databases, totals and events, each row with its server", async () => {
    const all = await api('GET', '/api/v1/databases?limit=500');
    expect(all.json.unreachable).toEqual([]);
    const where = Object.fromEntries(
      all.json.items.map((d: { name: string; server: string }) => [d.name, d.server]),
    );
    expect(where).toMatchObject({ dev_cal: 'central', dev_bea: 'pg-b' });
    expect(all.json.total).toBe(all.json.items.length);
    // Pages over both servers, in the order of the whole list.
    const names = all.json.items.map((d: { name: string }) => d.name);
    const paged: string[] = [];
    for (let offset = 0; offset < names.length; offset += 2) {
      const page = await api('GET', `/api/v1/databases?limit=2&offset=${offset}&order=desc`);
      expect(page.json.total).toBe(names.length);
      paged.push(...page.json.items.map((d: { name: string }) => d.name));
    }
    expect(paged).toEqual([...names].reverse());

    const summary = await api('GET', '/api/v1/summary');
    expect(summary.json.databases).toBe(names.length);
    expect(summary.json.servers.map((s: { server: string }) => s.server)).toEqual([
      'central',
      'pg-b',
    ]);

    const policy = await api('GET', '/api/v1/policy');
    expect(
      policy.json.items.find((p: { database: string }) => p.database === 'dev_bea').server,
    ).toBe('pg-b');

    // The audit trail, paged by cursor: every event of both servers once, each server's newest first.
    const trail = async (db: TestDevDb['pool']) =>
      (await listEvents(db, { limit: 10_000 })).map((e) => e.id);
    const expected = { central: await trail(central().pool), 'pg-b': await trail(member.pool) };
    const seen: Record<string, number[]> = { central: [], 'pg-b': [] };
    let cursor: string | null = '';
    while (cursor !== null) {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await api('GET', `/api/v1/events?limit=5${query}`);
      expect(page.status).toBe(200);
      for (const e of page.json.items) seen[e.server]!.push(e.id);
      cursor = page.json.nextCursor;
    }
    expect(seen).toEqual(expected);
    // Ids are each server's own: beforeId pages one server's trail.
    const byId = await api('GET', '/api/v1/events?beforeId=3');
    expect(byId.status).toBe(400);
    const onMember = await api('GET', '/api/v1/events?server=pg-b&beforeId=3');
    expect(onMember.json.items.length).toBeGreaterThan(0);
    for (const e of onMember.json.items) expect([e.server, e.id < 3]).toEqual(['pg-b', true]);
  });

  it("reads and acts on a member's database on its server: page, sessions, protection, backups, events", async () => {
    const page = await api('GET', '/api/v1/databases/dev_bea');
    expect(page.status).toBe(200);
    expect(page.json.database.server).toBe('pg-b');
    expect(page.json.attachments.map((a: { workspaceId: string }) => a.workspaceId)).toContain(
      'ws-bea-1',
    );
    expect((await api('GET', '/api/v1/databases/dev_bea/stats')).json.exists).toBe(true);
    expect((await api('GET', '/api/v1/databases/dev_bea/sessions')).status).toBe(200);
    const protectedOne = await api('PUT', '/api/v1/databases/dev_bea/protection', {
      reason: 'demo',
    });
    expect(protectedOne.json).toMatchObject({ server: 'pg-b', protected: true });
    expect((await api('DELETE', '/api/v1/databases/dev_bea/protection')).json.removed).toBe(true);

    const backup = await api('POST', '/api/v1/databases/dev_bea/backups');
    expect(backup.status).toBe(201);
    expect(backup.json.server).toBe('pg-b');
    const listed = await api('GET', '/api/v1/backups?database=dev_bea');
    expect(listed.json.items.map((b: { server: string }) => b.server)).toEqual(['pg-b']);
    const verified = await api('POST', `/api/v1/backups/${backup.json.id}/verify?server=pg-b`);
    expect(verified.json).toMatchObject({ ok: true, server: 'pg-b' });
    const events = await api('GET', '/api/v1/events?database=dev_bea');
    expect(
      events.json.items.filter((e: { action: string }) => e.action === 'backup.verify'),
    ).toMatchObject([{ server: 'pg-b' }]);

    // Backup ids are each server's: the central server's first has the same id.
    const onCentral = await api('POST', '/api/v1/databases/dev_cal/backups');
    expect(onCentral.json).toMatchObject({ server: 'central', id: backup.json.id });
    expect((await api('GET', `/api/v1/backups/${backup.json.id}`)).status).toBe(409);
    const named = await api('GET', `/api/v1/backups/${backup.json.id}?server=pg-b`);
    expect(named.json.database).toBe('dev_bea');

    // Into a new database on the backup's server, its name claimed there; one the pool has elsewhere is refused.
    const copy = await api('POST', `/api/v1/backups/${backup.json.id}/restore?server=pg-b`, {
      mode: 'new',
      as: 'team_beacopy',
    });
    expect(copy.json).toMatchObject({ server: 'pg-b', database: 'team_beacopy' });
    expect(await placement('team_beacopy')).toBe('pg-b');
    expect(await copies(member, 'team_beacopy')).toBe(1);
    // (A copy goes to a new team name only: never another person's dev_<user>.)
    await central().pool.query(`SELECT provisioning.create_team_db('on-central')`);
    const taken = await api('POST', `/api/v1/backups/${backup.json.id}/restore?server=pg-b`, {
      mode: 'new',
      as: 'team_on_central',
    });
    expect(taken.status).toBe(409);
    expect(taken.json.error.message).toMatch(/team_on_central is on server central/);
  });
});

describe('settings through the API', () => {
  it('writes the backup and policy settings on every server, the others on the central one', async () => {
    const setting = async (server: TestDevDb, key: string) =>
      (
        await server.pool.query<{ value: string }>(
          `SELECT value FROM provisioning.settings WHERE key = $1`,
          [key],
        )
      ).rows[0]?.value;
    const changed = await api('PATCH', '/api/v1/settings', {
      backup_keep_daily: 9,
      lock_timeout: '7s',
    });
    expect(changed.status).toBe(200);
    expect(await setting(member, 'backup_keep_daily')).toBe('9');
    expect(await setting(member, 'lock_timeout')).toBeUndefined();
    expect(await setting(central(), 'lock_timeout')).toBe('7s');
    const policy = await api('PATCH', '/api/v1/policy/settings', { idleDays: 20 });
    expect(policy.json.idleDays).toBe(20);
    expect(await setting(member, 'policy_idle_days')).toBe('20');
  });
});

describe('the CLI over the pool', () => {
  const json = async (args: string[]) => {
    const result = await cli([...args, '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };

  it("users, size and events cover the member's databases", async () => {
    const users = await json(['users']);
    expect(users.find((u: { username: string }) => u.username === 'bea')).toMatchObject({
      databases: ['dev_bea'],
      servers: ['pg-b'],
    });
    expect(users.find((u: { username: string }) => u.username === 'cal').servers).toEqual([
      'central',
    ]);
    const sizes = (await json(['size'])).databases;
    expect(sizes.find((d: { name: string }) => d.name === 'dev_bea').server).toBe('pg-b');
    const events = await json(['events', '--limit', '1000']);
    const servers = new Set(events.map((e: { server: string }) => e.server));
    expect([...servers].sort()).toEqual(['central', 'pg-b']);
    const own = await json(['events', '--server', 'pg-b', '--before-id', '4']);
    expect(own.length).toBeGreaterThan(0);
    for (const e of own) expect([e.server, e.id < 4]).toEqual(['pg-b', true]);
    const mixed = await cli(['events', '--before-id', '4']);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toMatch(/ids are each server's own.*--server/);
  });

  it('backs up every server with --all, lists and verifies the backups of each', async () => {
    const taken = await json(['backup', '--all']);
    const byName = Object.fromEntries(
      taken.map((b: { database: string; server: string }) => [b.database, b.server]),
    );
    expect(byName).toMatchObject({ dev_bea: 'pg-b', dev_cal: 'central' });
    const listed = await json(['backups']);
    expect(new Set(listed.map((b: { server: string }) => b.server))).toEqual(
      new Set(['central', 'pg-b']),
    );
    const verified = await json(['backup', 'verify', '--all']);
    expect(verified.every((r: { ok: boolean }) => r.ok)).toBe(true);
    expect(new Set(verified.map((r: { server: string }) => r.server))).toEqual(
      new Set(['central', 'pg-b']),
    );
    // Backup 1 is on both servers: which one must be said.
    const ambiguous = await cli(['backup', 'verify', '1']);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/servers central, pg-b each have a backup 1.*--server/);
    const one = await json(['backup', 'verify', '1', '--server', 'pg-b']);
    expect(one).toMatchObject([{ id: 1, server: 'pg-b', database: 'dev_bea', ok: true }]);
    const latest = await json(['backup', 'verify', '--latest', 'dev_bea']);
    expect(latest).toMatchObject([{ server: 'pg-b', database: 'dev_bea', ok: true }]);
  });

  it("restores into a new database on the backup's server, refusing a name the pool has elsewhere", async () => {
    const refused = await cli(['restore', 'dev_bea', '--from', '1', '--as', 'team_on_central']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/team_on_central is on server central/);
    const restored = await json(['restore', 'dev_bea', '--from', '1', '--as', 'team_beatwo']);
    expect(restored.database).toBe('team_beatwo');
    expect(await placement('team_beatwo')).toBe('pg-b');
    expect([await copies(central(), 'team_beatwo'), await copies(member, 'team_beatwo')]).toEqual([
      0, 1,
    ]);
  });
});

describe('one name, one server', () => {
  it('the central server refuses to make a name the pool has on another server, and claims a new one', async () => {
    expect(await onlyOn('pg-b', () => placeDatabase(central().pool, 'team_elsewhere'))).toBe(
      'pg-b',
    );
    await expect(
      central().pool.query(`SELECT provisioning.create_team_db('elsewhere')`),
    ).rejects.toThrow(/team_elsewhere is on server pg-b/);
    expect(await copies(central(), 'team_elsewhere')).toBe(0);
    await central().pool.query(`SELECT provisioning.create_team_db('made-by-sql')`);
    expect(await placement('team_made_by_sql')).toBe('central');
  });

  it('the CLI, the API and Terraform creating one new name at once make one database, each with a credential', async () => {
    const work = await h.workdir('race', databaseConfig());
    // Only pg-b takes new databases: a create that did not place would make a copy on central.
    const [applied, provisioned, created] = await onlyOn('pg-b', () =>
      Promise.all([
        work.tf(['apply', '-auto-approve', ...vars({ owner: 'rae', workspace_id: 'ws-rae-tf' })], {
          timeoutMs: 120_000,
        }),
        cli([
          'provision',
          '--type',
          'individual',
          '--owner',
          'rae',
          '--workspace-id',
          'ws-rae-cli',
          '--json',
        ]),
        api('POST', '/api/v1/databases', {
          type: 'individual',
          owner: 'rae',
          credential: { workspaceId: 'ws-rae-api' },
        }),
      ]),
    );
    expect(applied.code, applied.output).toBe(0);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    expect(created.status).toBe(201);
    expect(await placement('dev_rae')).toBe('pg-b');
    expect([await copies(central(), 'dev_rae'), await copies(member, 'dev_rae')]).toEqual([0, 1]);
    expect([await registered(central(), 'dev_rae'), await registered(member, 'dev_rae')]).toEqual([
      0, 1,
    ]);
    const attachments = await member.pool.query<{ workspace_id: string }>(
      `SELECT workspace_id FROM provisioning.attachments
        WHERE db_name = 'dev_rae' AND detached_at IS NULL ORDER BY workspace_id`,
    );
    expect(attachments.rows.map((r) => r.workspace_id)).toEqual([
      'ws-rae-api',
      'ws-rae-cli',
      'ws-rae-tf',
    ]);
    const state = work.attributes()!;
    const cliCredential = JSON.parse(provisioned.stdout);
    const credentials = [
      { user: String(state.user), password: String(state.password), port: Number(state.port) },
      cliCredential,
      created.json.credential,
    ];
    for (const { user, password, port } of credentials) {
      expect(port).toBe(member.endpoint.port);
      expect(await tryConnect(member.url(user, password, 'dev_rae'))).toMatchObject({ ok: true });
    }
  });
});

describe('a member down', () => {
  it('the lists name the server they could not read, and the rest of the pool answers', async () => {
    await member.cluster.halt();
    try {
      const list = await api('GET', '/api/v1/databases');
      expect(list.status).toBe(200);
      expect(list.json.unreachable).toMatchObject([
        // The CLI's words for it (provisioning/servers/router.ts describeUnreachable).
        {
          server: 'pg-b',
          reason: expect.stringMatching(
            /^pg-b \(127\.0\.0\.1:\d+\) unreachable: connection refused$/,
          ),
        },
      ]);
      expect(list.json.items.map((d: { server: string }) => d.server)).not.toContain('pg-b');
      for (const route of [
        '/api/v1/summary',
        '/api/v1/events',
        '/api/v1/backups',
        '/api/v1/policy',
      ]) {
        const read = await api('GET', route);
        expect([
          route,
          read.status,
          read.json.unreachable.map((u: { server: string }) => u.server),
        ]).toEqual([route, 200, ['pg-b']]);
      }
      // A change every server keeps alike fails, saying which server and what to do.
      const change = await api('PATCH', '/api/v1/policy/settings', { idleDays: 21 });
      expect(change.status).toBe(500);
      expect(change.json.error.message).toMatch(/pg-b \(127\.0\.0\.1:\d+\) unreachable: .*again/);
    } finally {
      await member.cluster.resume();
    }
  });
});
