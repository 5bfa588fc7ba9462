/** #/cleanup: the orphans queue and cleanup's plan (the dry run), with "Run cleanup" for an admin. */
import type { App } from '../app.js';
import type { CleanupPlan, Orphans } from '../api/types.js';
import { badge, h, section, show, table } from '../ui/dom.js';
import { act, errorText, notice } from '../ui/feedback.js';
import { when } from '../ui/format.js';
import { layout } from '../ui/layout.js';

/** Each message once: what was skipped for one reason, together (Coder not configured: every database). */
function byReason<T extends { reason: string }>(items: T[]): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(item.reason, [...(groups.get(item.reason) ?? []), item]);
  return [...groups];
}

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
          ['why', 'databases'],
          byReason(plan.skipped).map(([reason, skipped]) => [
            reason,
            skipped
              .map((k) =>
                k.workspaceId ? `${k.database} (workspace ${k.workspaceId})` : k.database,
              )
              .join(', '),
          ]),
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
    ...byReason(orphans.skipped).map(([reason, skipped]) =>
      h(
        'p',
        { class: 'hint' },
        `Not checked (${skipped.map((k) => k.kind).join(', ')}): ${reason}`,
      ),
    ),
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
