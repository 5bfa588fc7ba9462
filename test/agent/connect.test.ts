// After `start`, clients connect with no password typed or passed: bare `psql`
// in a new shell (profile block → ~/.devdb/env → ~/.pgpass), `psql` through
// PGSERVICE=devdb, and node's pg from DATABASE_URL with ~/.pgpass alone.
// `status` prints one line; `doctor` finds nothing wrong.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  matchingClientsPath,
  outputs,
  runAgent,
  tempHome,
  workspaceEnv,
  workspaceSuite,
} from './agent.js';

const exec = promisify(execFile);

const ws = workspaceSuite('carol');

beforeAll(async () => {
  await writeFile(path.join(ws.home, '.bashrc'), '# carol\n');
  await writeFile(path.join(ws.home, '.profile'), '# carol, login shells\n');
  const run = await runAgent(['start'], workspaceEnv(ws.creds, ws.home));
  expect(run.code, run.stderr).toBe(0);
});

/** A shell in the workspace after start: no DEVDB_PASSWORD, no PG* variables. */
const bare = () => ({ PATH: process.env.PATH, HOME: ws.home });
const WHO = 'SELECT session_user, current_database()';

test('bare `psql` in a new shell connects without a password', async () => {
  // -w: fail instead of prompting if no password were found.
  const { stdout } = await exec('bash', ['-c', `. "$HOME/.bashrc"; psql -X -w -A -t -c '${WHO}'`], {
    env: bare(),
  });
  expect(stdout.trim()).toBe(`${ws.creds.user}|${ws.creds.name}`);
});

test('a login shell (~/.profile) and PGSERVICE=devdb connect too', async () => {
  const login = await exec('bash', ['-l', '-c', `psql -X -w -A -t -c '${WHO}'`], { env: bare() });
  expect(login.stdout.trim()).toBe(`${ws.creds.user}|${ws.creds.name}`);

  const service = await exec('psql', ['-X', '-w', '-A', '-t', '-c', WHO], {
    env: { ...bare(), PGSERVICE: 'devdb' },
  });
  expect(service.stdout.trim()).toBe(`${ws.creds.user}|${ws.creds.name}`);
});

describe("Coder's web terminal: an interactive, non-login bash reads ~/.bashrc only", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(() => Promise.all(cleanups.map((c) => c())));

  async function startIn(dotfiles: Record<string, string>): Promise<string> {
    const { home, cleanup } = await tempHome();
    cleanups.push(cleanup);
    for (const [file, text] of Object.entries(dotfiles))
      await writeFile(path.join(home, file), text);
    const run = await runAgent(['start'], workspaceEnv(ws.creds, home));
    expect(run.code, run.stderr).toBe(0);
    return home;
  }

  /** `bash -i -c` (or -l): the shell reads its startup files itself; nothing sourced by hand. */
  async function psqlIn(home: string, mode: '-i' | '-l'): Promise<string> {
    const { stdout } = await exec('bash', [mode, '-c', `psql -X -w -A -t -c '${WHO}'`], {
      env: { PATH: process.env.PATH, HOME: home },
    });
    return stdout.trim();
  }

  test('bare `psql` connects in a home that had no dotfiles, in bash -i and bash -l', async () => {
    const home = await startIn({});
    expect(await psqlIn(home, '-i')).toBe(`${ws.creds.user}|${ws.creds.name}`);
    expect(await psqlIn(home, '-l')).toBe(`${ws.creds.user}|${ws.creds.name}`);
  });

  test('an existing ~/.bashrc is kept, with one marked block after any number of starts', async () => {
    const mine = '# my bashrc\nexport EDITOR=vim\n';
    const home = await startIn({ '.bashrc': mine });
    const first = await readFile(path.join(home, '.bashrc'), 'utf8');
    expect((await runAgent(['start'], workspaceEnv(ws.creds, home))).code).toBe(0);
    const again = await readFile(path.join(home, '.bashrc'), 'utf8');
    expect(again).toBe(first);
    expect(again.startsWith(mine)).toBe(true);
    expect(again.split('# >>> devdb-agent >>>')).toHaveLength(2);
    expect(await psqlIn(home, '-i')).toBe(`${ws.creds.user}|${ws.creds.name}`);
  });
});

test("node's pg connects from DATABASE_URL with ~/.pgpass alone", async () => {
  const script = `
    const fs = require('node:fs');
    const url = /^DATABASE_URL='(.*)'$/m.exec(fs.readFileSync(process.env.HOME + '/.devdb/env', 'utf8'))[1];
    const pg = require('pg');
    const c = new pg.Client({ connectionString: url });
    c.connect()
      .then(() => c.query(${JSON.stringify(WHO)}))
      .then((r) => { console.log(JSON.stringify(r.rows[0])); return c.end(); })
      .catch((e) => { console.error(e.message); process.exit(1); });`;
  const { stdout } = await exec(process.execPath, ['-e', script], {
    env: bare(),
    cwd: process.cwd(),
  });
  expect(JSON.parse(stdout)).toEqual({
    session_user: ws.creds.user,
    current_database: ws.creds.name,
  });
});

test('status prints one line with the database, its size and its connections', async () => {
  const run = await runAgent(['status'], bare());
  expect(run.code).toBe(0);
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(
    new RegExp(`^${ws.creds.name} · \\d+\\.\\d [KMG]iB · \\d+ connections?\\n$`),
  );
});

test('doctor finds nothing to fix after start', async () => {
  // A workspace image with clients of the server's major (clients.test.ts has the other cases).
  const PATH = await matchingClientsPath(ws.devdb, path.join(ws.home, 'bin'));
  const run = await runAgent(['doctor'], { ...workspaceEnv(ws.creds, ws.home), PATH });
  expect(run.code, run.stdout).toBe(0);
  for (const check of [
    'env',
    'password',
    'dns',
    'tcp',
    'login',
    'database',
    'report',
    'pgpass',
    'service',
    'env file',
    'profile',
    'psql',
    'pg_dump',
  ]) {
    expect(run.stdout).toMatch(new RegExp(`^ok\\s+${check}\\s`, 'm'));
  }
  expect(run.stdout).toContain('everything looks right');
});

test('the password appears in no output of any command in this file', () => {
  for (const out of outputs) expect(out).not.toContain(ws.creds.password);
});
