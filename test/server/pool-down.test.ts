/**
 * Issue 23: a member of the pool down is one line, not a crash. Three real
 * servers (central, pg-b, pg-c), each holding a database; pg-b is halted (its
 * data kept). Every pool-wide command goes on over central and pg-c, prints
 * one line naming pg-b on stderr and exits 3; actions on one database work on
 * the live servers and fail with one line naming pg-b (exit 1) on the down
 * one; /readyz stays 200 (degraded) listing it, /metrics says it is down; the
 * provider's diagnostic names pg-b, not the central server's address.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createApiToken,
  addServer,
  attachPlaced,
  setServerState,
  type ServerState,
} from '../../provisioning/index.js';
import { DEFAULT_RETRY, DevDbClient } from '../../provider/devdb/client.js';
import { startControlPlane, type RunningControlPlane } from '../../server/api/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';

// Before the cluster helper loads: `backup --all` runs pg_dump, which must match the servers.
await selectBackupTestServer();
const { centralRouter, startTestDevDb } = await import('../helpers/devdb.js');
const { runDevdb } = await import('../helpers/cli-io.js');

let central: TestDevDb;
let pgB: TestDevDb;
let pgC: TestDevDb;
let backupDir: string;
let env: Record<string, string>;
/** The one line a pool-wide command prints about pg-b, up to what it means for the output. */
let downLine: string;

/** Attaches `owner`'s workspace with only `server` taking new databases. */
async function attachOn(server: string, owner: string): Promise<void> {
  const all = ['central', 'pg-b', 'pg-c'];
  const set = (name: string, state: ServerState) => setServerState(central.pool, name, state);
  await Promise.all(all.map((name) => set(name, name === server ? 'active' : 'paused')));
  const router = centralRouter(central);
  try {
    await attachPlaced(router, { type: 'individual', owner, workspaceId: `ws-${owner}` });
  } finally {
    await router.close();
    await Promise.all(all.map((name) => set(name, 'active')));
  }
}

beforeAll(async () => {
  [central, pgB, pgC] = await Promise.all([startTestDevDb(), startTestDevDb(), startTestDevDb()]);
  await addServer(central.pool, { name: 'pg-b', adminUrl: pgB.provisionerUrl });
  await addServer(central.pool, { name: 'pg-c', adminUrl: pgC.provisionerUrl });
  await attachOn('central', 'carol');
  await attachOn('pg-b', 'bob');
  await attachOn('pg-c', 'cleo');
  await attachOn('pg-c', 'cody');
  backupDir = await mkdtemp(path.join(tmpdir(), 'devdb-pool-down-'));
  env = { DEVDB_ADMIN_URL: central.provisionerUrl, DEVDB_BACKUP_DIR: backupDir };
  downLine = `devdb: pg-b (127.0.0.1:${pgB.endpoint.port}) unreachable: connection refused; `;
  await pgB.cluster.halt();
});

afterAll(async () => {
  await Promise.all([central?.stop(), pgB?.stop(), pgC?.stop()]);
  if (backupDir) await rm(backupDir, { recursive: true, force: true });
});

const cli = (args: string[]) => runDevdb(args, { env });

/** Exit 3, exactly one line on stderr naming pg-b, no stack trace. */
async function partial(args: string[]) {
  const result = await cli(args);
  // Besides what the command says anyway: backups unencrypted, Coder not configured.
  const lines = result.stderr
    .split('\n')
    .filter((line) => line && !/warning: no age|checks that need Coder/.test(line));
  expect(lines, `${args.join(' ')}: ${result.stderr}`).toHaveLength(1);
  expect(lines[0]!.startsWith(downLine), lines[0]).toBe(true);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(3);
  return result.stdout;
}

/** Exit 1, one line naming pg-b and its address. */
async function namesPgB(args: string[]) {
  const result = await cli(args);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(
    new RegExp(`^devdb: .*server pg-b \\(127\\.0\\.0\\.1:${pgB.endpoint.port}\\) unreachable`),
  );
}

describe('pool-wide commands go on over the servers reached', () => {
  test('list and summary show central and pg-c, leave pg-b out, exit 3', async () => {
    const table = await partial(['list']);
    expect(table).toMatch(/dev_carol\s*│\s*central/);
    expect(table).toMatch(/dev_cleo\s*│\s*pg-c/);
    expect(table).not.toContain('dev_bob');
    // --json keeps its shape on stdout; the line is on stderr.
    const json = JSON.parse(await partial(['list', '--json']));
    expect(json.map((d: { name: string }) => d.name).sort()).toEqual([
      'dev_carol',
      'dev_cleo',
      'dev_cody',
    ]);
    expect(JSON.parse(await partial(['summary', '--json']))).toMatchObject({ databases: 3 });
  });

  test('doctor, orphans, policy and cleanup (dry run and real) do too', async () => {
    expect(await partial(['doctor'])).toMatch(/nothing to fix/);
    const orphans = JSON.parse(await partial(['orphans', '--json']));
    expect(orphans).toHaveProperty('findings');
    const policy = JSON.parse(await partial(['policy', '--json']));
    expect(policy.databases.map((d: { database: string }) => d.database).sort()).toEqual([
      'dev_carol',
      'dev_cleo',
      'dev_cody',
    ]);
    expect(await partial(['cleanup', '--dry-run'])).toMatch(/nothing to do/);
    expect(await partial(['cleanup', '--yes'])).toMatch(/nothing to do/);
  });

  test('backup --all backs up the databases of the servers reached', async () => {
    const backups = JSON.parse(await partial(['backup', '--all', '--json']));
    expect(backups.map((b: { database: string }) => b.database).sort()).toEqual([
      'dev_carol',
      'dev_cleo',
      'dev_cody',
    ]);
    expect(backups.every((b: { status: string }) => b.status === 'ok')).toBe(true);
  });

  test('servers list shows pg-b unreachable since when, and why', async () => {
    const table = await partial(['servers', 'list']);
    expect(table).toMatch(
      /pg-b\s*│\s*active\s*│\s*unreachable since \d{4}-.* \(connection refused\)/,
    );
    expect(table).toMatch(/pg-c\s*│\s*active\s*│\s*reachable\s*│\s*\d{4}-/);
    const json = JSON.parse(await partial(['servers', 'list', '--json']));
    const byName = Object.fromEntries(json.map((s: { name: string }) => [s.name, s]));
    expect(byName['pg-b']).toMatchObject({
      reachable: false,
      lastError: 'connection refused',
      unreachableSince: expect.any(String),
    });
    expect(byName['pg-c']).toMatchObject({ reachable: true, lastError: null });
    expect(byName['pg-c'].lastReachedAt).toEqual(expect.any(String));
  });

  test('release detaches the workspace where it can, and says pg-b was not asked', async () => {
    const out = JSON.parse(await partial(['release', '--workspace-id', 'ws-cody', '--json']));
    expect(out.detached.map((d: { name: string }) => d.name)).toEqual(['dev_cody']);
  });
});

describe('actions on one database', () => {
  test('on a live server they work', async () => {
    for (const args of [
      ['inspect', 'dev_cleo'],
      ['connections', 'dev_cleo'],
      ['protect', 'dev_cleo', '--reason', 'demo'],
      ['unprotect', 'dev_cleo'],
      ['backup', 'dev_cleo'],
      ['rotate', '--workspace-id', 'ws-cleo'],
      ['rotate', '--workspace-id', 'ws-carol', '--database', 'dev_carol'],
    ]) {
      const result = await cli(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
  });

  test('on the down server they fail with one line naming it', async () => {
    for (const args of [
      ['inspect', 'dev_bob'],
      ['connections', 'dev_bob'],
      ['delete', 'dev_bob'],
      ['protect', 'dev_bob'],
      ['backup', 'dev_bob'],
      ['restore', 'dev_bob'],
      ['move', 'dev_bob', '--to', 'pg-c'],
      ['rotate', '--workspace-id', 'ws-bob', '--database', 'dev_bob'],
      // Not "is not attached": it is attached there, and pg-b cannot be asked.
      ['rotate', '--workspace-id', 'ws-bob'],
    ]) {
      await namesPgB(args);
    }
    // Nothing was recorded: no move started towards pg-c, the placement is as it was.
    const { rows } = await central.pool.query(
      `SELECT server_name, moving_to FROM provisioning.placements WHERE db_name = 'dev_bob'`,
    );
    expect(rows).toEqual([{ server_name: 'pg-b', moving_to: null }]);
  });
});

describe('the control plane with pg-b down', () => {
  let plane: RunningControlPlane;

  beforeAll(async () => {
    plane = await startControlPlane({
      pool: central.pool,
      adminUrl: central.provisionerUrl,
      port: 0,
      publicMetrics: true,
    });
  });

  afterAll(async () => {
    await plane?.close();
  });

  test('/readyz stays 200, degraded, with pg-b named in its check', async () => {
    const res = await fetch(`${plane.url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; checks: unknown[] };
    expect(body.status).toBe('degraded');
    expect(body.checks).toContainEqual({
      name: 'server pg-b',
      ok: false,
      detail: `pg-b (127.0.0.1:${pgB.endpoint.port}) unreachable: connection refused`,
      degradesOnly: true,
    });
    expect(body.checks).toContainEqual({ name: 'server pg-c', ok: true, degradesOnly: true });
  });

  test('cleanup through the API plans and runs over central and pg-c, naming pg-b unreachable', async () => {
    const { token } = await createApiToken(central.pool, { name: 'pool-down', role: 'admin' });
    const call = async (method: string) => {
      const res = await fetch(`${plane.url}/api/v1/cleanup`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const reason = `pg-b (127.0.0.1:${pgB.endpoint.port}) unreachable: connection refused`;
    for (const method of ['GET', 'POST']) {
      const { status, body } = await call(method);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.unreachable).toEqual([{ server: 'pg-b', reason }]);
      const rows = [...(body.actions as { server: string }[]), ...(body.skipped as [])];
      for (const row of rows) expect(['central', 'pg-c']).toContain(row.server);
    }
  });

  test('/metrics: devdb_server_up 0 for pg-b, 1 for the others, with when each was last reached', async () => {
    const text = await (await fetch(`${plane.url}/metrics`)).text();
    expect(text).toMatch(/^devdb_server_up\{server="pg-b"\} 0$/m);
    expect(text).toMatch(/^devdb_server_up\{server="pg-c"\} 1$/m);
    expect(text).toMatch(/^devdb_server_up\{server="central"\} 1$/m);
    const reached = /^devdb_server_last_reached_timestamp_seconds\{server="pg-c"\} (\S+)$/m.exec(
      text,
    );
    expect(Number(reached?.[1])).toBeGreaterThan(Date.now() / 1000 - 600);
  });
});

test("the provider's diagnostic names pg-b and its address, not admin_url's", async () => {
  const client = new DevDbClient(central.provisionerUrl, central.endpoint, 'fail', {
    ...DEFAULT_RETRY,
    refusedMs: 0,
  });
  try {
    const failure = await client
      .onServerOf('dev_bob', ({ db }) => db.query('SELECT 1'))
      .then(
        () => ({ message: 'no error', detail: '' }),
        (error: unknown) => error as Error & { detail?: string },
      );
    expect(failure.message).toBe('Cannot reach the DevDB server pg-b');
    expect(failure.detail).toContain(
      `server pg-b (127.0.0.1:${pgB.endpoint.port}) unreachable: connection refused`,
    );
    expect(failure.detail).not.toContain(String(central.endpoint.port));
  } finally {
    await client.close();
  }
});
