/** Backups as a table, with verify and in-place restore for an admin (#/backups, a database's page). */
import type { App } from '../app.js';
import type { Backup } from '../api/types.js';
import { badge, dialog, h, table } from '../ui/dom.js';
import { actThen, errorText, flash, notice } from '../ui/feedback.js';
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
  const restoreAsNew = (b: Backup) => openRestoreAsNew(app, b);
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
            h(
              'button',
              { 'aria-label': `Verify backup ${b.id}`, onclick: () => verify(b) },
              'Verify',
            ),
            h(
              'button',
              {
                'data-restore-backup': b.id,
                'aria-label': `Restore backup ${b.id} over ${b.database}`,
                onclick: () => restore(b),
              },
              'Restore',
            ),
            h(
              'button',
              {
                'data-restore-new': b.id,
                'aria-label': `Restore as new database from backup ${b.id}`,
                onclick: () => restoreAsNew(b),
              },
              'Restore as new',
            ),
          )
        : '',
    ]),
  );
}

/**
 * "Restore as new": the backup into a new database, next to the one it was
 * taken of. The API takes a new team_<name>, or the database's own name once
 * it is gone (never another dev_<user>); it says so when refused.
 */
function openRestoreAsNew(app: App, b: Backup): void {
  const name = h('input', {
    id: 'restore-as',
    name: 'as',
    required: true,
    placeholder: 'team_restored',
    autocomplete: 'off',
    'aria-describedby': 'restore-as-help',
  });
  const error = h('div', {});
  const submit = async (event: Event) => {
    event.preventDefault();
    const as = name.value.trim();
    try {
      const request = {
        path: { id: b.id },
        query: { server: b.server },
        body: { mode: 'new' as const, as },
      };
      await app.api.post('/api/v1/backups/{id}/restore', request);
      el.close();
      location.hash = `#/databases/${as}`;
      // After the page for it is drawn (the hash change redraws the frame).
      setTimeout(() => flash(`Backup ${b.id} of ${b.database} restored as ${as}.`, 'ok'), 0);
    } catch (failure) {
      error.replaceChildren(notice(errorText(failure)));
    }
  };
  const el = dialog(
    h(
      'form',
      { id: 'restore-new-form', onsubmit: submit, 'aria-labelledby': 'restore-new-title' },
      h('h2', { id: 'restore-new-title' }, `Restore backup ${b.id} of ${b.database} as new`),
      h('label', { for: 'restore-as' }, 'New database name'),
      name,
      h(
        'p',
        { class: 'hint', id: 'restore-as-help' },
        `A new team database (team_…), or ${b.database} itself once it no longer exists; never another person's dev_ database. ${b.database} is left as it is.`,
      ),
      error,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => el.close() }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary' }, 'Restore'),
      ),
    ),
  );
}
