/** #/backups: every backup, newest first. */
import type { App } from '../app.js';
import { h, show } from '../ui/dom.js';
import { layout } from '../ui/layout.js';
import { backupTable } from './backup-table.js';

export async function backupsPage(app: App): Promise<void> {
  layout(app, '#/backups');
  const area = h('div', {}, h('p', {}, 'Loading…'));
  show(h('h1', {}, 'Backups'), area);
  const load = async () => {
    const page = await app.api.get('/api/v1/backups', { query: { limit: 200 } });
    area.replaceChildren(
      h('p', { class: 'hint' }, `${page.total} backup(s), newest first`),
      backupTable(app, page.items, load),
    );
  };
  await load();
}
