/**
 * #/events: the audit trail of every server, newest first, a page at a time
 * ("Older", by the API's cursor); new events come from the snapshots.
 */
import type { App } from '../app.js';
import type { AuditEvent } from '../api/types.js';
import { h, show } from '../ui/dom.js';
import { eventTable } from '../ui/event-table.js';
import { act } from '../ui/feedback.js';
import { layout } from '../ui/layout.js';

const PAGE_SIZE = 100;

export async function eventsPage(app: App): Promise<void> {
  const { api, store } = app;
  layout(app, '#/events');
  const shown: AuditEvent[] = [];
  /** Event ids are each server's own: an event is its server's id. */
  const seen = new Set<string>();
  const keyOf = (e: AuditEvent) => `${e.server}/${e.id}`;
  let nextCursor: string | null = null;
  const area = h('div', {});
  const more = h('button', { id: 'more-events' }, 'Older');
  const draw = () => {
    const withServer = store.manyServers || new Set(shown.map((e) => e.server)).size > 1;
    area.replaceChildren(eventTable(shown, withServer));
    more.hidden = nextCursor === null;
  };
  const older = async (cursor?: string) => {
    const page = await api.get('/api/v1/events', { query: { limit: PAGE_SIZE, cursor } });
    for (const e of page.items) seen.add(keyOf(e));
    shown.push(...page.items);
    nextCursor = page.nextCursor;
    draw();
  };
  more.addEventListener('click', () => void act(() => older(nextCursor ?? undefined)));
  show(h('h1', {}, 'Audit log'), area, more);
  await older();
  store.onSnapshot(() => {
    const newest = shown[0]?.at ?? '';
    const fresh = (store.snapshot?.events ?? []).filter(
      (e) => !seen.has(keyOf(e)) && e.at >= newest,
    );
    if (!fresh.length) return;
    for (const e of fresh) seen.add(keyOf(e));
    shown.unshift(...fresh);
    draw();
  });
}
