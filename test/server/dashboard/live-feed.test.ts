/**
 * The dashboard's live feed (server/dashboard/api/live.ts) on a fake socket,
 * without a browser: snapshots go to the store, the status follows the socket,
 * and a closed socket is reopened (at once when the server asks with 4000,
 * else after a growing delay) only while the session is still valid.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiFailure } from '../../../server/dashboard/api/client.js';
import { LiveFeed } from '../../../server/dashboard/api/live.js';
import type { Snapshot } from '../../../server/dashboard/api/types.js';
import { Store, type LiveStatus } from '../../../server/dashboard/store.js';

class FakeSocket extends EventTarget {
  closed = false;
  close() {
    this.closed = true;
  }
  emit(type: string, fields: Record<string, unknown> = {}) {
    this.dispatchEvent(Object.assign(new Event(type), fields));
  }
}

const snapshot = (at: string) =>
  ({
    type: 'snapshot',
    at,
    summary: {},
    databases: { total: 0, limit: 500, items: [] },
    events: [],
  }) as unknown as Snapshot;

function feed(session: () => Promise<unknown> = async () => ({})) {
  const store = new Store();
  store.me = { name: 'admin', role: 'admin' };
  const sockets: FakeSocket[] = [];
  const statuses: LiveStatus[] = [];
  const ended: string[] = [];
  const received: string[] = [];
  store.onLive((live) => statuses.push(live));
  const live = new LiveFeed({
    store,
    checkSession: session,
    ended: (message) => ended.push(message),
    open: () => {
      sockets.push(new FakeSocket());
      return sockets.at(-1) as unknown as WebSocket;
    },
    received: (s) => received.push(s.at),
  });
  return { store, live, sockets, statuses, ended, received };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the live feed', () => {
  it('hands each snapshot to the store, which redraws the page', () => {
    const { store, live, sockets, statuses, received } = feed();
    const redraws: string[] = [];
    store.onSnapshot(() => redraws.push(store.snapshot!.at));
    live.connect();
    live.connect(); // one socket at a time
    expect(sockets).toHaveLength(1);
    sockets[0]!.emit('open');
    sockets[0]!.emit('message', { data: JSON.stringify(snapshot('t1')) });
    sockets[0]!.emit('message', { data: JSON.stringify({ type: 'other' }) });
    expect(redraws).toEqual(['t1']);
    expect(received).toEqual(['t1']);
    expect(statuses).toEqual(['connecting', 'live']);
  });

  it('opens nothing without a session', () => {
    const { store, live, sockets } = feed();
    store.clearSession();
    live.connect();
    expect(sockets).toHaveLength(0);
  });

  it('reconnects at once when the server asks (4000), after checking the session', async () => {
    const check = vi.fn(async () => ({}));
    const { live, sockets, statuses } = feed(check);
    live.connect();
    sockets[0]!.emit('open');
    sockets[0]!.emit('close', { code: 4000 });
    expect(statuses.at(-1)).toBe('offline');
    await vi.advanceTimersByTimeAsync(0);
    expect(check).toHaveBeenCalledTimes(1);
    expect(sockets).toHaveLength(2);
  });

  it('backs off 1 s, 2 s, 4 s … after a dropped connection', async () => {
    const { live, sockets } = feed();
    live.connect();
    for (const [i, delay] of [1000, 2000, 4000].entries()) {
      sockets[i]!.emit('close', { code: 1006 });
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(sockets).toHaveLength(i + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(sockets).toHaveLength(i + 2);
    }
    // An open connection starts the back-off over.
    sockets[3]!.emit('open');
    sockets[3]!.emit('close', { code: 1006 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(5);
  });

  it('logs out, without reopening, when the session has ended (token revoked: 4401)', async () => {
    const { live, sockets, ended } = feed(async () => {
      throw new ApiFailure(401, 'no valid token or session');
    });
    live.connect();
    sockets[0]!.emit('close', { code: 4401 });
    await vi.advanceTimersByTimeAsync(0);
    expect(ended).toEqual([
      'Your session has ended (logged out, expired or its token revoked): log in again.',
    ]);
    expect(sockets).toHaveLength(1);
  });

  it('closes on logging out, and a late close event does not reopen it', async () => {
    const { store, live, sockets } = feed();
    live.connect();
    live.close();
    expect(sockets[0]!.closed).toBe(true);
    store.clearSession();
    sockets[0]!.emit('close', { code: 1000 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
  });
});
