/** Backups as a table, with verify and in-place restore for an admin (#/backups, a database's page). */
import type { App } from '../app.js';
import type { Backup } from '../api/types.js';
import { badge, h, table } from '../ui/dom.js';
import { actThen } from '../ui/feedback.js';
import { bytes, when } from '../ui/format.js';

/**
 * `reload` redraws what the table is part of after an action. A backup is its
 * id on its server (docs/servers.md): actions name both.
 */
export function backupTable(app: App, backups: Backup[], reload: () => Promise<void>): HTMLElement {
  const withServer = app.store.manyServers || new Set(backups.map((b) => b.server)).size > 1;
  const verify = (b: Backup) =>
    actThen(
      () =>
        app.api.post('/api/v1/backups/{id}/verify', {
          path: { id: b.id },
          query: { server: b.server },
        }),
      `Backup ${b.id} verified.`,
      reload,
    );
  const restore = async (b: Backup) => {
    const question = `Restore backup ${b.id} over ${b.database}? A pre-restore backup is taken first.`;
    if (!window.confirm(question)) return;
    const request = {
      path: { id: b.id },
      query: { server: b.server },
      body: { mode: 'in-place' as const },
    };
    await actThen(
      () => app.api.post('/api/v1/backups/{id}/restore', request),
      `Backup ${b.id} restored.`,
      reload,
    );
  };
  const headers = ['id', ...(withServer ? ['server'] : []), 'database', 'kind', 'status'];
  return table(
    [...headers, 'size', 'started', 'verified', ''],
    backups.map((b) => [
      String(b.id),
      ...(withServer ? [b.server] : []),
      h('a', { href: `#/databases/${b.database}` }, b.database),
      b.kind,
      badge(b.status),
      bytes(b.bytes),
      when(b.startedAt),
      b.verifyError ? badge('failed') : b.verifiedAt ? when(b.verifiedAt) : 'no',
      app.store.isAdmin && b.status === 'ok'
        ? h(
            'span',
            { class: 'actions' },
            h('button', { onclick: () => verify(b) }, 'Verify'),
            h('button', { 'data-restore-backup': b.id, onclick: () => restore(b) }, 'Restore'),
          )
        : '',
    ]),
  );
}
