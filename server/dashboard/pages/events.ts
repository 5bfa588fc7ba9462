/**
 * #/events: the audit trail of every server as sentences, newest first,
 * filtered by actor, action, database and time (the API filters), a page at a
 * time ("Older", by the API's cursor); new events come from the snapshots
 * while no filter is set.
 */
import type { App } from '../app.js';
import type { AuditEvent } from '../api/types.js';
import { h, show } from '../ui/dom.js';
import { eventTable } from '../ui/event-table.js';
import { act } from '../ui/feedback.js';
import { layout } from '../ui/layout.js';

const PAGE_SIZE = 50;
const TYPING_MS = 300;

/** The action families the filter offers (an action's first part). */
const FAMILIES: [string, string][] = [
  ['', 'any action'],
  ['database', 'databases'],
  ['workspace', 'workspaces'],
  ['backup', 'backups'],
  ['policy', 'policy'],
  ['settings', 'settings'],
  ['cleanup', 'cleanup'],
  ['session', 'logins'],
  ['enrollment', 'enrollment'],
  ['doctor', 'doctor'],
];

interface Filters {
  actor: string;
  action: string;
  database: string;
  /** Days (YYYY-MM-DD, UTC), both included. */
  from: string;
  to: string;
}

/** The API's query for the filters. */
function queryOf(f: Filters) {
  const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString();
  return {
    actor: f.actor.trim() || undefined,
    action: f.action || undefined,
    database: f.database.trim() || undefined,
    since: f.from ? `${f.from}T00:00:00Z` : undefined,
    until: f.to ? nextDay(f.to) : undefined,
  };
}

export async function eventsPage(app: App): Promise<void> {
  const { api, store } = app;
  layout(app, '#/events');
  const filters: Filters = { actor: '', action: '', database: '', from: '', to: '' };
  let shown: AuditEvent[] = [];
  /** Event ids are each server's own: an event is its server's id. */
  const seen = new Set<string>();
  const keyOf = (e: AuditEvent) => `${e.server}/${e.id}`;
  let nextCursor: string | null = null;
  /** Which load is the latest: an older answer arriving late is dropped. */
  let generation = 0;
  const area = h('div', { id: 'event-list', 'aria-live': 'polite' });
  const count = h('p', { class: 'hint', id: 'event-count' });
  const more = h('button', { id: 'more-events', type: 'button' }, 'Older events');
  const draw = () => {
    const withServer = store.manyServers || new Set(shown.map((e) => e.server)).size > 1;
    area.replaceChildren(eventTable(shown, withServer));
    count.textContent = `${shown.length} event(s) shown${nextCursor ? ', older ones on the next page' : ''}`;
    more.hidden = nextCursor === null;
  };
  const load = async (cursor?: string) => {
    const mine = cursor ? generation : ++generation;
    const query = { ...queryOf(filters), limit: PAGE_SIZE, cursor };
    const page = await api.get('/api/v1/events', { query });
    if (mine !== generation) return;
    if (!cursor) {
      shown = [];
      seen.clear();
    }
    for (const e of page.items) seen.add(keyOf(e));
    shown.push(...page.items);
    nextCursor = page.nextCursor;
    // The filters this list answers (tests wait for it).
    area.dataset.filters = new URLSearchParams(
      Object.entries(queryOf(filters)).filter((e): e is [string, string] => e[1] !== undefined),
    ).toString();
    draw();
  };
  more.addEventListener('click', () => void act(() => load(nextCursor ?? undefined)));

  let typing: ReturnType<typeof setTimeout> | undefined;
  const changed = (now: boolean) => {
    clearTimeout(typing);
    typing = setTimeout(() => void act(() => load()), now ? 0 : TYPING_MS);
  };
  const field = (
    key: keyof Filters,
    label: string,
    input: HTMLInputElement | HTMLSelectElement,
  ) => {
    input.id = `filter-${key}`;
    input.addEventListener(input instanceof HTMLSelectElement ? 'change' : 'input', () => {
      filters[key] = input.value;
      changed(input.type === 'date' || input instanceof HTMLSelectElement);
    });
    return h('label', { for: input.id }, label, input);
  };
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter the audit log' },
    field('actor', 'Actor', h('input', { placeholder: 'api:alice, policy, cli…' })),
    field(
      'action',
      'Action',
      h(
        'select',
        {},
        FAMILIES.map(([value, text]) => h('option', { value }, text)),
      ),
    ),
    field('database', 'Database', h('input', { placeholder: 'dev_alice' })),
    field('from', 'From', h('input', { type: 'date' })),
    field('to', 'To', h('input', { type: 'date' })),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    changed(true);
  });
  show(h('h1', {}, 'Audit log'), form, count, area, h('p', {}, more));
  await load();
  store.onSnapshot(() => {
    if (Object.values(filters).some(Boolean)) return;
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
