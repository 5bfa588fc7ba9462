import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CoderClient,
  CoderError,
  retryAfterMs,
  type CoderClientOptions,
} from '../../server/coder/client.js';
import { startCoderApiStandIn, type CoderApiStandIn } from '../coder-api/server.js';

// The Coder REST API client against the stand-in (test/coder-api/server.ts): real
// HTTP, the real paths and semantics, faults injected; back-off sleeps recorded,
// never waited.

let coder: CoderApiStandIn;
const clients: CoderClient[] = [];
let slept: number[];

function client(options: Partial<CoderClientOptions> = {}): CoderClient {
  const made = new CoderClient({
    url: coder.url,
    token: coder.token,
    tokenSource: 'CODER_SESSION_TOKEN',
    urlSource: 'CODER_URL',
    sleep: async (ms) => void slept.push(ms),
    ...options,
  });
  clients.push(made);
  return made;
}

/** The error `work` rejects with, checked to be a CoderError. */
async function failure(work: Promise<unknown>): Promise<CoderError> {
  const error = await work.then(
    () => expect.fail('expected a CoderError'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CoderError);
  return error as CoderError;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  coder = await startCoderApiStandIn();
});

afterEach(async () => {
  slept = [];
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await coder?.close();
});

slept = [];

describe('Coder API client: the endpoints', () => {
  it('sends the token in Coder-Session-Token on every request and reads its own user', async () => {
    const me = await client().me();
    expect(me).toMatchObject({ id: coder.admin.id, username: 'admin', status: 'active' });
    expect(me.roles).toEqual([expect.objectContaining({ name: 'owner', organization_id: '' })]);
    expect(coder.requests.at(-1)).toMatchObject({ path: '/api/v2/users/me', token: coder.token });
  });

  it('reads a workspace by id with the fields DevDB uses', async () => {
    const alice = coder.addUser({ username: 'alice' });
    const ws = coder.addWorkspace({ name: 'dev', ownerId: alice.id, transition: 'stop' });
    const found = await client().workspace(ws.id);
    expect(found).toMatchObject({
      id: ws.id,
      name: 'dev',
      owner_id: alice.id,
      owner_name: 'alice',
      template_name: 'contractor-workspace',
      dormant_at: null,
      deleting_at: null,
      latest_build: { transition: 'stop', status: 'stopped' },
    });
    expect(Date.parse(found!.last_used_at)).toBe(ws.lastUsedAt.getTime());
  });

  it.each([410, 404] as const)(
    'a deleted workspace (%i without include_deleted) is null, and found with include_deleted',
    async (status) => {
      const standIn = await startCoderApiStandIn({ deletedWorkspaceStatus: status });
      try {
        const c = client({ url: standIn.url, token: standIn.token });
        const ws = standIn.addWorkspace({ name: 'gone', ownerId: standIn.admin.id });
        standIn.deleteWorkspace(ws.id);
        expect(await c.workspace(ws.id)).toBeNull();
        const deleted = await c.workspace(ws.id, { includeDeleted: true });
        expect(deleted).toMatchObject({
          id: ws.id,
          latest_build: { transition: 'delete', status: 'deleted' },
        });
        expect(standIn.requests.map((r) => [r.path, r.query])).toEqual([
          [`/api/v2/workspaces/${ws.id}`, {}],
          [`/api/v2/workspaces/${ws.id}`, { include_deleted: 'true' }],
        ]);
      } finally {
        await standIn.close();
      }
    },
  );

  it('an unknown workspace id is null both ways, and 404 is not retried', async () => {
    const c = client();
    const id = '7f4c2b1e-0000-4000-8000-000000000001';
    expect(await c.workspace(id)).toBeNull();
    expect(await c.workspace(id, { includeDeleted: true })).toBeNull();
    expect(slept).toEqual([]);
  });

  it('reads users by id and by name; a deleted user is a tombstone by id and unknown by name', async () => {
    const c = client();
    const bob = coder.addUser({ username: 'bob', status: 'suspended' });
    expect(await c.user(bob.id)).toMatchObject({
      id: bob.id,
      username: 'bob',
      status: 'suspended',
    });
    expect(await c.user('bob')).toMatchObject({ id: bob.id });
    expect(await c.user('7f4c2b1e-0000-4000-8000-000000000002')).toBeNull(); // coderd: 400
    coder.deleteUser(bob.id);
    expect(await c.user(bob.id)).toMatchObject({ id: bob.id });
    expect(await c.user('bob')).toBeNull();
  });

  it('pages through the workspace listing with limit and offset, never listing deleted ones', async () => {
    const standIn = await startCoderApiStandIn();
    try {
      const c = client({ url: standIn.url, token: standIn.token });
      const made = Array.from({ length: 5 }, (_, i) =>
        standIn.addWorkspace({ name: `ws${i}`, ownerId: standIn.admin.id }),
      );
      standIn.deleteWorkspace(made[4]!.id);
      const pages: number[] = [];
      const all = await c.allWorkspaces({
        pageSize: 2,
        onPage: (seen, count) => pages.push(seen, count),
      });
      expect(all.map((w) => w.name)).toEqual(['ws0', 'ws1', 'ws2', 'ws3']);
      expect(pages).toEqual([2, 4, 4, 4]);
      expect(standIn.requests.map((r) => r.query)).toEqual([
        { limit: '2' },
        { limit: '2', offset: '2' },
      ]);
      const page = await c.workspacesPage({ q: 'name:ws1', limit: 10 });
      expect(page).toMatchObject({ count: 1, workspaces: [{ name: 'ws1' }] });
    } finally {
      await standIn.close();
    }
  });

  it('pages through the user listing with after_id, never listing deleted ones', async () => {
    const standIn = await startCoderApiStandIn();
    try {
      const c = client({ url: standIn.url, token: standIn.token });
      const users = ['carol', 'dave', 'erin', 'frank'].map((username) =>
        standIn.addUser({ username }),
      );
      standIn.deleteUser(users[1]!.id);
      const all = await c.allUsers({ pageSize: 2 });
      expect(all.map((u) => u.username)).toEqual(['admin', 'carol', 'erin', 'frank']);
      expect(standIn.requests.map((r) => r.query)).toEqual([
        { limit: '2' },
        { limit: '2', after_id: users[0]!.id },
        { limit: '2', after_id: users[3]!.id },
      ]);
      expect(await c.usersPage({ q: 'status:active', limit: 0 })).toMatchObject({ count: 4 });
    } finally {
      await standIn.close();
    }
  });
});

describe('Coder API client: retries', () => {
  it('retries a 429 after the Retry-After Coder sends, then succeeds', async () => {
    coder.failNext({ status: 429, retryAfter: '7' }, 2);
    expect(await client().me()).toMatchObject({ username: 'admin' });
    expect(slept).toEqual([7000, 7000]);
  });

  it('backs off exponentially on 5xx, and caps each wait', async () => {
    coder.failNext({ status: 500 }, 2);
    coder.failNext({ status: 503 }, 1);
    coder.failNext({ status: 429 }, 1); // no Retry-After: the exponential back-off
    await client({ backoffMs: 100, maxBackoffMs: 500 }).me();
    expect(slept).toEqual([100, 200, 400, 500]);
  });

  it('gives up after the last retry, saying what Coder answered', async () => {
    coder.failNext({ status: 502 }, 3);
    const error = await failure(client({ retries: 2 }).me());
    expect(error.message).toBe(
      `Coder at ${coder.url} answered 502 (Injected fault 502.) to GET /api/v2/users/me after 3 attempts`,
    );
    expect(error.status).toBe(502);
    expect(slept).toEqual([500, 1000]);
  });

  it('never retries another 4xx', async () => {
    const before = coder.requests.length;
    const error = await failure(client().workspace('not-a-uuid'));
    expect(error.message).toMatch(
      /answered 400 \(Invalid UUID "not-a-uuid"\.\) to GET \/api\/v2\/workspaces\/not-a-uuid$/,
    );
    expect(coder.requests.length - before).toBe(1);
    expect(slept).toEqual([]);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('Coder API client: errors say what to check, never the token', () => {
  it('401 for a wrong token: one line naming where the token came from', async () => {
    const secret = 'a1b2c3d4e5-0123456789abcdef012345';
    const error = await failure(client({ token: secret, tokenSource: 'CODER_SESSION_TOKEN' }).me());
    expect(error.message).toBe(
      `Coder rejected the token (401: API key is invalid.): check CODER_SESSION_TOKEN for ${coder.url}; ` +
        'an admin makes one with `coder tokens create --lifetime 720h`',
    );
    expect(error.status).toBe(401);
    expect(error.message).not.toContain(secret);
    expect(coder.requests.at(-1)!.token).toBe(secret);
    expect(slept).toEqual([]);
  });

  it('403: the token may not read what DevDB needs', async () => {
    coder.failNext({ status: 403 });
    const error = await failure(
      client({ tokenSource: 'the token file /etc/devdb/coder-token' }).workspacesPage({ limit: 1 }),
    );
    expect(error.message).toBe(
      'Coder refused GET /api/v2/workspaces?limit=1 (403: Injected fault 403.): the token from the token ' +
        'file /etc/devdb/coder-token may not read every workspace and user; use a token of an Owner or a ' +
        'Template Admin (`coder tokens create --lifetime 720h` as that user)',
    );
  });

  it('connection refused names the URL without its credentials', async () => {
    const port = await closedPort();
    const error = await failure(
      client({ url: `http://someone:hunter2@127.0.0.1:${port}/`, urlSource: '--coder-url' }).me(),
    );
    expect(error.message).toBe(
      `cannot reach Coder at http://127.0.0.1:${port} (connection refused): check --coder-url`,
    );
    expect(error.status).toBeUndefined();
    expect(slept).toEqual([]);
  });

  it('an unknown host', async () => {
    const error = await failure(client({ url: 'http://coder.devdb-test.invalid' }).me());
    expect(error.message).toBe(
      'cannot reach Coder at http://coder.devdb-test.invalid (host not found): check CODER_URL',
    );
  });

  it('a slow Coder: the timeout, with what to raise', async () => {
    coder.failNext({ delayMs: 5_000 });
    const error = await failure(client({ timeoutMs: 200 }).me());
    expect(error.message).toBe(
      `Coder at ${coder.url} did not answer GET /api/v2/users/me within 0.2 s: check CODER_URL, ` +
        'or allow longer (--coder-timeout, setting coder_timeout_seconds)',
    );
  });

  it('a path where Coder has no API', async () => {
    const c = client({ url: `${coder.url}/not-coder`, urlSource: 'CODER_URL' });
    const error = await failure(c.me());
    expect(error.message).toBe(
      `Coder at ${coder.url}/not-coder answered 404 (Route not found.) to GET /not-coder/api/v2/users/me`,
    );
  });

  it('an address that is not Coder: a page that is not JSON', async () => {
    const web = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>welcome</html>');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
      const error = await failure(client({ url }).me());
      expect(error.message).toBe(
        `${url} did not answer GET /api/v2/users/me with JSON: is CODER_URL Coder's address?`,
      );
    } finally {
      web.closeAllConnections();
      await new Promise((resolve) => web.close(resolve));
    }
  });

  it('refuses a URL that is not http(s), without echoing it', () => {
    expect(() => client({ url: 'postgres://u:pw@host/db' })).toThrow(
      'the Coder URL from CODER_URL must start with https:// or http://',
    );
    expect(() => client({ url: 'coder.example.com' })).toThrow(
      'the Coder URL from CODER_URL is not a URL: expected e.g. https://coder.example.com',
    );
  });
});
