/**
 * How refused requests are counted (server/api/refusals.ts), on an injected
 * clock: the first of a key per window at once, the rest summed up when the
 * window ends (on the next refusal, a tick or a flush), keys beyond the limit
 * summed up in one overflow event.
 */
import { describe, expect, it } from 'vitest';
import { RefusalCounter, type RefusalEvent } from '../../../server/api/refusals.js';

function counter(maxKeys: number) {
  let now = Date.parse('2030-01-01T00:00:00Z');
  const events: RefusalEvent[] = [];
  const refusals = new RefusalCounter(
    { windowMs: 60_000, maxKeys },
    () => new Date(now),
    async (event) => {
      events.push(event);
    },
  );
  return { refusals, events, advance: (ms: number) => (now += ms) };
}

const viewer403: RefusalEvent = {
  actor: 'api:viewer',
  action: 'database.archive.failed',
  database: 'dev_anna',
  detail: { status: 403, message: 'token viewer is a viewer' },
};

describe('RefusalCounter', () => {
  it('records the first of a window at once and sums up the rest when the window ends', async () => {
    const { refusals, events, advance } = counter(10);
    for (let i = 0; i < 5; i++) await refusals.refuse('k', viewer403);
    expect(events).toEqual([viewer403]);
    advance(30_000);
    refusals.tick();
    expect(events).toHaveLength(1);
    advance(30_000); // the next window
    refusals.tick();
    await refusals.flush();
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual({
      actor: 'api:viewer',
      action: 'database.archive.failed',
      detail: expect.objectContaining({
        status: 403,
        refusals: 4,
        since: '2030-01-01T00:00:00.000Z',
        until: '2030-01-01T00:00:00.000Z',
      }),
    });
    // A new window starts afresh: its first is recorded again.
    await refusals.refuse('k', viewer403);
    expect(events).toHaveLength(3);
    await refusals.flush();
    expect(events).toHaveLength(3); // one refusal: nothing to sum up
  });

  it('follows at most maxKeys keys a window; the others are summed up in one event', async () => {
    const { refusals, events } = counter(2);
    for (const key of ['a', 'b', 'c', 'd', 'c']) {
      await refusals.refuse(key, { ...viewer403, actor: `api:${key}` });
    }
    expect(events.map((e) => e.actor)).toEqual(['api:a', 'api:b']);
    await refusals.flush();
    expect(events).toHaveLength(3);
    expect(events[2]).toMatchObject({
      actor: 'api',
      action: 'api.refused',
      detail: { refusals: 3, keys: ['c', 'd'] },
    });
  });
});
