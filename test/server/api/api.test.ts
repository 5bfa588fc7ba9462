/**
 * The REST API over real HTTP against a real PostgreSQL: the auth matrix, the
 * cookie session with its CSRF token, request errors, paging edges, each
 * resource, and every JSON response checked against the served OpenAPI
 * document (harness.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachWorkspace,
  databaseState,
  detachWorkspace,
  ensureIndividualDatabase,
  ensureTeamDatabase,
} from '../../../provisioning/index.js';
import { tryConnect } from '../../helpers/devdb.js';
import { cookieHeader, startApiHarness, type ApiHarness } from './harness.js';

let api: ApiHarness;
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);

beforeAll(async () => {
  api = await startApiHarness({ now, loginLimit: { max: 3, windowMs: 60_000 } });
  for (const owner of ['anna', 'ben', 'cleo', 'dora']) {
    await ensureIndividualDatabase(api.devdb.pool, { owner, actor: 'test' });
  }
  await ensureTeamDatabase(api.devdb.pool, { team: 'frontend', actor: 'test' });
});

afterAll(async () => {
  await api?.stop();
});

describe('authentication and roles', () => {
  it('needs a token: none, garbage and revoked ones get 401 with WWW-Authenticate', async () => {
    for (const token of [undefined, 'nonsense', 'devdb_not-a-real-token', api.tokens.revoked]) {
      const res = await api.call('GET', '/api/v1/databases', { token });
      expect(res.status, String(token)).toBe(401);
      expect(res.json.error.code).toBe('unauthenticated');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const malformed = await api.call('GET', '/api/v1/databases', {
      headers: { authorization: 'Basic abc' },
    });
    expect(malformed.status).toBe(401);
  });

  it('viewers read, admins read and change; viewers get 403 on changes', async () => {
    for (const token of [api.tokens.viewer, api.tokens.admin]) {
      expect((await api.call('GET', '/api/v1/databases', { token })).status).toBe(200);
    }
    const denied = await api.call('PUT', '/api/v1/databases/dev_anna/connections', {
      token: api.tokens.viewer,
      body: { allowed: true },
    });
    expect(denied.status).toBe(403);
    expect(denied.json.error.message).toMatch(/viewer.*admin/);
    const allowed = await api.call('PUT', '/api/v1/databases/dev_anna/connections', {
      token: api.tokens.admin,
      body: { allowed: true },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.json).toMatchObject({
      name: 'dev_anna',
      connectionsAllowed: true,
      changed: false,
    });
  });

  it('health endpoints are public', async () => {
    expect((await api.call('GET', '/healthz')).json).toEqual({ status: 'ok' });
    const ready = await api.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json.checks.map((c: { name: string }) => c.name)).toEqual([
      'postgresql',
      'migrations',
      'backups',
    ]);
  });

  it('records when a token was last used', async () => {
    const { rows } = await api.devdb.pool.query(
      `SELECT name, last_used_at FROM provisioning.api_tokens WHERE name = 'viewer'`,
    );
    expect(rows[0].last_used_at).toBeInstanceOf(Date);
  });
});

describe('dashboard session (cookie + CSRF)', () => {
  async function login(token: string) {
    const res = await api.call('POST', '/api/v1/session', { body: { token } });
    expect(res.status).toBe(201);
    return { cookie: cookieHeader(res.headers), csrf: res.json.csrfToken as string, res };
  }

  it('sets an HttpOnly, SameSite=Strict session cookie (not Secure without TLS) and a CSRF cookie', async () => {
    const { res, csrf } = await login(api.tokens.viewer);
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('devdb_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Strict/i);
    expect(session).not.toMatch(/Secure/i);
    const csrfCookie = cookies.find((c) => c.startsWith('devdb_csrf='))!;
    expect(csrfCookie).toContain(`devdb_csrf=${csrf}`);
    expect(csrfCookie).not.toMatch(/HttpOnly/i);
    expect(res.json).toMatchObject({ name: 'viewer', role: 'viewer' });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('reads with the cookie alone; changes need the right CSRF token', async () => {
    const { cookie, csrf } = await login(api.tokens.admin);
    expect((await api.call('GET', '/api/v1/session', { cookie })).json).toEqual({
      name: 'admin',
      role: 'admin',
    });
    const body = { allowed: true };
    const path = '/api/v1/databases/dev_ben/connections';
    const missing = await api.call('PUT', path, { cookie, body });
    expect(missing.status).toBe(403);
    expect(missing.json.error.code).toBe('csrf_failed');
    const wrong = await api.call('PUT', path, { cookie, body, csrf: `${csrf}x` });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.code).toBe('csrf_failed');
    expect((await api.call('PUT', path, { cookie, body, csrf })).status).toBe(200);
    // Logging out needs it too, and ends the session.
    expect((await api.call('DELETE', '/api/v1/session', { cookie })).status).toBe(403);
    expect((await api.call('DELETE', '/api/v1/session', { cookie, csrf })).status).toBe(204);
    expect((await api.call('GET', '/api/v1/session', { cookie })).status).toBe(401);
  });

  it('a viewer session cannot change anything, CSRF token or not', async () => {
    const { cookie, csrf } = await login(api.tokens.viewer);
    const res = await api.call('PUT', '/api/v1/databases/dev_ben/connections', {
      cookie,
      csrf,
      body: { allowed: true },
    });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('forbidden');
  });

  it('limits failed logins per address, then lets them try again after the window', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await api.call('POST', '/api/v1/session', { body: { token: 'devdb_wrong' } });
      expect(res.status).toBe(401);
    }
    const limited = await api.call('POST', '/api/v1/session', {
      body: { token: api.tokens.admin },
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    offsetMs += 61_000;
    await login(api.tokens.admin);
  });

  it('a revoked token ends its sessions', async () => {
    const { createApiToken, revokeApiToken } = await import('../../../provisioning/index.js');
    const temp = await createApiToken(api.devdb.pool, { name: 'temp', role: 'viewer' });
    const { cookie } = await login(temp.token);
    expect((await api.call('GET', '/api/v1/session', { cookie })).status).toBe(200);
    await revokeApiToken(api.devdb.pool, { name: 'temp' });
    expect((await api.call('GET', '/api/v1/session', { cookie })).status).toBe(401);
  });
});

describe('request errors', () => {
  const token = () => api.tokens.admin;

  it('bad JSON is 400 invalid_json', async () => {
    const res = await api.call('PATCH', '/api/v1/settings', {
      token: token(),
      rawBody: '{"lock_timeout": ',
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_json');
  });

  it('an oversized body is 413', async () => {
    const res = await api.call('PATCH', '/api/v1/settings', {
      token: token(),
      rawBody: JSON.stringify({ public_host: 'x'.repeat(70 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('payload_too_large');
  });

  it('an unknown field is 400 and named', async () => {
    const res = await api.call('PUT', '/api/v1/databases/dev_anna/connections', {
      token: token(),
      body: { allowed: true, terminat: true },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('"terminat"');
    const query = await api.call('GET', '/api/v1/databases?colour=blue', { token: token() });
    expect(query.status).toBe(400);
  });

  it('a body that is not JSON is 415', async () => {
    const res = await api.call('PUT', '/api/v1/databases/dev_anna/connections', {
      token: token(),
      rawBody: 'allowed=true',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
  });

  it('unknown routes and databases are 404 in the same shape', async () => {
    const route = await api.call('GET', '/api/v1/nothing-here', { token: api.tokens.viewer });
    expect(route.status).toBe(404);
    expect(route.json.error.code).toBe('not_found');
    for (const path of ['', '/stats', '/attachments', '/slow-queries']) {
      const res = await api.call('GET', `/api/v1/databases/dev_nobody${path}`, { token: token() });
      expect(res.status, path).toBe(404);
      expect(res.json.error.message).toMatch(/GET \/api\/v1\/databases lists/);
    }
    const archive = await api.call('POST', '/api/v1/databases/dev_nobody/archive', {
      token: token(),
    });
    expect(archive.status).toBe(404);
  });
});

describe('databases', () => {
  const admin = () => ({ token: api.tokens.admin });

  it('pages with limit and offset, with the total, at the edges too', async () => {
    const all = await api.call('GET', '/api/v1/databases?limit=500', admin());
    const total = all.json.total as number;
    expect(total).toBe(all.json.items.length);
    const first = await api.call('GET', '/api/v1/databases?limit=2', admin());
    expect(first.json).toMatchObject({ total, limit: 2, offset: 0 });
    expect(first.json.items.map((d: { name: string }) => d.name)).toEqual(
      all.json.items.slice(0, 2).map((d: { name: string }) => d.name),
    );
    const last = await api.call('GET', `/api/v1/databases?limit=2&offset=${total - 1}`, admin());
    expect(last.json.items).toHaveLength(1);
    const past = await api.call('GET', `/api/v1/databases?offset=${total}`, admin());
    expect(past.json).toMatchObject({ items: [], total });
    for (const bad of ['limit=0', 'limit=501', 'offset=-1', 'limit=two', 'sort=colour']) {
      expect((await api.call('GET', `/api/v1/databases?${bad}`, admin())).status, bad).toBe(400);
    }
  });

  it('filters and sorts', async () => {
    const teams = await api.call('GET', '/api/v1/databases?type=team', admin());
    expect(teams.json.items.map((d: { name: string }) => d.name)).toEqual(['team_frontend']);
    const ben = await api.call('GET', '/api/v1/databases?owner=ben', admin());
    expect(ben.json.items.map((d: { name: string }) => d.name)).toEqual(['dev_ben']);
    const search = await api.call('GET', '/api/v1/databases?search=OR', admin());
    expect(search.json.items.map((d: { name: string }) => d.name)).toEqual(['dev_dora']);
    const desc = await api.call(
      'GET',
      '/api/v1/databases?sort=name&order=desc&type=individual',
      admin(),
    );
    const names = desc.json.items.map((d: { name: string }) => d.name);
    expect(names).toEqual([...names].sort().reverse());
    const bySize = await api.call('GET', '/api/v1/databases?sort=size&order=desc', admin());
    const sizes = bySize.json.items.map((d: { sizeBytes: number }) => d.sizeBytes);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(bySize.json.items[0].sizeBytes).toBeGreaterThan(0);
  });

  it('creates a database with a credential shown once, then refuses the same workspace again', async () => {
    const body = {
      type: 'individual',
      owner: 'erin',
      credential: { workspaceId: 'ws-erin-1', workspaceName: 'main' },
    };
    const res = await api.call('POST', '/api/v1/databases', { ...admin(), body });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json).toMatchObject({
      created: true,
      database: { name: 'dev_erin', owner: 'erin' },
    });
    const { user, password } = res.json.credential;
    const login = await tryConnect(api.devdb.url(user, password, 'dev_erin'));
    expect(login).toMatchObject({ ok: true });
    const again = await api.call('POST', '/api/v1/databases', { ...admin(), body });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toMatch(/already attached/);
    const detail = await api.call('GET', '/api/v1/databases/dev_erin', admin());
    expect(detail.json.attachments).toHaveLength(1);
    expect(JSON.stringify(detail.json)).not.toContain(password);
  });

  it('creates team databases, and ensures an existing one with 200', async () => {
    const created = await api.call('POST', '/api/v1/databases', {
      ...admin(),
      body: { type: 'team', team: 'backend' },
    });
    expect(created.status).toBe(201);
    const existing = await api.call('POST', '/api/v1/databases', {
      ...admin(),
      body: { type: 'team', team: 'backend' },
    });
    expect(existing.status).toBe(200);
    expect(existing.json.created).toBe(false);
    const bad = await api.call('POST', '/api/v1/databases', {
      ...admin(),
      body: { type: 'team', team: 'Bad Name' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/team name/);
  });

  it('stats and attachments', async () => {
    const stats = await api.call('GET', '/api/v1/databases/dev_erin/stats', admin());
    expect(stats.json).toMatchObject({
      name: 'dev_erin',
      status: 'active',
      exists: true,
      connectionsAllowed: true,
    });
    expect(stats.json.sizeBytes).toBeGreaterThan(0);
    const attachments = await api.call('GET', '/api/v1/databases/dev_erin/attachments', admin());
    expect(attachments.json.items.map((a: { workspaceId: string }) => a.workspaceId)).toEqual([
      'ws-erin-1',
    ]);
  });

  it('disables connections (ending sessions on request), keeps them closed across an attach, and enables them again', async () => {
    const attached = await attachWorkspace(api.devdb.pool, api.devdb.endpoint, {
      type: 'individual',
      owner: 'fay',
      workspaceId: 'ws-fay-1',
    });
    const url = api.devdb.url(attached.user, attached.password, 'dev_fay');
    expect(await tryConnect(url)).toMatchObject({ ok: true });
    const path = '/api/v1/databases/dev_fay/connections';
    const off = await api.call('PUT', path, {
      ...admin(),
      body: { allowed: false, terminate: true },
    });
    expect(off.json).toMatchObject({ connectionsAllowed: false, changed: true });
    expect(await tryConnect(url)).toMatchObject({ ok: false });
    // Not drift: nothing reports or repairs it, and another attach leaves it closed.
    expect((await databaseState(api.devdb.pool, 'dev_fay')).accessDrift).toEqual([]);
    await expect(
      attachWorkspace(api.devdb.pool, api.devdb.endpoint, {
        type: 'individual',
        owner: 'fay',
        workspaceId: 'ws-fay-2',
      }),
    ).rejects.toThrow(/closed to connections by an admin.*allow connections again/);
    expect(await tryConnect(url)).toMatchObject({ ok: false });
    expect(
      (await api.call('GET', '/api/v1/databases/dev_fay/stats', admin())).json.connectionsAllowed,
    ).toBe(false);
    const on = await api.call('PUT', path, { ...admin(), body: { allowed: true } });
    expect(on.json).toMatchObject({ connectionsAllowed: true, changed: true });
    expect(await tryConnect(url)).toMatchObject({ ok: true });
  });

  it('archives only without attachments (409 otherwise), and restores from the archive', async () => {
    const busy = await api.call('POST', '/api/v1/databases/dev_fay/archive', admin());
    expect(busy.status).toBe(409);
    expect(busy.json.error.message).toMatch(/attached workspace/);
    await detachWorkspace(api.devdb.pool, { workspaceId: 'ws-fay-1' });
    const archived = await api.call('POST', '/api/v1/databases/dev_fay/archive', admin());
    expect(archived.json).toEqual({ name: 'dev_fay', action: 'archived' });
    const closed = await api.call('PUT', '/api/v1/databases/dev_fay/connections', {
      ...admin(),
      body: { allowed: true },
    });
    expect(closed.status).toBe(409);
    expect(closed.json.error.message).toMatch(/archived.*restore it first/);
    const restored = await api.call('POST', '/api/v1/databases/dev_fay/restore', admin());
    expect(restored.json).toEqual({ name: 'dev_fay', restored: true });
    expect(
      (await api.call('POST', '/api/v1/databases/dev_fay/restore', admin())).json.restored,
    ).toBe(false);
  });

  it('says how to enable slow queries when pg_stat_statements is not there', async () => {
    const res = await api.call('GET', '/api/v1/databases/dev_anna/slow-queries', admin());
    expect(res.json).toMatchObject({ available: false, items: [] });
    expect(res.json.howToEnable).toMatch(
      /shared_preload_libraries.*CREATE EXTENSION pg_stat_statements/,
    );
  });

  it('summary adds up', async () => {
    const res = await api.call('GET', '/api/v1/summary', { token: api.tokens.viewer });
    expect(res.json.byType.individual + res.json.byType.team).toBe(res.json.databases);
  });
});

describe('events and settings', () => {
  const admin = () => ({ token: api.tokens.admin });

  it('every mutation is an event by api:<token name>, failures too', async () => {
    const res = await api.call('GET', '/api/v1/events?limit=1000', admin());
    const byAdmin = res.json.items.filter((e: { actor: string }) => e.actor === 'api:admin');
    const actions = new Set(byAdmin.map((e: { action: string }) => e.action));
    for (const action of [
      'database.ensure',
      'workspace.attach',
      'database.disable_connections',
      'database.enable_connections',
      'database.archive',
      'database.restore',
      'session.login',
      'database.archive.failed',
      'database.connections.failed',
      'database.create.failed',
    ]) {
      expect(actions, action).toContain(action);
    }
  });

  it('pages the audit trail with beforeId until nextBeforeId is null', async () => {
    const all = (await api.call('GET', '/api/v1/events?limit=1000', admin())).json.items;
    const seen: number[] = [];
    let beforeId: number | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const query: string = beforeId === null ? '' : `&beforeId=${beforeId}`;
      const page = (await api.call('GET', `/api/v1/events?limit=7${query}`, admin())).json;
      seen.push(...page.items.map((e: { id: number }) => e.id));
      beforeId = page.nextBeforeId;
      if (beforeId === null) break;
    }
    expect(seen).toEqual(all.map((e: { id: number }) => e.id));
    const one = await api.call('GET', '/api/v1/events?database=dev_fay&limit=1000', admin());
    expect(one.json.items.every((e: { database: string }) => e.database === 'dev_fay')).toBe(true);
    const future = await api.call(
      'GET',
      `/api/v1/events?since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`,
      admin(),
    );
    expect(future.json).toEqual({
      items: [],
      nextBeforeId: null,
      nextCursor: null,
      unreachable: [],
    });
  });

  it('reads and changes known settings only, validated, all or nothing', async () => {
    const before = await api.call('GET', '/api/v1/settings', { token: api.tokens.viewer });
    const keys = before.json.items.map((s: { key: string }) => s.key);
    expect(keys).toContain('metrics_max_database_labels');
    expect(keys).not.toContain('loopback_password');
    const unknown = await api.call('PATCH', '/api/v1/settings', {
      ...admin(),
      body: { colour: 'blue' },
    });
    expect(unknown.status).toBe(400);
    const invalid = await api.call('PATCH', '/api/v1/settings', {
      ...admin(),
      body: { backup_keep_daily: 3, lock_timeout: 'forever' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.message).toMatch(/lock_timeout.*duration/);
    const kept = (await api.call('GET', '/api/v1/settings', admin())).json.items;
    expect(kept.find((s: { key: string }) => s.key === 'backup_keep_daily').set).toBe(false);
    const changed = await api.call('PATCH', '/api/v1/settings', {
      ...admin(),
      body: { backup_keep_daily: 3, lock_timeout: '5s' },
    });
    expect(
      changed.json.items.find((s: { key: string }) => s.key === 'backup_keep_daily'),
    ).toMatchObject({ value: '3', set: true });
    const reset = await api.call('PATCH', '/api/v1/settings', {
      ...admin(),
      body: { lock_timeout: null },
    });
    expect(reset.json.items.find((s: { key: string }) => s.key === 'lock_timeout')).toMatchObject({
      value: '10s',
      set: false,
    });
    expect((await api.call('PATCH', '/api/v1/settings', { ...admin(), body: {} })).status).toBe(
      400,
    );
  });
});

describe('the OpenAPI document', () => {
  it('is served, and the responses above matched it', async () => {
    const doc = await api.call('GET', '/api/v1/openapi.json');
    expect(doc.json.openapi).toBe('3.1.0');
    expect(api.validated.size).toBeGreaterThan(30);
  });
});
