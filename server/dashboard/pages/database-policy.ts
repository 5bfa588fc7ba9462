/** A database's place in the 30/60/90 policy, with protect / unprotect for an admin. */
import type { App } from '../app.js';
import type { PolicyState } from '../api/types.js';
import { h, section, table } from '../ui/dom.js';
import { actThen } from '../ui/feedback.js';
import { day } from '../ui/format.js';

function protection(policy: PolicyState): string {
  if (!policy.protected) return 'no';
  const until = policy.protectedUntil ? ` until ${day(policy.protectedUntil)}` : '';
  const reason = policy.protectReason ? ` (${policy.protectReason})` : '';
  return `yes${until}${reason}`;
}

/** `reload` redraws the database's page after a change. */
export function policySection(
  app: App,
  name: string,
  policy: PolicyState | undefined,
  reload: () => Promise<void>,
): HTMLElement {
  if (!policy) return section('Policy', h('p', { class: 'hint' }, 'not available'));
  const path = { name };
  const unprotect = () =>
    actThen(
      () => app.api.delete('/api/v1/databases/{name}/protection', { path }),
      'Protection removed.',
      reload,
    );
  const reason = h('input', {
    placeholder: 'reason (optional)',
    'aria-label': 'protection reason',
  });
  const protect = () => {
    const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
    return actThen(
      () => app.api.put('/api/v1/databases/{name}/protection', { path, body }),
      'Protected.',
      reload,
    );
  };
  const buttons = !app.store.isAdmin
    ? null
    : policy.protected
      ? h('button', { id: 'unprotect', onclick: unprotect }, 'Remove protection')
      : h(
          'span',
          { class: 'actions' },
          reason,
          h('button', { id: 'protect', onclick: protect }, 'Protect'),
        );
  return section(
    'Policy',
    table(
      ['state', 'idle days', 'protected', 'drop due'],
      [
        [
          h('span', { id: 'policy-state' }, policy.state),
          String(policy.idleDays),
          protection(policy),
          day(policy.dropDueAt),
        ],
      ],
    ),
    buttons,
  );
}
