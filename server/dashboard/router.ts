/**
 * The hash routes: #/login, #/ (overview), #/databases, #/databases/NAME,
 * #/backups, #/events, #/cleanup, #/settings. Without a session every route
 * shows the login; with one, the live feed is opened and the page drawn.
 */
import type { App } from './app.js';
import { backupsPage } from './pages/backups.js';
import { cleanupPage } from './pages/cleanup.js';
import { databasePage } from './pages/database.js';
import { databasesPage } from './pages/databases.js';
import { eventsPage } from './pages/events.js';
import { loginPage } from './pages/login.js';
import { overviewPage } from './pages/overview.js';
import { settingsPage } from './pages/settings.js';
import { errorText, flash } from './ui/feedback.js';

const PAGES: Record<string, (app: App) => Promise<void>> = {
  '#/databases': databasesPage,
  '#/backups': backupsPage,
  '#/events': eventsPage,
  '#/settings': settingsPage,
  '#/cleanup': cleanupPage,
};

/** Draws the page the location's hash names. */
export async function route(app: App): Promise<void> {
  const { store } = app;
  store.onSnapshot(null);
  const hash = location.hash || '#/';
  if (!store.me) {
    store.me = await app.api.get('/api/v1/session').catch(() => null);
  }
  if (!store.me) {
    if (hash !== '#/login') {
      location.hash = '#/login';
      return;
    }
    return loginPage(app);
  }
  if (hash === '#/login') {
    location.hash = '#/';
    return;
  }
  app.connectLive();
  const database = /^#\/databases\/([^/]+)$/.exec(hash);
  try {
    if (database) return await databasePage(app, decodeURIComponent(database[1]!));
    return await (PAGES[hash] ?? overviewPage)(app);
  } catch (error) {
    flash(errorText(error));
  }
}
