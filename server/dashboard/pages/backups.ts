/** #/backups: every backup, newest first, under a warning when backups cannot run here. */
import type { App } from '../app.js';
import { h, show } from '../ui/dom.js';
import { notice } from '../ui/feedback.js';
import { layout } from '../ui/layout.js';
import { backupTable } from './backup-table.js';

export async function backupsPage(app: App): Promise<void> {
  layout(app, '#/backups');
  const area = h('div', {}, h('p', {}, 'Loading…'));
  show(h('h1', {}, 'Backups'), area);
  const load = async () => {
    const [page, tools] = await Promise.all([
      app.api.get('/api/v1/backups', { query: { limit: 200 } }),
      app.api.get('/api/v1/backups/status'),
    ]);
    area.replaceChildren(
      ...(tools.problem ? [notice(`Backups cannot run: ${tools.problem}`)] : []),
      h('p', { class: 'hint' }, `${page.total} backup(s), newest first`),
      backupTable(app, page.items, load),
    );
  };
  await load();
}
