/**
 * A database's snapshots (docs/snapshots.md): workspaces take them with
 * devdb-agent; here they are listed, and an admin can put the database back
 * to one (its sessions are ended) or delete one.
 */
import type { App } from '../app.js';
import type { DatabaseSnapshot } from '../api/types.js';
import { h, section, table } from '../ui/dom.js';
import { actThen } from '../ui/feedback.js';
import { bytes, when } from '../ui/format.js';

/** `reload` redraws the database's page after a change. */
export function snapshotsSection(
  app: App,
  database: string,
  snapshots: DatabaseSnapshot[] | null,
  reload: () => Promise<void>,
): HTMLElement {
  const card = body(app, database, snapshots, reload);
  card.id = 'snapshots';
  return card;
}

function body(
  app: App,
  database: string,
  snapshots: DatabaseSnapshot[] | null,
  reload: () => Promise<void>,
): HTMLElement {
  if (!snapshots) return section('Snapshots', h('p', { class: 'hint' }, 'not available'));
  if (!snapshots.length) {
    return section(
      'Snapshots',
      h('p', { class: 'hint' }, 'none: a workspace takes one with `devdb-agent snapshot`'),
    );
  }
  const path = (snapshot: string) => ({ path: { name: database, snapshot } });
  const restore = async (snapshot: string) => {
    const question = `Put ${database} back to snapshot ${snapshot}? Its sessions are ended and what was written since is gone.`;
    if (!window.confirm(question)) return;
    await actThen(
      () => app.api.post('/api/v1/databases/{name}/snapshots/{snapshot}/restore', path(snapshot)),
      `Put back to snapshot ${snapshot}.`,
      reload,
    );
  };
  const remove = async (snapshot: string) => {
    if (!window.confirm(`Delete snapshot ${snapshot} of ${database}?`)) return;
    await actThen(
      () => app.api.delete('/api/v1/databases/{name}/snapshots/{snapshot}', path(snapshot)),
      `Snapshot ${snapshot} deleted.`,
      reload,
    );
  };
  const buttons = (snapshot: string) =>
    app.store.isAdmin
      ? [
          h(
            'button',
            {
              onclick: () => restore(snapshot),
              'aria-label': `Restore ${database} to snapshot ${snapshot}`,
            },
            'Restore',
          ),
          h(
            'button',
            {
              onclick: () => remove(snapshot),
              'aria-label': `Delete snapshot ${snapshot}`,
            },
            'Delete',
          ),
        ]
      : [];
  return section(
    'Snapshots',
    table(
      ['name', 'taken', 'by', 'size', ''],
      snapshots.map((s) => [
        s.name,
        when(s.createdAt),
        s.createdBy,
        bytes(s.sizeBytes),
        h('span', { class: 'actions' }, ...buttons(s.name)),
      ]),
    ),
  );
}
