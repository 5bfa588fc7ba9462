import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachWorkspace } from '../../provisioning/index.js';
import { runDevdb } from '../helpers/cli-io.js';
import { startTestDevDb, writeDataDirCredentials, type TestDevDb } from '../helpers/devdb.js';

// What a crash leaves behind, made by hand the way the provisioner's loopback
// session would have made it before the calling transaction died.

let devdb: TestDevDb;
let dataDir: string;
let superuser: pg.Client;

const doctor = async (...extra: string[]) => {
  const result = await runDevdb(['doctor', '--data-dir', dataDir, '--json', ...extra]);
  return { code: result.code, findings: JSON.parse(result.stdout) as Record<string, unknown>[] };
};
const kindsAndObjects = (findings: Record<string, unknown>[]) =>
  findings.map((f) => `${f.kind as string}: ${f.object as string}`);

beforeAll(async () => {
  devdb = await startTestDevDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'devdb-doctor-'));
  await writeDataDirCredentials(devdb, dataDir);
  superuser = await devdb.superuser('devdb');
});

afterAll(async () => {
  await devdb?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function attach(owner: string, workspaceId: string) {
  return attachWorkspace(devdb.pool, devdb.endpoint, { type: 'individual', owner, workspaceId });
}

describe('devdb doctor', () => {
  it('finds nothing on a consistent server', async () => {
    await attach('alice', 'ws-alice');
    const result = await runDevdb(['doctor', '--data-dir', dataDir]);
    expect(result).toMatchObject({ code: 0, stdout: 'nothing to fix\n' });
  });

  it('reports access drift of a registered database and repairs it', async () => {
    await superuser.query('CREATE ROLE doctor_outsider LOGIN');
    await superuser.query('GRANT CONNECT ON DATABASE dev_alice TO doctor_outsider');
    await superuser.query('ALTER DATABASE dev_alice CONNECTION LIMIT 0');
    const before = await doctor();
    expect(before.code).toBe(1);
    expect(before.findings).toEqual([
      expect.objectContaining({
        kind: 'access drift',
        object: 'dev_alice',
        problem: 'CONNECT granted to doctor_outsider; connection_limit = 0',
        fixable: true,
      }),
    ]);
    const fixed = await doctor('--fix');
    expect(fixed.findings.map((f) => f.outcome)).toEqual(['repaired']);
    expect(await doctor()).toEqual({ code: 0, findings: [] });
    const { rows } = await superuser.query(
      `SELECT has_database_privilege('doctor_outsider', 'dev_alice', 'CONNECT') AS outsider,
              (SELECT datconnlimit FROM pg_database WHERE datname = 'dev_alice') AS connlimit`,
    );
    expect(rows[0]).toEqual({ outsider: false, connlimit: -1 });
    await superuser.query('DROP ROLE doctor_outsider');
  });

  it('reports what a crash left, adopts and removes it, and is clean afterwards', async () => {
    // CREATE DATABASE committed, the registry row never did.
    await devdb.pool.query('CREATE ROLE dev_oscar NOLOGIN');
    await devdb.pool.query('GRANT dev_oscar TO devdb_provisioner WITH SET TRUE, INHERIT FALSE');
    await devdb.pool.query('CREATE DATABASE dev_oscar OWNER dev_oscar ALLOW_CONNECTIONS false');
    // The owner role committed, the database never came.
    await devdb.pool.query('CREATE ROLE dev_pat NOLOGIN');
    // Login roles whose attachment rows are gone (deleted) or say detached.
    const bob = await attach('bob', 'ws-bob');
    const carol = await attach('carol', 'ws-carol');
    await superuser.query(`DELETE FROM provisioning.attachments WHERE workspace_id = 'ws-bob'`);
    await superuser.query(
      `UPDATE provisioning.attachments SET detached_at = now() WHERE workspace_id = 'ws-carol'`,
    );
    // An attachment whose login role was dropped behind DevDB's back.
    const dave = await attach('dave', 'ws-dave');
    await superuser.query(`DROP ROLE ${dave.user}`);

    const before = await doctor();
    expect(before.code).toBe(1);
    expect(kindsAndObjects(before.findings)).toEqual([
      'attachment without login role: dev_dave/ws-dave',
      `orphan login role: ${bob.user}`,
      `orphan login role: ${carol.user}`,
      'orphan owner role: dev_pat',
      'unregistered database: dev_oscar',
    ]);
    const oscar = before.findings.find((f) => f.object === 'dev_oscar')!;
    expect(oscar).toMatchObject({ fixable: true, problem: expect.stringContaining('registry') });
    expect(oscar.fix).toMatch(/^adopt: register it as an individual database and lock it down/);

    const table = await runDevdb(['doctor', '--data-dir', dataDir]);
    expect(table.stdout).toMatch(/│ kind +│ object +│ problem +│ what --fix would do/);
    expect(table.stdout).toMatch(/unregistered database +│ dev_oscar/);

    const fixed = await doctor('--fix');
    expect(fixed.code).toBe(0);
    expect(fixed.findings.map((f) => f.outcome)).toEqual([
      'recorded as detached',
      'dropped (0 session(s) ended)',
      'dropped (0 session(s) ended)',
      'adopted: registered and locked down',
      'dropped', // owner roles last: the login roles' memberships go first
    ]);

    expect(await doctor()).toEqual({ code: 0, findings: [] });
    const list = JSON.parse((await runDevdb(['list', '--data-dir', dataDir, '--json'])).stdout);
    expect(list).toContainEqual(
      expect.objectContaining({ name: 'dev_oscar', type: 'individual', owner: 'oscar' }),
    );
    const { rows } = await superuser.query(
      `SELECT has_database_privilege('public', 'dev_oscar', 'CONNECT') AS public_connect,
              (SELECT datallowconn FROM pg_database WHERE datname = 'dev_oscar') AS allowconn,
              (SELECT count(*)::int FROM pg_roles
                WHERE rolname IN ('dev_pat', $1, $2)) AS roles_left`,
      [bob.user, carol.user],
    );
    expect(rows[0]).toEqual({ public_connect: false, allowconn: true, roles_left: 0 });
  });

  it('reports but never adopts a database that is not DevDB-shaped, nor drops a database', async () => {
    await superuser.query('CREATE DATABASE dev_xavier'); // owned by the superuser
    await superuser.query('CREATE ROLE reporting LOGIN IN ROLE devdb_workspace'); // an admin's own
    await superuser.query(
      `INSERT INTO provisioning.databases (db_name, db_type, team_name) VALUES ('team_ghost', 'team', 'ghost')`,
    );
    const fixed = await doctor('--fix');
    expect(fixed.code).toBe(1);
    expect(fixed.findings).toEqual([
      expect.objectContaining({
        kind: 'missing database',
        object: 'team_ghost',
        fixable: false,
        outcome: null,
        fix: expect.stringMatching(/^none: DevDB never drops or re-creates data on its own/),
      }),
      expect.objectContaining({
        kind: 'orphan login role',
        object: 'reporting',
        fixable: false,
        outcome: null,
        fix: 'none: not named like a DevDB login role (ws_…); an admin can REVOKE devdb_workspace FROM reporting, or drop it',
      }),
      expect.objectContaining({
        kind: 'unregistered database',
        object: 'dev_xavier',
        fixable: false,
        outcome: null,
        fix: expect.stringMatching(
          /^none: not DevDB's \(owned by devdb_admin, not by its NOLOGIN role dev_xavier\); an admin can rename it/,
        ),
      }),
    ]);
    const { rows } = await superuser.query(
      `SELECT (SELECT count(*)::int FROM pg_database WHERE datname = 'dev_xavier') AS databases,
              (SELECT count(*)::int FROM pg_roles WHERE rolname = 'reporting') AS roles`,
    );
    expect(rows[0]).toEqual({ databases: 1, roles: 1 });
    const list = JSON.parse((await runDevdb(['list', '--data-dir', dataDir, '--json'])).stdout);
    expect(list.map((d: { name: string }) => d.name)).not.toContain('dev_xavier');
  });
});
