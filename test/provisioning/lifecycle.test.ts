/**
 * Lifecycle groundwork for the Terraform provider (docs/resources/database.md; docs/architecture.md, "Last access and lifecycle",
 * docs/security.md T8): on_last_detach keep/archive/drop, restore,
 * seed_from, the drift state Read uses and its repair, connection limits.
 * Real PostgreSQL 17; the provisioner is never a superuser; the superuser
 * client only reads catalogs and simulates out-of-band changes.
 */
import { readPidFile } from '../../server/embedded/pidfile.js';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attachmentState,
  attachWorkspace,
  detachWorkspace,
  ensureIndividualDatabase,
  PROVISIONER_ROLE,
  restoreDatabase,
  type AttachInput,
  type Attachment,
} from '../../provisioning/index.js';
import { startCluster, type RunningCluster } from '../../server/embedded/index.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;
let su: pg.Client;

/**
 * The server's shutdown (teardown, restart) sends idle pooled connections a
 * FATAL; pg-pool re-emits it on the pool, where no listener means a crash.
 */
const quietOnShutdown = (pool: pg.Pool) => pool.on('error', () => undefined);

beforeAll(async () => {
  devdb = await startTestDevDb();
  quietOnShutdown(devdb.pool);
  su = await devdb.superuser();
});

afterAll(async () => {
  await devdb?.stop();
});

const attach = (owner: string, workspaceId: string, extra: Partial<AttachInput> = {}) =>
  attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner,
    workspaceId,
    ...extra,
  });

/** A session that is expected to be ended under it: errors are swallowed. */
async function openSession(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

const sessionAs = (att: Attachment) => openSession(devdb.url(att.user, att.password, att.name));
const provisionerSession = (database: string) =>
  openSession(devdb.url(PROVISIONER_ROLE, devdb.provisionerPassword, database));

async function database(
  name: string,
): Promise<{ owner: string; allowConn: boolean; isTemplate: boolean } | undefined> {
  const { rows } = await su.query(
    `SELECT pg_get_userbyid(datdba) AS owner, datallowconn AS "allowConn", datistemplate AS "isTemplate"
       FROM pg_database WHERE datname = $1`,
    [name],
  );
  return rows[0];
}

async function registry(
  name: string,
): Promise<{ status: string; metadata: Record<string, { at?: string } | string> } | undefined> {
  const { rows } = await devdb.pool.query(
    'SELECT status, metadata FROM provisioning.databases WHERE db_name = $1',
    [name],
  );
  return rows[0];
}

async function eventCount(db: string, action: string): Promise<number> {
  const { rows } = await devdb.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM provisioning.events WHERE db_name = $1 AND action = $2',
    [db, action],
  );
  return rows[0]!.n;
}

async function roleExists(role: string): Promise<boolean> {
  return (await su.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount === 1;
}

/**
 * The provisioner's temporary INHERIT on owner roles must always be taken back. Before
 * PostgreSQL 16 there is no per-grant INHERIT (pg_auth_members.inherit_option): every
 * membership inherits, so there the provisioner must be a member of nothing but the
 * database owner roles it needs (no role it was granted for a moment is left).
 */
async function provisionerInherits(): Promise<string[]> {
  const pg16 =
    Number((await su.query('SHOW server_version_num')).rows[0].server_version_num) >= 160000;
  const { rows } = await su.query<{ role: string }>(
    `SELECT r.rolname AS role FROM pg_auth_members m
       JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles p ON p.oid = m.member
      WHERE p.rolname = $1 AND r.rolname NOT LIKE 'pg\\_%' AND ${
        pg16 ? 'm.inherit_option' : 'r.oid NOT IN (SELECT d.datdba FROM pg_database d)'
      }`,
    [PROVISIONER_ROLE],
  );
  return rows.map((r) => r.role);
}

async function query<R extends pg.QueryResultRow>(att: Attachment, sql: string): Promise<R[]> {
  const client = await sessionAs(att);
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('on_last_detach', () => {
  test('keep (and any policy while other workspaces remain) leaves the database as it is', async () => {
    await attach('kim', 'kim-1');
    await attach('kim', 'kim-2');
    expect(
      await detachWorkspace(devdb.pool, { workspaceId: 'kim-1', onLastDetach: 'drop' }),
    ).toMatchObject([{ name: 'dev_kim', databaseAction: null }]);
    expect(
      await detachWorkspace(devdb.pool, { workspaceId: 'kim-2', onLastDetach: 'keep' }),
    ).toMatchObject([{ name: 'dev_kim', databaseAction: 'kept' }]);
    expect(await database('dev_kim')).toMatchObject({ owner: 'dev_kim', allowConn: true });
    expect((await registry('dev_kim'))!.status).toBe('active');
    // Without onLastDetach the result keeps its original shape.
    await attach('kim', 'kim-3');
    const [plain] = await detachWorkspace(devdb.pool, { workspaceId: 'kim-3' });
    expect(Object.keys(plain!).sort()).toEqual(['name', 'sessionsTerminated', 'user']);
  });

  test('archive: connections refused, sessions ended, renamed; restore brings it back', async () => {
    const att = await attach('arlo', 'arlo-1');
    await query(att, 'CREATE TABLE notes (body text); INSERT INTO notes VALUES ($$kept$$)');
    // A session of another (non-superuser) role is still in the database.
    const lingering = await provisionerSession('dev_arlo');

    const result = await detachWorkspace(devdb.pool, {
      workspaceId: 'arlo-1',
      onLastDetach: 'archive',
      actor: 'tf',
    });
    expect(result).toEqual([
      { name: 'dev_arlo', user: att.user, sessionsTerminated: 0, databaseAction: 'archived' },
    ]);
    await expect(lingering.query('SELECT 1')).rejects.toThrow();
    expect(await database('dev_arlo')).toBeUndefined();
    expect(await database('archived_dev_arlo')).toEqual({
      owner: 'dev_arlo',
      allowConn: false,
      isTemplate: false,
    });
    const row = await registry('dev_arlo');
    expect(row).toMatchObject({
      status: 'archived',
      metadata: { archived: { physical_name: 'archived_dev_arlo' } },
    });
    expect(Date.parse((row!.metadata.archived as { at: string }).at)).toBeGreaterThan(
      Date.now() - 60_000,
    );
    expect(await eventCount('dev_arlo', 'database.archive')).toBe(1);
    expect(await provisionerInherits()).toEqual([]);

    // Idempotent; and the archived database is not silently brought back by an attach.
    expect(
      await detachWorkspace(devdb.pool, { workspaceId: 'arlo-1', onLastDetach: 'archive' }),
    ).toEqual([]);
    await expect(attach('arlo', 'arlo-2')).rejects.toThrow(
      /database dev_arlo is archived \(an admin must restore it .*restore_database\('dev_arlo'\)/,
    );

    expect(await restoreDatabase(devdb.pool, 'dev_arlo', { actor: 'admin' })).toEqual({
      name: 'dev_arlo',
      restored: true,
    });
    expect(await database('dev_arlo')).toMatchObject({ owner: 'dev_arlo', allowConn: true });
    expect(await database('archived_dev_arlo')).toBeUndefined();
    expect((await registry('dev_arlo'))!.status).toBe('active');
    expect(await eventCount('dev_arlo', 'database.restore')).toBe(1);
    expect(await provisionerInherits()).toEqual([]);
    const back = await attach('arlo', 'arlo-2');
    expect(await query(back, 'SELECT body FROM notes')).toEqual([{ body: 'kept' }]);
    expect(await restoreDatabase(devdb.pool, 'dev_arlo')).toEqual({
      name: 'dev_arlo',
      restored: false,
    });
    expect(
      (await attachmentState(devdb.pool, { database: 'dev_arlo', workspaceId: 'arlo-2' }))
        .publicPrivileges,
    ).toEqual([]);
  });

  test('archive converges after a crash that left the rename committed and the detach not', async () => {
    const att = await attach('ava', 'ava-1');
    // What the loopback session had committed before the calling transaction died.
    await su.query(`DROP ROLE ${su.escapeIdentifier(att.user)}`);
    await su.query('ALTER DATABASE dev_ava ALLOW_CONNECTIONS false');
    await su.query('ALTER DATABASE dev_ava RENAME TO archived_dev_ava');
    expect(
      await detachWorkspace(devdb.pool, { workspaceId: 'ava-1', onLastDetach: 'archive' }),
    ).toEqual([
      { name: 'dev_ava', user: att.user, sessionsTerminated: 0, databaseAction: 'archived' },
    ]);
    expect((await registry('dev_ava'))!.status).toBe('archived');
    expect(await eventCount('dev_ava', 'database.archive')).toBe(1);
  });

  test('drop with final_backup = false: database and owner role gone, row kept as dropped; a later attach starts afresh', async () => {
    const att = await attach('drew', 'drew-1');
    await query(att, 'CREATE TABLE t (x int)');
    const lingering = await provisionerSession('dev_drew');

    const [result] = await detachWorkspace(devdb.pool, {
      workspaceId: 'drew-1',
      onLastDetach: 'drop',
      finalBackup: false,
    });
    expect(result).toMatchObject({ name: 'dev_drew', databaseAction: 'dropped' });
    await expect(lingering.query('SELECT 1')).rejects.toThrow();
    expect(await database('dev_drew')).toBeUndefined();
    expect(await roleExists('dev_drew')).toBe(false);
    expect(await roleExists(att.user)).toBe(false);
    expect(await registry('dev_drew')).toMatchObject({
      status: 'dropped',
      metadata: { dropped: {} },
    });
    expect(await eventCount('dev_drew', 'database.drop')).toBe(1);
    expect(await eventCount('dev_drew', 'database.drop_without_backup')).toBe(1);
    expect(
      await detachWorkspace(devdb.pool, {
        workspaceId: 'drew-1',
        onLastDetach: 'drop',
        finalBackup: false,
      }),
    ).toEqual([]);
    await expect(restoreDatabase(devdb.pool, 'dev_drew')).rejects.toThrow(
      /was dropped and cannot be restored \(attaching a workspace creates it afresh\)/,
    );

    const again = await attach('drew', 'drew-2');
    expect(again.createdDatabase).toBe(true);
    expect(await query(again, `SELECT to_regclass('t') AS t`)).toEqual([{ t: null }]);
    expect((await registry('dev_drew'))!.status).toBe('active');
  });

  test('two concurrent last detaches with drop: dropped exactly once, no errors', async () => {
    await attach('duo', 'duo-1');
    await attach('duo', 'duo-2');
    const clients = [0, 1].map(() => new pg.Client({ connectionString: devdb.provisionerUrl }));
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const results = await Promise.all(
        ['duo-1', 'duo-2'].map((ws, i) =>
          detachWorkspace(clients[i]!, {
            workspaceId: ws,
            onLastDetach: 'drop',
            finalBackup: false,
          }),
        ),
      );
      expect(
        results
          .flat()
          .map((r) => r.databaseAction)
          .sort(),
      ).toEqual(['dropped', null]);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    expect(await database('dev_duo')).toBeUndefined();
    expect(await eventCount('dev_duo', 'database.drop')).toBe(1);
  });

  test('a session DevDB may not end makes the drop fail clearly; once closed, a re-run converges', async () => {
    const att = await attach('sue', 'sue-1');
    const admin = await devdb.superuser('dev_sue');
    const started = Date.now();
    await expect(
      detachWorkspace(devdb.pool, {
        workspaceId: 'sue-1',
        onLastDetach: 'drop',
        finalBackup: false,
      }),
    ).rejects.toThrow(
      /database dev_sue still has sessions DevDB cannot end: devdb_admin \(pid \d+\) \(these are superuser sessions .*close them, then detach again\)/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    // Nothing recorded: the attachment is still live, the database still there.
    expect(
      (await attachmentState(devdb.pool, { database: 'dev_sue', workspaceId: 'sue-1' })).attached,
    ).toBe(true);
    expect(await database('dev_sue')).toBeDefined();
    await admin.end();
    const [result] = await detachWorkspace(devdb.pool, {
      workspaceId: 'sue-1',
      onLastDetach: 'drop',
      finalBackup: false,
    });
    expect(result).toMatchObject({ user: att.user, databaseAction: 'dropped' });
    expect(await database('dev_sue')).toBeUndefined();
  });

  test('a lock held elsewhere ends the drop with a message after lock_timeout, not a hang', async () => {
    await attach('lou', 'lou-1');
    await devdb.pool.query(`INSERT INTO provisioning.settings VALUES ('lock_timeout', '500ms')`);
    const holder = await devdb.superuser();
    await holder.query('BEGIN; ALTER DATABASE dev_lou ALLOW_CONNECTIONS true');
    try {
      const started = Date.now();
      await expect(
        detachWorkspace(devdb.pool, {
          workspaceId: 'lou-1',
          onLastDetach: 'drop',
          finalBackup: false,
        }),
      ).rejects.toThrow(
        /could not drop database dev_lou in time: .*lock timeout \(another session holds a lock on database dev_lou \(see pg_locks/,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
      await devdb.pool.query(`DELETE FROM provisioning.settings WHERE key = 'lock_timeout'`);
    }
    expect(
      await detachWorkspace(devdb.pool, {
        workspaceId: 'lou-1',
        onLastDetach: 'drop',
        finalBackup: false,
      }),
    ).toMatchObject([{ databaseAction: 'dropped' }]);
  });

  test('bad policy and unknown databases are refused with the rule', async () => {
    await expect(
      // @ts-expect-error: checking the runtime guard
      detachWorkspace(devdb.pool, { workspaceId: 'x-1', onLastDetach: 'nuke' }),
    ).rejects.toThrow(/invalid on_last_detach "nuke": must be one of "keep", "archive", "drop"/);
    await expect(
      devdb.pool.query(`SELECT * FROM provisioning.detach_workspace('x-1', NULL, NULL, 'nuke')`),
    ).rejects.toThrow(/invalid on_last_detach 'nuke'/);
    await expect(restoreDatabase(devdb.pool, 'dev_nobody')).rejects.toThrow(
      /no DevDB database named 'dev_nobody'/,
    );
  });
});

describe('seed_from', () => {
  let seedAtt: Attachment;

  beforeAll(async () => {
    seedAtt = await attach('sam', 'sam-seed');
    await query(
      seedAtt,
      `CREATE TABLE items (id int PRIMARY KEY, name text);
       INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three')`,
    );
    await detachWorkspace(devdb.pool, { workspaceId: 'sam-seed' });
  });

  test('a new database is a copy of the seed, owned by its own role, PUBLIC revoked', async () => {
    const att = await attach('sofia', 'sofia-1', { seedFrom: 'dev_sam' });
    expect(att.createdDatabase).toBe(true);
    expect(await query(att, 'SELECT count(*)::int AS n FROM items')).toEqual([{ n: 3 }]);
    await query(att, `INSERT INTO items VALUES (4, 'mine')`); // the copy's objects are usable
    const owners = await devdb.superuser('dev_sofia');
    const { rows } = await owners.query(
      `SELECT tableowner FROM pg_tables WHERE tablename = 'items'`,
    );
    await owners.end();
    expect(rows).toEqual([{ tableowner: 'dev_sofia' }]);
    expect(await database('dev_sam')).toMatchObject({ owner: 'dev_sam' }); // the seed is untouched
    expect(
      await attachmentState(devdb.pool, { database: 'dev_sofia', workspaceId: 'sofia-1' }),
    ).toMatchObject({ publicPrivileges: [] });
    expect((await registry('dev_sofia'))!.metadata).toEqual({ seeded_from: 'dev_sam' });
    expect(await provisionerInherits()).toEqual([]);

    // Only on creation: a later attach with a seed changes nothing.
    await query(att, 'DELETE FROM items WHERE id = 1');
    const again = await attach('sofia', 'sofia-2', { seedFrom: 'dev_sam' });
    expect(again.createdDatabase).toBe(false);
    expect(await query(again, 'SELECT count(*)::int AS n FROM items')).toEqual([{ n: 3 }]);
  });

  test('a template database can seed; ensure takes seedFrom too', async () => {
    const result = await ensureIndividualDatabase(devdb.pool, {
      owner: 'tess',
      seedFrom: 'template0',
    });
    expect(result).toEqual({
      name: 'dev_tess',
      created: true,
      repaired: ['database created', 'seeded from template0'],
    });
    expect(await database('dev_tess')).toMatchObject({ owner: 'dev_tess', allowConn: true });
  });

  test('a seed from seed_file_copy_min_bytes up is copied file by file (cloned on 18), and says so', async () => {
    await devdb.pool.query(
      `INSERT INTO provisioning.settings (key, value) VALUES ('seed_file_copy_min_bytes', '0')`,
    );
    try {
      const result = await ensureIndividualDatabase(devdb.pool, {
        owner: 'uma',
        seedFrom: 'dev_sam',
      });
      const version = Number(
        (await su.query('SHOW server_version_num')).rows[0].server_version_num,
      );
      expect(result.repaired).toEqual([
        'database created',
        'seeded from dev_sam',
        version >= 180000 ? 'copied by file_copy, clone' : 'copied by file_copy',
        'objects of dev_sam handed to dev_uma',
      ]);
      const owner = await devdb.superuser('dev_uma');
      const { rows } = await owner.query('SELECT count(*)::int AS n FROM items');
      await owner.end();
      expect(rows).toEqual([{ n: 3 }]);
      expect(await provisionerInherits()).toEqual([]);
    } finally {
      await devdb.pool.query(
        `DELETE FROM provisioning.settings WHERE key = 'seed_file_copy_min_bytes'`,
      );
    }
  });

  test('a seed someone is connected to: which database, and that connections must close', async () => {
    const session = await provisionerSession('dev_sam');
    try {
      await expect(attach('sven', 'sven-1', { seedFrom: 'dev_sam' })).rejects.toThrow(
        /seed database dev_sam is in use \(sessions of devdb_provisioner\).*\(close every connection to dev_sam, then try again\)/,
      );
    } finally {
      await session.end();
    }
    expect(await database('dev_sven')).toBeUndefined();
    expect(await roleExists('dev_sven')).toBe(false);
    expect((await attach('sven', 'sven-1', { seedFrom: 'dev_sam' })).createdDatabase).toBe(true);
  });

  test.each([
    [
      'postgres',
      /DevDB may not copy database postgres: it is owned by devdb_admin and not marked as a template \(.*IS_TEMPLATE true\)/,
    ],
    ['devdb', /database devdb cannot be a seed/],
    [
      'no_such_db',
      /seed database no_such_db does not exist \(seed_from names an existing database/,
    ],
    ['', /invalid seed_from "": must be the name of a database/],
    [
      'x'.repeat(64),
      /invalid seed_from "x+": must be the name of a database on the DevDB server \(1–63 bytes\)/,
    ],
  ])('seed %j is refused and nothing is created', async (seed, message) => {
    await expect(attach('nora', 'nora-1', { seedFrom: seed })).rejects.toThrow(message);
    expect(await database('dev_nora')).toBeUndefined();
    expect(await roleExists('dev_nora')).toBe(false);
  });
});

describe('drift state and repair', () => {
  const state = (workspaceId: string) =>
    attachmentState(devdb.pool, { database: 'dev_dora', workspaceId });

  test('a clean attachment, and one DevDB does not know', async () => {
    const att = await attach('dora', 'dora-1');
    expect(await state('dora-1')).toEqual({
      databaseExists: true,
      status: 'active',
      publicPrivileges: [],
      attached: true,
      loginRole: att.user,
      loginRoleExists: true,
      loginRoleCanLogin: true,
      connectionLimit: -1,
      accessDrift: [],
    });
    expect(await attachmentState(devdb.pool, { database: 'dev_x', workspaceId: 'w' })).toEqual({
      databaseExists: false,
      status: null,
      publicPrivileges: [],
      attached: false,
      loginRole: null,
      loginRoleExists: false,
      loginRoleCanLogin: false,
      connectionLimit: null,
      accessDrift: [],
    });
  });

  test('database dropped out of band: seen, and attach recreates it', async () => {
    await su.query('DROP DATABASE dev_dora WITH (FORCE)');
    expect(await state('dora-1')).toMatchObject({ databaseExists: false, status: 'active' });
    const att = await attach('dora', 'dora-1');
    expect(att).toMatchObject({ createdDatabase: true, reattached: true });
    expect(await state('dora-1')).toMatchObject({ databaseExists: true, publicPrivileges: [] });
    expect(await tryConnect(devdb.url(att.user, att.password, 'dev_dora'))).toEqual({
      ok: true,
      currentUser: 'dev_dora',
    });
  });

  test('GRANT CONNECT … TO PUBLIC out of band: seen, and attach revokes it', async () => {
    const other = await attach('otto', 'otto-1');
    await su.query('GRANT CONNECT, TEMP ON DATABASE dev_dora TO PUBLIC');
    expect((await state('dora-1')).publicPrivileges).toEqual(['CONNECT', 'TEMPORARY']);
    expect((await tryConnect(devdb.url(other.user, other.password, 'dev_dora'))).ok).toBe(true);
    await attach('dora', 'dora-1');
    expect((await state('dora-1')).publicPrivileges).toEqual([]);
    expect(await tryConnect(devdb.url(other.user, other.password, 'dev_dora'))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/permission denied for database "dev_dora"/),
    });
  });

  test('login role dropped out of band: seen, and attach recreates it with a fresh password', async () => {
    const before = await attach('dora', 'dora-1');
    await su.query(`DROP ROLE ${su.escapeIdentifier(before.user)}`);
    expect(await state('dora-1')).toMatchObject({
      attached: true,
      loginRole: before.user,
      loginRoleExists: false,
      loginRoleCanLogin: false,
    });
    const after = await attach('dora', 'dora-1');
    expect(after.user).toBe(before.user);
    expect(after.password).not.toBe(before.password);
    expect(await state('dora-1')).toMatchObject({ loginRoleExists: true, loginRoleCanLogin: true });
    expect((await tryConnect(devdb.url(after.user, after.password, 'dev_dora'))).ok).toBe(true);
    expect((await tryConnect(devdb.url(before.user, before.password, 'dev_dora'))).ok).toBe(false);
  });

  test('only the provisioner may read it: a workspace login role may not', async () => {
    const att = await attach('dora', 'dora-1');
    const client = await openSession(devdb.url(att.user, att.password, 'devdb'));
    try {
      await expect(
        client.query(`SELECT * FROM provisioning.attachment_state('dev_dora', 'dora-1')`),
      ).rejects.toThrow(/permission denied for function attachment_state/);
    } finally {
      await client.end();
    }
  });
});

test('connection_limit 1: one session, the second refused with PostgreSQL’s message', async () => {
  const att = await attach('cleo', 'cleo-1', { connectionLimit: 1 });
  expect(
    (await attachmentState(devdb.pool, { database: 'dev_cleo', workspaceId: 'cleo-1' }))
      .connectionLimit,
  ).toBe(1);
  const first = await sessionAs(att);
  try {
    expect(await tryConnect(devdb.url(att.user, att.password, att.name))).toEqual({
      ok: false,
      error: `too many connections for role "${att.user}"`,
    });
  } finally {
    await first.end();
  }
  expect((await tryConnect(devdb.url(att.user, att.password, att.name))).ok).toBe(true);
});

test('no generated password reaches the events log', async () => {
  const att = await attach('pat', 'pat-1', { seedFrom: 'template0' });
  await detachWorkspace(devdb.pool, { workspaceId: 'pat-1', onLastDetach: 'drop' });
  const { rows } = await devdb.pool.query<{ log: string }>(
    'SELECT string_agg(detail::text, ' + "' '" + ') AS log FROM provisioning.events',
  );
  expect(rows[0]!.log).not.toContain(att.password);
});

/**
 * Prepared transactions and logical replication slots need server settings
 * that only a restart applies, so this runs on its own server.
 */
describe('what blocks a drop is named, before anything changes', () => {
  let blocked: TestDevDb;
  let restarted: RunningCluster | undefined;

  beforeAll(async () => {
    blocked = await startTestDevDb();
    quietOnShutdown(blocked.pool);
    const admin = await blocked.superuser();
    await admin.query('ALTER SYSTEM SET max_prepared_transactions = 2');
    await admin.query('ALTER SYSTEM SET wal_level = logical');
    await admin.end();
    await blocked.pool.end();
    restarted = await restart(blocked.cluster.dataDir, blocked.cluster.port);
    blocked.pool = quietOnShutdown(
      new pg.Pool({ connectionString: blocked.provisionerUrl, max: 4 }),
    );
  });

  afterAll(async () => {
    await blocked?.pool.end();
    await restarted?.stop();
    await blocked?.stop();
  });

  async function inDatabase(db: string, sql: string): Promise<void> {
    const client = await blocked.superuser(db);
    await client.query(sql);
    await client.end();
  }

  test('a prepared transaction, then a logical replication slot; cleared, the drop goes through', async () => {
    const att = await attachWorkspace(blocked.pool, blocked.endpoint, {
      type: 'individual',
      owner: 'pria',
      workspaceId: 'pria-1',
    });
    const detach = (onLastDetach: 'archive' | 'drop') =>
      detachWorkspace(blocked.pool, { workspaceId: 'pria-1', onLastDetach, finalBackup: false });
    await inDatabase('dev_pria', `BEGIN; CREATE TABLE t (); PREPARE TRANSACTION 'devdb-test-1'`);
    await expect(detach('drop')).rejects.toThrow(
      /database dev_pria cannot be dropped: prepared transactions keep it open: 'devdb-test-1' \(prepared by devdb_admin\) \(connect to dev_pria .* COMMIT PREPARED or ROLLBACK PREPARED/,
    );
    await expect(detach('archive')).rejects.toThrow(/dev_pria cannot be archived: prepared/);
    // Refused before anything changed: the workspace's credential still works.
    expect((await tryConnect(blocked.url(att.user, att.password, 'dev_pria'))).ok).toBe(true);

    await inDatabase('dev_pria', `ROLLBACK PREPARED 'devdb-test-1'`);
    await inDatabase(
      'dev_pria',
      `SELECT pg_create_logical_replication_slot('devdb_slot', 'pgoutput')`,
    );
    await expect(detach('drop')).rejects.toThrow(
      /database dev_pria cannot be dropped: logical replication slots use it: 'devdb_slot' \(inactive\) \(stop their consumers and drop the slots/,
    );
    expect((await tryConnect(blocked.url(att.user, att.password, 'dev_pria'))).ok).toBe(true);

    await inDatabase('dev_pria', `SELECT pg_drop_replication_slot('devdb_slot')`);
    expect(await detach('drop')).toMatchObject([{ databaseAction: 'dropped' }]);
  });
});

/** Fast-stops the postmaster of dataDir and starts it again on the same port. */
async function restart(dataDir: string, port: number): Promise<RunningCluster> {
  const pid = (await readPidFile(dataDir))!.pid;
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 600 && (await readPidFile(dataDir)); i++) await sleep(50);
  return startCluster({ dataDir, port });
}
