/**
 * The audit trail as sentences (overview, a database's page, the audit log):
 * when, who did what to which database (a link), and the detail behind a
 * "details" toggle as labelled values, never as JSON.
 */
import type { AuditEvent } from '../api/types.js';
import { h, type Child } from './dom.js';
import { stamp, when } from './format.js';
import { detailLabel, detailValue, sentence } from './sentences.js';

export function isFailure(event: AuditEvent): boolean {
  return event.action.endsWith('.failed');
}

/** The sentence, its database a link to the database's page. */
function said(e: AuditEvent): Child[] {
  const text = sentence(e);
  const at = e.database ? text.indexOf(e.database) : -1;
  if (!e.database || at < 0) return [text];
  return [
    text.slice(0, at),
    h('a', { href: `#/databases/${e.database}` }, e.database),
    text.slice(at + e.database.length),
  ];
}

function details(e: AuditEvent): HTMLElement | string {
  const entries = Object.entries(e.detail);
  if (!entries.length && !e.workspaceId) return '';
  return h(
    'details',
    {},
    h('summary', {}, 'details'),
    h(
      'dl',
      {},
      h('dt', {}, 'action'),
      h('dd', {}, e.action),
      e.workspaceId ? [h('dt', {}, 'workspace'), h('dd', {}, e.workspaceId)] : null,
      entries.flatMap(([key, value]) => [
        h('dt', {}, detailLabel(key)),
        h('dd', {}, detailValue(key, value)),
      ]),
    ),
  );
}

/** The events as a table; `withServer`: with the server whose trail each is from (a pool of several). */
export function eventTable(events: AuditEvent[], withServer = false): HTMLElement {
  if (!events.length) return h('p', { class: 'hint' }, 'No events.');
  const headers = ['when', ...(withServer ? ['server'] : []), 'what happened', 'details'];
  return h(
    'table',
    { class: 'events' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      events.map((e) =>
        h(
          'tr',
          { class: isFailure(e) ? 'failed' : undefined, 'data-action': e.action },
          h('td', { title: stamp(e.at) }, when(e.at)),
          withServer ? h('td', { class: 'server' }, e.server) : null,
          h('td', { class: 'sentence' }, said(e)),
          h('td', { class: 'detail' }, details(e)),
        ),
      ),
    ),
  );
}
