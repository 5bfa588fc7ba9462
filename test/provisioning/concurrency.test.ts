/**
 * Concurrency (docs/security.md T10): operations from separate
 * connections at once, on the same databases — zero errors, no `tuple
 * concurrently updated`, no deadlock, exactly one database, working credentials.
 * Every operation runs on its own pg.Client (not a shared pool), all connected
 * before any starts, so the operations really overlap on the server.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  attachWorkspace,
  detachWorkspace,
  ensureTeamDatabase,
  type Attachment,
} from '../../provisioning/index.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;
let su: pg.Client;

beforeAll(async () => {
  devdb = await startTestDevDb();
  su = await devdb.superuser();
});

afterAll(async () => {
  await devdb?.stop();
});

/** Runs each job on its own freshly connected client, all released at once. */
async function onSeparateClients<T>(
  jobs: ((client: pg.Client) => Promise<T>)[],
): Promise<PromiseSettledResult<T>[]> {
  const clients = jobs.map(() => new pg.Client({ connectionString: devdb.provisionerUrl }));
  try {
    await Promise.all(clients.map((c) => c.connect()));
    return await Promise.allSettled(jobs.map((job, i) => job(clients[i]!)));
  } finally {
    await Promise.allSettled(clients.map((c) => c.end()));
  }
}

function expectNoErrors<T>(results: PromiseSettledResult<T>[]): T[] {
  const errors = results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => String((r.reason as Error)?.message ?? r.reason));
  expect(errors).toEqual([]);
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

async function expectAllConnect(atts: Attachment[]) {
  const results = await Promise.all(
    atts.map((a) => tryConnect(devdb.url(a.user, a.password, a.name))),
  );
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(results.map((r) => r.ok && r.currentUser)).toEqual(atts.map((a) => a.name));
}

async function countDatabases(name: string): Promise<{ server: number; registry: number }> {
  const server = await su.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  const registry = await devdb.pool.query(
    'SELECT 1 FROM provisioning.databases WHERE db_name = $1',
    [name],
  );
  return { server: server.rowCount ?? 0, registry: registry.rowCount ?? 0 };
}

test('20 concurrent ensure-team + attach for one new team: one database, 20 credentials', async () => {
  const started = Date.now();
  const results = await onSeparateClients(
    Array.from({ length: 20 }, (_, i) => async (client: pg.Client) => {
      const ensured = await ensureTeamDatabase(client, { team: 'storm' });
      const att = await attachWorkspace(client, devdb.endpoint, {
        type: 'team',
        owner: `member${i % 7}`,
        team: 'storm',
        workspaceId: `storm-ws-${i}`,
      });
      return { ensured, att };
    }),
  );
  const values = expectNoErrors(results);
  expect(Date.now() - started).toBeLessThan(30_000);

  expect(await countDatabases('team_storm')).toEqual({ server: 1, registry: 1 });
  // Exactly one caller created it; everyone else found it in place.
  const creations = values.filter((v) => v.ensured.created || v.att.createdDatabase);
  expect(creations).toHaveLength(1);
  expect(values.every((v) => v.ensured.name === 'team_storm' && v.att.name === 'team_storm')).toBe(
    true,
  );
  const atts = values.map((v) => v.att);
  expect(new Set(atts.map((a) => a.user)).size).toBe(20);
  await expectAllConnect(atts);

  const live = await devdb.pool.query(
    `SELECT count(*)::int AS n FROM provisioning.attachments
      WHERE db_name = 'team_storm' AND detached_at IS NULL`,
  );
  expect(live.rows[0].n).toBe(20);
  const schemas = await devdb.superuser('team_storm');
  try {
    const { rows } = await schemas.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_namespace WHERE nspname ~ '^member[0-6]$'`,
    );
    expect(rows[0]!.n).toBe(7);
  } finally {
    await schemas.end();
  }
});

test('concurrent attach and detach on one individual database: no errors, survivors work', async () => {
  // 10 workspaces attached beforehand, then detached (each twice, from two
  // clients) while 20 new workspaces attach: 40 operations at once.
  const old: Attachment[] = [];
  for (let i = 0; i < 10; i++) {
    old.push(
      await attachWorkspace(devdb.pool, devdb.endpoint, {
        type: 'individual',
        owner: 'dana',
        workspaceId: `dana-old-${i}`,
      }),
    );
  }
  // Some of the old workspaces have a session open while they are detached.
  const openSessions = await Promise.all(
    old.slice(0, 5).map(async (a) => {
      const c = new pg.Client({ connectionString: devdb.url(a.user, a.password, a.name) });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    }),
  );

  type Outcome = { kind: 'attach'; att: Attachment } | { kind: 'detach' };
  const jobs: ((c: pg.Client) => Promise<Outcome>)[] = [];
  for (let i = 0; i < 20; i++) {
    jobs.push(async (c) => ({
      kind: 'attach',
      att: await attachWorkspace(c, devdb.endpoint, {
        type: 'individual',
        owner: 'dana',
        workspaceId: `dana-new-${i}`,
      }),
    }));
    if (i < 10) {
      jobs.push(async (c) => {
        await detachWorkspace(c, { workspaceId: `dana-old-${i}` });
        return { kind: 'detach' };
      });
    } else {
      jobs.push(async (c) => {
        await detachWorkspace(c, { workspaceId: `dana-old-${i - 10}` });
        return { kind: 'detach' };
      });
    }
  }
  const started = Date.now();
  const results = await onSeparateClients(jobs);
  await Promise.allSettled(openSessions.map((c) => c.end()));
  const values = expectNoErrors(results);
  expect(Date.now() - started).toBeLessThan(30_000);

  const attached = values.flatMap((v) => (v.kind === 'attach' ? [v.att] : []));
  expect(attached).toHaveLength(20);
  await expectAllConnect(attached);

  for (const a of old) {
    const { rowCount } = await su.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [a.user]);
    expect({ role: a.user, exists: rowCount === 1 }).toEqual({ role: a.user, exists: false });
    expect((await tryConnect(devdb.url(a.user, a.password, a.name))).ok).toBe(false);
  }
  expect(await countDatabases('dev_dana')).toEqual({ server: 1, registry: 1 });
  const live = await devdb.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM provisioning.attachments
      WHERE db_name = 'dev_dana' AND detached_at IS NULL`,
  );
  expect(live.rows[0]!.n).toBe(20);
  // Each old workspace was detached exactly once, although asked twice.
  const detaches = await devdb.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM provisioning.events
      WHERE action = 'workspace.detach' AND db_name = 'dev_dana' AND workspace_id LIKE 'dana-old-%'`,
  );
  expect(detaches.rows[0]!.n).toBe(10);
});

test('membership storm: 5 users × 4 new teams attached at once, then detached at once', async () => {
  const users = ['ann', 'ben', 'cat', 'dan', 'eve'];
  const teams = ['storm-a', 'storm-b', 'storm-c', 'storm-d'];
  const pairs = users.flatMap((u) => teams.map((t) => ({ u, t })));
  const started = Date.now();
  const attached = expectNoErrors(
    await onSeparateClients(
      pairs.map(
        ({ u, t }) =>
          (c: pg.Client) =>
            attachWorkspace(c, devdb.endpoint, {
              type: 'team',
              owner: u,
              team: t,
              workspaceId: `${u}-${t}`,
            }),
      ),
    ),
  );
  expect(Date.now() - started).toBeLessThan(30_000);
  await expectAllConnect(attached);
  for (const t of teams) {
    expect(await countDatabases(`team_${t.replace('-', '_')}`)).toEqual({ server: 1, registry: 1 });
  }

  // Detach all of them at once, each workspace also from a second client.
  const detached = expectNoErrors(
    await onSeparateClients(
      [...pairs, ...pairs].map(
        ({ u, t }) =>
          (c: pg.Client) =>
            detachWorkspace(c, { workspaceId: `${u}-${t}` }),
      ),
    ),
  );
  expect(detached.flat()).toHaveLength(20);
  const { rows } = await su.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_roles WHERE rolname = ANY ($1)`,
    [attached.map((a) => a.user)],
  );
  expect(rows[0]!.n).toBe(0);
});

test('readers and writers attach to one team at once: no errors, each credential has its access', async () => {
  await ensureTeamDatabase(devdb.pool, { team: 'mixed' });
  const results = await onSeparateClients(
    Array.from(
      { length: 16 },
      (_, i) => (client: pg.Client) =>
        attachWorkspace(client, devdb.endpoint, {
          type: 'team',
          owner: `mixed${i % 5}`,
          team: 'mixed',
          workspaceId: `mixed-ws-${i}`,
          // Even workspaces read, odd ones write; the same member has both kinds.
          access: i % 2 === 0 ? 'read' : 'write',
        }),
    ),
  );
  const atts = expectNoErrors(results);
  for (const att of atts) {
    const client = new pg.Client({ connectionString: devdb.url(att.user, att.password, att.name) });
    await client.connect();
    try {
      const { rows } = await client.query<{ can_create: boolean }>(
        `SELECT has_schema_privilege('shared', 'CREATE') AS can_create`,
      );
      expect({ user: att.user, canCreate: rows[0]!.can_create }).toEqual({
        user: att.user,
        canCreate: att.access === 'write',
      });
    } finally {
      await client.end();
    }
  }
});
