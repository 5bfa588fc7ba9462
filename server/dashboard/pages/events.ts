/** #/events: the audit trail, newest first, a page at a time ("Older"); new events come from the snapshots. */
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
  let nextBeforeId: number | null = null;
  const area = h('div', {});
  const more = h('button', { id: 'more-events' }, 'Older');
  const draw = () => {
    area.replaceChildren(eventTable(shown));
    more.hidden = nextBeforeId === null;
  };
  const older = async (beforeId?: number) => {
    const page = await api.get('/api/v1/events', { query: { limit: PAGE_SIZE, beforeId } });
    shown.push(...page.items);
    nextBeforeId = page.nextBeforeId;
    draw();
  };
  more.addEventListener('click', () => void act(() => older(nextBeforeId ?? undefined)));
  show(h('h1', {}, 'Audit log'), area, more);
  await older();
  store.onSnapshot(() => {
    const newest = shown[0]?.id ?? 0;
    const fresh = (store.snapshot?.events ?? []).filter((e) => e.id > newest);
    if (!fresh.length) return;
    shown.unshift(...fresh);
    draw();
  });
}
