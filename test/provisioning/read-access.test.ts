/**
 * Read-only access (docs/security.md, "Access levels") against a real
 * PostgreSQL: a read credential SELECTs every table, view and sequence of its
 * database, those created before its attach and after it, and changes nothing;
 * a write credential beside it still writes; switching in place keeps the
 * password; detaching drops it; and it reaches no other database. The
 * superuser client only reads catalogs.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attachWorkspace,
  detachWorkspace,
  setAttachmentAccess,
  type AttachInput,
  type Attachment,
} from '../../provisioning/index.js';
import { readRoleName } from '../../provisioning/contract/index.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../helpers/devdb.js';

const TEAM = 'testco';
const TEAM_DB = 'team_testco';
const READ_ROLE = 'ro_team_testco';

let devdb: TestDevDb;
let su: pg.Client;
let writer: Attachment;
let reader: Attachment;

const attach = (input: Omit<AttachInput, 'type'>) =>
  attachWorkspace(devdb.pool, devdb.endpoint, { type: 'team', team: TEAM, ...input });

async function withSession<T>(att: Attachment, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: devdb.url(att.user, att.password, att.name),
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => undefined); // terminated sessions report here
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs each statement in its own session and returns the SQLSTATE it failed with (or 'ok'). */
async function outcomes(att: Attachment, statements: string[]): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  await withSession(att, async (c) => {
    for (const sql of statements) {
      await c.query('BEGIN');
      result[sql] = await c.query(sql).then(
        () => 'ok',
        (error: { code?: string }) => error.code ?? 'error',
      );
      await c.query('ROLLBACK');
    }
  });
  return result;
}

const selectCount = (att: Attachment, relation: string) =>
  withSession(att, async (c) => {
    const { rows } = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${relation}`);
    return rows[0]!.n;
  });

async function registry(workspaceId: string) {
  const { rows } = await devdb.pool.query<{ attachment: string; db_user: string }>(
    `SELECT a.access_level AS attachment, u.access_level AS db_user
       FROM provisioning.attachments a
       JOIN provisioning.db_users u ON u.db_name = a.db_name AND u.username = a.owner_username
      WHERE a.workspace_id = $1 AND a.detached_at IS NULL`,
    [workspaceId],
  );
  return rows[0];
}

const roleExists = async (role: string) =>
  (await su.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount === 1;

beforeAll(async () => {
  devdb = await startTestDevDb();
  su = await devdb.superuser();
  writer = await attach({ owner: 'alice', workspaceId: 'ws-writer' });
  // Before any read attach: a schema, a table with a serial, a view, a materialized view.
  await withSession(writer, (c) =>
    c.query(`CREATE SCHEMA app;
      CREATE TABLE app.users (id serial PRIMARY KEY, name text);
      INSERT INTO app.users (name) VALUES ('ann'), ('ben');
      CREATE VIEW app.user_names AS SELECT name FROM app.users;
      CREATE MATERIALIZED VIEW app.user_count AS SELECT count(*) AS n FROM app.users;
      CREATE TABLE public.notes (body text); INSERT INTO public.notes VALUES ('hi');
      CREATE TABLE shared.config (k text); INSERT INTO shared.config VALUES ('x')`),
  );
  reader = await attach({ owner: 'carol', workspaceId: 'ws-reader', access: 'read' });
  // After it: a new schema, table and sequence, and a new member's personal schema.
  await withSession(writer, (c) =>
    c.query(`CREATE SCHEMA later;
      CREATE TABLE later.events (id bigint GENERATED ALWAYS AS IDENTITY, what text);
      INSERT INTO later.events (what) VALUES ('created after the read attach');
      CREATE SEQUENCE later.counter; SELECT nextval('later.counter');
      CREATE TABLE app.projects (id int, title text); INSERT INTO app.projects VALUES (1, 'p')`),
  );
  const bob = await attach({ owner: 'bob', workspaceId: 'ws-bob' });
  await withSession(bob, (c) =>
    c.query('CREATE TABLE scratch (v int); INSERT INTO scratch VALUES (1)'),
  );
});

afterAll(async () => {
  await devdb?.stop();
});

describe('a read credential', () => {
  test('is recorded as read, and its role is a member of the read role only', async () => {
    expect(reader.access).toBe('read');
    expect(readRoleName(TEAM_DB)).toBe(READ_ROLE);
    expect(await registry('ws-reader')).toEqual({ attachment: 'read', db_user: 'read' });
    expect(await registry('ws-writer')).toEqual({ attachment: 'write', db_user: 'write' });
    const { rows } = await su.query<{ groups: string[] }>(
      `SELECT array_agg(g.rolname::text ORDER BY g.rolname) AS groups
         FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
        WHERE r.rolname = $1`,
      [reader.user],
    );
    expect(rows[0]!.groups).toEqual(['devdb_workspace', READ_ROLE]);
    const { rows: attrs } = await su.query(
      `SELECT rolcanlogin, rolcreatedb, rolcreaterole, rolsuper FROM pg_roles WHERE rolname = $1`,
      [READ_ROLE],
    );
    expect(attrs[0]).toEqual({
      rolcanlogin: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolsuper: false,
    });
  });

  test('SELECTs every table, view and sequence created before its attach', async () => {
    expect(await selectCount(reader, 'app.users')).toBe(2);
    expect(await selectCount(reader, 'app.user_names')).toBe(2);
    expect(await selectCount(reader, 'app.user_count')).toBe(1);
    expect(await selectCount(reader, 'public.notes')).toBe(1);
    expect(await selectCount(reader, 'shared.config')).toBe(1);
    expect(await selectCount(reader, 'app.users_id_seq')).toBe(1);
  });

  test('SELECTs schemas, tables and sequences the owner created after it', async () => {
    expect(await selectCount(reader, 'later.events')).toBe(1);
    expect(await selectCount(reader, 'later.counter')).toBe(1);
    expect(await selectCount(reader, 'app.projects')).toBe(1);
    expect(await selectCount(reader, 'bob.scratch')).toBe(1);
    // Its session is its own login role, with the shared schemas on its path.
    const who = await withSession(reader, (c) =>
      c.query<{ u: string; path: string }>(
        'SELECT current_user AS u, current_setting($1) AS path',
        ['search_path'],
      ),
    );
    expect(who.rows[0]).toEqual({ u: reader.user, path: 'shared, public' });
  });

  test('creates, alters, writes and deletes nothing, and cannot act as the owner role', async () => {
    const refused = [
      'CREATE TABLE public.t (x int)',
      'CREATE TABLE app.t (x int)',
      'CREATE TABLE shared.t (x int)',
      "INSERT INTO app.users (name) VALUES ('eve')",
      "UPDATE app.users SET name = 'eve'",
      'DELETE FROM app.users',
      'TRUNCATE app.users',
      'ALTER TABLE app.users ADD COLUMN evil text',
      'DROP TABLE app.users',
      'CREATE SCHEMA evil',
      "SELECT nextval('app.users_id_seq')",
      "SELECT setval('later.counter', 100)",
      'REFRESH MATERIALIZED VIEW app.user_count',
      'CREATE INDEX ON app.users (name)',
      `SET ROLE ${TEAM_DB}`,
      'CREATE TEMP TABLE scratch (x int)',
      `COMMENT ON TABLE app.users IS 'x'`,
    ];
    const results = await outcomes(reader, refused);
    // 42501 insufficient_privilege: missing privileges and ownership checks alike.
    for (const sql of refused) {
      expect({ sql, code: results[sql] }).toEqual({ sql, code: '42501' });
    }
  });

  test('a write credential in the same database still writes, as the owner role', async () => {
    const results = await outcomes(writer, [
      "INSERT INTO app.users (name) VALUES ('cat')",
      'CREATE TABLE app.more (x int)',
      'TRUNCATE later.events',
    ]);
    expect(Object.values(results)).toEqual(['ok', 'ok', 'ok']);
    const who = await withSession(writer, (c) =>
      c.query<{ u: string }>('SELECT current_user AS u'),
    );
    expect(who.rows[0]!.u).toBe(TEAM_DB);
  });

  test('reaches no other database: not another team, an individual one or postgres', async () => {
    const other = await attach({
      team: 'other-team',
      owner: 'dave',
      workspaceId: 'ws-other',
      access: 'read',
    });
    await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'individual',
      owner: 'alice',
      workspaceId: 'ws-alice-own',
    });
    for (const [att, database] of [
      [reader, 'team_other_team'],
      [reader, 'dev_alice'],
      [reader, 'postgres'],
      [other, TEAM_DB],
    ] as const) {
      const result = await tryConnect(devdb.url(att.user, att.password, database));
      expect(result).toMatchObject({
        ok: false,
        error: expect.stringMatching(/permission denied for database/),
      });
    }
    expect(await tryConnect(devdb.url(other.user, other.password, other.name))).toMatchObject({
      ok: true,
    });
  });

  test('an invalid access level is refused before anything is created', async () => {
    await expect(
      attach({ owner: 'erin', workspaceId: 'ws-bad', access: 'admin' as 'read' }),
    ).rejects.toThrow('invalid access "admin": must be one of "write", "read"');
    await expect(devdb.pool.query(`SELECT provisioning._validate_access('owner')`)).rejects.toThrow(
      /must be one of "write", "read"/,
    );
    const { rowCount } = await devdb.pool.query(
      `SELECT FROM provisioning.attachments WHERE workspace_id = 'ws-bad'`,
    );
    expect(rowCount).toBe(0);
  });
});

describe('switching access in place', () => {
  test('read → write → read keeps the login role and its password', async () => {
    const sw = await attach({ owner: 'frank', workspaceId: 'ws-switch', access: 'read' });
    expect(await outcomes(sw, ['INSERT INTO app.projects VALUES (2)'])).toEqual({
      'INSERT INTO app.projects VALUES (2)': '42501',
    });

    const up = await setAttachmentAccess(devdb.pool, {
      database: TEAM_DB,
      workspaceId: 'ws-switch',
      access: 'write',
    });
    expect(up).toEqual({ name: TEAM_DB, user: sw.user, access: 'write', changed: true });
    expect(await registry('ws-switch')).toEqual({ attachment: 'write', db_user: 'write' });
    const asWriter = await withSession(sw, (c) =>
      c.query<{ u: string; path: string }>(
        `INSERT INTO app.projects VALUES (3); SELECT current_user AS u, current_setting('search_path') AS path`,
      ),
    );
    expect((asWriter as unknown as pg.QueryResult[])[1]!.rows[0]).toEqual({
      u: TEAM_DB,
      path: 'frank, shared, public',
    });

    // Taking write access away ends the session that acts as the owner role.
    const open = new pg.Client({ connectionString: devdb.url(sw.user, sw.password, sw.name) });
    open.on('error', () => undefined);
    await open.connect();
    const down = await setAttachmentAccess(devdb.pool, {
      database: TEAM_DB,
      workspaceId: 'ws-switch',
      access: 'read',
    });
    expect(down).toMatchObject({ access: 'read', changed: true });
    await expect(open.query('INSERT INTO app.projects VALUES (4)')).rejects.toThrow();
    await open.end().catch(() => undefined);
    expect(
      await outcomes(sw, ['INSERT INTO app.projects VALUES (5)', 'SELECT 1 FROM app.users']),
    ).toEqual({
      'INSERT INTO app.projects VALUES (5)': '42501',
      'SELECT 1 FROM app.users': 'ok',
    });
    expect(await registry('ws-switch')).toEqual({ attachment: 'read', db_user: 'read' });

    const again = await setAttachmentAccess(devdb.pool, {
      database: TEAM_DB,
      workspaceId: 'ws-switch',
      access: 'read',
    });
    expect(again.changed).toBe(false);
  });

  test('a table the login role came to own while writing is handed to the owner role', async () => {
    const sw = await attach({ owner: 'gina', workspaceId: 'ws-own' });
    await withSession(sw, (c) => c.query('SET ROLE NONE; CREATE TABLE gina.mine (x int)'));
    await setAttachmentAccess(devdb.pool, {
      database: TEAM_DB,
      workspaceId: 'ws-own',
      access: 'read',
    });
    const client = await devdb.superuser(TEAM_DB);
    const { rows } = await client.query<{ tableowner: string }>(
      `SELECT tableowner FROM pg_tables WHERE schemaname = 'gina' AND tablename = 'mine'`,
    );
    await client.end();
    expect(rows[0]!.tableowner).toBe(TEAM_DB);
    expect(
      await outcomes(sw, ['INSERT INTO gina.mine VALUES (1)', 'SELECT * FROM gina.mine']),
    ).toEqual({
      'INSERT INTO gina.mine VALUES (1)': '42501',
      'SELECT * FROM gina.mine': 'ok',
    });
  });

  test('attaching again with another access level switches too (with a new password)', async () => {
    const first = await attach({ owner: 'hank', workspaceId: 'ws-reattach' });
    const second = await attach({ owner: 'hank', workspaceId: 'ws-reattach', access: 'read' });
    expect(second).toMatchObject({ user: first.user, reattached: true, access: 'read' });
    expect(await outcomes(second, ['INSERT INTO app.projects VALUES (6)'])).toEqual({
      'INSERT INTO app.projects VALUES (6)': '42501',
    });
  });
});

describe('detach', () => {
  test('drops the read credential; the last detach with drop removes the read role too', async () => {
    const ro = await attach({
      team: 'short-lived',
      owner: 'ivy',
      workspaceId: 'ws-short',
      access: 'read',
    });
    expect(await roleExists('ro_team_short_lived')).toBe(true);
    const [detached] = await detachWorkspace(devdb.pool, {
      workspaceId: 'ws-short',
      onLastDetach: 'drop',
      finalBackup: false,
    });
    expect(detached).toMatchObject({ user: ro.user, databaseAction: 'dropped' });
    expect(await roleExists(ro.user)).toBe(false);
    expect(await roleExists('ro_team_short_lived')).toBe(false);
    expect(await roleExists('team_short_lived')).toBe(false);
  });

  test('detaching the reader keeps the database, the writer and the read role', async () => {
    await detachWorkspace(devdb.pool, { workspaceId: 'ws-reader' });
    expect(await roleExists(reader.user)).toBe(false);
    expect(await roleExists(READ_ROLE)).toBe(true);
    expect(await tryConnect(devdb.url(reader.user, reader.password, TEAM_DB))).toMatchObject({
      ok: false,
    });
    expect(await selectCount(writer, 'app.users')).toBeGreaterThan(0);
  });

  test('a role DevDB did not make, named like a read role, is refused', async () => {
    await su.query(`CREATE ROLE ro_team_taken LOGIN PASSWORD 'x'`);
    await expect(
      attach({
        team: 'taken',
        owner: 'jo',
        workspaceId: 'ws-taken',
        access: 'read',
      }),
    ).rejects.toThrow(/role ro_team_taken already exists and is not a plain read role/);
  });
});
