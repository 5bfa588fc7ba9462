/**
 * The admin dashboard (docs/api.md, "Dashboard"): plain TypeScript and the
 * DOM, bundled by esbuild into dist/dashboard/app.js (scripts/build-assets.js)
 * and served by the control plane at `/`. Hash routes: #/login, #/ (overview),
 * #/databases, #/databases/NAME, #/backups, #/events, #/settings.
 *
 * It logs in with an API token (POST /api/v1/session: an HttpOnly cookie plus
 * a CSRF token for changes), then opens one WebSocket, /api/v1/live, on which
 * the server pushes a snapshot (summary, databases, newest events) every tick.
 * Pages redraw from the snapshot; the page only calls the API for what the
 * user does (open a database, an action, a form). Text is always set as text,
 * never as HTML.
 */
import './style.css';

// ---------------------------------------------------------------- types

type Role = 'admin' | 'viewer';
interface Me {
  name: string;
  role: Role;
}
interface DatabaseItem {
  name: string;
  type: 'individual' | 'team';
  owner: string | null;
  team: string | null;
  status: 'active' | 'archived' | 'dropped';
  createdAt: string;
  lastAccessed: string | null;
  users: number;
  activeAttachments: number;
  sizeBytes: number | null;
  idleDays: number | null;
  connectionsAllowed: boolean | null;
  connections?: number;
}
interface Summary {
  databases: number;
  byType: Record<string, number>;
  byStatus: Record<string, number>;
  activeAttachments: number;
  users: number;
  totalSizeBytes: number;
  neverAccessed: number;
  idleOver30Days: number;
}
interface AuditEvent {
  id: number;
  at: string;
  actor: string;
  action: string;
  database: string | null;
  workspaceId: string | null;
  detail: Record<string, unknown>;
}
interface Snapshot {
  type: 'snapshot';
  at: string;
  summary: Summary;
  databases: { total: number; limit: number; items: DatabaseItem[] };
  events: AuditEvent[];
}
interface Backup {
  id: number;
  database: string;
  kind: string;
  status: string;
  encrypted: boolean;
  bytes: number | null;
  startedAt: string;
  verifiedAt: string | null;
  verifyError: string | null;
  error: string | null;
}
interface Setting {
  key: string;
  value: string | null;
  set: boolean;
  default: string | null;
  description: string;
}
interface PolicyState {
  database: string;
  state: string;
  protected: boolean;
  protectedUntil: string | null;
  protectReason: string | null;
  idleDays: number;
  dropDueAt: string | null;
}
interface SessionGroup {
  user: string;
  sessions: number;
  active: number;
  idle: number;
  idleInTransaction: number;
  oldestSince: string | null;
}
interface CleanupAction {
  kind: string;
  database: string;
  workspaceId?: string;
  reason: string;
}
interface CleanupPlan {
  now: string;
  actions: CleanupAction[];
  skipped: { database: string; workspaceId?: string; reason: string }[];
  results?: { action: CleanupAction; outcome: string; detail?: string }[];
}
interface Credential {
  user: string;
  password: string;
  host: string;
  port: number;
  url: string;
  workspaceId: string;
}

// ---------------------------------------------------------------- state

const state: {
  me: Me | null;
  snapshot: Snapshot | null;
  socket: WebSocket | null;
  live: 'connecting' | 'live' | 'offline';
  retry: number;
  /** Redraws the current page from the latest snapshot (pages set it). */
  onSnapshot: (() => void) | null;
} = { me: null, snapshot: null, socket: null, live: 'offline', retry: 0, onSnapshot: null };

// ---------------------------------------------------------------- DOM helpers

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | boolean | number | EventListener | undefined>;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value') {
      (el as HTMLInputElement).value = String(value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return el;
}

const main = () => document.getElementById('main')!;

function show(...nodes: Child[]): void {
  main().replaceChildren(...(nodes.filter(Boolean) as (Node | string)[]));
}

function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n < 10 && i > 0 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

function when(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const date = new Date(iso);
  const ago = (Date.now() - date.getTime()) / 1000;
  if (ago < 60) return 'just now';
  if (ago < 3600) return `${Math.floor(ago / 60)} min ago`;
  if (ago < 86400) return `${Math.floor(ago / 3600)} h ago`;
  if (ago < 86400 * 60) return `${Math.floor(ago / 86400)} days ago`;
  return date.toISOString().slice(0, 10);
}

function badge(text: string, kind = text): HTMLElement {
  return h('span', { class: `badge badge-${kind}` }, text);
}

function notice(text: string, kind: 'error' | 'ok' = 'error'): HTMLElement {
  return h(
    'div',
    { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    text,
  );
}

function flash(text: string, kind: 'error' | 'ok' = 'error'): void {
  const area = document.getElementById('flash');
  if (!area) return;
  area.replaceChildren(notice(text, kind));
}

// ---------------------------------------------------------------- API

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function csrfToken(): string | undefined {
  const match = /(?:^|;\s*)devdb_csrf=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = csrfToken();
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { error: { message: `${method} ${path}: HTTP ${res.status}: ${text.slice(0, 200)}` } };
  }
  if (!res.ok) {
    const message = json?.error?.message ?? `${method} ${path}: HTTP ${res.status}`;
    if (res.status === 401 && path !== '/api/v1/session') {
      loggedOut('Your session has ended: log in again.');
    }
    throw new ApiFailure(res.status, message);
  }
  return json as T;
}

/** Runs an action, shows its error (or `done`) in the flash area; returns whether it worked. */
async function act(what: () => Promise<unknown>, done?: string): Promise<boolean> {
  try {
    await what();
    if (done) flash(done, 'ok');
    return true;
  } catch (error) {
    flash(error instanceof Error ? error.message : String(error));
    return false;
  }
}

// ---------------------------------------------------------------- live feed

function connectLive(): void {
  if (state.socket || !state.me) return;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/api/v1/live`);
  state.socket = socket;
  setLive('connecting');
  socket.addEventListener('open', () => {
    state.retry = 0;
    setLive('live');
  });
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as Snapshot;
    if (message.type !== 'snapshot') return;
    state.snapshot = message;
    document.body.dataset.snapshotAt = message.at;
    state.onSnapshot?.();
  });
  socket.addEventListener('close', (event) => {
    state.socket = null;
    setLive('offline');
    if (!state.me) return;
    // 4000: the server asks for a reconnection (which authenticates again); 4401: token revoked.
    const delay = event.code >= 4000 ? 0 : Math.min(30_000, 1000 * 2 ** state.retry++);
    setTimeout(() => {
      // A closed socket may mean the session ended: check before reopening.
      api<Me>('GET', '/api/v1/session')
        .then(() => connectLive())
        .catch((error: unknown) => {
          if (error instanceof ApiFailure && error.status === 401) {
            loggedOut(
              'Your session has ended (logged out, expired or its token revoked): log in again.',
            );
          }
        });
    }, delay);
  });
}

function setLive(live: typeof state.live): void {
  state.live = live;
  const el = document.getElementById('live');
  if (el) {
    el.textContent = live;
    el.className = `live live-${live}`;
  }
}

function loggedOut(message?: string): void {
  state.me = null;
  state.snapshot = null;
  state.socket?.close();
  state.socket = null;
  if (location.hash !== '#/login') location.hash = '#/login';
  else void route();
  if (message) setTimeout(() => flash(message), 0);
}

// ---------------------------------------------------------------- layout

const NAV: [string, string][] = [
  ['#/', 'Overview'],
  ['#/databases', 'Databases'],
  ['#/backups', 'Backups'],
  ['#/events', 'Audit log'],
  ['#/cleanup', 'Cleanup'],
  ['#/settings', 'Settings'],
];

function layout(active: string): void {
  const app = document.getElementById('app')!;
  const nav = state.me
    ? h(
        'nav',
        {},
        NAV.map(([href, label]) =>
          h('a', { href, class: href === active ? 'active' : undefined }, label),
        ),
      )
    : null;
  const who = state.me
    ? h(
        'div',
        { class: 'who' },
        h('span', { id: 'live', class: `live live-${state.live}` }, state.live),
        h('span', { class: 'me' }, `${state.me.name} (${state.me.role})`),
        h(
          'button',
          {
            class: 'link',
            onclick: () =>
              void act(async () => {
                await api('DELETE', '/api/v1/session');
                loggedOut();
              }),
          },
          'Log out',
        ),
      )
    : null;
  app.replaceChildren(
    h('header', {}, h('a', { class: 'brand', href: '#/' }, 'DevDB'), nav, who),
    h('div', { id: 'flash' }),
    h('main', { id: 'main' }),
  );
}

const isAdmin = () => state.me?.role === 'admin';

// ---------------------------------------------------------------- pages

function loginPage(): void {
  layout('#/login');
  const input = h('input', {
    id: 'token',
    type: 'password',
    autocomplete: 'off',
    placeholder: 'devdb_…',
    required: true,
  });
  const form = h(
    'form',
    {
      class: 'card login',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const token = input.value.trim();
        input.value = '';
        void act(async () => {
          const me = await api<Me>('POST', '/api/v1/session', { token });
          state.me = { name: me.name, role: me.role };
          connectLive();
          location.hash = '#/';
        });
      },
    },
    h('h1', {}, 'Log in to DevDB'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h(
      'p',
      { class: 'hint' },
      'An admin makes one with ',
      h('code', {}, 'devdb token create --name me --role admin'),
      '. The token is exchanged for a session cookie and not kept by the page.',
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Log in'),
  );
  show(form);
  input.focus();
}

function stat(label: string, value: string | number, id?: string): HTMLElement {
  return h('div', { class: 'stat', 'data-stat': id }, h('div', { class: 'value' }, value), label);
}

function alertsOf(snapshot: Snapshot): HTMLElement[] {
  const s = snapshot.summary;
  const alerts: HTMLElement[] = [];
  const closed = snapshot.databases.items.filter(
    (d) => d.status === 'active' && d.connectionsAllowed === false,
  );
  const failed = snapshot.events.filter((e) => e.action.endsWith('.failed'));
  if (s.idleOver30Days)
    alerts.push(notice(`${s.idleOver30Days} database(s) idle for over 30 days`));
  if (s.neverAccessed) alerts.push(notice(`${s.neverAccessed} database(s) never accessed`));
  if (closed.length)
    alerts.push(notice(`closed to connections: ${closed.map((d) => d.name).join(', ')}`));
  for (const e of failed.slice(0, 5))
    alerts.push(
      notice(`${when(e.at)}: ${e.action} by ${e.actor}${e.database ? ` on ${e.database}` : ''}`),
    );
  return alerts;
}

function eventRows(events: AuditEvent[]): HTMLElement {
  return h(
    'table',
    { class: 'events' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['when', 'actor', 'action', 'database', 'detail'].map((t) => h('th', {}, t)),
      ),
    ),
    h(
      'tbody',
      {},
      events.map((e) =>
        h(
          'tr',
          { class: e.action.endsWith('.failed') ? 'failed' : undefined },
          h('td', { title: e.at }, when(e.at)),
          h('td', {}, e.actor),
          h('td', {}, e.action),
          h('td', {}, e.database ? h('a', { href: `#/databases/${e.database}` }, e.database) : '—'),
          h(
            'td',
            { class: 'detail' },
            Object.keys(e.detail).length ? JSON.stringify(e.detail) : '',
          ),
        ),
      ),
    ),
  );
}

async function overviewPage(): Promise<void> {
  layout('#/');
  const draw = (snapshot: Snapshot | null, summary: Summary | null) => {
    const s = snapshot?.summary ?? summary;
    if (!s) return show(h('p', {}, 'Loading…'));
    const alerts = snapshot ? alertsOf(snapshot) : [];
    show(
      h('h1', {}, 'Overview'),
      h(
        'section',
        { class: 'stats' },
        stat('databases', s.databases, 'databases'),
        stat('active', s.byStatus.active ?? 0, 'active'),
        stat('archived', s.byStatus.archived ?? 0, 'archived'),
        stat('individual / team', `${s.byType.individual ?? 0} / ${s.byType.team ?? 0}`),
        stat('workspaces attached', s.activeAttachments, 'workspaces'),
        stat('users', s.users, 'users'),
        stat('total size', bytes(s.totalSizeBytes), 'size'),
      ),
      h('h2', {}, 'Alerts'),
      h(
        'section',
        { class: 'alerts' },
        alerts.length ? alerts : h('p', { class: 'ok' }, 'Nothing needs attention.'),
      ),
      snapshot ? h('h2', {}, 'Recent activity') : null,
      snapshot ? eventRows(snapshot.events.slice(0, 10)) : null,
    );
  };
  state.onSnapshot = () => draw(state.snapshot, null);
  if (state.snapshot) return draw(state.snapshot, null);
  draw(null, null);
  const summary = await api<Summary>('GET', '/api/v1/summary');
  if (!state.snapshot) draw(null, summary);
}

const SORTS: Record<string, (a: DatabaseItem, b: DatabaseItem) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  size: (a, b) => (a.sizeBytes ?? -1) - (b.sizeBytes ?? -1),
  connections: (a, b) => (a.connections ?? 0) - (b.connections ?? 0),
  lastAccessed: (a, b) => (a.lastAccessed ?? '').localeCompare(b.lastAccessed ?? ''),
  createdAt: (a, b) => a.createdAt.localeCompare(b.createdAt),
};

const filters = { search: '', status: '', owner: '', team: '', sort: 'name', order: 'asc' };

async function databasesPage(): Promise<void> {
  layout('#/databases');
  let fallback: { items: DatabaseItem[]; total: number } | null = null;
  const control = (key: keyof typeof filters, el: HTMLInputElement | HTMLSelectElement) => {
    el.value = filters[key];
    el.addEventListener('input', () => {
      filters[key] = el.value;
      drawTable();
    });
    return el;
  };
  const select = (key: keyof typeof filters, options: [string, string][]) =>
    control(
      key,
      h(
        'select',
        { 'aria-label': key },
        options.map(([v, l]) => h('option', { value: v }, l)),
      ),
    );
  const tableArea = h('div', { id: 'database-table' });
  // More databases than the snapshot holds: a filtered or re-sorted view asks the API
  // (what the user does, debounced), and takes connections from the snapshot.
  let searched: { key: string; items: DatabaseItem[]; total: number } | null = null;
  let searching: ReturnType<typeof setTimeout> | undefined;
  const filtered = () =>
    Boolean(filters.search || filters.status || filters.owner || filters.team) ||
    filters.sort !== 'name' ||
    filters.order !== 'asc';
  const search = (key: string) => {
    clearTimeout(searching);
    searching = setTimeout(async () => {
      const query = new URLSearchParams({ limit: '500' });
      for (const k of ['search', 'status', 'owner', 'team'] as const) {
        if (filters[k]) query.set(k, filters[k]);
      }
      if (filters.sort !== 'connections') query.set('sort', filters.sort);
      query.set('order', filters.order);
      try {
        const page = await api<{ items: DatabaseItem[]; total: number }>(
          'GET',
          `/api/v1/databases?${query}`,
        );
        searched = { key, ...page };
        drawTable();
      } catch (error) {
        flash(error instanceof Error ? error.message : String(error));
      }
    }, 250);
  };
  const drawTable = () => {
    let source = state.snapshot?.databases ?? fallback;
    if (!source) return tableArea.replaceChildren(h('p', {}, 'Loading…'));
    if (source.total > source.items.length && filtered()) {
      const key = JSON.stringify(filters);
      if (searched?.key !== key) {
        search(key);
        if (!searched) return tableArea.replaceChildren(h('p', {}, 'Searching…'));
      }
      const live = new Map(source.items.map((d) => [d.name, d.connections]));
      source = {
        total: searched!.total,
        items: searched!.items.map((d) => ({ ...d, connections: live.get(d.name) })),
      };
    }
    const needle = filters.search.toLowerCase();
    const rows = source.items
      .filter((d) => !needle || d.name.toLowerCase().includes(needle))
      .filter((d) => !filters.status || d.status === filters.status)
      .filter((d) => !filters.owner || (d.owner ?? '').includes(filters.owner))
      .filter((d) => !filters.team || (d.team ?? '').includes(filters.team))
      .sort(SORTS[filters.sort] ?? SORTS.name);
    if (filters.order === 'desc') rows.reverse();
    tableArea.replaceChildren(
      h(
        'p',
        { class: 'hint' },
        `${rows.length} shown of ${source.total}`,
        source.total > source.items.length
          ? ` (the first ${source.items.length} by name are live)`
          : '',
      ),
      h(
        'table',
        { class: 'databases' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [
              'name',
              'type',
              'owner / team',
              'state',
              'size',
              'connections',
              'last access',
              'workspaces',
            ].map((t) => h('th', {}, t)),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map((d) =>
            h(
              'tr',
              { 'data-name': d.name },
              h('td', {}, h('a', { href: `#/databases/${d.name}` }, d.name)),
              h('td', {}, d.type),
              h('td', {}, d.owner ?? d.team ?? '—'),
              h(
                'td',
                {},
                badge(d.status),
                d.connectionsAllowed === false && d.status === 'active' ? badge('closed') : null,
              ),
              h('td', { class: 'num' }, bytes(d.sizeBytes)),
              h('td', { class: 'num' }, d.connections ?? '—'),
              h('td', { title: d.lastAccessed ?? '' }, when(d.lastAccessed)),
              h('td', { class: 'num' }, d.activeAttachments),
            ),
          ),
        ),
      ),
    );
  };
  show(
    h(
      'div',
      { class: 'title' },
      h('h1', {}, 'Databases'),
      isAdmin()
        ? h(
            'button',
            { class: 'primary', id: 'new-database', onclick: () => createDialog() },
            'New database',
          )
        : null,
    ),
    h(
      'div',
      { class: 'filters' },
      control(
        'search',
        h('input', { type: 'search', placeholder: 'search names', 'aria-label': 'search' }),
      ),
      select('status', [
        ['', 'any state'],
        ['active', 'active'],
        ['archived', 'archived'],
        ['dropped', 'dropped'],
      ]),
      control('owner', h('input', { placeholder: 'owner', 'aria-label': 'owner' })),
      control('team', h('input', { placeholder: 'team', 'aria-label': 'team' })),
      select('sort', [
        ['name', 'by name'],
        ['size', 'by size'],
        ['connections', 'by connections'],
        ['lastAccessed', 'by last access'],
        ['createdAt', 'by creation'],
      ]),
      select('order', [
        ['asc', 'ascending'],
        ['desc', 'descending'],
      ]),
    ),
    tableArea,
  );
  state.onSnapshot = drawTable;
  drawTable();
  if (!state.snapshot) {
    fallback = await api('GET', '/api/v1/databases?limit=500');
    drawTable();
  }
}

function section(title: string, ...body: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...body);
}

function table(headers: string[], rows: Child[][]): HTMLElement {
  if (!rows.length) return h('p', { class: 'hint' }, 'none');
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((t) => h('th', {}, t)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells) =>
        h(
          'tr',
          {},
          cells.map((c) => h('td', {}, c)),
        ),
      ),
    ),
  );
}

async function databasePage(name: string): Promise<void> {
  layout('#/databases');
  const enc = encodeURIComponent(name);
  const head = h('div', { id: 'database-head' });
  const body = h('div', { class: 'grid' }, h('p', {}, 'Loading…'));

  const row = (): DatabaseItem | undefined =>
    state.snapshot?.databases.items.find((d) => d.name === name);

  const drawHead = (fromApi?: DatabaseItem) => {
    const d = row() ?? fromApi;
    if (!d) return;
    const buttons: Child[] = [];
    if (isAdmin()) {
      if (d.status === 'active') {
        buttons.push(
          h(
            'button',
            {
              id: 'archive',
              onclick: () =>
                confirmThen(`Archive ${name}? It is renamed and closed, and can be restored.`, () =>
                  post(`/api/v1/databases/${enc}/archive`, 'Archived.'),
                ),
            },
            'Archive',
          ),
          d.connectionsAllowed === false
            ? h(
                'button',
                { id: 'open-connections', onclick: () => put(true) },
                'Open to connections',
              )
            : h(
                'button',
                { id: 'close-connections', onclick: () => put(false) },
                'Close to connections',
              ),
          h(
            'button',
            {
              id: 'backup-now',
              onclick: () => post(`/api/v1/databases/${enc}/backups`, 'Backed up.'),
            },
            'Back up now',
          ),
        );
      } else if (d.status === 'archived') {
        buttons.push(
          h(
            'button',
            {
              id: 'restore',
              class: 'primary',
              onclick: () => post(`/api/v1/databases/${enc}/restore`, 'Restored.'),
            },
            'Restore',
          ),
        );
      }
    }
    head.replaceChildren(
      h('div', { class: 'title' }, h('h1', {}, name), h('div', { class: 'actions' }, buttons)),
      h(
        'section',
        { class: 'stats' },
        stat('state', d.status, 'status'),
        stat('type', d.type),
        stat(d.type === 'team' ? 'team' : 'owner', d.team ?? d.owner ?? '—'),
        stat('size', bytes(d.sizeBytes), 'size'),
        stat('connections now', d.connections ?? '—', 'connections'),
        stat(
          'connections',
          d.connectionsAllowed === false ? 'closed' : d.connectionsAllowed ? 'open' : '—',
          'allowed',
        ),
        stat('last access', when(d.lastAccessed)),
        stat('workspaces', d.activeAttachments),
      ),
    );
  };

  const confirmThen = (question: string, then: () => void) => {
    if (window.confirm(question)) then();
  };
  const post = async (path: string, done: string) => {
    if (await act(() => api('POST', path), done)) await load();
  };
  const put = async (allowed: boolean) => {
    if (
      await act(
        () =>
          api(
            'PUT',
            `/api/v1/databases/${enc}/connections`,
            allowed ? { allowed } : { allowed, terminate: true },
          ),
        allowed ? 'Open to connections.' : 'Closed to connections.',
      )
    )
      await load();
  };

  const load = async () => {
    const [detail, stats, attachments, events, backups, policy, sessions] = await Promise.all([
      api('GET', `/api/v1/databases/${enc}`),
      api('GET', `/api/v1/databases/${enc}/stats`).catch(() => null),
      api('GET', `/api/v1/databases/${enc}/attachments`),
      api<{ items: AuditEvent[] }>('GET', `/api/v1/events?database=${enc}&limit=50`),
      api<{ items: Backup[] }>('GET', `/api/v1/backups?database=${enc}&limit=50`),
      api<{ items: PolicyState[] }>('GET', `/api/v1/policy?database=${enc}`).catch(() => null),
      api<{ items: SessionGroup[] }>('GET', `/api/v1/databases/${enc}/sessions`).catch(() => null),
    ]);
    const fromApi: DatabaseItem = {
      ...detail.database,
      connectionsAllowed: stats?.connectionsAllowed ?? null,
      connections: stats?.connections,
    };
    drawHead(fromApi);
    body.replaceChildren(
      section(
        'Attachments',
        table(
          ['workspace', 'owner', 'login', 'template', 'attached', 'detached', 'last seen'],
          (attachments.items ?? attachments).map((a: Record<string, string | null>) => [
            a.workspaceName ?? a.workspaceId,
            a.owner,
            a.user,
            a.template ?? '—',
            when(a.attachedAt),
            a.detachedAt ? when(a.detachedAt) : '—',
            when(a.lastSeenAt),
          ]),
        ),
      ),
      section(
        'Statistics',
        stats
          ? table(
              ['sessions', 'commits', 'since'],
              [[stats.sessions ?? '—', stats.transactionsCommitted ?? '—', when(stats.statsReset)]],
            )
          : h('p', { class: 'hint' }, 'not on the server'),
      ),
      policySection(policy?.items[0], enc, load),
      sessionsSection(sessions?.items ?? null, enc, load),
      section('Backups', backupTable(backups.items, load)),
      section('Events', eventRows(events.items)),
    );
  };

  show(head, body);
  state.onSnapshot = () => drawHead();
  drawHead();
  try {
    await load();
  } catch (error) {
    body.replaceChildren(notice(error instanceof Error ? error.message : String(error)));
  }
}

/** The database's place in the 30/60/90 policy, with protect / unprotect. */
function policySection(
  policy: PolicyState | undefined,
  enc: string,
  reload: () => Promise<void>,
): HTMLElement {
  if (!policy) return section('Policy', h('p', { class: 'hint' }, 'not available'));
  const reason = h('input', {
    placeholder: 'reason (optional)',
    'aria-label': 'protection reason',
  });
  const buttons = !isAdmin()
    ? null
    : policy.protected
      ? h(
          'button',
          {
            id: 'unprotect',
            onclick: async () => {
              if (
                await act(
                  () => api('DELETE', `/api/v1/databases/${enc}/protection`),
                  'Protection removed.',
                )
              )
                await reload();
            },
          },
          'Remove protection',
        )
      : h(
          'span',
          { class: 'actions' },
          reason,
          h(
            'button',
            {
              id: 'protect',
              onclick: async () => {
                const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
                if (
                  await act(
                    () => api('PUT', `/api/v1/databases/${enc}/protection`, body),
                    'Protected.',
                  )
                )
                  await reload();
              },
            },
            'Protect',
          ),
        );
  return section(
    'Policy',
    table(
      ['state', 'idle days', 'protected', 'drop due'],
      [
        [
          h('span', { id: 'policy-state' }, policy.state),
          String(policy.idleDays),
          policy.protected
            ? `yes${policy.protectedUntil ? ` until ${policy.protectedUntil.slice(0, 10)}` : ''}${policy.protectReason ? ` (${policy.protectReason})` : ''}`
            : 'no',
          policy.dropDueAt ? policy.dropDueAt.slice(0, 10) : '—',
        ],
      ],
    ),
    buttons,
  );
}

/** Live client sessions per login role, with "end them". */
function sessionsSection(
  sessions: SessionGroup[] | null,
  enc: string,
  reload: () => Promise<void>,
): HTMLElement {
  if (!sessions) return section('Sessions', h('p', { class: 'hint' }, 'not available'));
  return section(
    'Sessions',
    table(
      ['user', 'sessions', 'active', 'idle', 'idle in transaction', 'oldest', ''],
      sessions.map((g) => [
        g.user,
        String(g.sessions),
        String(g.active),
        String(g.idle),
        String(g.idleInTransaction),
        when(g.oldestSince),
        isAdmin()
          ? h(
              'button',
              {
                onclick: async () => {
                  if (!window.confirm(`End the sessions of ${g.user}?`)) return;
                  const path = `/api/v1/databases/${enc}/sessions?user=${encodeURIComponent(g.user)}`;
                  if (await act(() => api('DELETE', path), 'Sessions ended.')) await reload();
                },
              },
              'End',
            )
          : '',
      ]),
    ),
  );
}

/** The orphans queue and the cleanup plan (the dry run), with "run cleanup" for admins. */
async function cleanupPage(): Promise<void> {
  layout('#/cleanup');
  const orphansArea = h('div', {}, h('p', {}, 'Loading…'));
  const planArea = h('div', {}, h('p', {}, 'Loading…'));
  const drawPlan = (plan: CleanupPlan) => {
    planArea.replaceChildren(
      h(
        'div',
        { id: 'cleanup-plan' },
        table(
          ['action', 'database', 'workspace', 'why'],
          plan.actions.map((a) => [badge(a.kind), a.database, a.workspaceId ?? '—', a.reason]),
        ),
        plan.skipped.length ? h('h3', {}, 'Skipped') : null,
        plan.skipped.length
          ? table(
              ['database', 'workspace', 'why'],
              plan.skipped.map((k) => [k.database, k.workspaceId ?? '—', k.reason]),
            )
          : null,
        plan.results
          ? h(
              'div',
              { id: 'cleanup-results' },
              h('h3', {}, 'Results'),
              table(
                ['action', 'database', 'outcome', 'detail'],
                plan.results.map((r) => [
                  r.action.kind,
                  r.action.database,
                  badge(r.outcome),
                  r.detail ?? '',
                ]),
              ),
            )
          : null,
      ),
    );
  };
  show(
    h('h1', {}, 'Orphans and cleanup'),
    section('Orphans', orphansArea),
    section(
      'Cleanup plan (dry run)',
      isAdmin()
        ? h(
            'p',
            {},
            h(
              'button',
              {
                id: 'run-cleanup',
                class: 'primary',
                onclick: async () => {
                  if (!window.confirm('Run cleanup now? Drops go through a verified final backup.'))
                    return;
                  await act(
                    async () => drawPlan(await api<CleanupPlan>('POST', '/api/v1/cleanup')),
                    'Cleanup ran.',
                  );
                },
              },
              'Run cleanup',
            ),
          )
        : null,
      planArea,
    ),
  );
  const [orphans, plan] = await Promise.allSettled([
    api<{ findings: Record<string, string | null>[]; skipped: { kind: string; reason: string }[] }>(
      'GET',
      '/api/v1/orphans',
    ),
    api<CleanupPlan>('GET', '/api/v1/cleanup'),
  ]);
  if (orphans.status === 'fulfilled') {
    orphansArea.replaceChildren(
      table(
        ['kind', 'database', 'owner', 'workspace', 'last access', 'detail'],
        orphans.value.findings.map((f) => [
          badge(f.kind ?? ''),
          f.database ?? '—',
          f.owner ?? '—',
          f.workspaceId ?? '—',
          when(f.lastAccess),
          f.detail ?? '',
        ]),
      ),
      ...orphans.value.skipped.map((k) => h('p', { class: 'hint' }, `${k.kind}: ${k.reason}`)),
    );
  } else {
    orphansArea.replaceChildren(notice(String((orphans.reason as Error).message)));
  }
  if (plan.status === 'fulfilled') drawPlan(plan.value);
  else planArea.replaceChildren(notice(String((plan.reason as Error).message)));
}

function backupTable(backups: Backup[], reload: () => Promise<void>): HTMLElement {
  return table(
    ['id', 'database', 'kind', 'status', 'size', 'started', 'verified', ''],
    backups.map((b) => [
      String(b.id),
      h('a', { href: `#/databases/${b.database}` }, b.database),
      b.kind,
      badge(b.status),
      bytes(b.bytes),
      when(b.startedAt),
      b.verifyError ? badge('failed') : b.verifiedAt ? when(b.verifiedAt) : 'no',
      isAdmin() && b.status === 'ok'
        ? h(
            'span',
            { class: 'actions' },
            h(
              'button',
              {
                onclick: async () => {
                  if (
                    await act(
                      () => api('POST', `/api/v1/backups/${b.id}/verify`),
                      `Backup ${b.id} verified.`,
                    )
                  )
                    await reload();
                },
              },
              'Verify',
            ),
            h(
              'button',
              {
                'data-restore-backup': b.id,
                onclick: async () => {
                  if (
                    !window.confirm(
                      `Restore backup ${b.id} over ${b.database}? A pre-restore backup is taken first.`,
                    )
                  )
                    return;
                  if (
                    await act(
                      () => api('POST', `/api/v1/backups/${b.id}/restore`, { mode: 'in-place' }),
                      `Backup ${b.id} restored.`,
                    )
                  )
                    await reload();
                },
              },
              'Restore',
            ),
          )
        : '',
    ]),
  );
}

async function backupsPage(): Promise<void> {
  layout('#/backups');
  const area = h('div', {}, h('p', {}, 'Loading…'));
  show(h('h1', {}, 'Backups'), area);
  const load = async () => {
    const page = await api<{ items: Backup[]; total: number }>('GET', '/api/v1/backups?limit=200');
    area.replaceChildren(
      h('p', { class: 'hint' }, `${page.total} backup(s), newest first`),
      backupTable(page.items, load),
    );
  };
  await load();
}

async function eventsPage(): Promise<void> {
  layout('#/events');
  const shown: AuditEvent[] = [];
  let nextBeforeId: number | null = null;
  const area = h('div', {});
  const more = h('button', { id: 'more-events' }, 'Older');
  const draw = () => {
    area.replaceChildren(eventRows(shown));
    more.hidden = nextBeforeId === null;
  };
  more.addEventListener('click', async () => {
    const page = await api<{ items: AuditEvent[]; nextBeforeId: number | null }>(
      'GET',
      `/api/v1/events?limit=100&beforeId=${nextBeforeId}`,
    );
    shown.push(...page.items);
    nextBeforeId = page.nextBeforeId;
    draw();
  });
  show(h('h1', {}, 'Audit log'), area, more);
  const first = await api<{ items: AuditEvent[]; nextBeforeId: number | null }>(
    'GET',
    '/api/v1/events?limit=100',
  );
  shown.push(...first.items);
  nextBeforeId = first.nextBeforeId;
  draw();
  state.onSnapshot = () => {
    const newest = shown[0]?.id ?? 0;
    const fresh = (state.snapshot?.events ?? []).filter((e) => e.id > newest);
    if (!fresh.length) return;
    shown.unshift(...fresh);
    draw();
  };
}

async function settingsPage(): Promise<void> {
  layout('#/settings');
  const { items } = await api<{ items: Setting[] }>('GET', '/api/v1/settings');
  const inputs = new Map<string, HTMLInputElement>();
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const changes: Record<string, string | null> = {};
        for (const setting of items) {
          const value = inputs.get(setting.key)!.value.trim();
          const before = setting.set ? (setting.value ?? '') : '';
          if (value !== before) changes[setting.key] = value === '' ? null : value;
        }
        if (!Object.keys(changes).length) return flash('Nothing changed.', 'ok');
        if (await act(() => api('PATCH', '/api/v1/settings', changes))) {
          await settingsPage();
          flash('Settings saved.', 'ok');
        }
      },
    },
    table(
      ['setting', 'value', 'default', 'what'],
      items.map((s) => {
        const input = h('input', {
          name: s.key,
          value: s.set ? (s.value ?? '') : '',
          placeholder: s.default ?? '',
          disabled: !isAdmin(),
          'aria-label': s.key,
        });
        inputs.set(s.key, input);
        return [h('code', {}, s.key), input, s.default ?? '—', s.description];
      }),
    ),
    isAdmin()
      ? h(
          'p',
          {},
          h('button', { type: 'submit', class: 'primary' }, 'Save'),
          ' An empty value restores the default.',
        )
      : h('p', { class: 'hint' }, 'A viewer token can read the settings only.'),
  );
  show(h('h1', {}, 'Settings'), form);
}

// ---------------------------------------------------------------- dialogs

function dialog(...children: Child[]): HTMLDialogElement {
  const el = h('dialog', {}, ...children);
  document.body.append(el);
  el.addEventListener('close', () => el.remove());
  el.showModal();
  return el;
}

function createDialog(): void {
  const type = h(
    'select',
    { name: 'type', 'aria-label': 'type' },
    h('option', { value: 'individual' }, 'individual'),
    h('option', { value: 'team' }, 'team'),
  );
  const who = h('input', {
    name: 'who',
    required: true,
    placeholder: 'Coder username',
    'aria-label': 'owner or team',
  });
  const workspace = h('input', {
    name: 'workspace',
    placeholder: 'workspace id (optional)',
    'aria-label': 'workspace id',
  });
  type.addEventListener('change', () => {
    who.placeholder = type.value === 'team' ? 'team name' : 'Coder username';
  });
  const error = h('div', {});
  const el = dialog(
    h(
      'form',
      {
        id: 'create-form',
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const body: Record<string, unknown> = { type: type.value };
          body[type.value === 'team' ? 'team' : 'owner'] = who.value.trim();
          if (workspace.value.trim()) {
            body.credential = { workspaceId: workspace.value.trim() };
          }
          try {
            const result = await api<{ database: { name: string }; credential?: Credential }>(
              'POST',
              '/api/v1/databases',
              body,
            );
            el.close();
            location.hash = `#/databases/${result.database.name}`;
            if (result.credential) credentialsDialog(result.database.name, result.credential);
          } catch (failure) {
            error.replaceChildren(
              notice(failure instanceof Error ? failure.message : String(failure)),
            );
          }
        },
      },
      h('h2', {}, 'New database'),
      h('label', {}, 'Type ', type),
      h('label', {}, 'Owner or team ', who),
      h('label', {}, 'Login for workspace ', workspace),
      h(
        'p',
        { class: 'hint' },
        'With a workspace id, a login for it is made and its password is shown once.',
      ),
      error,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => el.close() }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary' }, 'Create'),
      ),
    ),
  );
}

/**
 * Shows a new login's password once. "I saved it" closes the dialog and drops
 * the only copy the page had; nothing else keeps it.
 */
function credentialsDialog(database: string, credential: Credential): void {
  let secret: string | null = credential.password;
  credential.password = '';
  const password = h('input', {
    id: 'credential-password',
    readonly: true,
    value: secret,
    'aria-label': 'password',
  });
  const copied = h('span', { class: 'hint', role: 'status' });
  const el = dialog(
    h('h2', {}, `Login for ${database}`),
    h('p', {}, 'This password is shown once: DevDB keeps only a verifier. Copy it now.'),
    table(
      ['user', 'host', 'port', 'url'],
      [[credential.user, credential.host, String(credential.port), credential.url]],
    ),
    h(
      'div',
      { class: 'secret' },
      password,
      h(
        'button',
        {
          id: 'copy-password',
          type: 'button',
          onclick: async () => {
            password.select();
            try {
              await navigator.clipboard.writeText(secret ?? '');
            } catch {
              document.execCommand('copy');
            }
            copied.textContent = 'copied';
          },
        },
        'Copy',
      ),
      copied,
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { id: 'saved-it', class: 'primary', type: 'button', onclick: () => el.close() },
        'I saved it',
      ),
    ),
  );
  el.addEventListener('cancel', (event) => event.preventDefault()); // Escape does not skip the confirmation
  el.addEventListener('close', () => {
    secret = null;
    password.value = '';
  });
}

// ---------------------------------------------------------------- router

async function route(): Promise<void> {
  state.onSnapshot = null;
  const hash = location.hash || '#/';
  if (!state.me) {
    try {
      state.me = await api<Me>('GET', '/api/v1/session');
    } catch {
      state.me = null;
    }
  }
  if (!state.me) {
    if (hash !== '#/login') {
      location.hash = '#/login';
      return;
    }
    return loginPage();
  }
  connectLive();
  const match = /^#\/databases\/([^/]+)$/.exec(hash);
  try {
    if (match) return await databasePage(decodeURIComponent(match[1]!));
    switch (hash) {
      case '#/login':
        location.hash = '#/';
        return;
      case '#/databases':
        return await databasesPage();
      case '#/backups':
        return await backupsPage();
      case '#/events':
        return await eventsPage();
      case '#/settings':
        return await settingsPage();
      case '#/cleanup':
        return await cleanupPage();
      default:
        return await overviewPage();
    }
  } catch (error) {
    flash(error instanceof Error ? error.message : String(error));
  }
}

window.addEventListener('hashchange', () => void route());
void route();
