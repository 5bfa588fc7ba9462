/**
 * #/databases: the list with search, filters and sort, redrawn on each
 * snapshot. With more databases than a snapshot holds, a filtered or re-sorted
 * view asks the API (debounced), and takes connections from the snapshot. On a
 * pool of several servers each row says its server.
 */
import type { App } from '../app.js';
import type { DatabaseList, DatabaseRow } from '../api/types.js';
import { openCreateDialog } from '../dialogs/create-database.js';
import { badge, h, show } from '../ui/dom.js';
import { errorText, flash } from '../ui/feedback.js';
import { bytes, when } from '../ui/format.js';
import { layout } from '../ui/layout.js';
import { filterRows, isFiltered, searchQuery, type DatabaseFilters } from './databases-filter.js';

/** How many databases a search through the API shows at most. */
const SEARCH_LIMIT = 500;
const SEARCH_DEBOUNCE_MS = 250;

const COLUMNS = [
  'name',
  'server',
  'type',
  'owner / team',
  'state',
  'size',
  'connections',
  'last access',
  'workspaces',
];

/** A row's key: its name on its server (a move leaves an archived copy on the old server). */
const keyOf = (d: DatabaseRow) => `${d.server}/${d.name}`;

function databaseRow(d: DatabaseRow, withServer: boolean): HTMLElement {
  return h(
    'tr',
    { 'data-name': d.name, 'data-server': d.server },
    h('td', {}, h('a', { href: `#/databases/${d.name}` }, d.name)),
    withServer ? h('td', { class: 'server' }, d.server) : null,
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
  );
}

/** The filter controls, bound to `filters`; `changed` redraws. */
function filterControls(filters: DatabaseFilters, changed: () => void): HTMLElement {
  const control = (key: keyof DatabaseFilters, el: HTMLInputElement | HTMLSelectElement) => {
    el.value = filters[key];
    el.addEventListener('input', () => {
      // The select offers only the values its key takes.
      (filters as Record<keyof DatabaseFilters, string>)[key] = el.value;
      changed();
    });
    return el;
  };
  const select = (key: keyof DatabaseFilters, options: [string, string][]) =>
    control(
      key,
      h(
        'select',
        { 'aria-label': key },
        options.map(([v, l]) => h('option', { value: v }, l)),
      ),
    );
  return h(
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
  );
}

export async function databasesPage(app: App): Promise<void> {
  const { store } = app;
  const filters = store.databaseFilters;
  layout(app, '#/databases');
  /** The list from the API while no snapshot has come. */
  let fallback: { items: DatabaseRow[]; total: number } | null = null;
  /** The API's answer for the filters `key` (JSON of them). */
  let searched: ({ key: string } & DatabaseList) | null = null;
  let searching: ReturnType<typeof setTimeout> | undefined;
  const tableArea = h('div', { id: 'database-table' });

  const search = (key: string) => {
    clearTimeout(searching);
    searching = setTimeout(async () => {
      try {
        const query = searchQuery(filters, SEARCH_LIMIT);
        searched = { key, ...(await app.api.get('/api/v1/databases', { query })) };
        drawTable();
      } catch (error) {
        flash(errorText(error));
      }
    }, SEARCH_DEBOUNCE_MS);
  };

  const drawTable = () => {
    let source = store.snapshot?.databases ?? fallback;
    if (!source) return tableArea.replaceChildren(h('p', {}, 'Loading…'));
    if (source.total > source.items.length && isFiltered(filters)) {
      const key = JSON.stringify(filters);
      if (searched?.key !== key) {
        search(key);
        if (!searched) return tableArea.replaceChildren(h('p', {}, 'Searching…'));
      }
      const live = new Map(source.items.map((d: DatabaseRow) => [keyOf(d), d.connections]));
      source = {
        total: searched.total,
        items: searched.items.map((d) => ({ ...d, connections: live.get(keyOf(d)) })),
      };
    }
    const rows = filterRows(source.items, filters);
    const withServer = store.manyServers || new Set(source.items.map((d) => d.server)).size > 1;
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
            COLUMNS.filter((t) => withServer || t !== 'server').map((t) => h('th', {}, t)),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map((d) => databaseRow(d, withServer)),
        ),
      ),
    );
  };

  show(
    h(
      'div',
      { class: 'title' },
      h('h1', {}, 'Databases'),
      store.isAdmin
        ? h(
            'button',
            { class: 'primary', id: 'new-database', onclick: () => openCreateDialog(app) },
            'New database',
          )
        : null,
    ),
    filterControls(filters, () => drawTable()),
    tableArea,
  );
  store.onSnapshot(drawTable);
  drawTable();
  if (!store.snapshot) {
    fallback = await app.api.get('/api/v1/databases', { query: { limit: SEARCH_LIMIT } });
    drawTable();
  }
}
