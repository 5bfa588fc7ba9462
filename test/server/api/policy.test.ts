/**
 * The admin side over real HTTP: policy states, protection, live sessions, the
 * orphans queue (without Coder, and with Coder half-configured) and cleanup's
 * plan and run, with the server's clock moved (devdb.clock); every response
 * checked against the OpenAPI document (harness.ts).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachWorkspace,
  databaseState,
  ensureIndividualDatabase,
  listEvents,
  withCleanupLock,
  workspaceEndpoint,
} from '../../../provisioning/index.js';
import { startApiHarness, type ApiHarness } from './harness.js';

const DAY = 86_400_000;
let api: ApiHarness;
const env: Record<string, string | undefined> = {};

beforeAll(async () => {
  api = await startApiHarness({ env });
  for (const owner of ['gail', 'hugo']) {
    await ensureIndividualDatabase(api.devdb.pool, { owner, actor: 'test' });
  }
});

afterAll(async () => {
  await api?.stop();
});

const admin = () => ({ token: api.tokens.admin });
const viewer = () => ({ token: api.tokens.viewer });

describe('policy and protection', () => {
  it('lists states; admins protect and unprotect, viewers may not; events name the token', async () => {
    const states = await api.call('GET', '/api/v1/policy', viewer());
    expect(states.status).toBe(200);
    expect(states.json.items.map((s: { database: string }) => s.database)).toEqual([
      'dev_gail',
      'dev_hugo',
    ]);
    expect(states.json.items[0]).toMatchObject({ state: 'active', protected: false });

    const refused = await api.call('PUT', '/api/v1/databases/dev_gail/protection', {
      ...viewer(),
      body: { reason: 'demo' },
    });
    expect(refused.status).toBe(403);

    const until = new Date(Date.now() + 30 * DAY).toISOString();
    const protectedState = await api.call('PUT', '/api/v1/databases/dev_gail/protection', {
      ...admin(),
      body: { reason: 'quarterly demo', until },
    });
    expect(protectedState.status).toBe(200);
    expect(protectedState.json).toMatchObject({
      database: 'dev_gail',
      protected: true,
      protectReason: 'quarterly demo',
    });
    const missing = await api.call('PUT', '/api/v1/databases/dev_nobody/protection', {
      ...admin(),
      body: {},
    });
    expect(missing.status).toBe(404);

    const events = await api.call('GET', '/api/v1/events?database=dev_gail', admin());
    expect(JSON.stringify(events.json)).toContain('api:admin');

    const removed = await api.call('DELETE', '/api/v1/databases/dev_gail/protection', admin());
    expect(removed.json).toEqual({ removed: true });
    const again = await api.call('DELETE', '/api/v1/databases/dev_gail/protection', admin());
    expect(again.json).toEqual({ removed: false });
  });
});

describe('sessions', () => {
  it('lists live sessions per user and ends them', async () => {
    const endpoint = workspaceEndpoint(api.devdb.provisionerUrl);
    const attached = await attachWorkspace(api.devdb.pool, endpoint, {
      type: 'individual',
      owner: 'hugo',
      workspaceId: 'ws-hugo',
      actor: 'test',
    });
    const url = new URL(api.devdb.provisionerUrl);
    const client = new pg.Client({
      host: url.hostname,
      port: Number(url.port),
      database: 'dev_hugo',
      user: attached.user,
      password: attached.password,
    });
    client.on('error', () => {}); // terminated below, on purpose
    await client.connect();
    try {
      const listed = await api.call('GET', '/api/v1/databases/dev_hugo/sessions', viewer());
      expect(listed.json.items).toEqual([
        expect.objectContaining({ database: 'dev_hugo', user: attached.user, sessions: 1 }),
      ]);
      const ended = await api.call('DELETE', '/api/v1/databases/dev_hugo/sessions', admin());
      expect(ended.status).toBe(200);
      expect(ended.json.terminated).toBe(1);
      const after = await api.call('GET', '/api/v1/databases/dev_hugo/sessions', viewer());
      expect(after.json.items).toEqual([]);
    } finally {
      await client.end().catch(() => {});
    }
  });
});

describe('orphans', () => {
  it('without Coder: the registry-only findings, and which checks were skipped and why', async () => {
    const report = await api.call('GET', '/api/v1/orphans', viewer());
    expect(report.status).toBe(200);
    expect(report.json.skipped.length).toBeGreaterThan(0);
    expect(report.json.skipped[0].reason).toMatch(/Coder is not configured/);
  });

  it('a token without a URL is a 503 that says what to set', async () => {
    env.CODER_SESSION_TOKEN = 'not-printed-token';
    try {
      const report = await api.call('GET', '/api/v1/orphans', viewer());
      expect(report.status).toBe(503);
      expect(report.json.error.code).toBe('coder_unavailable');
      expect(report.json.error.message).toMatch(/CODER_URL/);
      expect(report.text).not.toContain('not-printed-token');
    } finally {
      delete env.CODER_SESSION_TOKEN;
    }
  });
});

describe('policy settings', () => {
  it('shows them (the webhook by its origin) and changes them, checked; what serve does on its own too', async () => {
    const shown = await api.call('GET', '/api/v1/policy/settings', viewer());
    expect(shown.status).toBe(200);
    expect(shown.json).toEqual({
      idleDays: 30,
      staleDays: 60,
      eligibleDays: 90,
      archiveRetentionDays: 30,
      webhookUrl: null,
      autoAction: 'notify',
    });
    const change = (body: unknown, who = admin()) =>
      api.call('PATCH', '/api/v1/policy/settings', { ...who, body });
    expect((await change({ autoAction: 'archive' }, viewer())).status).toBe(403);
    const changed = await change({
      autoAction: 'archive-and-drop',
      webhookUrl: 'https://hooks.example.com/services/T0/B0/secret',
    });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({
      autoAction: 'archive-and-drop',
      webhookUrl: 'https://hooks.example.com/…',
    });
    expect(changed.text).not.toContain('secret');
    const [event] = await listEvents(api.devdb.pool, { limit: 1 });
    expect(event).toMatchObject({
      action: 'policy.settings',
      actor: 'api:admin',
      detail: { autoAction: 'archive-and-drop', webhookUrl: 'https://hooks.example.com/…' },
    });
    expect((await change({ autoAction: 'drop-everything' })).status).toBe(400);
    const order = await change({ staleDays: 10 });
    expect(order.status).toBe(400);
    expect(order.json.error.message).toMatch(/each must be more days than the one before/);
    expect((await change({})).status).toBe(400);
    const back = await change({ autoAction: null, webhookUrl: null });
    expect(back.json).toMatchObject({ autoAction: 'notify', webhookUrl: null });
  });
});

describe('cleanup', () => {
  it('is one at a time: while another cleanup runs, POST /cleanup is a 409 saying whose', async () => {
    await withCleanupLock(api.devdb.pool, {}, async () => {
      const busy = await api.call('POST', '/api/v1/cleanup', admin());
      expect(busy.status).toBe(409);
      expect(busy.json.error.message).toMatch(
        /^another cleanup is running \(pid \d+ on .+, since \S+Z\)/,
      );
    });
  });

  it('plans, then archives what is eligible 95 days on; viewers may only look', async () => {
    await api.devdb.clock.shift(95 * DAY); // the server's clock: the policy's decisions are its own
    try {
      const plan = await api.call('GET', '/api/v1/cleanup', viewer());
      expect(plan.status).toBe(200);
      expect(plan.json.actions).toContainEqual(
        expect.objectContaining({ kind: 'archive', database: 'dev_gail' }),
      );
      expect((await api.call('POST', '/api/v1/cleanup', viewer())).status).toBe(403);

      const run = await api.call('POST', '/api/v1/cleanup', admin());
      expect(run.status).toBe(200);
      expect(run.json.results).toContainEqual(
        expect.objectContaining({
          action: expect.objectContaining({ kind: 'archive', database: 'dev_gail' }),
          outcome: 'done',
        }),
      );
      expect((await databaseState(api.devdb.pool, 'dev_gail')).status).toBe('archived');
    } finally {
      await api.devdb.clock.reset();
    }
  });
});
