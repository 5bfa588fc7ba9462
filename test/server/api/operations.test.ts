/**
 * The control plane as monitoring sees it: /metrics parsed by promtool (and
 * bounded by metrics_max_database_labels), /readyz failing while PostgreSQL is
 * down, TLS from cert/key files, pluggable readiness checks and sampler, and
 * slow queries from pg_stat_statements on a server that preloads it.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachWorkspace, ensureIndividualDatabase } from '../../../provisioning/index.js';
import { startControlPlane } from '../../../server/api/index.js';
import { runDevdb } from '../../helpers/cli-io.js';
import { writeDataDirCredentials } from '../../helpers/devdb.js';
import { startApiHarness, type ApiHarness } from './harness.js';

const run = promisify(execFile);

/** promtool's verdict on a metrics text (stdin); fails with the package name when promtool is missing. */
async function promtoolCheckMetrics(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics']);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              "promtool is missing: install Debian's prometheus package (apt-get install -y prometheus); .ci/run does",
            )
          : error,
      ),
    );
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
    child.stdin.end(text);
  });
}

let api: ApiHarness;
let samplerCalls = 0;

beforeAll(async () => {
  api = await startApiHarness(
    {
      readinessChecks: [{ name: 'sampler', run: async () => ({ ok: true, detail: 'fresh' }) }],
      samplerStatus: async () => {
        samplerCalls++;
        return { lastPassAt: new Date('2030-01-01T00:00:00Z'), durationSeconds: 0.25 };
      },
    },
    { preloadLibraries: ['pg_stat_statements'] },
  );
  await attachWorkspace(api.devdb.pool, api.devdb.endpoint, {
    type: 'individual',
    owner: 'alice',
    workspaceId: 'ws-alice',
  });
  await ensureIndividualDatabase(api.devdb.pool, { owner: 'bob' });
});

afterAll(async () => {
  await api?.stop();
});

describe('/metrics', () => {
  it('needs a token (viewer is enough) by default', async () => {
    expect((await api.call('GET', '/metrics')).status).toBe(401);
    expect((await api.call('GET', '/metrics', { token: api.tokens.viewer })).status).toBe(200);
  });

  it('is valid Prometheus text with the documented series', async () => {
    const res = await api.call('GET', '/metrics', { token: api.tokens.viewer });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const check = await promtoolCheckMetrics(res.text);
    expect(check, check.output).toMatchObject({ code: 0 });
    for (const line of [
      'devdb_databases{state="active"} 2',
      'devdb_databases{state="archived"} 0',
      'devdb_database_connections{database="dev_alice"} 0',
      'devdb_backup_last_success_timestamp_seconds{database="dev_bob"} 0',
      'devdb_backup_verification_failing{database="dev_bob"} 0',
      'devdb_provisioning_operations_total{kind="workspace.attach"} 1',
      'devdb_sampler_pass_duration_seconds 0.25',
      'devdb_sampler_last_pass_timestamp_seconds 1893456000',
      'devdb_metrics_database_series_limited 0',
    ]) {
      expect(res.text).toContain(line);
    }
    expect(res.text).toMatch(/^devdb_database_size_bytes\{database="dev_alice"\} \d+$/m);
    expect(res.text).toMatch(
      /^devdb_database_last_access_age_seconds\{database="dev_bob"\} [\d.]+$/m,
    );
    expect(res.text).toMatch(/^devdb_server_max_connections \d+$/m);
    expect(samplerCalls).toBeGreaterThan(0);
  });

  it('counts failed operations by kind', async () => {
    await api.call('POST', '/api/v1/databases/dev_alice/archive', { token: api.tokens.admin });
    const res = await api.call('GET', '/metrics', { token: api.tokens.viewer });
    expect(res.text).toContain('devdb_provisioning_errors_total{kind="database.archive"} 1');
  });

  it('keeps only totals above metrics_max_database_labels', async () => {
    const set = (value: number | null) =>
      api.call('PATCH', '/api/v1/settings', {
        token: api.tokens.admin,
        body: { metrics_max_database_labels: value },
      });
    expect((await set(1)).status).toBe(200);
    const res = await api.call('GET', '/metrics', { token: api.tokens.viewer });
    expect(res.text).not.toMatch(/database="/);
    expect(res.text).toContain('devdb_metrics_database_series_limited 1');
    expect(res.text).toMatch(/^devdb_databases_size_bytes \d+$/m);
    expect(res.text).toContain('devdb_backup_oldest_last_success_timestamp_seconds 0');
    expect((await promtoolCheckMetrics(res.text)).code).toBe(0);
    await set(null);
  });
});

describe('slow queries', () => {
  it('lists the slowest statements of a database (API and CLI)', async () => {
    const alice = await attachWorkspace(api.devdb.pool, api.devdb.endpoint, {
      type: 'individual',
      owner: 'alice',
      workspaceId: 'ws-alice',
    });
    const client = new pg.Client({
      connectionString: api.devdb.url(alice.user, alice.password, 'dev_alice'),
    });
    await client.connect();
    try {
      await client.query('CREATE TABLE t AS SELECT g AS n FROM generate_series(1, 20000) g');
      for (let i = 0; i < 3; i++)
        await client.query('SELECT count(*) FROM t a, (SELECT 1) b WHERE a.n % 7 = $1', [i]);
    } finally {
      await client.end();
    }
    const res = await api.call('GET', '/api/v1/databases/dev_alice/slow-queries?limit=5', {
      token: api.tokens.viewer,
    });
    expect(res.json.available).toBe(true);
    expect(res.json.items.length).toBeGreaterThan(0);
    expect(res.json.items.some((s: { query: string }) => /FROM t a/.test(s.query))).toBe(true);
    const means = res.json.items.map((s: { meanMs: number }) => s.meanMs);
    expect(means).toEqual([...means].sort((a, b) => b - a));

    const dataDir = await mkdtemp(path.join(tmpdir(), 'devdb-slow-'));
    try {
      await writeDataDirCredentials(api.devdb, dataDir);
      const cli = await runDevdb([
        'slow-queries',
        'dev_alice',
        '--limit',
        '3',
        '--json',
        '--data-dir',
        dataDir,
      ]);
      expect(cli.code, cli.stderr).toBe(0);
      const rows = JSON.parse(cli.stdout) as { query: string }[];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length).toBeLessThanOrEqual(3);
      const table = await runDevdb(['slow-queries', 'dev_alice', '--data-dir', dataDir]);
      expect(table.stdout).toMatch(/mean ms/);
      const unknown = await runDevdb(['slow-queries', 'dev_nobody', '--data-dir', dataDir]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/no DevDB database named "dev_nobody"/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('/readyz', () => {
  it('includes the checks serve adds', async () => {
    const res = await api.call('GET', '/readyz');
    expect(res.json.checks).toContainEqual({ name: 'sampler', ok: true, detail: 'fresh' });
  });

  it('fails with 503 while PostgreSQL is down, and recovers', async () => {
    await api.devdb.cluster.halt();
    try {
      const down = await api.call('GET', '/readyz');
      expect(down.status).toBe(503);
      expect(down.json.status).toBe('not ready');
      expect(down.json.checks.find((c: { name: string }) => c.name === 'postgresql').ok).toBe(
        false,
      );
      expect((await api.call('GET', '/healthz')).status).toBe(200);
    } finally {
      await api.devdb.cluster.resume();
    }
    let ready = 0;
    for (let i = 0; i < 20 && ready !== 200; i++) ready = (await api.call('GET', '/readyz')).status;
    expect(ready).toBe(200);
  });
});

describe('TLS', () => {
  it('serves HTTPS from cert and key files, with Secure cookies', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'devdb-tls-'));
    const certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    try {
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ]).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'ENOENT'
          ? new Error('openssl is missing: apt-get install -y openssl')
          : error;
      });
      const plane = await startControlPlane({
        pool: api.devdb.pool,
        adminUrl: api.devdb.provisionerUrl,
        port: 0,
        tls: { certFile, keyFile },
      });
      try {
        expect(plane.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        const response = await new Promise<{ status: number; cookies: string[] }>(
          (resolve, reject) => {
            const req = httpsRequest(
              `${plane.url}/api/v1/session`,
              {
                method: 'POST',
                rejectUnauthorized: false,
                headers: { 'content-type': 'application/json' },
              },
              (res) => {
                res.resume();
                res.on('end', () =>
                  resolve({ status: res.statusCode!, cookies: res.headers['set-cookie'] ?? [] }),
                );
              },
            );
            req.on('error', reject);
            req.end(JSON.stringify({ token: api.tokens.viewer }));
          },
        );
        expect(response.status).toBe(201);
        expect(response.cookies.find((c) => c.startsWith('devdb_session='))).toMatch(/; Secure/);
      } finally {
        await plane.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('listens on 127.0.0.1 by default', async () => {
    const plane = await startControlPlane({
      pool: api.devdb.pool,
      adminUrl: api.devdb.provisionerUrl,
      port: 0,
    });
    try {
      expect(plane.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    } finally {
      await plane.close();
    }
  });
});
