/**
 * The access posture of a database (docs/security.md T13): grants DevDB did
 * not make, DevDB's grants gone missing, and the settings that lock a team out
 * (ALLOW_CONNECTIONS, CONNECTION LIMIT) or expose it (IS_TEMPLATE) are named by
 * access_drift() and repaired by ensure/update. The changes are made the way a
 * workspace can make them: with its own credential, from the `devdb` database.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attachWorkspace,
  attachmentState,
  databaseState,
  ensureTeamDatabase,
  retireDatabase,
  updateAttachment,
  type Attachment,
} from '../../provisioning/index.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;
let su: pg.Client;
let dana: Attachment;
let bob: Attachment;
let erin: Attachment;

/** Runs statements with a workspace's own credential, connected to `devdb`. */
async function asWorkspace(att: Attachment, ...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: devdb.url(att.user, att.password, 'devdb') });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

const connects = async (att: Attachment, database = att.name) =>
  tryConnect(devdb.url(att.user, att.password, database));
const drift = async () =>
  (await attachmentState(devdb.pool, { database: 'dev_dana', workspaceId: 'ws-dana' })).accessDrift;
const repair = async () =>
  (await updateAttachment(devdb.pool, { database: 'dev_dana', workspaceId: 'ws-dana' })).repaired;

beforeAll(async () => {
  devdb = await startTestDevDb();
  su = await devdb.superuser();
  const attach = (owner: string) =>
    attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'individual',
      owner,
      workspaceId: `ws-${owner}`,
    });
  [dana, bob, erin] = [await attach('dana'), await attach('bob'), await attach('erin')];
});

afterAll(async () => {
  await su?.end();
  await devdb?.stop();
});

describe('access posture', () => {
  test('a fresh database matches it: nothing to report, nothing to repair', async () => {
    expect(await drift()).toEqual([]);
    expect(await repair()).toEqual([]);
  });

  test('GRANT CONNECT to another owner role: named, revoked, the other credential refused again', async () => {
    await su.query('GRANT CONNECT ON DATABASE dev_dana TO dev_bob');
    expect((await connects(bob, 'dev_dana')).ok).toBe(true);
    expect(await drift()).toEqual(['CONNECT granted to dev_bob']);
    expect(await repair()).toEqual(['access repaired: CONNECT granted to dev_bob']);
    expect(await connects(bob, 'dev_dana')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/permission denied for database "dev_dana"/),
    });
    expect((await connects(dana)).ok).toBe(true);
    expect(await drift()).toEqual([]);
  });

  test('a grant chain the workspace started (WITH GRANT OPTION) is revoked to its end', async () => {
    await asWorkspace(dana, 'GRANT CONNECT ON DATABASE dev_dana TO dev_bob WITH GRANT OPTION');
    await asWorkspace(bob, 'GRANT CONNECT ON DATABASE dev_dana TO dev_erin');
    expect(await drift()).toEqual([
      'CONNECT granted to dev_bob with grant option',
      'CONNECT granted to dev_erin',
    ]);
    await repair();
    expect(await drift()).toEqual([]);
    expect((await connects(erin, 'dev_dana')).ok).toBe(false);
    expect((await connects(bob, 'dev_dana')).ok).toBe(false);
  });

  test('the owner role losing CONNECT (revoked by the workspace) locks the team out until repaired', async () => {
    await asWorkspace(dana, 'REVOKE CONNECT ON DATABASE dev_dana FROM dev_dana');
    expect((await connects(dana)).ok).toBe(false);
    expect(await drift()).toEqual(['CONNECT missing for dev_dana']);
    await repair();
    expect((await connects(dana)).ok).toBe(true);
    expect(await drift()).toEqual([]);
  });

  test.each([
    ['ALLOW_CONNECTIONS false', 'allow_connections = false', false],
    ['CONNECTION LIMIT 0', 'connection_limit = 0', false],
    ['IS_TEMPLATE true', 'is_template = true', true],
  ])(
    'ALTER DATABASE … %s by the workspace: named and reset',
    async (change, line, stillConnects) => {
      await asWorkspace(dana, `ALTER DATABASE dev_dana ${change}`);
      expect((await connects(dana)).ok).toBe(stillConnects);
      expect(await drift()).toEqual([line]);
      expect(await repair()).toEqual([`access repaired: ${line}`]);
      expect((await connects(dana)).ok).toBe(true);
      expect(await drift()).toEqual([]);
      const { rows } = await su.query(
        `SELECT datallowconn, datistemplate, datconnlimit FROM pg_database WHERE datname = 'dev_dana'`,
      );
      expect(rows).toEqual([{ datallowconn: true, datistemplate: false, datconnlimit: -1 }]);
    },
  );

  test('databaseState reports it too; an archived database is closed on purpose, not drift', async () => {
    await ensureTeamDatabase(devdb.pool, { team: 'posture' });
    await su.query('GRANT TEMP ON DATABASE team_posture TO dev_bob');
    expect((await databaseState(devdb.pool, 'team_posture')).accessDrift).toEqual([
      'TEMPORARY granted to dev_bob',
    ]);
    expect((await ensureTeamDatabase(devdb.pool, { team: 'posture' })).repaired).toEqual([
      'access repaired: TEMPORARY granted to dev_bob',
    ]);
    await retireDatabase(devdb.pool, { database: 'team_posture', policy: 'archive' });
    const { rows } = await su.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE '%posture%' AND NOT datallowconn`,
    );
    expect(rows).toHaveLength(1);
    const archived = await devdb.pool.query<{ drift: string[] }>(
      'SELECT provisioning.access_drift($1) AS drift',
      [rows[0]!.datname],
    );
    expect(archived.rows).toEqual([{ drift: [] }]);
  });
});
