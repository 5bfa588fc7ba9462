/**
 * A Coder user renames themselves (docs/security.md, "Renamed Coder users"):
 * with the same Coder user id the registry and a team member's personal schema
 * follow the new name in place; the database, the login roles and their
 * passwords stay, and no last-detach policy runs.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attachWorkspace,
  renameOwner,
  type Attachment,
  type AttachInput,
} from '../../provisioning/index.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;

async function withSession<T>(att: Attachment, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: devdb.url(att.user, att.password, att.name) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const attach = (input: Omit<AttachInput, 'type'> & { type?: AttachInput['type'] }) =>
  attachWorkspace(devdb.pool, devdb.endpoint, { type: 'individual', ...input });

const rename = (database: string, workspaceId: string, owner: string, ownerId: string) =>
  renameOwner(devdb.pool, { database, workspaceId, owner, ownerId });

async function registry(db: string) {
  const q = async (sql: string) => (await devdb.pool.query(sql, [db])).rows;
  return {
    database: await q('SELECT owner_username FROM provisioning.databases WHERE db_name = $1'),
    attachments: await q(
      `SELECT workspace_id, owner_username, login_role FROM provisioning.attachments
        WHERE db_name = $1 AND detached_at IS NULL ORDER BY workspace_id`,
    ),
    users: await q('SELECT username FROM provisioning.db_users WHERE db_name = $1 ORDER BY 1'),
    policyEvents: await q(
      `SELECT action FROM provisioning.events
        WHERE db_name = $1 AND action NOT IN ('database.ensure', 'workspace.attach', 'workspace.update', 'owner.rename')`,
    ),
  };
}

beforeAll(async () => {
  devdb = await startTestDevDb();
});

afterAll(async () => {
  await devdb?.stop();
});

describe('renaming an individual database owner', () => {
  let one: Attachment;
  let two: Attachment;

  beforeAll(async () => {
    one = await attach({ owner: 'carl', ownerId: 'u-carl', workspaceId: 'ws-carl-1' });
    two = await attach({ owner: 'carl', ownerId: 'u-carl', workspaceId: 'ws-carl-2' });
    await withSession(one, (c) => c.query('CREATE TABLE notes AS SELECT 1 AS n'));
  });

  test('refused without the owner id or with another one', async () => {
    await expect(rename('dev_carl', 'ws-carl-1', 'carlos', 'u-someone-else')).rejects.toThrow(
      /belongs to the Coder user with id u-carl/,
    );
    await expect(
      devdb.pool.query(
        `SELECT * FROM provisioning.rename_owner('dev_carl', 'ws-carl-1', 'carlos', NULL)`,
      ),
    ).rejects.toThrow(/needs the owner's Coder user id/);
    expect((await registry('dev_carl')).database).toEqual([{ owner_username: 'carl' }]);
  });

  test('in place: the name, data, login roles and passwords stay; the registry follows', async () => {
    const result = await rename('dev_carl', 'ws-carl-1', 'carlos', 'u-carl');
    expect(result).toEqual({
      name: 'dev_carl',
      previousOwner: 'carl',
      owner: 'carlos',
      renamed: true,
    });
    expect(await registry('dev_carl')).toEqual({
      database: [{ owner_username: 'carlos' }],
      attachments: [
        { workspace_id: 'ws-carl-1', owner_username: 'carlos', login_role: one.user },
        { workspace_id: 'ws-carl-2', owner_username: 'carlos', login_role: two.user },
      ],
      users: [{ username: 'carlos' }],
      policyEvents: [],
    });
    for (const att of [one, two]) {
      expect(
        await withSession(att, async (c) => (await c.query('SELECT n FROM notes')).rows),
      ).toEqual([{ n: 1 }]);
    }
    expect(
      await devdb.pool.query(`SELECT 1 FROM pg_database WHERE datname = 'dev_carlos'`),
    ).toMatchObject({ rowCount: 0 });
  });

  test('the other workspace finds it done; re-attaching keeps the recorded login role', async () => {
    const again = await rename('dev_carl', 'ws-carl-2', 'carlos', 'u-carl');
    expect(again.renamed).toBe(false);
    const rekeyed = await attach({ owner: 'carlos', ownerId: 'u-carl', workspaceId: 'ws-carl-2' });
    expect(rekeyed).toMatchObject({ name: 'dev_carl', user: two.user, reattached: true });
    expect((await tryConnect(devdb.url(rekeyed.user, rekeyed.password, 'dev_carl'))).ok).toBe(true);
    const roles = await devdb.pool.query(
      `SELECT rolname FROM pg_roles WHERE rolname LIKE 'ws\\_carl%'`,
    );
    expect(roles.rows.map((r) => r.rolname).sort()).toEqual([one.user, two.user].sort());
  });

  test('a new workspace under the new name attaches to the same database, renaming the registry', async () => {
    await attach({ owner: 'dora', ownerId: 'u-dora', workspaceId: 'ws-dora-1' });
    const renamed = await attach({ owner: 'dorothy', ownerId: 'u-dora', workspaceId: 'ws-dora-2' });
    expect(renamed.name).toBe('dev_dora');
    const seen = await registry('dev_dora');
    expect(seen.database).toEqual([{ owner_username: 'dorothy' }]);
    expect(seen.attachments.map((a) => a.owner_username)).toEqual(['dorothy', 'dorothy']);
    expect(seen.users).toEqual([{ username: 'dorothy' }]);
  });
});

describe('renaming a team member', () => {
  test('their personal schema and search_path follow; the credential keeps working', async () => {
    const tina = await attach({
      type: 'team',
      team: 'rename-team',
      owner: 'tina',
      workspaceId: 'ws-tina',
    });
    await withSession(tina, (c) => c.query('CREATE TABLE scratch AS SELECT 2 AS n'));
    const result = await rename('team_rename_team', 'ws-tina', 'tina-m', 'u-tina');
    expect(result.renamed).toBe(true);
    const seen = await withSession(tina, async (c) => ({
      search_path: (await c.query('SHOW search_path')).rows[0].search_path,
      table: (await c.query(`SELECT schemaname FROM pg_tables WHERE tablename = 'scratch'`)).rows,
      rows: (await c.query('SELECT n FROM scratch')).rows,
    }));
    expect(seen).toEqual({
      search_path: 'tina_m, shared, public',
      table: [{ schemaname: 'tina_m' }],
      rows: [{ n: 2 }],
    });
    expect((await registry('team_rename_team')).attachments).toEqual([
      { workspace_id: 'ws-tina', owner_username: 'tina-m', login_role: tina.user },
    ]);
  });
});
