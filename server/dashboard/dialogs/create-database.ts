/**
 * "New database": POST /api/v1/databases for an owner or a team; with a
 * workspace id, a login for it is made and its password shown once.
 */
import type { App } from '../app.js';
import type { CreateDatabase } from '../api/types.js';
import { dialog, h } from '../ui/dom.js';
import { errorText, notice } from '../ui/feedback.js';
import { openCredentialsDialog } from './credentials.js';

export function openCreateDialog(app: App): void {
  const type = h(
    'select',
    { name: 'type', 'aria-label': 'type' },
    h('option', { value: 'individual' }, 'individual'),
    h('option', { value: 'team' }, 'team'),
  );
  const who = h('input', {
    name: 'who',
    required: true,
    placeholder: 'Coder username',
    'aria-label': 'owner or team',
  });
  const workspace = h('input', {
    name: 'workspace',
    placeholder: 'workspace id (optional)',
    'aria-label': 'workspace id',
  });
  const member = h('input', {
    id: 'credential-owner',
    name: 'member',
    placeholder: 'Coder username',
    autocomplete: 'off',
  });
  const memberLabel = h('label', { hidden: true }, 'Login belongs to ', member);
  type.addEventListener('change', () => {
    who.placeholder = type.value === 'team' ? 'team name' : 'Coder username';
    memberLabel.hidden = type.value !== 'team';
  });
  const error = h('div', {});
  const submit = async (event: Event) => {
    event.preventDefault();
    const name = who.value.trim();
    const body: CreateDatabase =
      type.value === 'team' ? { type: 'team', team: name } : { type: 'individual', owner: name };
    const workspaceId = workspace.value.trim();
    // A team login is a member's: whose, by Coder username (an individual's is its owner's).
    const owner = type.value === 'team' ? member.value.trim() || undefined : name;
    if (workspaceId) body.credential = { workspaceId, ...(type.value === 'team' ? { owner } : {}) };
    try {
      const result = await app.api.post('/api/v1/databases', { body });
      el.close();
      location.hash = `#/databases/${result.database.name}`;
      if ('credential' in result && result.credential) {
        openCredentialsDialog(result.database.name, result.credential, owner);
      }
    } catch (failure) {
      error.replaceChildren(notice(errorText(failure)));
    }
  };
  const el = dialog(
    h(
      'form',
      { id: 'create-form', onsubmit: submit },
      h('h2', {}, 'New database'),
      h('label', {}, 'Type ', type),
      h('label', {}, 'Owner or team ', who),
      h('label', {}, 'Login for workspace ', workspace),
      memberLabel,
      h(
        'p',
        { class: 'hint' },
        'With a workspace id, a login for it is made and its password is shown once; a team login belongs to a member.',
      ),
      error,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => el.close() }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary' }, 'Create'),
      ),
    ),
  );
}
