/**
 * A new login's password, shown once. "I saved it" closes the dialog and drops
 * the only copy the page had; nothing else keeps it, and Escape does not skip it.
 */
import type { Credential } from '../api/types.js';
import { dialog, h, table } from '../ui/dom.js';

/** `owner`: whose login it is (a team database's member). */
export function openCredentialsDialog(
  database: string,
  credential: Credential,
  owner?: string,
): void {
  let secret: string | null = credential.password;
  credential.password = '';
  const password = h('input', {
    id: 'credential-password',
    readonly: true,
    value: secret,
    'aria-label': 'password',
  });
  const copied = h('span', { class: 'hint', role: 'status' });
  const copy = async () => {
    password.select();
    try {
      await navigator.clipboard.writeText(secret ?? '');
    } catch {
      document.execCommand('copy');
    }
    copied.textContent = 'copied';
  };
  const el = dialog(
    h('h2', {}, owner ? `Login for ${database}, of ${owner}` : `Login for ${database}`),
    h('p', {}, 'This password is shown once: DevDB keeps only a verifier. Copy it now.'),
    table(
      ['user', 'owner', 'host', 'port', 'url'],
      [
        [
          credential.user,
          h('span', { id: 'credential-owner-name' }, owner ?? '—'),
          credential.host,
          String(credential.port),
          credential.url,
        ],
      ],
    ),
    h(
      'div',
      { class: 'secret' },
      password,
      h('button', { id: 'copy-password', type: 'button', onclick: copy }, 'Copy'),
      copied,
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { id: 'saved-it', class: 'primary', type: 'button', onclick: () => el.close() },
        'I saved it',
      ),
    ),
  );
  el.addEventListener('cancel', (event) => event.preventDefault());
  el.addEventListener('close', () => {
    secret = null;
    password.value = '';
  });
}
