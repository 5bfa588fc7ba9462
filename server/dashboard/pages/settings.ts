/**
 * #/settings: what `devdb serve`'s policy job may do on its own (PATCH
 * /api/v1/policy/settings), and the settings, editable by an admin (PATCH
 * /api/v1/settings with what changed).
 */
import type { App } from '../app.js';
import type { PolicySettings, Setting, SettingsChange } from '../api/types.js';
import { h, show, table } from '../ui/dom.js';
import { act, flash } from '../ui/feedback.js';
import { layout } from '../ui/layout.js';

/** What the inputs change: a value, or null (empty) for the default. */
function changesOf(items: Setting[], inputs: Map<string, HTMLInputElement>): SettingsChange {
  const changes: Record<string, string | null> = {};
  for (const setting of items) {
    const value = inputs.get(setting.key)!.value.trim();
    const before = setting.set ? (setting.value ?? '') : '';
    if (value !== before) changes[setting.key] = value === '' ? null : value;
  }
  // The keys are the ones GET /api/v1/settings listed.
  return changes as SettingsChange;
}

/** What each value of policy_auto_action lets `devdb serve` do (docs/operations.md). */
const AUTO_ACTIONS: Record<PolicySettings['autoAction'], string> = {
  notify: 'notify only: events and the webhook (default)',
  archive: 'archive eligible databases and detach deleted workspaces',
  'archive-and-drop': 'archive, and drop archives past retention after a verified final backup',
};

/** The policy job's own actions: one select, saved on its own. */
function autoActionForm(app: App, policy: PolicySettings, admin: boolean): HTMLFormElement {
  const select = h(
    'select',
    { name: 'autoAction', disabled: !admin, 'aria-label': 'policy_auto_action' },
    ...Object.entries(AUTO_ACTIONS).map(([value, text]) =>
      h('option', { value, selected: value === policy.autoAction }, text),
    ),
  );
  const save = async (event: Event) => {
    event.preventDefault();
    const autoAction = select.value as PolicySettings['autoAction'];
    if (autoAction === policy.autoAction) return flash('Nothing changed.', 'ok');
    const body = { autoAction };
    if (await act(() => app.api.patch('/api/v1/policy/settings', { body }))) {
      await settingsPage(app);
      flash('Policy saved.', 'ok');
    }
  };
  return h(
    'form',
    { class: 'card', onsubmit: save },
    h('h2', {}, 'Policy: what devdb serve does on its own'),
    h(
      'p',
      {},
      `Idle after ${policy.idleDays} days, stale after ${policy.staleDays}, eligible after ${policy.eligibleDays}; archives kept ${policy.archiveRetentionDays} days. `,
    ),
    h('p', {}, select, ' ', admin ? h('button', { type: 'submit' }, 'Save policy') : ''),
  );
}

export async function settingsPage(app: App): Promise<void> {
  const admin = app.store.isAdmin;
  layout(app, '#/settings');
  const [{ items }, policy] = await Promise.all([
    app.api.get('/api/v1/settings'),
    app.api.get('/api/v1/policy/settings'),
  ]);
  const inputs = new Map<string, HTMLInputElement>();
  const save = async (event: Event) => {
    event.preventDefault();
    const body = changesOf(items, inputs);
    if (!Object.keys(body).length) return flash('Nothing changed.', 'ok');
    if (await act(() => app.api.patch('/api/v1/settings', { body }))) {
      await settingsPage(app);
      flash('Settings saved.', 'ok');
    }
  };
  const rows = items.map((s) => {
    const input = h('input', {
      name: s.key,
      value: s.set ? (s.value ?? '') : '',
      placeholder: s.default ?? '',
      disabled: !admin,
      'aria-label': s.key,
    });
    inputs.set(s.key, input);
    return [h('code', {}, s.key), input, s.default ?? '—', s.description];
  });
  const footer = admin
    ? h(
        'p',
        {},
        h('button', { type: 'submit', class: 'primary' }, 'Save'),
        ' An empty value restores the default.',
      )
    : h('p', { class: 'hint' }, 'A viewer token can read the settings only.');
  show(
    h('h1', {}, 'Settings'),
    h(
      'form',
      { class: 'card', onsubmit: save },
      table(['setting', 'value', 'default', 'what'], rows),
      footer,
    ),
    autoActionForm(app, policy, admin),
  );
}
