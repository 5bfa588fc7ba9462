/**
 * #/settings: every setting an admin may change, grouped by what it governs
 * (connections, backups, the policy's 30/60/90 thresholds and actions, the
 * webhook, Coder, the schedules, the sampler), each with its label, unit,
 * default and what is allowed, all from GET /api/v1/settings (declared once in
 * provisioning/admin/settings.ts). Saved with one PATCH /api/v1/settings of
 * what changed; a refused value is said beside its field.
 */
import type { App } from '../app.js';
import { ApiFailure } from '../api/client.js';
import type { Setting, SettingsChange } from '../api/types.js';
import { h, show } from '../ui/dom.js';
import { errorText, flash } from '../ui/feedback.js';
import { settingValue } from '../ui/format.js';
import { layout } from '../ui/layout.js';

const GROUPS: Record<Setting['group'], [title: string, about: string]> = {
  connections: ['Connections', 'Where workspaces connect, and how long operations wait.'],
  backups: ['Backups', 'Where backups go, how they are encrypted, and how many are kept.'],
  snapshots: [
    'Snapshots',
    'How many snapshots workspaces may keep of their database, and how much room they take on this server.',
  ],
  policy: [
    'Policy',
    'When an unused database becomes idle (warn), stale (review) and eligible (cleanup may act), and what devdb serve does on its own.',
  ],
  webhook: ['Webhook', 'Where every policy state change is sent, once.'],
  coder: ['Coder', 'How DevDB asks Coder which workspaces and users still exist.'],
  schedules: ['Schedules', 'When devdb serve runs its jobs (cron patterns, or "off").'],
  monitoring: ['Sampler and metrics', 'What the sampler keeps for the charts, and /metrics.'],
};

/** The word after a number input. */
const UNIT_WORDS: Partial<Record<Setting['unit'], string>> = {
  days: 'days',
  seconds: 'seconds',
  bytes: 'bytes',
};

interface Field {
  setting: Setting;
  input: HTMLInputElement | HTMLSelectElement;
  /** A secret's "remove it" box. */
  remove?: HTMLInputElement;
  error: HTMLElement;
}

/** What is in the field now, as the form shows it when nothing changed. */
const shownValue = (s: Setting) => (s.secret || !s.set ? '' : (s.value ?? ''));

function fieldOf(setting: Setting, admin: boolean): { row: HTMLElement; field: Field } {
  const id = `setting-${setting.key}`;
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const common = {
    id,
    name: setting.key,
    disabled: !admin,
    'aria-describedby': `${helpId} ${errorId}`,
  };
  const input =
    setting.unit === 'choice'
      ? h(
          'select',
          common,
          (setting.choices ?? []).map((choice) =>
            h('option', { value: choice, selected: choice === setting.value }, choice),
          ),
        )
      : h('input', {
          ...common,
          value: shownValue(setting),
          inputmode: UNIT_WORDS[setting.unit] || setting.unit === 'count' ? 'numeric' : undefined,
          placeholder: setting.secret
            ? setting.value
              ? `set: ${setting.value}`
              : 'none'
            : (setting.default ?? ''),
          autocomplete: 'off',
        });
  const remove =
    setting.secret && setting.value
      ? h('input', { type: 'checkbox', id: `${id}-remove`, disabled: !admin })
      : undefined;
  const error = h('p', { class: 'field-error', id: errorId, role: 'alert' });
  const unit = UNIT_WORDS[setting.unit];
  const defaultText =
    setting.default === null ? 'none' : settingValue(setting.default, setting.unit);
  const row = h(
    'div',
    { class: 'setting', 'data-setting': setting.key },
    h('label', { for: id }, setting.label),
    h(
      'div',
      { class: 'control' },
      input,
      unit ? h('span', { class: 'unit' }, unit) : null,
      remove ? h('label', { class: 'remove' }, remove, ' remove') : null,
    ),
    h(
      'p',
      { class: 'hint', id: helpId },
      `${setting.description}. Allowed: ${setting.allowed}. Default: ${defaultText}.`,
      setting.unit === 'bytes' && setting.value !== null
        ? ` Now: ${settingValue(setting.value, 'bytes')}.`
        : '',
      ' ',
      h('code', {}, setting.key),
    ),
    error,
  );
  return { row, field: { setting, input, remove, error } };
}

/** What the fields change: a value, or null (empty) for the default. */
function changesOf(fields: Field[]): SettingsChange {
  const changes: Record<string, string | null> = {};
  for (const { setting, input, remove } of fields) {
    const value = input.value.trim();
    if (remove?.checked) changes[setting.key] = null;
    else if (setting.secret) {
      if (value) changes[setting.key] = value;
    } else if (setting.unit === 'choice') {
      if (value !== setting.value) changes[setting.key] = value;
    } else if (value !== shownValue(setting)) changes[setting.key] = value === '' ? null : value;
  }
  // The keys are the ones GET /api/v1/settings listed.
  return changes as SettingsChange;
}

/** Says a refusal beside the field it names (or at the top), and focuses that field. */
function showRefusal(fields: Field[], general: HTMLElement, error: unknown): void {
  const message = errorText(error);
  const named =
    error instanceof ApiFailure
      ? fields.find((f) => new RegExp(`\\b${f.setting.key}\\b`).test(message))
      : undefined;
  const thresholds = /policy thresholds/.test(message)
    ? fields.find((f) => f.setting.key === 'policy_stale_days')
    : undefined;
  const field = named ?? thresholds;
  if (field) {
    field.error.textContent = message;
    field.input.setAttribute('aria-invalid', 'true');
    field.input.focus();
  } else general.textContent = message;
}

export async function settingsPage(app: App): Promise<void> {
  const admin = app.store.isAdmin;
  layout(app, '#/settings');
  const { items } = await app.api.get('/api/v1/settings');
  const fields: Field[] = [];
  const general = h('p', { class: 'field-error', role: 'alert', id: 'settings-error' });
  const groups = Object.entries(GROUPS).map(([group, [title, about]]) => {
    const rows = items
      .filter((s) => s.group === group)
      .map((s) => {
        const { row, field } = fieldOf(s, admin);
        fields.push(field);
        return row;
      });
    return h(
      'fieldset',
      { class: 'card settings-group', 'data-group': group },
      h('legend', {}, title),
      h('p', { class: 'hint' }, about),
      rows,
    );
  });
  const save = async (event: Event) => {
    event.preventDefault();
    general.textContent = '';
    for (const f of fields) {
      f.error.textContent = '';
      f.input.removeAttribute('aria-invalid');
    }
    const body = changesOf(fields);
    if (!Object.keys(body).length) return flash('Nothing changed.', 'ok');
    try {
      await app.api.patch('/api/v1/settings', { body });
    } catch (error) {
      showRefusal(fields, general, error);
      flash(`Not saved: ${errorText(error)}`);
      return;
    }
    await settingsPage(app);
    flash(`Settings saved: ${Object.keys(body).join(', ')}.`, 'ok');
  };
  const footer = admin
    ? h(
        'p',
        { class: 'save' },
        h('button', { type: 'submit', class: 'primary', id: 'save-settings' }, 'Save settings'),
        ' An empty field restores the default.',
      )
    : h('p', { class: 'hint' }, 'A viewer token can read the settings only.');
  show(
    h('h1', {}, 'Settings'),
    h('form', { id: 'settings-form', onsubmit: save, novalidate: true }, general, groups, footer),
  );
}
