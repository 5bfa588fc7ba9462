/**
 * Upgrade from the previous release (docs/architecture-sql.md): a data dir made
 * by release 0.1.0's SQL, with databases, attachments and a table written by a
 * workspace, upgrades cleanly to the repeatable files. Its old migration
 * checksums are accepted, everything stays, the old credentials still work, the
 * new operations work, and it ends with exactly the functions and views of a
 * fresh install, none executable by PUBLIC.
 *
 * fixtures/release-0.1.0-migrations.tar.gz holds that release's migrations,
 * made with:
 *   git archive 6942614 provisioning/migrations | gzip -9n > test/provisioning/fixtures/release-0.1.0-migrations.tar.gz
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attachWorkspace,
  configureLoopback,
  detachWorkspace,
  generatePassword,
  migrate,
  migrationStatus,
  restoreDatabase,
  scramVerifier,
} from '../../provisioning/index.js';
import { loadMigrations, REPEATABLE_ORDER } from '../../provisioning/schema/index.js';
import type { TempCluster } from '../helpers/cluster.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../helpers/devdb.js';
import { startUnmigratedDevDb, type UnmigratedDevDb } from '../helpers/unmigrated.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'release-0.1.0-migrations.tar.gz');

let server: UnmigratedDevDb;
let cluster: TempCluster;
let client: pg.Client;
let releaseDir: string;
let fresh: TestDevDb;
/** Login role and password of each workspace attached with the release's SQL. */
const credentials = new Map<string, { db: string; role: string; password: string }>();

function url(workspace: string): string {
  const c = credentials.get(workspace)!;
  return cluster.url(c.role, c.password, c.db);
}

/** attach_workspace as release 0.1.0 called it: ten arguments, a SCRAM verifier. */
async function oldAttach(type: string, owner: string, team: string | null, workspace: string) {
  const password = generatePassword();
  const { rows } = await client.query<{ db_name: string; login_role: string }>(
    `SELECT * FROM provisioning.attach_workspace($1, $2, NULL, $3, $4, NULL, NULL, $5, -1, 'upgrade-test')`,
    [type, owner, team, workspace, scramVerifier(password)],
  );
  credentials.set(workspace, { db: rows[0]!.db_name, role: rows[0]!.login_role, password });
}

async function asWorkspace<T>(workspace: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url(workspace) });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  [server, fresh] = await Promise.all([startUnmigratedDevDb('upgrade'), startTestDevDb()]);
  ({ cluster, client } = server);
  await promisify(execFile)('tar', ['-xzf', FIXTURE, '-C', server.tmp]);
  releaseDir = path.join(server.tmp, 'provisioning', 'migrations');
  // Migrated as release 0.1.0 did, with its SQL only.
  await migrate(client, { dir: releaseDir, repeatableDir: null });
  await configureLoopback(client, {
    host: cluster.host,
    port: cluster.port,
    password: server.provisionerPassword,
  });

  await oldAttach('individual', 'alice', null, 'ws-alice');
  await oldAttach('team', 'bob', 'frontend', 'ws-bob');
  await oldAttach('team', 'carol', 'frontend', 'ws-carol');
  await oldAttach('individual', 'dave', null, 'ws-dave');
  await client.query(
    `SELECT * FROM provisioning.detach_workspace('ws-dave', NULL, NULL, 'archive')`,
  );
  await asWorkspace('ws-alice', (c) =>
    c.query(`CREATE TABLE notes (body text); INSERT INTO notes VALUES ('written by 0.1.0')`),
  );
  await asWorkspace('ws-bob', (c) =>
    c.query(`CREATE TABLE shared.board (item text); INSERT INTO shared.board VALUES ('todo')`),
  );
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([server?.stop(), fresh?.stop()]);
});

describe('a data dir of release 0.1.0', () => {
  test('has no repeatables ledger before the upgrade', async () => {
    const { rows } = await client.query(
      `SELECT to_regclass('provisioning.schema_repeatables') AS t`,
    );
    expect(rows[0].t).toBeNull();
  });

  test('upgrades: the pending migration, then every repeatable file in order', async () => {
    const applied: string[] = [];
    await migrate(client, { onApplied: (f) => applied.push(`${f.kind} ${f.file}`) });
    const numbered = (await loadMigrations()).slice((await loadMigrations(releaseDir)).length);
    expect(applied).toEqual([
      ...numbered.map((m) => `numbered ${m.file}`),
      ...REPEATABLE_ORDER.map((f) => `repeatable ${f}`),
    ]);
    expect(await migrate(client)).toEqual([]);
  });

  test('the ledger keeps the checksums the release recorded, and they are accepted', async () => {
    const release = await loadMigrations(releaseDir);
    const { rows } = await client.query<{ file: string; checksum: string }>(
      'SELECT file, checksum FROM provisioning.schema_migrations ORDER BY version',
    );
    expect(rows.slice(0, release.length)).toEqual(
      release.map((m) => ({ file: m.file, checksum: m.checksum })),
    );
    const status = await migrationStatus(client);
    expect(status.numbered.every((s) => s.state === 'applied')).toBe(true);
    expect(status.repeatable.map((s) => [s.file, s.state])).toEqual(
      REPEATABLE_ORDER.map((f) => [f, 'applied']),
    );
  });

  test('keeps its databases and attachments', async () => {
    const dbs = await client.query(
      `SELECT db_name, status FROM provisioning.databases ORDER BY db_name`,
    );
    expect(dbs.rows).toEqual([
      { db_name: 'dev_alice', status: 'active' },
      { db_name: 'dev_dave', status: 'archived' },
      { db_name: 'team_frontend', status: 'active' },
    ]);
    const live = await client.query(
      `SELECT workspace_id FROM provisioning.attachments WHERE detached_at IS NULL ORDER BY 1`,
    );
    expect(live.rows.map((r) => r.workspace_id)).toEqual(['ws-alice', 'ws-bob', 'ws-carol']);
    const onServer = await client.query(
      `SELECT datname FROM pg_database WHERE datname IN ('dev_alice', 'team_frontend', 'archived_dev_dave', 'dev_dave') ORDER BY 1`,
    );
    expect(onServer.rows.map((r) => r.datname)).toEqual([
      'archived_dev_dave',
      'dev_alice',
      'team_frontend',
    ]);
  });

  test('the old credentials still connect and read what their workspaces wrote', async () => {
    expect(
      await asWorkspace('ws-alice', async (c) => (await c.query('SELECT body FROM notes')).rows),
    ).toEqual([{ body: 'written by 0.1.0' }]);
    expect(
      await asWorkspace('ws-carol', async (c) => (await c.query('SELECT item FROM board')).rows),
    ).toEqual([{ item: 'todo' }]);
  });

  test('new operations work: attach, detach with a policy, restore', async () => {
    const endpoint = { host: cluster.host, port: cluster.port };
    const erin = await attachWorkspace(client, endpoint, {
      type: 'team',
      owner: 'erin',
      team: 'frontend',
      workspaceId: 'ws-erin',
    });
    expect(await tryConnect(cluster.url(erin.user, erin.password, erin.name))).toEqual({
      ok: true,
      currentUser: 'team_frontend',
    });

    const detached = await detachWorkspace(client, {
      workspaceId: 'ws-alice',
      onLastDetach: 'archive',
    });
    expect(detached.map((d) => [d.name, d.databaseAction])).toEqual([['dev_alice', 'archived']]);
    expect((await tryConnect(url('ws-alice'))).ok).toBe(false);

    expect(await restoreDatabase(client, 'dev_dave')).toEqual({ name: 'dev_dave', restored: true });
    const dave = await attachWorkspace(client, endpoint, {
      type: 'individual',
      owner: 'dave',
      workspaceId: 'ws-dave-2',
    });
    expect(dave.name).toBe('dev_dave');
    expect((await tryConnect(cluster.url(dave.user, dave.password, dave.name))).ok).toBe(true);
  });
});

/** Every function and view of the provisioning schema, as the catalogs define them. */
async function schemaObjects(db: pg.ClientBase) {
  const functions = await db.query<{ signature: string; definition: string; acl: string }>(
    `SELECT p.oid::regprocedure::text AS signature, pg_get_functiondef(p.oid) AS definition,
            p.proacl::text AS acl
       FROM pg_proc p WHERE p.pronamespace = 'provisioning'::regnamespace ORDER BY 1`,
  );
  const views = await db.query<{ viewname: string; definition: string }>(
    `SELECT viewname, definition FROM pg_views WHERE schemaname = 'provisioning' ORDER BY 1`,
  );
  const columns = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'provisioning' ORDER BY table_name, ordinal_position`,
  );
  return { functions: functions.rows, views: views.rows, columns: columns.rows };
}

async function publicExecutable(db: pg.ClientBase): Promise<string[]> {
  const { rows } = await db.query<{ signature: string }>(
    `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
      WHERE p.pronamespace = 'provisioning'::regnamespace
        AND has_function_privilege('public', p.oid, 'EXECUTE')`,
  );
  return rows.map((r) => r.signature);
}

test('the upgraded and a fresh install define the same functions, views and columns; PUBLIC executes none', async () => {
  const freshClient = await fresh.pool.connect();
  try {
    const upgraded = await schemaObjects(client);
    const installed = await schemaObjects(freshClient);
    expect(upgraded.functions.map((f) => f.signature)).toEqual(
      installed.functions.map((f) => f.signature),
    );
    expect(upgraded).toEqual(installed);
    expect(upgraded.functions.length).toBeGreaterThan(40);
    expect(upgraded.views.map((v) => v.viewname)).toEqual([
      'active_databases',
      'database_summary',
      'server_load',
    ]);
    expect(await publicExecutable(client)).toEqual([]);
    expect(await publicExecutable(freshClient)).toEqual([]);
  } finally {
    freshClient.release();
  }
});
