/** #/settings: the settings, editable by an admin (PATCH /api/v1/settings with what changed). */
import type { App } from '../app.js';
import type { Setting, SettingsChange } from '../api/types.js';
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

export async function settingsPage(app: App): Promise<void> {
  const admin = app.store.isAdmin;
  layout(app, '#/settings');
  const { items } = await app.api.get('/api/v1/settings');
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
  );
}
