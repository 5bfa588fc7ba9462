/**
 * The frame around every page: the header (brand, the pages, the live feed's
 * status, who is logged in, "Log out"), the flash area and the main area that
 * show() fills.
 */
import type { App } from '../app.js';
import type { LiveStatus } from '../store.js';
import { h } from './dom.js';
import { act } from './feedback.js';

const NAV: [string, string][] = [
  ['#/', 'Overview'],
  ['#/databases', 'Databases'],
  ['#/backups', 'Backups'],
  ['#/events', 'Audit log'],
  ['#/cleanup', 'Cleanup'],
  ['#/settings', 'Settings'],
];

/** Draws the frame, `active` (a route) marked in the navigation. */
export function layout(app: App, active: string): void {
  const { me, live } = app.store;
  const nav = me
    ? h(
        'nav',
        {},
        NAV.map(([href, label]) =>
          h('a', { href, class: href === active ? 'active' : undefined }, label),
        ),
      )
    : null;
  const who = me
    ? h(
        'div',
        { class: 'who' },
        h('span', { id: 'live', class: `live live-${live}` }, live),
        h('span', { class: 'me' }, `${me.name} (${me.role})`),
        h(
          'button',
          {
            class: 'link',
            onclick: () =>
              void act(async () => {
                await app.api.delete('/api/v1/session');
                app.loggedOut();
              }),
          },
          'Log out',
        ),
      )
    : null;
  document
    .getElementById('app')!
    .replaceChildren(
      h('header', {}, h('a', { class: 'brand', href: '#/' }, 'DevDB'), nav, who),
      h('div', { id: 'flash' }),
      h('main', { id: 'main' }),
    );
}

/** Shows the live feed's status in the header (when there is one). */
export function showLive(live: LiveStatus): void {
  const el = document.getElementById('live');
  if (el) {
    el.textContent = live;
    el.className = `live live-${live}`;
  }
}
