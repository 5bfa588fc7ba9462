/**
 * The live feed (server/api/live.ts) over real WebSockets against a real
 * DevDB: one read of PostgreSQL per tick whatever the number of clients, the
 * same message to each, ticks only while someone listens, and the upgrade
 * authenticated like the rest of the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  createApiToken,
  ensureIndividualDatabase,
  revokeApiToken,
} from '../../../provisioning/index.js';
import { cookieHeader, startApiHarness, type ApiHarness } from '../api/harness.js';

let api: ApiHarness;
let cookie: string;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  // A long interval: the ticks of this test are the ones it asks for.
  api = await startApiHarness({ liveIntervalMs: 3_600_000 });
  await ensureIndividualDatabase(api.devdb.pool, { owner: 'lena', actor: 'test' });
  const login = await api.call('POST', '/api/v1/session', { body: { token: api.tokens.viewer } });
  expect(login.status).toBe(201);
  cookie = cookieHeader(login.headers);
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await api?.stop();
});

const liveUrl = () => `${api.plane.url.replace(/^http/, 'ws')}/api/v1/live`;

/** Opens a client and resolves with it and its first message. */
function connect(headers: Record<string, string> = { cookie }) {
  const socket = new WebSocket(liveUrl(), { headers });
  sockets.push(socket);
  const messages: string[] = [];
  const first = new Promise<string>((resolve, reject) => {
    socket.on('message', (data) => {
      messages.push(String(data));
      if (messages.length === 1) resolve(String(data));
    });
    socket.on('error', reject);
    socket.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return { socket, messages, first };
}

const closeAll = async (list: WebSocket[]) =>
  Promise.all(
    list.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === socket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close();
        }),
    ),
  );

async function until(check: () => boolean, what: string, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GET /api/v1/live', () => {
  it('refuses an upgrade without a session or token, and from another origin', async () => {
    await expect(connect({}).first).rejects.toThrow('HTTP 401');
    const foreign = connect({ cookie, origin: 'http://evil.example' });
    const closed = new Promise<number>((resolve) => foreign.socket.on('close', resolve));
    expect(await closed).toBe(1008);
    expect(foreign.messages).toEqual([]);
  });

  it('sends a snapshot: summary, databases with connections, newest events', async () => {
    const client = connect();
    const snapshot = JSON.parse(await client.first);
    expect(snapshot.type).toBe('snapshot');
    expect(snapshot.summary.databases).toBe(1);
    expect(snapshot.databases.items.map((d: { name: string }) => d.name)).toEqual(['dev_lena']);
    expect(snapshot.databases.items[0]).toMatchObject({ status: 'active', connections: 0 });
    expect(snapshot.events.some((e: { action: string }) => e.action === 'database.ensure')).toBe(
      true,
    );
    await closeAll([client.socket]);
  });

  it('50 clients on one tick cost the same queries as 1, and all get the same message', async () => {
    const feed = api.plane.app.liveFeed;
    await until(() => feed.clientCount === 0, 'the earlier clients to leave');

    const one = connect();
    await one.first;
    // A tick that finds nothing changed reads as much and sends nothing.
    await feed.tick();
    expect(feed.stats.lastTickClients).toBe(0);
    const unchanged = { ...feed.stats };
    await ensureIndividualDatabase(api.devdb.pool, { owner: 'kai', actor: 'test' });
    await feed.tick();
    const withOne = { ...feed.stats };
    expect(withOne.lastTickQueries).toBe(unchanged.lastTickQueries);
    expect(withOne.lastTickClients).toBe(1);
    expect(withOne.lastTickQueries).toBeGreaterThan(0);

    // Joining is free: a newcomer gets the latest snapshot, no query is made.
    const more = Array.from({ length: 49 }, () => connect());
    await Promise.all(more.map((c) => c.first));
    expect(feed.stats.queries).toBe(withOne.queries);
    expect(feed.clientCount).toBe(50);

    await ensureIndividualDatabase(api.devdb.pool, { owner: 'mia', actor: 'test' });
    const sent = await feed.tick();
    expect(feed.stats.lastTickClients).toBe(50);
    expect(feed.stats.lastTickQueries).toBe(withOne.lastTickQueries);
    expect(feed.stats.queries).toBe(withOne.queries + withOne.lastTickQueries);
    expect(sent).toContain('dev_mia');
    const all = [one, ...more];
    await until(() => all.every((c) => c.messages.length >= 2), 'every client to get the tick');
    for (const c of all) expect(c.messages.at(-1)).toBe(sent);

    // With nobody listening, the feed stops reading.
    await closeAll(all.map((c) => c.socket));
    await until(() => feed.clientCount === 0, 'the clients to leave');
    const ticks = feed.stats.ticks;
    expect(await feed.tick()).toBeNull();
    expect(feed.stats.ticks).toBe(ticks);
  });

  it('closes the clients of a revoked token at the next tick, and old clients to reconnect', async () => {
    const feed = api.plane.app.liveFeed;
    const { token } = await createApiToken(api.devdb.pool, { name: 'soon-gone', role: 'viewer' });
    const doomed = connect({ authorization: `Bearer ${token}` });
    const kept = connect();
    await Promise.all([doomed.first, kept.first]);
    const closed = new Promise<[number, string]>((resolve) =>
      doomed.socket.on('close', (code, reason) => resolve([code, String(reason)])),
    );
    await revokeApiToken(api.devdb.pool, { name: 'soon-gone' });
    await feed.tick();
    expect(await closed).toEqual([4401, 'token revoked: log in again']);
    expect(feed.stats.lastTickClients).toBe(1);
    expect(kept.socket.readyState).toBe(kept.socket.OPEN);
    await closeAll([kept.socket]);
  });

  it('ticks on its own at the interval while a client listens', async () => {
    // A second control plane on the same DevDB with a short interval.
    const { startControlPlane } = await import('../../../server/api/index.js');
    const plane = await startControlPlane({
      pool: api.devdb.pool,
      adminUrl: api.devdb.provisionerUrl,
      port: 0,
      liveIntervalMs: 100,
      liveMaxClientAgeMs: 60_000,
    });
    try {
      const socket = new WebSocket(`${plane.url.replace(/^http/, 'ws')}/api/v1/live`, {
        headers: { authorization: `Bearer ${api.tokens.viewer}` },
      });
      sockets.push(socket);
      let count = 0;
      socket.on('message', () => count++);
      await until(() => plane.app.liveFeed.stats.ticks >= 3 && count >= 1, 'three ticks');
      await closeAll([socket]);
      await until(() => plane.app.liveFeed.clientCount === 0, 'the client to leave');
      const ticks = plane.app.liveFeed.stats.ticks;
      await new Promise((r) => setTimeout(r, 350));
      expect(plane.app.liveFeed.stats.ticks).toBe(ticks);
    } finally {
      await plane.close();
    }
  });
});
