/**
 * #/: the totals, what needs attention (a server of the pool that could not be
 * read, too), each server's share on a pool of several, and the latest
 * activity, redrawn on each snapshot.
 */
import type { App } from '../app.js';
import type { Snapshot, Summary } from '../api/types.js';
import { h, section, show, stat, table } from '../ui/dom.js';
import { eventTable, isFailure } from '../ui/event-table.js';
import { notice } from '../ui/feedback.js';
import { bytes, when } from '../ui/format.js';
import { layout } from '../ui/layout.js';

function alertsOf(snapshot: Snapshot): HTMLElement[] {
  const s = snapshot.summary;
  const alerts: HTMLElement[] = s.unreachable.map((u) =>
    notice(`server ${u.server} could not be read (its databases are missing here): ${u.reason}`),
  );
  const closed = snapshot.databases.items.filter(
    (d) => d.status === 'active' && d.connectionsAllowed === false,
  );
  if (s.idleOver30Days)
    alerts.push(notice(`${s.idleOver30Days} database(s) idle for over 30 days`));
  if (s.neverAccessed) alerts.push(notice(`${s.neverAccessed} database(s) never accessed`));
  if (closed.length)
    alerts.push(notice(`closed to connections: ${closed.map((d) => d.name).join(', ')}`));
  for (const e of snapshot.events.filter(isFailure).slice(0, 5))
    alerts.push(
      notice(`${when(e.at)}: ${e.action} by ${e.actor}${e.database ? ` on ${e.database}` : ''}`),
    );
  return alerts;
}

function draw(snapshot: Snapshot | null, summary: Summary | null): void {
  const s = snapshot?.summary ?? summary;
  if (!s) return show(h('p', {}, 'Loading…'));
  const alerts = snapshot ? alertsOf(snapshot) : [];
  show(
    h('h1', {}, 'Overview'),
    h(
      'section',
      { class: 'stats' },
      stat('databases', s.databases, 'databases'),
      stat('active', s.byStatus.active, 'active'),
      stat('archived', s.byStatus.archived, 'archived'),
      stat('individual / team', `${s.byType.individual} / ${s.byType.team}`),
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
    s.servers.length > 1
      ? section(
          'Servers',
          table(
            ['server', 'databases', 'workspaces', 'size'],
            s.servers.map((one) => [
              one.server,
              String(one.databases),
              String(one.activeAttachments),
              bytes(one.totalSizeBytes),
            ]),
          ),
        )
      : null,
    snapshot ? h('h2', {}, 'Recent activity') : null,
    snapshot ? eventTable(snapshot.events.slice(0, 10), s.servers.length > 1) : null,
  );
}

export async function overviewPage(app: App): Promise<void> {
  const { store } = app;
  layout(app, '#/');
  store.onSnapshot(() => draw(store.snapshot, null));
  if (store.snapshot) return draw(store.snapshot, null);
  draw(null, null);
  const summary = await app.api.get('/api/v1/summary');
  if (!store.snapshot) draw(null, summary);
}
