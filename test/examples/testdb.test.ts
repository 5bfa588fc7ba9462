/**
 * examples/testdb, step by step as its README says, against a real `devdb up`
 * (TLS on, its default) and the real `devdb` command, `psql` and `terraform`:
 * `export DEVDB_ADMIN_URL=$(devdb admin-url)`, then the lead creates
 * team_testdb and loads seed.sql; contractors attach read-only (with
 * `devdb provision --access read`, and with main.tf under terraform) and can
 * query app.users, app.projects, app.tasks and app.my_tasks but write nothing.
 * HOME is an empty folder: psql verifies the server with the CA file the
 * printed URL names, not with a ~/.postgresql/root.crt this machine may have.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsDir } from '../../server/embedded/tls.js';
import { startHarness, type Harness } from '../provider/devdb/harness.js';
import { CLI, startUpInTempDir, type TempUp } from '../helpers/up-process.js';

const run = promisify(execFile);
const EXAMPLE = path.resolve('examples/testdb');

interface Credentials {
  name: string;
  user: string;
  password: string;
  url: string;
}

/** terraform and the provider (its DevDB is not used: DEVDB_ADMIN_URL points at `up`). */
let h: Harness;
let up: TempUp;
let home: string;
let adminUrl: string;
let ca: string;

/** `npx devdb …` as the README runs it, with DEVDB_ADMIN_URL exported. */
async function devdb(args: string[]): Promise<string> {
  const { stdout } = await run('node', [CLI, ...args], {
    env: { ...process.env, HOME: home, DEVDB_ADMIN_URL: adminUrl },
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
    env: { PATH: process.env.PATH, HOME: home, PGPASSWORD: creds.password },
  });
  return stdout;
}

/** A session of a workspace's credential, verifying the server with its CA. */
async function session<T>(
  creds: Pick<Credentials, 'name' | 'user' | 'password'>,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: up.port,
    user: creds.user,
    password: creds.password,
    database: creds.name,
    ssl: { ca },
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** What a contractor's credential can read, and the SQLSTATE of each write it tries. */
async function readOnlyChecks(creds: Pick<Credentials, 'name' | 'user' | 'password'>) {
  return session(creds, async (c) => {
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
  [h, up] = await Promise.all([startHarness('testdb'), startUpInTempDir('devdb-testdb-')]);
  home = await mkdtemp(path.join(tmpdir(), 'devdb-testdb-home-'));
  // export DEVDB_ADMIN_URL=$(npx devdb admin-url)
  const { stdout } = await run('node', [CLI, 'admin-url', '--data-dir', up.dataDir]);
  adminUrl = stdout.trim();
  ca = await readFile(path.join(tlsDir(up.dataDir), 'ca.crt'), 'utf8');
});

afterAll(async () => {
  await Promise.all([h?.cleanup(), up?.stop()]);
  if (home) await rm(home, { recursive: true, force: true });
});

describe.sequential('examples/testdb', () => {
  let lead: Credentials;

  it('1. the lead creates team_testdb and loads the seed as its owner', async () => {
    lead = await provision('lead', 'testdb-seed');
    expect(lead.name).toBe('team_testdb');
    expect(lead.url).toContain(`sslmode=verify-full&sslrootcert=${tlsDir(up.dataDir)}/ca.crt`);
    await psql(lead, ['-f', path.join(EXAMPLE, 'seed.sql')]);
    const owners = await session(lead, (c) =>
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
    expect(await readOnlyChecks(carol)).toEqual(EXPECTED);
  });

  it('3. main.tf under terraform: a read-only contractor workspace, destroyed cleanly', async () => {
    const w = await h.workdir('testdb', readFileSync(path.join(EXAMPLE, 'main.tf'), 'utf8'));
    const vars = ['-var', 'owner=dave', '-var', `workspace_id=${randomUUID()}`];
    const env = { env: { DEVDB_ADMIN_URL: adminUrl } };
    const apply = await w.tf(['apply', '-auto-approve', ...vars], env);
    expect(apply.code, apply.output).toBe(0);
    expect(w.attributes('devdb_database', 'contractor')).toMatchObject({
      name: 'team_testdb',
      access: 'read',
    });
    const contractor = w.attributes('devdb_database', 'contractor')!;
    // Workspaces get verify-full and the CA itself (the agent writes it where libpq looks).
    expect(contractor.url).toMatch(/\?sslmode=verify-full$/);
    expect(contractor.ca_cert).toBe(ca);
    const creds = {
      name: String(contractor.name),
      user: String(contractor.user),
      password: String(contractor.password),
    };
    expect(await readOnlyChecks(creds)).toEqual(EXPECTED);

    const destroy = await w.tf(['destroy', '-auto-approve', ...vars], env);
    expect(destroy.code, destroy.output).toBe(0);
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const { rowCount } = await admin
      .query('SELECT FROM pg_roles WHERE rolname = $1', [creds.user])
      .finally(() => admin.end());
    expect(rowCount).toBe(0);
    // The team database and the lead's data stay (devdb_team keeps it).
    const tasks = await session(lead, (c) =>
      c.query<{ n: number }>('SELECT count(*)::int AS n FROM app.tasks'),
    );
    expect(tasks.rows[0]!.n).toBe(5);
  });
});
