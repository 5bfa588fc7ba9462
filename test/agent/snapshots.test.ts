// devdb-agent snapshot / snapshots / restore / reset (docs/snapshots.md): the
// built bundle, in a workspace's environment, on its own database only.
import pg from 'pg';
import { beforeAll, expect, test } from 'vitest';
import { outputs, runAgent, workspaceEnv, workspaceSuite } from './agent.js';

const ws = workspaceSuite('alice');
let env: Record<string, string | undefined>;

async function sql(text: string): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({
    connectionString: ws.devdb.url(ws.creds.user, ws.creds.password, ws.creds.name),
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

beforeAll(async () => {
  env = workspaceEnv(ws.creds, ws.home);
  await sql(`CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)`);
});

test('snapshot, list, restore and reset through the workspace’s own login, each with --json', async () => {
  const open = new pg.Client({
    connectionString: ws.devdb.url(ws.creds.user, ws.creds.password, ws.creds.name),
  });
  open.on('error', () => undefined);
  await open.connect();
  const taken = await runAgent(['snapshot', 'clean'], env, 60_000);
  expect(taken.code, taken.stderr).toBe(0);
  expect(taken.stdout).toMatch(/^snapshot clean of dev_alice taken \(\d/);
  // It said which session it would end: this workspace's own.
  expect(taken.stderr).toMatch(/ending this workspace's 1 session\(s\) in dev_alice: pid \d+/);
  await open.end().catch(() => undefined);

  await sql('DELETE FROM t');
  const listed = await runAgent(['snapshots', '--json'], env);
  expect(listed.code, listed.stderr).toBe(0);
  expect(JSON.parse(listed.stdout)).toMatchObject({
    database: 'dev_alice',
    snapshots: [{ name: 'clean' }],
  });
  const table = await runAgent(['snapshots'], env);
  expect(table.stdout).toMatch(/^NAME +TAKEN +SIZE\nclean +\d{4}-/);

  const restored = await runAgent(['restore', 'clean', '--json'], env, 60_000);
  expect(restored.code, restored.stderr).toBe(0);
  expect(JSON.parse(restored.stdout)).toMatchObject({
    database: 'dev_alice',
    restored_from: 'snapshot clean',
  });
  expect(await sql('SELECT x FROM t ORDER BY x')).toEqual([{ x: 1 }, { x: 2 }]);

  const reset = await runAgent(['reset'], env, 60_000);
  expect(reset.code, reset.stderr).toBe(0);
  expect(reset.stdout).toMatch(/dev_alice reset to empty; \$DEVDB_URL is unchanged/);
  expect(await sql(`SELECT to_regclass('t') AS t`)).toEqual([{ t: null }]);
}, 120_000);

test('restore without a name, or of a snapshot that is not there, says what to do', async () => {
  const bare = await runAgent(['restore'], env);
  expect(bare.code).toBe(2);
  expect(bare.stderr).toMatch(/restore needs the name of a snapshot/);
  const missing = await runAgent(['restore', 'nope'], env);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/database dev_alice has no snapshot named 'nope'/);
  expect(outputs.join('\n')).not.toContain(ws.creds.password);
});

test('snapshots delete NAME frees the workspace’s own snapshot; without a name it says what to do', async () => {
  const taken = await runAgent(['snapshot', 'spare'], env, 60_000);
  expect(taken.code, taken.stderr).toBe(0);
  const deleted = await runAgent(['snapshots', 'delete', 'spare', '--json'], env);
  expect(deleted.code, deleted.stderr).toBe(0);
  expect(JSON.parse(deleted.stdout)).toMatchObject({ database: 'dev_alice', snapshot: 'spare' });
  const listed = await runAgent(['snapshots', '--json'], env);
  const names = (JSON.parse(listed.stdout) as { snapshots: { name: string }[] }).snapshots;
  expect(names.map((s) => s.name)).not.toContain('spare');
  const bare = await runAgent(['snapshots', 'delete'], env);
  expect(bare.code).toBe(2);
  expect(bare.stderr).toMatch(/snapshots delete needs the name of a snapshot/);
  const other = await runAgent(['snapshots', 'spare'], env);
  expect(other.code).toBe(2);
  const missing = await runAgent(['snapshots', 'delete', 'spare'], env);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/has no snapshot named 'spare'/);
}, 120_000);
