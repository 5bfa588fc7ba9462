// Real last access (docs/architecture.md, "Last access and lifecycle"): the agent reports over the central `devdb`
// database; last_accessed moves only when the workspace database really was
// used — a new session or a statement in an open one — and never because of
// the agent itself or autovacuum. A login role reports for its own database only.
import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Attachment } from '../../provisioning/index.js';
import { tryConnect } from '../helpers/devdb.js';
import {
  AGENT,
  attach,
  matchingClientsPath,
  outputs,
  runAgent,
  workspaceEnv,
  workspaceSuite,
} from './agent.js';

const ws = workspaceSuite('alice');
let bob: Attachment;

beforeAll(async () => {
  bob = await attach(ws.devdb, 'bob');
  const run = await runAgent(['start'], workspaceEnv(ws.creds, ws.home));
  expect(run.code, run.stderr).toBe(0);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One heartbeat, as the cron script runs it (password from ~/.pgpass); true when it saw use. */
async function heartbeat(): Promise<boolean> {
  const run = await runAgent(['heartbeat'], { HOME: ws.home });
  expect(run.code, run.stderr).toBe(0);
  return run.stderr.includes('(used since the previous report)');
}

/** Reports until a report sees no use: earlier activity is accounted for. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) if (!(await heartbeat())) return;
  throw new Error('the database never looked unused');
}

/**
 * Reports until one sees use. PostgreSQL flushes a session's counters
 * asynchronously (at session end, or after statements at most once a second),
 * so the first report after a query may come too early.
 */
async function untilAccessed(ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await heartbeat()) return;
    await sleep(150);
  }
  throw new Error(`no report saw the access within ${ms} ms`);
}

async function row(db: string): Promise<{ last_accessed: Date | null; last_seen_at: Date | null }> {
  const { rows } = await ws.devdb.pool.query(
    `SELECT d.last_accessed, max(a.last_seen_at) AS last_seen_at
       FROM provisioning.databases d LEFT JOIN provisioning.attachments a USING (db_name)
      WHERE d.db_name = $1 GROUP BY d.last_accessed`,
    [db],
  );
  return rows[0];
}

describe('last_accessed', () => {
  test('a heartbeat with no activity leaves it unchanged but records last_seen_at', async () => {
    await settle();
    const before = await row(ws.creds.name);
    await sleep(20);
    expect(await heartbeat()).toBe(false);
    const after = await row(ws.creds.name);
    expect(after.last_accessed).toEqual(before.last_accessed);
    expect(after.last_seen_at!.getTime()).toBeGreaterThan(before.last_seen_at!.getTime());
  });

  test('a query in a new session moves it', async () => {
    await settle();
    const before = await row(ws.creds.name);
    const q = await tryConnect(ws.devdb.url(ws.creds.user, ws.creds.password, ws.creds.name));
    expect(q.ok).toBe(true);
    await untilAccessed();
    const after = await row(ws.creds.name);
    expect(after.last_accessed).not.toBeNull();
    expect(after.last_accessed!.getTime()).toBeGreaterThan(before.last_accessed?.getTime() ?? 0);
  });

  test('a statement in a session that stays open moves it', async () => {
    const client = new pg.Client({
      connectionString: ws.devdb.url(ws.creds.user, ws.creds.password, ws.creds.name),
    });
    await client.connect();
    try {
      await settle();
      const before = await row(ws.creds.name);
      // A backend flushes its statistics at most once a second; a statement ending
      // sooner after the connect's flush is deferred by PostgreSQL's idle interval (10 s).
      await sleep(1100);
      await client.query('CREATE TABLE IF NOT EXISTS notes (id int)');
      await untilAccessed();
      expect((await row(ws.creds.name)).last_accessed!.getTime()).toBeGreaterThan(
        before.last_accessed!.getTime(),
      );
    } finally {
      await client.end();
    }
  });

  test('start, status, doctor and env are not access', async () => {
    await settle();
    const before = await row(ws.creds.name);
    // doctor exits 0 only with a pg_dump of the server's major (clients.test.ts).
    const PATH = await matchingClientsPath(ws.devdb, path.join(ws.home, 'bin'));
    for (const args of [['start'], ['status'], ['doctor'], ['env']]) {
      const run = await runAgent(args, { ...workspaceEnv(ws.creds, ws.home), PATH });
      expect(run.code, args[0]).toBe(0);
    }
    await sleep(1100); // longer than PostgreSQL's stats flush interval
    expect(await heartbeat()).toBe(false);
    expect((await row(ws.creds.name)).last_accessed).toEqual(before.last_accessed);
  });

  test('autovacuum visiting the database is not access (it moves xact_commit)', async () => {
    const su = await ws.devdb.superuser();
    const commits = async () =>
      Number(
        (
          await su.query('SELECT xact_commit FROM pg_stat_database WHERE datname = $1', [
            ws.creds.name,
          ])
        ).rows[0].xact_commit,
      );
    await su.query(`ALTER SYSTEM SET autovacuum_naptime = '1s'`);
    await su.query('SELECT pg_reload_conf()');
    try {
      await settle();
      const before = await row(ws.creds.name);
      const start = await commits();
      const deadline = Date.now() + 20_000;
      while ((await commits()) === start && Date.now() < deadline) await sleep(250);
      expect(await commits(), 'autovacuum committed in the database').toBeGreaterThan(start);
      expect(await heartbeat()).toBe(false);
      expect((await row(ws.creds.name)).last_accessed).toEqual(before.last_accessed);
    } finally {
      await su.query('ALTER SYSTEM RESET autovacuum_naptime');
      await su.query('SELECT pg_reload_conf()');
    }
  });
});

describe('who may report', () => {
  async function asRole<T>(user: string, password: string, fn: (c: pg.Client) => Promise<T>) {
    const c = new pg.Client({ connectionString: ws.devdb.url(user, password, 'devdb') });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  test('a login role cannot report for another database', async () => {
    const bobBefore = await row(bob.name);
    await asRole(ws.creds.user, ws.creds.password, async (c) => {
      await expect(c.query(`SELECT provisioning.record_access('dev_bob')`)).rejects.toThrow(
        /permission denied/,
      );
      await expect(c.query(`SELECT * FROM provisioning.report_access('dev_bob')`)).rejects.toThrow(
        /does not exist/,
      );
      const { rows } = await c.query('SELECT db_name FROM provisioning.report_access()');
      expect(rows).toEqual([{ db_name: 'dev_alice' }]);
    });
    expect(await row(bob.name)).toEqual(bobBefore);

    // Bob's credentials with Alice's DEVDB_NAME: the agent says they do not belong together.
    const mixed = await runAgent(['heartbeat'], {
      ...workspaceEnv(bob, ws.home),
      DEVDB_NAME: ws.creds.name,
    });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain(
      `${bob.user} belongs to database dev_bob, but DEVDB_NAME is dev_alice`,
    );
  });

  test('only workspace login roles may report; a detached one cannot log in at all', async () => {
    const su = await ws.devdb.superuser('devdb');
    await su.query(`CREATE ROLE stranger LOGIN PASSWORD 'stranger-pw'`);
    await su.query('GRANT CONNECT ON DATABASE devdb TO stranger');
    await asRole('stranger', 'stranger-pw', (c) =>
      expect(c.query('SELECT * FROM provisioning.report_access()')).rejects.toThrow(
        /permission denied/,
      ),
    );
    const { detachWorkspace } = await import('../../provisioning/index.js');
    const gone = await attach(ws.devdb, 'dave');
    const { rows } = await ws.devdb.pool.query(
      'SELECT workspace_id FROM provisioning.attachments WHERE login_role = $1',
      [gone.user],
    );
    await detachWorkspace(ws.devdb.pool, { workspaceId: rows[0].workspace_id });
    const run = await runAgent(['heartbeat'], workspaceEnv(gone, ws.home));
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('restart the workspace');
  });
});

test('start --watch reports every interval and ends cleanly on SIGTERM', async () => {
  const child = spawn(AGENT, ['start', '--watch', '--interval', '0.3'], {
    env: { PATH: process.env.PATH, ...workspaceEnv(ws.creds, ws.home) },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 10_000;
  while (stderr.split('access reported for').length < 4 && Date.now() < deadline) await sleep(100);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  outputs.push(stderr);
  expect(stderr).toContain('reporting access every 0.3s');
  expect(stderr.split('access reported for').length - 1).toBeGreaterThanOrEqual(3);
});

test('the password appears in no output of any command in this file', () => {
  for (const out of outputs) {
    for (const pw of [ws.creds.password, bob.password]) expect(out).not.toContain(pw);
  }
});
