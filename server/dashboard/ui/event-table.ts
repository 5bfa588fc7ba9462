/** The audit trail as a table (overview, a database's page, the audit log). */
import type { AuditEvent } from '../api/types.js';
import { h } from './dom.js';
import { when } from './format.js';

export function isFailure(event: AuditEvent): boolean {
  return event.action.endsWith('.failed');
}

/** The events as a table; `withServer`: with the server whose trail each is from (a pool of several). */
export function eventTable(events: AuditEvent[], withServer = false): HTMLElement {
  const headers = ['when', ...(withServer ? ['server'] : []), 'actor', 'action', 'database'];
  return h(
    'table',
    { class: 'events' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [...headers, 'detail'].map((t) => h('th', {}, t)),
      ),
    ),
    h(
      'tbody',
      {},
      events.map((e) =>
        h(
          'tr',
          { class: isFailure(e) ? 'failed' : undefined },
          h('td', { title: e.at }, when(e.at)),
          withServer ? h('td', { class: 'server' }, e.server) : null,
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
