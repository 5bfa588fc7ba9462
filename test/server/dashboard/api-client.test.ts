/**
 * The dashboard's API client (server/dashboard/api/client.ts) against a fake
 * fetch, without a browser: URLs from path templates and queries, the CSRF
 * header on changes only, JSON bodies, the API's error messages, and a 401
 * ending the session except on the session routes. The type assertions are
 * checked by tsc (npx tsc -p tsconfig.json): answers are the generated types.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ApiFailure,
  apiUrl,
  createApiClient,
  csrfFromCookie,
} from '../../../server/dashboard/api/client.js';
import type { paths } from '../../../server/dashboard/api/openapi.js';
import type { Backup, DatabaseDetail, Summary } from '../../../server/dashboard/api/types.js';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  credentials: RequestCredentials | undefined;
  body: string | undefined;
}

/** A client whose fetch answers `status` and `body` (JSON unless a string), recording what was sent. */
function fake(status: number, body?: unknown) {
  const sent: Sent[] = [];
  let unauthorized = 0;
  const api = createApiClient({
    fetch: async (url, init) => {
      sent.push({
        url,
        method: init.method ?? 'GET',
        headers: init.headers as Record<string, string>,
        credentials: init.credentials,
        body: init.body as string | undefined,
      });
      const text =
        body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
      return new Response(text, { status });
    },
    csrfToken: () => 'csrf-1',
    onUnauthorized: () => unauthorized++,
  });
  return { api, sent, unauthorized: () => unauthorized };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the call should have failed'),
    (error: unknown) => {
      expect(error).toBeInstanceOf(ApiFailure);
      return error as ApiFailure;
    },
  );

describe('the API client', () => {
  it('GETs the path with its parameters and query filled in, and answers the JSON', async () => {
    const { api, sent } = fake(200, { items: [], nextBeforeId: null });
    const page = await api.get('/api/v1/events', {
      query: { database: 'dev_a b', limit: 50, beforeId: undefined },
    });
    expect(page).toEqual({ items: [], nextBeforeId: null });
    expect(sent).toEqual([
      {
        url: '/api/v1/events?database=dev_a+b&limit=50',
        method: 'GET',
        headers: {},
        credentials: 'same-origin',
        body: undefined,
      },
    ]);
    await api.get('/api/v1/databases/{name}/stats', { path: { name: 'team/x?' } });
    expect(sent[1]!.url).toBe('/api/v1/databases/team%2Fx%3F/stats');
  });

  it('sends a change as JSON with the CSRF token', async () => {
    const { api, sent } = fake(200, { name: 'dev_a', connectionsAllowed: false });
    await api.put('/api/v1/databases/{name}/connections', {
      path: { name: 'dev_a' },
      body: { allowed: false, terminate: true },
    });
    expect(sent[0]).toEqual({
      url: '/api/v1/databases/dev_a/connections',
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-csrf-token': 'csrf-1' },
      credentials: 'same-origin',
      body: '{"allowed":false,"terminate":true}',
    });
  });

  it('sends the CSRF token without a body, and answers undefined for 204', async () => {
    const { api, sent } = fake(204);
    expect(await api.delete('/api/v1/session')).toBeUndefined();
    expect(sent[0]!.headers).toEqual({ 'x-csrf-token': 'csrf-1' });
    expect(sent[0]!.body).toBeUndefined();
  });

  it("turns an error answer into an ApiFailure with the API's message and code", async () => {
    const { api, unauthorized } = fake(409, {
      error: { code: 'conflict', message: 'dev_a has a workspace attached: detach it first' },
    });
    const error = await failure(
      api.post('/api/v1/databases/{name}/archive', { path: { name: 'dev_a' } }),
    );
    expect(error.status).toBe(409);
    expect(error.code).toBe('conflict');
    expect(error.message).toBe('dev_a has a workspace attached: detach it first');
    expect(unauthorized()).toBe(0);
  });

  it('says what was asked when the answer is not JSON (a proxy in the way)', async () => {
    const { api } = fake(502, '<html>Bad Gateway</html>');
    const error = await failure(api.get('/api/v1/summary'));
    expect(error.status).toBe(502);
    expect(error.message).toBe('GET /api/v1/summary: HTTP 502: <html>Bad Gateway</html>');
    const empty = await failure(fake(500).api.get('/api/v1/summary'));
    expect(empty.message).toBe('GET /api/v1/summary: HTTP 500');
  });

  it('ends the session on a 401, except from the session routes (whose answer it is)', async () => {
    const body = { error: { code: 'unauthorized', message: 'no valid token or session' } };
    const expired = fake(401, body);
    await failure(expired.api.get('/api/v1/summary'));
    expect(expired.unauthorized()).toBe(1);
    const login = fake(401, body);
    await failure(login.api.post('/api/v1/session', { body: { token: 'devdb_wrong' } }));
    await failure(login.api.get('/api/v1/session'));
    expect(login.unauthorized()).toBe(0);
  });

  it('answers the types generated from docs/openapi.json (checked by tsc)', () => {
    const api = fake(200).api;
    expectTypeOf(api.get('/api/v1/summary')).resolves.toEqualTypeOf<Summary>();
    expectTypeOf(
      api.get('/api/v1/databases/{name}', { path: { name: 'x' } }),
    ).resolves.toEqualTypeOf<
      paths['/api/v1/databases/{name}']['get']['responses'][200]['content']['application/json']
    >();
    expectTypeOf<DatabaseDetail['database']['name']>().toEqualTypeOf<string>();
    expectTypeOf<Backup['status']>().toEqualTypeOf<'running' | 'ok' | 'failed'>();
    // What a call needs is checked too: a path parameter, a body, no unknown path.
    // @ts-expect-error the database's name is missing
    void (() => api.get('/api/v1/databases/{name}'));
    // @ts-expect-error PUT connections takes a body
    void (() => api.put('/api/v1/databases/{name}/connections', { path: { name: 'x' } }));
    // @ts-expect-error no such path
    void (() => api.get('/api/v1/nothing'));
  });
});

describe('apiUrl and csrfFromCookie', () => {
  it('refuses a template whose parameter is not given', () => {
    expect(() => apiUrl('/api/v1/backups/{id}', {})).toThrow(
      '/api/v1/backups/{id}: no value for {id}',
    );
    expect(apiUrl('/api/v1/backups/{id}', { path: { id: 7 }, query: {} })).toBe(
      '/api/v1/backups/7',
    );
  });

  it('reads the devdb_csrf cookie among others', () => {
    expect(csrfFromCookie('a=1; devdb_csrf=abc%3D%3D; b=2')).toBe('abc==');
    expect(csrfFromCookie('devdb_csrf=x')).toBe('x');
    expect(csrfFromCookie('other_devdb_csrf=y')).toBeUndefined();
    expect(csrfFromCookie('')).toBeUndefined();
  });
});
