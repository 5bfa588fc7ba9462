/**
 * #/: the totals, what needs attention (a server of the pool that could not be
 * read, too), each server's share on a pool of several, and the latest
 * activity, redrawn on each snapshot.
 */
import type { App } from '../app.js';
import type { PolicySettings, PolicyState, Snapshot, Summary } from '../api/types.js';
import { barChart } from '../ui/chart.js';
import { h, section, show, stat, table } from '../ui/dom.js';
import { eventTable, isFailure } from '../ui/event-table.js';
import { notice } from '../ui/feedback.js';
import { bytes, count, when } from '../ui/format.js';
import { layout } from '../ui/layout.js';
import { sentence } from '../ui/sentences.js';

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
    alerts.push(notice(`${when(e.at)}: ${sentence(e)}`));
  return alerts;
}

/** The fleet: databases by policy state, an idle-days histogram (by the thresholds), storage per server. */
function fleetCharts(
  states: PolicyState[],
  thresholds: PolicySettings,
  summary: Summary,
): HTMLElement {
  const byState = new Map<string, number>();
  for (const s of states) byState.set(s.state, (byState.get(s.state) ?? 0) + 1);
  const edges = [
    ...new Set([0, 7, thresholds.idleDays, thresholds.staleDays, thresholds.eligibleDays]),
  ].sort((a, b) => a - b);
  const live = states.filter((s) => s.status === 'active');
  const buckets = edges.map((from, i) => {
    const to = edges[i + 1];
    const label = to === undefined ? `${from}+ days` : `${from}–${to - 1} days`;
    const value = live.filter((s) => s.idleDays >= from && (to === undefined || s.idleDays < to));
    return { label, value: value.length };
  });
  return section(
    'Fleet',
    h(
      'div',
      { class: 'charts' },
      barChart(
        'states',
        'Databases by state',
        POLICY_ORDER.filter((state) => byState.has(state)).map((state) => ({
          label: state,
          value: byState.get(state)!,
        })),
        (n) => count(n, 'database'),
      ),
      barChart('idle', 'Active databases by days idle', buckets, (n) => count(n, 'database')),
      barChart(
        'storage',
        'Storage per server',
        summary.servers.map((one) => ({ label: one.server, value: one.totalSizeBytes })),
        bytes,
      ),
    ),
  );
}

/** The policy's states in their order (a database moves left to right). */
const POLICY_ORDER = ['active', 'idle', 'stale', 'eligible', 'protected', 'archived', 'dropped'];

function draw(snapshot: Snapshot | null, summary: Summary | null, fleet: Fleet | null): void {
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
    fleet ? fleetCharts(fleet.states, fleet.thresholds, s) : null,
    snapshot ? h('h2', {}, 'Recent activity') : null,
    snapshot ? eventTable(snapshot.events.slice(0, 10), s.servers.length > 1) : null,
  );
}

interface Fleet {
  states: PolicyState[];
  thresholds: PolicySettings;
}

export async function overviewPage(app: App): Promise<void> {
  const { store } = app;
  layout(app, '#/');
  let fleet: Fleet | null = null;
  const redraw = () => draw(store.snapshot, null, fleet);
  store.onSnapshot(redraw);
  draw(store.snapshot, null, null);
  const [summary, states, thresholds] = await Promise.all([
    store.snapshot ? null : app.api.get('/api/v1/summary'),
    app.api.get('/api/v1/policy'),
    app.api.get('/api/v1/policy/settings'),
  ]);
  fleet = { states: states.items, thresholds };
  if (location.hash !== '' && location.hash !== '#/') return;
  draw(store.snapshot, summary, fleet);
}
