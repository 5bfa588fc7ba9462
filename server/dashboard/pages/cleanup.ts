/** #/cleanup: the orphans queue and cleanup's plan (the dry run), with "Run cleanup" for an admin. */
import type { App } from '../app.js';
import type { CleanupPlan, Orphans } from '../api/types.js';
import { badge, h, section, show, table } from '../ui/dom.js';
import { act, errorText, notice } from '../ui/feedback.js';
import { when } from '../ui/format.js';
import { layout } from '../ui/layout.js';

function planView(plan: CleanupPlan): HTMLElement {
  return h(
    'div',
    { id: 'cleanup-plan' },
    table(
      ['action', 'database', 'workspace', 'why'],
      plan.actions.map((a) => [badge(a.kind), a.database, a.workspaceId ?? '—', a.reason]),
    ),
    plan.skipped.length ? h('h3', {}, 'Skipped') : null,
    plan.skipped.length
      ? table(
          ['database', 'workspace', 'why'],
          plan.skipped.map((k) => [k.database, k.workspaceId ?? '—', k.reason]),
        )
      : null,
    plan.results
      ? h(
          'div',
          { id: 'cleanup-results' },
          h('h3', {}, 'Results'),
          table(
            ['action', 'database', 'outcome', 'detail'],
            plan.results.map((r) => [
              r.action.kind,
              r.action.database,
              badge(r.outcome),
              r.detail ?? '',
            ]),
          ),
        )
      : null,
  );
}

function orphansView(orphans: Orphans): HTMLElement[] {
  return [
    table(
      ['kind', 'database', 'owner', 'workspace', 'last access', 'detail'],
      orphans.findings.map((f) => [
        badge(f.kind),
        f.database ?? '—',
        f.owner ?? '—',
        f.workspaceId ?? '—',
        when(f.lastAccess),
        f.detail,
      ]),
    ),
    ...orphans.skipped.map((k) => h('p', { class: 'hint' }, `${k.kind}: ${k.reason}`)),
  ];
}

export async function cleanupPage(app: App): Promise<void> {
  layout(app, '#/cleanup');
  const orphansArea = h('div', {}, h('p', {}, 'Loading…'));
  const planArea = h('div', {}, h('p', {}, 'Loading…'));
  const run = async () => {
    if (!window.confirm('Run cleanup now? Drops go through a verified final backup.')) return;
    await act(
      async () => planArea.replaceChildren(planView(await app.api.post('/api/v1/cleanup'))),
      'Cleanup ran.',
    );
  };
  show(
    h('h1', {}, 'Orphans and cleanup'),
    section('Orphans', orphansArea),
    section(
      'Cleanup plan (dry run)',
      app.store.isAdmin
        ? h(
            'p',
            {},
            h('button', { id: 'run-cleanup', class: 'primary', onclick: run }, 'Run cleanup'),
          )
        : null,
      planArea,
    ),
  );
  const [orphans, plan] = await Promise.allSettled([
    app.api.get('/api/v1/orphans'),
    app.api.get('/api/v1/cleanup'),
  ]);
  if (orphans.status === 'fulfilled') orphansArea.replaceChildren(...orphansView(orphans.value));
  else orphansArea.replaceChildren(notice(errorText(orphans.reason)));
  if (plan.status === 'fulfilled') planArea.replaceChildren(planView(plan.value));
  else planArea.replaceChildren(notice(errorText(plan.reason)));
}
