/**
 * The guide's SQL entry points (docs/architecture-sql.md) keep working, called as plain SQL
 * by the provisioner: views active_databases / database_summary, functions
 * list_user_databases, get_connection_info, create_team_db (which really
 * creates the database). Also the TypeScript read side that is built on them.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  attachWorkspace,
  detachWorkspace,
  inspectDatabase,
  listDatabases,
  listUsers,
  summarize,
} from '../../provisioning/index.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;
let su: pg.Client;

beforeAll(async () => {
  devdb = await startTestDevDb();
  su = await devdb.superuser();
  const attach = (input: Parameters<typeof attachWorkspace>[2]) =>
    attachWorkspace(devdb.pool, devdb.endpoint, input);
  await attach({ type: 'individual', owner: 'alice', workspaceId: 'ws-a1', workspaceName: 'main' });
  await attach({ type: 'individual', owner: 'alice', workspaceId: 'ws-a2' });
  await attach({ type: 'individual', owner: 'bob', workspaceId: 'ws-b1' });
  await attach({ type: 'team', owner: 'alice', team: 'frontend-project', workspaceId: 'ws-a3' });
  await attach({ type: 'team', owner: 'carol', team: 'frontend-project', workspaceId: 'ws-c1' });
  await detachWorkspace(devdb.pool, { workspaceId: 'ws-a2' });
});

afterAll(async () => {
  await devdb?.stop();
});

test('create_team_db() really creates the database, and attaching to the team works', async () => {
  const { rows } = await devdb.pool.query<{ db: string }>(
    `SELECT provisioning.create_team_db('backend') AS db`,
  );
  expect(rows).toEqual([{ db: 'team_backend' }]);
  const server = await su.query<{ owner: string; public: number }>(
    `SELECT datdba::regrole::text AS owner,
            (SELECT count(*)::int FROM aclexplode(d.datacl) a WHERE a.grantee = 0) AS public
       FROM pg_database d WHERE datname = 'team_backend'`,
  );
  expect(server.rows).toEqual([{ owner: 'team_backend', public: 0 }]);
  // Idempotent: a second call returns the same name and creates nothing new.
  const again = await devdb.pool.query<{ db: string }>(
    `SELECT provisioning.create_team_db('backend') AS db`,
  );
  expect(again.rows).toEqual([{ db: 'team_backend' }]);

  const att = await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'team',
    owner: 'dave',
    team: 'backend',
    workspaceId: 'ws-d1',
  });
  expect(att).toMatchObject({ name: 'team_backend', createdDatabase: false, reattached: false });
  expect(await tryConnect(devdb.url(att.user, att.password, 'team_backend'))).toEqual({
    ok: true,
    currentUser: 'team_backend',
  });
  const events = await devdb.pool.query<{ action: string }>(
    `SELECT action FROM provisioning.events WHERE db_name = 'team_backend' ORDER BY id`,
  );
  expect(events.rows.map((r) => r.action)).toEqual([
    'database.ensure',
    'database.ensure',
    'database.ensure',
    'workspace.attach',
  ]);
});

test('database_summary and active_databases', async () => {
  const { rows } = await devdb.pool.query(
    `SELECT db_name, db_type, owner_username, team_name, status, user_count::int,
            active_attachments::int, size_bytes > 0 AS has_size, idle_days
       FROM provisioning.database_summary ORDER BY db_name`,
  );
  expect(rows).toEqual([
    {
      db_name: 'dev_alice',
      db_type: 'individual',
      owner_username: 'alice',
      team_name: null,
      status: 'active',
      user_count: 1,
      active_attachments: 1,
      has_size: true,
      idle_days: 0,
    },
    {
      db_name: 'dev_bob',
      db_type: 'individual',
      owner_username: 'bob',
      team_name: null,
      status: 'active',
      user_count: 1,
      active_attachments: 1,
      has_size: true,
      idle_days: 0,
    },
    {
      db_name: 'team_backend',
      db_type: 'team',
      owner_username: null,
      team_name: 'backend',
      status: 'active',
      user_count: 1,
      active_attachments: 1,
      has_size: true,
      idle_days: 0,
    },
    {
      db_name: 'team_frontend_project',
      db_type: 'team',
      owner_username: null,
      team_name: 'frontend-project',
      status: 'active',
      user_count: 2,
      active_attachments: 2,
      has_size: true,
      idle_days: 0,
    },
  ]);
  const active = await devdb.pool.query<{ db_name: string }>(
    'SELECT db_name FROM provisioning.active_databases ORDER BY db_name',
  );
  expect(active.rows.map((r) => r.db_name)).toEqual(rows.map((r) => r.db_name));
  // An archived database leaves active_databases but stays in the summary.
  await devdb.pool.query(
    `UPDATE provisioning.databases SET status = 'archived' WHERE db_name = 'dev_bob'`,
  );
  try {
    const after = await devdb.pool.query<{ db_name: string }>(
      'SELECT db_name FROM provisioning.active_databases ORDER BY db_name',
    );
    expect(after.rows.map((r) => r.db_name)).not.toContain('dev_bob');
  } finally {
    await devdb.pool.query(
      `UPDATE provisioning.databases SET status = 'active' WHERE db_name = 'dev_bob'`,
    );
  }
});

test("list_user_databases('alice')", async () => {
  const { rows } = await devdb.pool.query(
    `SELECT db_name, db_type, access_level, status, last_accessed
       FROM provisioning.list_user_databases('alice')`,
  );
  expect(rows).toEqual([
    {
      db_name: 'dev_alice',
      db_type: 'individual',
      access_level: 'owner',
      status: 'active',
      last_accessed: null,
    },
    {
      db_name: 'team_frontend_project',
      db_type: 'team',
      access_level: 'write',
      status: 'active',
      last_accessed: null,
    },
  ]);
  // Usernames are case-insensitive, as in Coder.
  const upper = await devdb.pool.query(
    `SELECT db_name FROM provisioning.list_user_databases('Alice')`,
  );
  expect(upper.rows).toHaveLength(2);
  const nobody = await devdb.pool.query(`SELECT * FROM provisioning.list_user_databases('zoe')`);
  expect(nobody.rows).toEqual([]);
});

test("get_connection_info('dev_alice') gives where to connect, never a password", async () => {
  const { rows, fields } = await devdb.pool.query(
    `SELECT * FROM provisioning.get_connection_info('dev_alice')`,
  );
  expect(fields.map((f) => f.name)).toEqual(['host', 'port', 'db_name', 'status']);
  expect(rows).toEqual([
    {
      host: devdb.endpoint.host,
      port: devdb.endpoint.port,
      db_name: 'dev_alice',
      status: 'active',
    },
  ]);
  // The public address an admin configured wins over the server's own.
  await devdb.pool.query(
    `INSERT INTO provisioning.settings (key, value)
     VALUES ('public_host', 'devdb.example.internal'), ('public_port', '6543')`,
  );
  try {
    const configured = await devdb.pool.query(
      `SELECT host, port FROM provisioning.get_connection_info('dev_alice')`,
    );
    expect(configured.rows).toEqual([{ host: 'devdb.example.internal', port: 6543 }]);
  } finally {
    await devdb.pool.query(
      `DELETE FROM provisioning.settings WHERE key IN ('public_host', 'public_port')`,
    );
  }
  await expect(
    devdb.pool.query(`SELECT * FROM provisioning.get_connection_info('dev_nobody')`),
  ).rejects.toThrow(/no DevDB database named 'dev_nobody'/);
});

test('the TypeScript read side agrees with the views', async () => {
  const list = await listDatabases(devdb.pool);
  expect(list.map((d) => [d.name, d.type, d.users, d.activeAttachments])).toEqual([
    ['dev_alice', 'individual', 1, 1],
    ['dev_bob', 'individual', 1, 1],
    ['team_backend', 'team', 1, 1],
    ['team_frontend_project', 'team', 2, 2],
  ]);
  // "Never accessed" counts once a database is past its first day (NEVER_ACCESSED_GRACE_HOURS).
  await devdb.clock.shift(2 * 86_400_000);
  const summary = await summarize(devdb.pool);
  await devdb.clock.reset();
  expect(summary).toMatchObject({
    databases: 4,
    byType: { individual: 2, team: 2 },
    byStatus: { active: 4 },
    activeAttachments: 5,
    users: 4,
    neverAccessed: 4,
  });
  expect(summary.totalSizeBytes).toBeGreaterThan(0);

  const detail = await inspectDatabase(devdb.pool, 'dev_alice');
  expect(detail?.users).toMatchObject([{ username: 'alice', accessLevel: 'owner' }]);
  expect(detail?.attachments.map((a) => [a.workspaceId, a.workspaceName, !!a.detachedAt])).toEqual([
    ['ws-a1', 'main', false],
    ['ws-a2', null, true],
  ]);
  expect(detail?.recentEvents.map((e) => e.action)).toContain('workspace.detach');
  expect(await inspectDatabase(devdb.pool, 'dev_nobody')).toBeNull();

  const users = await listUsers(devdb.pool);
  expect(
    users.map((u) => [u.username, u.databases, u.owned, u.teams, u.activeAttachments]),
  ).toEqual([
    ['alice', ['dev_alice', 'team_frontend_project'], 1, 1, 2],
    ['bob', ['dev_bob'], 1, 0, 1],
    ['carol', ['team_frontend_project'], 0, 1, 1],
    ['dave', ['team_backend'], 0, 1, 1],
  ]);
});

test('the views and list_user_databases carry the policy state, protection included', async () => {
  await devdb.pool.query(`SELECT provisioning.protect_database('dev_bob', NULL, 'demo', 'test')`);
  try {
    const summary = await devdb.pool.query(
      `SELECT db_name, policy_state, protected FROM provisioning.database_summary ORDER BY db_name`,
    );
    expect(summary.rows).toEqual([
      { db_name: 'dev_alice', policy_state: 'active', protected: false },
      { db_name: 'dev_bob', policy_state: 'protected', protected: true },
      { db_name: 'team_backend', policy_state: 'active', protected: false },
      { db_name: 'team_frontend_project', policy_state: 'active', protected: false },
    ]);
    const active = await devdb.pool.query<{ db_name: string; policy_state: string }>(
      `SELECT db_name, policy_state FROM provisioning.active_databases WHERE db_name = 'dev_bob'`,
    );
    expect(active.rows).toEqual([{ db_name: 'dev_bob', policy_state: 'protected' }]);
    // Columns keep their places; the new ones come last.
    const { fields } = await devdb.pool.query(
      `SELECT * FROM provisioning.list_user_databases('bob')`,
    );
    expect(fields.map((f) => f.name)).toEqual([
      'db_name',
      'db_type',
      'access_level',
      'status',
      'last_accessed',
      'policy_state',
    ]);
    // Idle by the clock: an old last access shows in every entry point.
    await devdb.pool.query(
      `UPDATE provisioning.databases SET last_accessed = now() - interval '45 days' WHERE db_name = 'dev_alice'`,
    );
    const alice = await devdb.pool.query(
      `SELECT db_name, policy_state FROM provisioning.list_user_databases('alice') ORDER BY db_name`,
    );
    expect(alice.rows).toEqual([
      { db_name: 'dev_alice', policy_state: 'idle' },
      { db_name: 'team_frontend_project', policy_state: 'active' },
    ]);
    const view = await devdb.pool.query(
      `SELECT idle_days, policy_state FROM provisioning.database_summary WHERE db_name = 'dev_alice'`,
    );
    expect(view.rows).toEqual([{ idle_days: 45, policy_state: 'idle' }]);
  } finally {
    await devdb.pool.query(`SELECT provisioning.unprotect_database('dev_bob', 'test')`);
    await devdb.pool.query(
      `UPDATE provisioning.databases SET last_accessed = NULL WHERE db_name = 'dev_alice'`,
    );
  }
});
