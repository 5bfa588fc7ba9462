/**
 * #/databases/NAME: one database. Its head (figures and an admin's actions)
 * redraws on each snapshot; the rest (attachments, statistics, policy,
 * sessions, backups, snapshots, events) is read from the API on opening and after an action.
 */
import type { App } from '../app.js';
import type { DatabaseRow } from '../api/types.js';
import { h, section, show, stat, table, type Child } from '../ui/dom.js';
import { eventTable } from '../ui/event-table.js';
import { actThen, errorText, notice } from '../ui/feedback.js';
import { bytes, when } from '../ui/format.js';
import { trendsSection } from './database-trends.js';
import { layout } from '../ui/layout.js';
import { backupTable } from './backup-table.js';
import { policySection } from './database-policy.js';
import { sessionsSection } from './database-sessions.js';
import { snapshotsSection } from './database-snapshots.js';

/** What an admin can do to the database in its state; each runs `then` after it worked. */
function actions(app: App, d: DatabaseRow, then: () => Promise<void>): Child[] {
  const path = { name: d.name };
  const run = (what: () => Promise<unknown>, done: string) => actThen(what, done, then);
  const connections = (allowed: boolean) =>
    run(
      () =>
        app.api.put('/api/v1/databases/{name}/connections', {
          path,
          body: allowed ? { allowed } : { allowed, terminate: true },
        }),
      allowed ? 'Open to connections.' : 'Closed to connections.',
    );
  if (d.status === 'archived') {
    const restore = () =>
      run(() => app.api.post('/api/v1/databases/{name}/restore', { path }), 'Restored.');
    return [h('button', { id: 'restore', class: 'primary', onclick: restore }, 'Restore')];
  }
  if (d.status !== 'active') return [];
  const archive = () => {
    if (!window.confirm(`Archive ${d.name}? It is renamed and closed, and can be restored.`))
      return;
    void run(() => app.api.post('/api/v1/databases/{name}/archive', { path }), 'Archived.');
  };
  const backUp = () =>
    run(() => app.api.post('/api/v1/databases/{name}/backups', { path }), 'Backed up.');
  return [
    h('button', { id: 'archive', onclick: archive }, 'Archive'),
    d.connectionsAllowed === false
      ? h(
          'button',
          { id: 'open-connections', onclick: () => connections(true) },
          'Open to connections',
        )
      : h(
          'button',
          { id: 'close-connections', onclick: () => connections(false) },
          'Close to connections',
        ),
    h('button', { id: 'backup-now', onclick: backUp }, 'Back up now'),
  ];
}

function figures(d: DatabaseRow, withServer: boolean): HTMLElement {
  const allowed = d.connectionsAllowed === false ? 'closed' : d.connectionsAllowed ? 'open' : '—';
  return h(
    'section',
    { class: 'stats' },
    stat('state', d.status, 'status'),
    withServer ? stat('server', d.server, 'server') : null,
    stat('type', d.type),
    stat(d.type === 'team' ? 'team' : 'owner', d.team ?? d.owner ?? '—'),
    stat('size', bytes(d.sizeBytes), 'size'),
    stat('connections now', d.connections ?? '—', 'connections'),
    stat('connections', allowed, 'allowed'),
    stat('last access', when(d.lastAccessed)),
    stat('workspaces', d.activeAttachments),
  );
}

export async function databasePage(app: App, name: string): Promise<void> {
  const { api, store } = app;
  layout(app, '#/databases');
  const head = h('div', { id: 'database-head' });
  const body = h('div', { class: 'grid' }, h('p', {}, 'Loading…'));
  const path = { name };
  /** The API's view of it, until a snapshot has it. */
  let fromApi: DatabaseRow | undefined;

  const drawHead = () => {
    // On its server: an archived copy a move left on another server has the same name.
    const d =
      store.snapshot?.databases.items.find(
        (row) => row.name === name && (!fromApi || row.server === fromApi.server),
      ) ?? fromApi;
    if (!d) return;
    head.replaceChildren(
      h(
        'div',
        { class: 'title' },
        h('h1', {}, name),
        h('div', { class: 'actions' }, store.isAdmin ? actions(app, d, load) : []),
      ),
      figures(d, store.manyServers),
    );
  };

  const load = async (): Promise<void> => {
    const [detail, stats, attachments, events, backups, policy, sessions, samples, snapshots] =
      await Promise.all([
        api.get('/api/v1/databases/{name}', { path }),
        api.get('/api/v1/databases/{name}/stats', { path }).catch(() => null),
        api.get('/api/v1/databases/{name}/attachments', { path }),
        api.get('/api/v1/events', { query: { database: name, limit: 50 } }),
        api.get('/api/v1/backups', { query: { database: name, limit: 50 } }),
        api.get('/api/v1/policy', { query: { database: name } }).catch(() => null),
        api.get('/api/v1/databases/{name}/sessions', { path }).catch(() => null),
        api.get('/api/v1/databases/{name}/samples', { path, query: { days: 7 } }).catch(() => null),
        api.get('/api/v1/databases/{name}/snapshots', { path }).catch(() => null),
      ]);
    fromApi = {
      ...detail.database,
      connectionsAllowed: stats?.connectionsAllowed ?? null,
      connections: stats?.connections,
    };
    drawHead();
    body.replaceChildren(
      section(
        'Attachments',
        table(
          ['workspace', 'owner', 'login', 'template', 'attached', 'detached', 'last seen'],
          attachments.items.map((a) => [
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
      trendsSection(samples?.items ?? null),
      policySection(app, name, policy?.items[0], load),
      sessionsSection(app, name, sessions?.items ?? null, load),
      section('Backups', backupTable(app, backups.items, load)),
      snapshotsSection(app, name, snapshots?.items ?? null, load),
      section('Events', eventTable(events.items, store.manyServers)),
    );
  };

  show(head, body);
  store.onSnapshot(drawHead);
  drawHead();
  try {
    await load();
  } catch (error) {
    body.replaceChildren(notice(errorText(error)));
  }
}
