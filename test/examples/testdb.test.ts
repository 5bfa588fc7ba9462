/**
 * examples/testdb, step by step as its README says, against a real DevDB and
 * the real `devdb` command, `psql` and `terraform`: the lead creates
 * team_testdb and loads seed.sql; contractors attach read-only (with
 * `devdb provision --access read`, and with main.tf under terraform) and can
 * query app.users, app.projects, app.tasks and app.my_tasks but write nothing.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../provider/devdb/harness.js';

const run = promisify(execFile);
const CLI = path.resolve('dist/server/cli.js');
const EXAMPLE = path.resolve('examples/testdb');

interface Credentials {
  name: string;
  user: string;
  password: string;
  url: string;
}

let h: Harness;

/** `npx devdb …` as the README runs it, with DEVDB_ADMIN_URL exported. */
async function devdb(args: string[]): Promise<string> {
  const { stdout } = await run('node', [CLI, ...args], {
    env: { ...process.env, DEVDB_ADMIN_URL: h.adminUrl },
  });
  return stdout;
}

async function provision(owner: string, workspaceId: string, extra: string[] = []) {
  const args = ['provision', '--type', 'team', '--team', 'testdb', '--owner', owner];
  const out = await devdb([...args, '--workspace-id', workspaceId, ...extra, '--json']);
  return JSON.parse(out) as Credentials;
}

/** `PGPASSWORD=… psql "$url" …` */
async function psql(creds: Credentials, args: string[]): Promise<string> {
  const { stdout } = await run('psql', [creds.url, ...args], {
    env: { ...process.env, PGPASSWORD: creds.password },
  });
  return stdout;
}

async function session<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** What a contractor's credential can read, and the SQLSTATE of each write it tries. */
async function readOnlyChecks(url: string) {
  return session(url, async (c) => {
    const count = async (relation: string) =>
      (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${relation}`)).rows[0]!.n;
    await c.query(`SET app.username = 'carol'`);
    const counts = {
      users: await count('app.users'),
      projects: await count('app.projects'),
      tasks: await count('app.tasks'),
      myTasks: await count('app.my_tasks'),
    };
    const writes: Record<string, string> = {};
    for (const sql of [
      `INSERT INTO app.tasks (project_id, title) VALUES (1, 'sneaky')`,
      `UPDATE app.tasks SET status = 'done'`,
      'DELETE FROM app.users',
      'TRUNCATE app.tasks CASCADE',
      'CREATE TABLE app.mine (x int)',
      'DROP VIEW app.my_tasks',
    ]) {
      writes[sql] = await c.query(sql).then(
        () => 'ok',
        (error: { code?: string }) => error.code ?? 'error',
      );
    }
    return { counts, writes: [...new Set(Object.values(writes))] };
  });
}

const EXPECTED = { counts: { users: 3, projects: 2, tasks: 5, myTasks: 2 }, writes: ['42501'] };

beforeAll(async () => {
  h = await startHarness('testdb');
});

afterAll(async () => {
  await h?.cleanup();
});

describe.sequential('examples/testdb', () => {
  let lead: Credentials;

  it('1. the lead creates team_testdb and loads the seed as its owner', async () => {
    lead = await provision('lead', 'testdb-seed');
    expect(lead.name).toBe('team_testdb');
    await psql(lead, ['-f', path.join(EXAMPLE, 'seed.sql')]);
    const owners = await session(h.devdb.url(lead.user, lead.password, lead.name), (c) =>
      c.query<{ tableowner: string }>(
        `SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'app'`,
      ),
    );
    expect(owners.rows).toEqual([{ tableowner: 'team_testdb' }]);
  });

  it('2. a contractor attaches read-only with devdb provision --access read', async () => {
    const carol = await provision('carol', 'contractor-1', ['--access', 'read']);
    const out = await psql(carol, [
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      "SET app.username = 'carol'",
      '-c',
      'SELECT * FROM app.my_tasks',
    ]);
    expect(out).toContain('Fix the login form');
    expect(out).toContain('Export invoices as CSV');
    expect(out).not.toContain('Write the style guide');
    expect(await readOnlyChecks(h.devdb.url(carol.user, carol.password, carol.name))).toEqual(
      EXPECTED,
    );
  });

  it('3. main.tf under terraform: a read-only contractor workspace, destroyed cleanly', async () => {
    const w = await h.workdir('testdb', readFileSync(path.join(EXAMPLE, 'main.tf'), 'utf8'));
    const vars = ['-var', 'owner=dave', '-var', `workspace_id=${randomUUID()}`];
    const apply = await w.tf(['apply', '-auto-approve', ...vars]);
    expect(apply.code, apply.output).toBe(0);
    expect(w.attributes('devdb_database', 'contractor')).toMatchObject({
      name: 'team_testdb',
      access: 'read',
    });
    const url = w.credentialsUrl('contractor');
    expect(await readOnlyChecks(url)).toEqual(EXPECTED);

    const destroy = await w.tf(['destroy', '-auto-approve', ...vars]);
    expect(destroy.code, destroy.output).toBe(0);
    const user = new URL(url).username;
    const { rowCount } = await h.devdb.pool.query('SELECT FROM pg_roles WHERE rolname = $1', [
      user,
    ]);
    expect(rowCount).toBe(0);
    // The team database and the lead's data stay (devdb_team keeps it).
    const tasks = await session(h.devdb.url(lead.user, lead.password, lead.name), (c) =>
      c.query<{ n: number }>('SELECT count(*)::int AS n FROM app.tasks'),
    );
    expect(tasks.rows[0]!.n).toBe(5);
  });
});
