/** #/login: the API token is exchanged for a session cookie and not kept by the page. */
import type { App } from '../app.js';
import { h, show } from '../ui/dom.js';
import { act } from '../ui/feedback.js';
import { layout } from '../ui/layout.js';

export function loginPage(app: App): void {
  layout(app, '#/login');
  const input = h('input', {
    id: 'token',
    type: 'password',
    autocomplete: 'off',
    placeholder: 'devdb_…',
    required: true,
  });
  const form = h(
    'form',
    {
      class: 'card login',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const token = input.value.trim();
        input.value = '';
        void act(async () => {
          const me = await app.api.post('/api/v1/session', { body: { token } });
          app.store.me = { name: me.name, role: me.role };
          app.connectLive();
          location.hash = '#/';
        });
      },
    },
    h('h1', {}, 'Log in to DevDB'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h(
      'p',
      { class: 'hint' },
      'An admin makes one with ',
      h('code', {}, 'devdb token create --name me --role admin'),
      '. The token is exchanged for a session cookie and not kept by the page.',
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Log in'),
  );
  show(form);
  input.focus();
}
