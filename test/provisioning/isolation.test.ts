/**
 * The isolation matrix (docs/security.md) against a real PostgreSQL 17:
 * who can connect where, what PUBLIC keeps, who owns what, what a detach
 * leaves behind, and drift repair. The provisioner is never a superuser; the
 * superuser client only reads catalogs and simulates out-of-band changes.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attachWorkspace,
  detachWorkspace,
  ensureIndividualDatabase,
  ensureTeamDatabase,
  type Attachment,
} from '../../provisioning/index.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../helpers/devdb.js';

const TEAM = 'frontend-project';
const TEAM_DB = 'team_frontend_project';
const DATABASES = ['dev_alice', 'dev_bob', TEAM_DB, 'devdb', 'postgres', 'template1'] as const;

let devdb: TestDevDb;
let su: pg.Client;
const creds: Record<string, Attachment> = {};

async function connectAs(att: Attachment, database = att.name): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: devdb.url(att.user, att.password, database),
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => undefined); // terminated sessions report here
  await client.connect();
  return client;
}

async function withSession<T>(
  att: Attachment,
  fn: (c: pg.Client) => Promise<T>,
  database?: string,
): Promise<T> {
  const client = await connectAs(att, database);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function publicPrivileges(database: string): Promise<string[]> {
  const { rows } = await su.query<{ privs: string[] }>(
    `SELECT coalesce(array_agg(a.privilege_type ORDER BY a.privilege_type), '{}') AS privs
       FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
      WHERE d.datname = $1 AND a.grantee = 0`,
    [database],
  );
  return rows[0]!.privs;
}

async function roleExists(role: string): Promise<boolean> {
  const { rowCount } = await su.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  return rowCount === 1;
}

async function tableOwner(database: string, schema: string, table: string): Promise<string> {
  const client = await devdb.superuser(database);
  try {
    const { rows } = await client.query<{ tableowner: string }>(
      'SELECT tableowner FROM pg_tables WHERE schemaname = $1 AND tablename = $2',
      [schema, table],
    );
    return rows[0]!.tableowner;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  devdb = await startTestDevDb();
  su = await devdb.superuser();
  const attach = (key: string, input: Parameters<typeof attachWorkspace>[2]) =>
    attachWorkspace(devdb.pool, devdb.endpoint, input).then((a) => (creds[key] = a));
  await attach('alice', { type: 'individual', owner: 'alice', workspaceId: 'ws-alice-1' });
  await attach('bob', { type: 'individual', owner: 'bob', workspaceId: 'ws-bob-1' });
  await attach('aliceTeam', {
    type: 'team',
    owner: 'alice',
    team: TEAM,
    workspaceId: 'ws-alice-t',
  });
  await attach('carolTeam', {
    type: 'team',
    owner: 'carol',
    team: TEAM,
    workspaceId: 'ws-carol-t',
  });
});

afterAll(async () => {
  await devdb?.stop();
});

describe('the matrix', () => {
  test('the provisioner is not a superuser', async () => {
    const { rows } = await devdb.pool.query<{ rolsuper: boolean; u: string }>(
      'SELECT current_user AS u, rolsuper FROM pg_roles WHERE rolname = current_user',
    );
    expect(rows[0]).toEqual({ u: 'devdb_provisioner', rolsuper: false });
  });

  test('every login role × every database: connects exactly where it should', async () => {
    const expected: Record<string, string[]> = {
      alice: ['dev_alice', 'devdb'],
      bob: ['dev_bob', 'devdb'],
      aliceTeam: [TEAM_DB, 'devdb'],
      carolTeam: [TEAM_DB, 'devdb'],
    };
    const actual: Record<string, string[]> = {};
    const failures: string[] = [];
    for (const [key, att] of Object.entries(creds)) {
      actual[key] = [];
      for (const database of DATABASES) {
        const result = await tryConnect(devdb.url(att.user, att.password, database));
        if (result.ok) actual[key].push(database);
        else failures.push(result.error);
      }
    }
    expect(actual).toEqual(expected);
    // Refusals are privilege refusals, not accidents (bad password, missing db).
    for (const message of failures) expect(message).toMatch(/permission denied for database/);
    expect(failures).toHaveLength(4 * DATABASES.length - 8);
  });

  test('a wrong password and the NOLOGIN owner role are refused', async () => {
    const alice = creds.alice!;
    expect(
      await tryConnect(devdb.url(alice.user, `${alice.password}x`, 'dev_alice')),
    ).toMatchObject({ ok: false, error: expect.stringMatching(/password authentication failed/) });
    expect(await tryConnect(devdb.url('dev_alice', alice.password, 'dev_alice'))).toMatchObject({
      ok: false,
    });
  });

  test('PUBLIC has no CONNECT/TEMP on any provisioned (or maintenance) database (datacl)', async () => {
    for (const database of ['dev_alice', 'dev_bob', TEAM_DB, 'devdb', 'postgres', 'template1']) {
      expect({ database, public: await publicPrivileges(database) }).toEqual({
        database,
        public: [],
      });
      const { rows } = await su.query<{ datacl: string | null }>(
        'SELECT datacl::text FROM pg_database WHERE datname = $1',
        [database],
      );
      // NULL would mean the default ACL, in which PUBLIC has CONNECT and TEMP.
      expect(rows[0]!.datacl).not.toBeNull();
    }
  });

  test('in devdb a login role reads nothing but can report access', async () => {
    await withSession(
      creds.alice!,
      async (c) => {
        const me = await c.query<{ u: string }>('SELECT current_user AS u');
        expect(me.rows[0]!.u).toBe(creds.alice!.user);
        for (const sql of [
          'SELECT * FROM provisioning.databases',
          'SELECT * FROM provisioning.attachments',
          'SELECT * FROM provisioning.events',
          'SELECT * FROM provisioning.database_summary',
          "SELECT * FROM provisioning.list_user_databases('alice')",
          "SELECT provisioning.create_team_db('sneaky')",
          'CREATE TABLE public.t (x int)',
          'CREATE TABLE provisioning.t (x int)',
        ]) {
          await expect(c.query(sql), sql).rejects.toThrow(/permission denied/);
        }
        const { rows } = await c.query('SELECT * FROM provisioning.report_access()');
        expect(rows).toEqual([{ db_name: 'dev_alice', accessed: expect.any(Boolean) }]);
      },
      'devdb',
    );
    const { rowCount } = await devdb.pool.query(
      `SELECT 1 FROM provisioning.attachments
        WHERE workspace_id = 'ws-alice-1' AND last_seen_at IS NOT NULL`,
    );
    expect(rowCount).toBe(1);
  });
});

describe('ownership and schemas', () => {
  test("the owner's session acts as the owner role and owns what it creates", async () => {
    await withSession(creds.alice!, async (c) => {
      const { rows } = await c.query<{ cu: string; su: string }>(
        'SELECT current_user AS cu, session_user AS su',
      );
      expect(rows[0]).toEqual({ cu: 'dev_alice', su: creds.alice!.user });
      await c.query('CREATE TABLE public.notes (id int PRIMARY KEY, body text)');
      await c.query("INSERT INTO notes VALUES (1, 'hello')");
      await c.query('CREATE TEMP TABLE scratch (x int)'); // TEMP is granted to the owner
    });
    expect(await tableOwner('dev_alice', 'public', 'notes')).toBe('dev_alice');
  });

  test('team members: personal schema first, then shared and public; tables land there', async () => {
    for (const [key, user] of [
      ['aliceTeam', 'alice'],
      ['carolTeam', 'carol'],
    ] as const) {
      await withSession(creds[key]!, async (c) => {
        const { rows } = await c.query<{ cu: string; schemas: string[]; sp: string }>(
          `SELECT current_user AS cu, current_schemas(false)::text[] AS schemas,
                  current_setting('search_path') AS sp`,
        );
        expect(rows[0]!.cu).toBe(TEAM_DB);
        expect(rows[0]!.schemas).toEqual([user, 'shared', 'public']);
        expect(rows[0]!.sp.replaceAll('"', '')).toBe(`${user}, shared, public`);
        await c.query('CREATE TABLE work (x int)');
        const where = await c.query<{ s: string }>(
          `SELECT relnamespace::regnamespace::text AS s FROM pg_class WHERE oid = 'work'::regclass`,
        );
        expect(where.rows[0]!.s).toBe(user);
      });
      expect(await tableOwner(TEAM_DB, user, 'work')).toBe(TEAM_DB);
    }
    // shared is shared: carol reads what alice put there.
    await withSession(creds.aliceTeam!, (c) =>
      c.query("CREATE TABLE shared.board AS SELECT 'from alice'::text AS msg"),
    );
    const { rows } = await withSession(creds.carolTeam!, (c) => c.query('SELECT msg FROM board'));
    expect(rows).toEqual([{ msg: 'from alice' }]);
  });
});

describe('detach', () => {
  test("detaching one of alice's workspaces kills its credential and leaves the other", async () => {
    const second = await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'individual',
      owner: 'alice',
      workspaceId: 'ws-alice-2',
    });
    expect(second.name).toBe('dev_alice');
    expect(second.user).not.toBe(creds.alice!.user);
    expect((await tryConnect(devdb.url(second.user, second.password, 'dev_alice'))).ok).toBe(true);
    // A session that is open at detach time is terminated.
    const open = await connectAs(second);
    const result = await detachWorkspace(devdb.pool, { workspaceId: 'ws-alice-2' });
    expect(result).toEqual([{ name: 'dev_alice', user: second.user, sessionsTerminated: 1 }]);
    await expect(open.query('SELECT 1')).rejects.toThrow();
    await open.end().catch(() => undefined);

    expect(await tryConnect(devdb.url(second.user, second.password, 'dev_alice'))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/password authentication failed/),
    });
    expect(await roleExists(second.user)).toBe(false);
    // The other workspace, its data and the team workspace are untouched.
    expect(await roleExists(creds.alice!.user)).toBe(true);
    const notes = await withSession(creds.alice!, (c) => c.query('SELECT body FROM notes'));
    expect(notes.rows).toEqual([{ body: 'hello' }]);
    expect(
      (await tryConnect(devdb.url(creds.aliceTeam!.user, creds.aliceTeam!.password, TEAM_DB))).ok,
    ).toBe(true);
    // Detaching again is a no-op.
    expect(await detachWorkspace(devdb.pool, { workspaceId: 'ws-alice-2' })).toEqual([]);
  });

  test('a login role that did SET ROLE NONE and created a table is still detachable', async () => {
    const third = await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'individual',
      owner: 'alice',
      workspaceId: 'ws-alice-3',
    });
    await withSession(third, async (c) => {
      // RESET ROLE returns to the ALTER ROLE … SET role default: still the owner.
      await c.query('RESET ROLE');
      const reset = await c.query<{ u: string }>('SELECT current_user AS u');
      expect(reset.rows[0]!.u).toBe('dev_alice');
      // SET ROLE NONE makes the session act as the login role itself.
      await c.query('SET ROLE NONE');
      const { rows } = await c.query<{ u: string }>('SELECT current_user AS u');
      expect(rows[0]!.u).toBe(third.user);
      await c.query('CREATE TABLE public.mine_as_login (x int)');
      await c.query('CREATE SEQUENCE public.mine_seq');
    });
    expect(await tableOwner('dev_alice', 'public', 'mine_as_login')).toBe(third.user);

    const result = await detachWorkspace(devdb.pool, { workspaceId: 'ws-alice-3' });
    expect(result).toMatchObject([{ name: 'dev_alice', user: third.user }]);
    expect(await roleExists(third.user)).toBe(false);
    expect(await tableOwner('dev_alice', 'public', 'mine_as_login')).toBe('dev_alice');
    // And nothing else of the role is left in any database.
    const { rows } = await su.query(
      `SELECT 1 FROM pg_shdepend s WHERE s.refclassid = 'pg_authid'::regclass
          AND NOT EXISTS (SELECT FROM pg_authid a WHERE a.oid = s.refobjid)`,
    );
    expect(rows).toEqual([]);
    // The provisioner did not keep the dropped role's membership or anything else.
    expect(
      (await tryConnect(devdb.url(creds.alice!.user, creds.alice!.password, 'dev_alice'))).ok,
    ).toBe(true);
  });
});

describe('drift', () => {
  test('out-of-band GRANT CONNECT TO PUBLIC is reported and repaired', async () => {
    await su.query('GRANT CONNECT ON DATABASE dev_alice TO PUBLIC');
    expect(await publicPrivileges('dev_alice')).toEqual(['CONNECT']);
    // It matters: bob's workspace can now reach alice's database.
    expect(
      (await tryConnect(devdb.url(creds.bob!.user, creds.bob!.password, 'dev_alice'))).ok,
    ).toBe(true);

    const result = await ensureIndividualDatabase(devdb.pool, { owner: 'alice' });
    expect(result).toMatchObject({ name: 'dev_alice', created: false });
    expect(result.repaired).toContain('PUBLIC access revoked');
    expect(await publicPrivileges('dev_alice')).toEqual([]);
    expect(
      await tryConnect(devdb.url(creds.bob!.user, creds.bob!.password, 'dev_alice')),
    ).toMatchObject({
      ok: false,
      error: expect.stringMatching(/permission denied for database "dev_alice"/),
    });
    // Alice's own workspace is unaffected, and a second ensure has nothing to do.
    expect(
      (await tryConnect(devdb.url(creds.alice!.user, creds.alice!.password, 'dev_alice'))).ok,
    ).toBe(true);
    expect((await ensureIndividualDatabase(devdb.pool, { owner: 'alice' })).repaired).toEqual([]);
  });

  test('out-of-band GRANT TEMP TO PUBLIC on a team database is repaired too', async () => {
    await su.query(`GRANT ALL ON DATABASE ${TEAM_DB} TO PUBLIC`);
    expect((await publicPrivileges(TEAM_DB)).length).toBeGreaterThan(0);
    const result = await ensureTeamDatabase(devdb.pool, { team: TEAM });
    expect(result.repaired).toContain('PUBLIC access revoked');
    expect(await publicPrivileges(TEAM_DB)).toEqual([]);
  });
});
