/**
 * Small floods against the control plane (docs/api.md, "Refused requests",
 * "Behind a reverse proxy"): 10,000 refused requests — a viewer's 403s, an
 * admin's 404s naming databases that do not exist, unknown tokens from 3,000
 * client addresses — add a bounded number of events whose counts still add up;
 * and failed logins are limited per client, so two clients behind one trusted
 * proxy are limited separately (and X-Forwarded-For from anyone else is not
 * believed). Everything stays on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndividualDatabase } from '../../../provisioning/index.js';
import {
  startControlPlane,
  type ControlPlaneOptions,
  type RunningControlPlane,
} from '../../../server/api/index.js';
import { startApiHarness, type ApiHarness } from './harness.js';

let api: ApiHarness;
const planes: RunningControlPlane[] = [];
const MAX_KEYS = 10;

beforeAll(async () => {
  api = await startApiHarness();
  await ensureIndividualDatabase(api.devdb.pool, { owner: 'anna', actor: 'test' });
});

/** Another control plane on the same DevDB, closed at the end (or by the test). */
async function plane(options: Partial<ControlPlaneOptions>): Promise<RunningControlPlane> {
  const started = await startControlPlane({
    pool: api.devdb.pool,
    adminUrl: api.devdb.provisionerUrl,
    port: 0,
    ...options,
  });
  planes.push(started);
  return started;
}

afterAll(async () => {
  await Promise.allSettled(planes.map((started) => started.close()));
  await api?.stop();
});

const eventCount = async () =>
  Number(
    (await api.devdb.pool.query<{ n: string }>('SELECT count(*) AS n FROM provisioning.events'))
      .rows[0]!.n,
  );

/** Runs `requests` with at most `concurrency` in flight; the statuses seen, counted. */
async function flood(
  requests: (() => Promise<Response>)[],
  concurrency: number,
): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const res = await requests[next++]!();
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

describe('refused requests', () => {
  it('10,000 refused requests add a bounded number of events, and their counts add up', async () => {
    const flooded = await plane({
      trustedProxies: ['127.0.0.1'],
      // One window for the whole flood, so the bound below is exact.
      refusalLimits: { windowMs: 3_600_000, maxKeys: MAX_KEYS },
    });
    const url = flooded.url;
    const json = { 'content-type': 'application/json' };
    const forbidden = () =>
      fetch(`${url}/api/v1/databases/dev_anna/archive`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.tokens.viewer}` },
      });
    const missing = (i: number) => () =>
      fetch(`${url}/api/v1/databases/dev_ghost${i}/connections`, {
        method: 'PUT',
        headers: { ...json, authorization: `Bearer ${api.tokens.admin}` },
        body: JSON.stringify({ allowed: true }),
      });
    const unknownToken = (i: number) => () =>
      fetch(`${url}/api/v1/databases`, {
        headers: {
          authorization: `Bearer devdb_guess${i}`,
          'x-forwarded-for': `198.18.${i >> 8}.${i & 255}`,
        },
      });
    // Interleaved, as a flood would come.
    const requests = Array.from({ length: 4000 }, (_, i) => [
      forbidden,
      ...(i < 3000 ? [missing(i), unknownToken(i)] : []),
    ]).flat();

    const before = await eventCount();
    const { rows: first } = await api.devdb.pool.query<{ id: string }>(
      'SELECT coalesce(max(id), 0) AS id FROM provisioning.events',
    );
    const started = performance.now();
    const statuses = await flood(requests, 16);
    const seconds = (performance.now() - started) / 1000;
    expect(Object.fromEntries(statuses)).toEqual({ 401: 3000, 403: 4000, 404: 3000 });
    await flooded.close(); // the last window is summed up when the app closes
    const added = (await eventCount()) - before;
    console.log(
      `${requests.length} refused requests in ${seconds.toFixed(1)} s added ${added} events (at most ${2 * MAX_KEYS + 1} per window with maxKeys ${MAX_KEYS})`,
    );
    expect(added).toBeLessThanOrEqual(2 * MAX_KEYS + 1);

    const { rows } = await api.devdb.pool.query<{ action: string; actor: string; n: number }>(
      `SELECT action, actor,
              sum(CASE WHEN jsonb_typeof(detail->'refusals') = 'number'
                       THEN (detail->>'refusals')::int ELSE 1 END)::int AS n
         FROM provisioning.events WHERE id > $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [first[0]!.id],
    );
    const total = rows.reduce((sum, row) => sum + row.n, 0);
    expect(total).toBe(requests.length);
    const of = (action: string, actor: string) =>
      rows.filter((r) => r.action === action && r.actor === actor).reduce((s, r) => s + r.n, 0);
    // The viewer's and the admin's keys come first; of the 3,000 addresses only some are followed.
    expect(of('database.archive.failed', 'api:viewer')).toBe(4000);
    expect(of('database.connections.failed', 'api:admin')).toBe(3000);
    const overflow = of('api.refused', 'api');
    expect(overflow).toBeGreaterThan(0);
    expect(of('api.unauthenticated', 'api') + overflow).toBe(3000);

    // /metrics still counts every refused change.
    const metrics = await api.call('GET', '/metrics', { token: api.tokens.viewer });
    expect(metrics.text).toContain('devdb_provisioning_errors_total{kind="database.archive"} 4000');
    expect(metrics.text).toContain(
      'devdb_provisioning_errors_total{kind="database.connections"} 3000',
    );
  }, 240_000);
});

describe('failed logins behind a reverse proxy', () => {
  const login = (url: string, token: string, forwardedFor?: string) =>
    fetch(`${url}/api/v1/session`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
      },
      body: JSON.stringify({ token }),
    }).then((res) => res.status);

  async function planeWith(trustedProxies: string[]): Promise<string> {
    const started = await plane({
      loginLimit: { max: 3, windowMs: 60_000 },
      ...(trustedProxies.length ? { trustedProxies } : {}),
    });
    return started.url;
  }

  it('two clients behind one trusted proxy are limited separately', async () => {
    const url = await planeWith(['127.0.0.1']);
    for (let i = 0; i < 3; i++) expect(await login(url, `devdb_typo${i}`, '203.0.113.1')).toBe(401);
    expect(await login(url, api.tokens.admin, '203.0.113.1')).toBe(429);
    // The other client behind the same proxy is not locked out.
    expect(await login(url, api.tokens.admin, '203.0.113.2')).toBe(201);
    // A proxy appends the address it saw: the client is the last one before the trusted hops.
    expect(await login(url, api.tokens.admin, '10.9.9.9, 203.0.113.1')).toBe(429);
    expect(await login(url, api.tokens.admin, '203.0.113.1, 203.0.113.3')).toBe(201);
  });

  it('a token prefix tried from many addresses is limited too', async () => {
    const url = await planeWith(['127.0.0.1']);
    const prefix = 'devdb_SaMePrEf';
    for (let i = 0; i < 3; i++) {
      expect(await login(url, `${prefix}guess${i}`, `198.51.100.${i + 1}`)).toBe(401);
    }
    expect(await login(url, `${prefix}guess9`, '198.51.100.200')).toBe(429);
    expect(await login(url, api.tokens.admin, '198.51.100.200')).toBe(201);
  });

  it('without a trusted proxy, X-Forwarded-For is not believed: the socket is the client', async () => {
    const url = await planeWith([]);
    for (let i = 0; i < 3; i++)
      expect(await login(url, `devdb_typo${i}`, `192.0.2.${i}`)).toBe(401);
    expect(await login(url, api.tokens.admin, '192.0.2.77')).toBe(429);
  });
});
