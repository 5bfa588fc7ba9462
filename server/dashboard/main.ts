/**
 * The admin dashboard (docs/api.md, "Dashboard"): plain TypeScript and the
 * DOM, bundled by esbuild from this file into dist/dashboard/app.js
 * (scripts/build-assets.js) and served by the control plane at `/`.
 *
 * It logs in with an API token (POST /api/v1/session: an HttpOnly cookie plus
 * a CSRF token for changes), then opens one WebSocket, /api/v1/live, on which
 * the server pushes a snapshot (summary, databases, newest events) every tick.
 * Pages redraw from the snapshot; the page only calls the API for what the
 * user does (open a database, an action, a form). Text is always set as text,
 * never as HTML.
 *
 * This file boots it: the state (store.ts), the API client (api/client.ts,
 * typed by the types generated from docs/openapi.json), the live feed
 * (api/live.ts) and the router (router.ts), which draws the pages (pages/).
 */
import './style.css';
import { createApiClient, csrfFromCookie } from './api/client.js';
import { LiveFeed } from './api/live.js';
import type { App } from './app.js';
import { route } from './router.js';
import { Store } from './store.js';
import { flash } from './ui/feedback.js';
import { showLive } from './ui/layout.js';

const store = new Store();
store.onLive(showLive);

const api = createApiClient({
  fetch: (url, init) => fetch(url, init),
  csrfToken: () => csrfFromCookie(document.cookie),
  onUnauthorized: () => loggedOut('Your session has ended: log in again.'),
});

const liveScheme = location.protocol === 'https:' ? 'wss' : 'ws';
const live = new LiveFeed({
  store,
  checkSession: () => api.get('/api/v1/session'),
  ended: (message) => loggedOut(message),
  open: () => new WebSocket(`${liveScheme}://${location.host}/api/v1/live`),
  received: (snapshot) => (document.body.dataset.snapshotAt = snapshot.at),
});

const app: App = { store, api, connectLive: () => live.connect(), loggedOut };

function loggedOut(message?: string): void {
  store.clearSession();
  live.close();
  if (location.hash !== '#/login') location.hash = '#/login';
  else void route(app);
  if (message) setTimeout(() => flash(message), 0);
}

window.addEventListener('hashchange', () => void route(app));
void route(app);
