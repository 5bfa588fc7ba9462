/**
 * Backups say when they cannot run here (docs/backups.md, "Which pg_dump"):
 * /readyz, GET /api/v1/backups/status and `devdb doctor` name the server's
 * version and what to install when no pg_dump fits it. Whether the machine has
 * a fitting one decides which case its own tools show; a fake bin directory
 * that claims a newer major shows the other.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupToolsStatus, serverVersion } from '../../provisioning/backups/index.js';
import { startControlPlane, type RunningControlPlane } from '../../server/api/index.js';
import { addServer, createApiToken, removeServer } from '../../provisioning/index.js';
import { runDevdb } from '../helpers/cli-io.js';
import { startTestDevDb, writeDataDirCredentials, type TestDevDb } from '../helpers/devdb.js';
import { fakePgToolsDir } from '../helpers/fake-pg-tools.js';

let devdb: TestDevDb;
let dataDir: string;
let newer: string;
let token: string;
/** What this machine's own tools give for the test server, without PATH (as the tests run them). */
let here: Awaited<ReturnType<typeof backupToolsStatus>>;
const planes: RunningControlPlane[] = [];

beforeAll(async () => {
  devdb = await startTestDevDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'devdb-backup-tools-'));
  await writeDataDirCredentials(devdb, dataDir);
  newer = await fakePgToolsDir(99);
  token = (await createApiToken(devdb.pool, { name: 'viewer', role: 'viewer' })).token;
  here = await backupToolsStatus((await serverVersion(devdb.pool)).major, { env: { PATH: '' } });
});

afterAll(async () => {
  await Promise.allSettled(planes.map((plane) => plane.close()));
  await devdb?.stop();
  for (const dir of [dataDir, newer]) if (dir) await rm(dir, { recursive: true, force: true });
});

async function controlPlane(env: Record<string, string>) {
  const plane = await startControlPlane({
    pool: devdb.pool,
    adminUrl: devdb.provisionerUrl,
    port: 0,
    env,
  });
  planes.push(plane);
  const get = async (route: string) => {
    const res = await fetch(`${plane.url}${route}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  return { ready: await get('/readyz'), status: await get('/api/v1/backups/status') };
}

describe('when no pg_dump fits the server', () => {
  it('/readyz is degraded (200, not out of the load balancer) and says what to install', async () => {
    const { ready, status } = await controlPlane({ PATH: '' });
    if (here.problem === null) {
      expect(ready.json.status).toBe('ready'); // this machine has a fitting pg_dump
      return;
    }
    expect(ready.status).toBe(200);
    expect(ready.json.status).toBe('degraded');
    expect(ready.json.checks).toContainEqual({
      name: 'backups',
      ok: false,
      degradesOnly: true,
      detail: here.problem,
    });
    expect(status.json).toEqual({
      canRun: false,
      serverMajor: here.serverMajor,
      pgDump: null,
      problem: here.problem,
    });
    expect(here.problem).toMatch(/install postgresql-client-\d+/);
  });

  it('devdb doctor says so on stderr, beside its findings', async () => {
    const result = await runDevdb(['doctor', '--data-dir', dataDir], { env: { PATH: '' } });
    expect(result.stdout).toBe('nothing to fix\n');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      here.problem ? `devdb: backups cannot run here: ${here.problem}\n` : '',
    );
  });
});

describe('when one fits', () => {
  it('/readyz is ready and the status names the pg_dump backups use', async () => {
    const { ready, status } = await controlPlane({ DEVDB_PG_BIN_DIR: newer, PATH: '' });
    expect(ready).toMatchObject({ status: 200, json: { status: 'ready' } });
    expect(status.json).toEqual({
      canRun: true,
      serverMajor: here.serverMajor,
      pgDump: { path: path.join(newer, 'pg_dump'), major: 99 },
      problem: null,
    });
    const doctor = await runDevdb(['doctor', '--data-dir', dataDir], {
      env: { DEVDB_PG_BIN_DIR: newer },
    });
    expect(doctor).toEqual({ code: 0, stdout: 'nothing to fix\n', stderr: '' });
  });
});

describe('over a pool whose member runs a newer major than the pg_dump here', () => {
  let member: TestDevDb | undefined;
  let fitsCentral: string;

  beforeAll(async () => {
    member = await startTestDevDb();
    await addServer(devdb.pool, { name: 'pg-newer', adminUrl: member.provisionerUrl });
    // The registry is what the rule reads: the member is recorded one major ahead.
    await devdb.pool.query(
      `UPDATE provisioning.servers SET major_version = major_version + 1 WHERE name = 'pg-newer'`,
    );
    fitsCentral = await fakePgToolsDir(here.serverMajor);
  });

  afterAll(async () => {
    await removeServer(devdb.pool, 'pg-newer').catch(() => undefined);
    await member?.stop();
    if (fitsCentral) await rm(fitsCentral, { recursive: true, force: true });
  });

  it('/readyz, the status route and doctor give one answer: it cannot run, for the newest major', async () => {
    const env = { DEVDB_PG_BIN_DIR: fitsCentral, PATH: '' };
    const { ready, status } = await controlPlane(env);
    const newest = here.serverMajor + 1;
    expect(status.json).toMatchObject({ canRun: false, serverMajor: newest, pgDump: null });
    const problem = status.json.problem as string;
    expect(problem).toContain(`PostgreSQL ${newest} or newer`);
    expect(ready.json.checks).toContainEqual({
      name: 'backups',
      ok: false,
      degradesOnly: true,
      detail: problem,
    });
    const doctor = await runDevdb(['doctor', '--data-dir', dataDir], { env });
    expect(doctor.stderr).toContain(`devdb: backups cannot run here: ${problem}\n`);
  });
});
