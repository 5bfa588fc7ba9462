/** A database's live client sessions per login role, with "end them" for an admin. */
import type { App } from '../app.js';
import type { SessionGroup } from '../api/types.js';
import { h, section, table } from '../ui/dom.js';
import { actThen } from '../ui/feedback.js';
import { when } from '../ui/format.js';

/** `reload` redraws the database's page after a change. */
export function sessionsSection(
  app: App,
  name: string,
  sessions: SessionGroup[] | null,
  reload: () => Promise<void>,
): HTMLElement {
  if (!sessions) return section('Sessions', h('p', { class: 'hint' }, 'not available'));
  const end = async (user: string) => {
    if (!window.confirm(`End the sessions of ${user}?`)) return;
    const request = { path: { name }, query: { user } };
    await actThen(
      () => app.api.delete('/api/v1/databases/{name}/sessions', request),
      'Sessions ended.',
      reload,
    );
  };
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
        app.store.isAdmin ? h('button', { onclick: () => end(g.user) }, 'End') : '',
      ]),
    ),
  );
}
