/**
 * The dashboard in a real Chromium (Debian's `chromium`, driven by
 * playwright-core) against a real control plane and PostgreSQL: logging in
 * with a token, the database list, a database made from the library showing
 * up without a reload (the WebSocket feed), archive and restore from a
 * database's page, and the create form's credentials dialog that shows the
 * password once. The page loads nothing from anywhere but the control plane.
 * Last, a second server joins the pool: the list says each database's server,
 * and the page of a database on the member works.
 *
 * DEVDB_SCREENSHOTS=1 also writes docs/dashboard-*.png
 * (scripts/dashboard-screenshots.js runs this file so).
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addServer,
  attachWorkspace,
  createApiToken,
  revokeApiToken,
  ensureIndividualDatabase,
  ensureTeamDatabase,
  setServerState,
} from '../../../provisioning/index.js';
import { backupToolsStatus, serverVersion } from '../../../provisioning/backups/index.js';
import { startTestDevDb } from '../../helpers/devdb.js';
import { startApiHarness, type ApiHarness } from '../api/harness.js';

const CHROMIUM = process.env.DEVDB_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.DEVDB_SCREENSHOTS === '1';

let api: ApiHarness;
let browser: Browser;
let page: Page;
const foreignRequests: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium) or set DEVDB_CHROMIUM`,
    );
  }
  if (!existsSync('dist/dashboard/app.js')) {
    throw new Error('the dashboard is not built: run npm run build first');
  }
  api = await startApiHarness({ liveIntervalMs: 500 });
  for (const owner of ['anna', 'ben']) {
    await ensureIndividualDatabase(api.devdb.pool, { owner, actor: 'test' });
  }
  await ensureTeamDatabase(api.devdb.pool, { team: 'frontend', actor: 'test' });
  await attachWorkspace(api.devdb.pool, api.devdb.endpoint, {
    type: 'individual',
    owner: 'ben',
    workspaceId: 'ws-ben-1',
    workspaceName: 'ben-main',
    actor: 'test',
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on('request', (request) => {
    if (!request.url().startsWith(api.plane.url)) foreignRequests.push(request.url());
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

/** A PNG of the page in docs/ (with DEVDB_SCREENSHOTS=1); `hide`: selectors masked out (secrets). */
async function shot(name: string, hide: string[] = []) {
  if (!SCREENSHOTS) return;
  await page.waitForTimeout(300);
  await page.screenshot({
    path: `docs/dashboard-${name}.png`,
    mask: hide.map((selector) => page.locator(selector)),
  });
}

describe('the dashboard in Chromium', () => {
  it('asks for a token, refuses a wrong one, and logs in with a right one', async () => {
    await page.goto(api.plane.url);
    await page.waitForURL(/#\/login$/);
    await page.fill('#token', 'devdb_wrong');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('#flash')).toMatch(/the token is unknown or revoked/);
    await page.fill('#token', api.tokens.admin);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-stat=databases] .value');
    expect(await page.textContent('.me')).toBe('admin (admin)');
    await page.waitForSelector('#live.live-live');
    // The token is not kept by the page, the session cookie is HttpOnly.
    expect(await page.evaluate(() => document.cookie)).not.toContain('devdb_session');
    expect(await page.$('#token')).toBeNull();
  });

  it('shows the totals on the overview', async () => {
    await page.waitForFunction(
      () => document.querySelector('[data-stat=databases] .value')?.textContent === '3',
    );
    expect(await page.textContent('[data-stat=workspaces] .value')).toBe('1');
    await shot('overview');
  });

  it('lists the databases, filters and sorts them', async () => {
    await page.click('nav a[href="#/databases"]');
    await page.waitForSelector('tr[data-name=dev_anna]');
    const names = () => page.$$eval('tr[data-name]', (rows) => rows.map((r) => r.dataset.name));
    expect(await names()).toEqual(['dev_anna', 'dev_ben', 'team_frontend']);
    await page.fill('input[aria-label=search]', 'ben');
    expect(await names()).toEqual(['dev_ben']);
    await page.fill('input[aria-label=search]', '');
    await page.selectOption('select[aria-label=order]', 'desc');
    expect(await names()).toEqual(['team_frontend', 'dev_ben', 'dev_anna']);
    await page.selectOption('select[aria-label=order]', 'asc');
    await shot('databases');
  });

  it('shows a database made from the library within seconds, without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await ensureIndividualDatabase(api.devdb.pool, { owner: 'carl', actor: 'test' });
    await page.waitForSelector('tr[data-name=dev_carl]', { timeout: 5000 });
    // The same document: no reload happened.
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
  });

  it('archives and restores a database from its page', async () => {
    await page.click('a[href="#/databases/dev_carl"]');
    await page.waitForSelector('#archive');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('#archive');
    await page.waitForSelector('#restore');
    expect(await page.textContent('[data-stat=status] .value')).toBe('archived');
    const state = async () =>
      (
        await api.devdb.pool.query('SELECT status FROM provisioning.databases WHERE db_name = $1', [
          'dev_carl',
        ])
      ).rows[0]?.status;
    expect(await state()).toBe('archived');
    await page.click('#restore');
    await page.waitForSelector('#archive');
    expect(await page.textContent('[data-stat=status] .value')).toBe('active');
    expect(await state()).toBe('active');
    // The audit trail on the page has both, by this token.
    await page.waitForFunction(() =>
      document.body.textContent?.includes('restored dev_carl from its archive'),
    );
    expect(await page.textContent('table.events')).toContain('api:admin');
  });

  it('closes and opens a database to connections', async () => {
    await page.click('#close-connections');
    await page.waitForSelector('#open-connections');
    expect(await page.textContent('[data-stat=allowed] .value')).toBe('closed');
    await page.click('#open-connections');
    await page.waitForSelector('#close-connections');
  });

  it('protects a database from the policy and removes the protection', async () => {
    await page.waitForSelector('#protect');
    await page.fill('input[aria-label="protection reason"]', 'demo on Friday');
    await page.click('#protect');
    await page.waitForSelector('#unprotect');
    expect(await page.textContent('body')).toContain('(demo on Friday)');
    const isProtected = async () =>
      (await api.call('GET', '/api/v1/policy?database=dev_carl', { token: api.tokens.admin })).json
        .items[0].protected;
    expect(await isProtected()).toBe(true);
    await page.click('#unprotect');
    await page.waitForSelector('#protect');
    expect(await isProtected()).toBe(false);
  });

  it('shows the orphans queue and the cleanup plan, and runs cleanup', async () => {
    await page.click('nav a[href="#/cleanup"]');
    await page.waitForSelector('#cleanup-plan');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('#run-cleanup');
    await page.waitForSelector('#cleanup-results');
    await expect.poll(() => page.textContent('#flash')).toContain('Cleanup ran');
    // The orphans section answered (findings, or why Coder could not be asked).
    expect(await page.textContent('main')).not.toContain('Loading…');
  });

  it('shows a database page with its attachments', async () => {
    await page.goto(`${api.plane.url}/#/databases/dev_ben`);
    await page.waitForFunction(() => document.body.textContent?.includes('ben-main'));
    await shot('database');
  });

  it('creates a database and shows its password once, then forgets it', async () => {
    await page.click('nav a[href="#/databases"]');
    await page.click('#new-database');
    await page.fill('input[aria-label="owner or team"]', 'dana');
    await page.fill('input[aria-label="workspace id"]', 'ws-dana-1');
    await page.click('#create-form button[type=submit]');
    await page.waitForSelector('#credential-password');
    const password = await page.inputValue('#credential-password');
    expect(password.length).toBeGreaterThan(10);
    expect(page.url()).toMatch(/#\/databases\/dev_dana$/);
    // It is the real password: the workspace login connects with it.
    const user = (await page.$$eval('dialog td', (cells) => cells[0]?.textContent)) ?? '';
    const client = new pg.Client({ connectionString: api.devdb.url(user, password, 'dev_dana') });
    await client.connect();
    await client.end();
    await shot('credentials', ['#credential-password']);
    await page.click('#copy-password');
    await page.click('#saved-it');
    await page.waitForSelector('dialog', { state: 'detached' });
    // Gone from the page: not in the DOM, not in any input.
    expect(await page.content()).not.toContain(password);
    expect(
      await page.$$eval('input', (inputs) => inputs.map((i) => (i as HTMLInputElement).value)),
    ).not.toContain(password);
    // Reopening the database's page cannot show it again.
    await page.reload();
    await page.waitForSelector('#database-head h1');
    expect(await page.content()).not.toContain(password);
  });

  it('edits a setting', async () => {
    await page.click('nav a[href="#/settings"]');
    await page.fill('#setting-backup_keep_daily', '9');
    await page.click('#save-settings');
    await expect.poll(() => page.textContent('#flash')).toContain('Settings saved');
    const { rows } = await api.devdb.pool.query(
      `SELECT value FROM provisioning.settings WHERE key = 'backup_keep_daily'`,
    );
    expect(rows[0]?.value).toBe('9');
  });

  it("sets what devdb serve's policy job may do on its own", async () => {
    await page.click('nav a[href="#/settings"]');
    await page.selectOption('#setting-policy_auto_action', 'archive');
    await page.click('#save-settings');
    await expect
      .poll(() => page.textContent('#flash'))
      .toContain('Settings saved: policy_auto_action');
    const { rows } = await api.devdb.pool.query(
      `SELECT value FROM provisioning.settings WHERE key = 'policy_auto_action'`,
    );
    expect(rows[0]?.value).toBe('archive');
  });

  it('says on the Backups page when backups cannot run here, and what to install', async () => {
    const { problem } = await backupToolsStatus((await serverVersion(api.devdb.pool)).major);
    await page.click('nav a[href="#/backups"]');
    await page.waitForFunction(() =>
      document.body.textContent?.includes('backup(s), newest first'),
    );
    const notice = await page.$('main .notice-error');
    if (problem === null)
      expect(notice).toBeNull(); // this machine has a fitting pg_dump
    else expect(await notice?.textContent()).toBe(`Backups cannot run: ${problem}`);
  });

  it('shows the audit log, and loaded nothing from elsewhere without errors', async () => {
    await page.click('nav a[href="#/events"]');
    await page.waitForFunction(() => document.body.textContent?.includes('changed the settings'));
    expect(await page.textContent('table.events')).toContain('logged in to the dashboard');
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('logs the page out when its token is revoked (the live feed closes, the session is gone)', async () => {
    const { token } = await createApiToken(api.devdb.pool, { name: 'temp', role: 'viewer' });
    const context = await browser.newContext();
    const other = await context.newPage();
    try {
      await other.goto(api.plane.url);
      await other.fill('#token', token);
      await other.click('button[type=submit]');
      await other.waitForSelector('#live.live-live');
      await revokeApiToken(api.devdb.pool, { name: 'temp' });
      await other.waitForSelector('#token', { timeout: 5000 });
      expect(other.url()).toMatch(/#\/login$/);
    } finally {
      await context.close();
    }
  });

  // Retried: under a loaded CI machine its second control plane and browser context
  // once missed the 30 s test timeout (cause not yet found; each try starts afresh).
  it(
    'searches through the API when there are more databases than a snapshot holds',
    { retry: 2 },
    async () => {
      const { startControlPlane } = await import('../../../server/api/index.js');
      const small = await startControlPlane({
        pool: api.devdb.pool,
        adminUrl: api.devdb.provisionerUrl,
        port: 0,
        liveIntervalMs: 500,
        liveDatabaseLimit: 2,
      });
      const context = await browser.newContext();
      const other = await context.newPage();
      try {
        await other.goto(small.url);
        await other.fill('#token', api.tokens.viewer);
        await other.click('button[type=submit]');
        await other.waitForSelector('.me');
        await other.goto(`${small.url}/#/databases`);
        await other.waitForSelector('tr[data-name=dev_ben]');
        const names = () =>
          other.$$eval('tr[data-name]', (rows) => rows.map((r) => r.dataset.name));
        expect(await names()).toEqual(['dev_anna', 'dev_ben']);
        expect(await other.textContent('#database-table .hint')).toMatch(
          /the first 2 by name are live/,
        );
        await other.fill('input[aria-label=search]', 'dana');
        await other.waitForSelector('tr[data-name=dev_dana]');
        expect(await names()).toEqual(['dev_dana']);
      } finally {
        await context.close();
        await small.close();
      }
    },
  );

  it('gives a viewer a read-only dashboard', async () => {
    const context = await browser.newContext();
    const viewer = await context.newPage();
    try {
      await viewer.goto(api.plane.url);
      await viewer.fill('#token', api.tokens.viewer);
      await viewer.click('button[type=submit]');
      await viewer.waitForSelector('.me');
      await viewer.goto(`${api.plane.url}/#/databases`);
      await viewer.waitForSelector('tr[data-name=dev_anna]');
      expect(await viewer.$('#new-database')).toBeNull();
      await viewer.click('a[href="#/databases/dev_anna"]');
      await viewer.waitForSelector('[data-stat=status] .value');
      expect(await viewer.$('#archive')).toBeNull();
      // Logging out ends the session (CSRF token sent from the page) and the feed.
      await viewer.click('text=Log out');
      await viewer.waitForSelector('#token');
      const status = await viewer.evaluate(async () => (await fetch('/api/v1/session')).status);
      expect(status).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('on a pool of two servers, says where each database is, and opens one on the member', async () => {
    const member = await startTestDevDb();
    try {
      await addServer(api.devdb.pool, { name: 'pg-b', adminUrl: member.provisionerUrl });
      // The central server paused: the new database goes to the member.
      await setServerState(api.devdb.pool, 'central', 'paused');
      const created = await api.call('POST', '/api/v1/databases', {
        token: api.tokens.admin,
        body: {
          type: 'individual',
          owner: 'mia',
          credential: { workspaceId: 'ws-mia-1', workspaceName: 'mia-main' },
        },
      });
      expect(created.status).toBe(201);
      expect(created.json.database.server).toBe('pg-b');
      await page.goto(`${api.plane.url}/#/databases`);
      await page.waitForSelector('tr[data-name=dev_mia][data-server=pg-b]');
      expect(await page.textContent('table.databases thead')).toContain('server');
      expect(await page.getAttribute('tr[data-name=dev_anna]', 'data-server')).toBe('central');
      await page.click('a[href="#/databases/dev_mia"]');
      await page.waitForFunction(() => document.body.textContent?.includes('mia-main'));
      expect(await page.textContent('[data-stat=server] .value')).toBe('pg-b');
      await page.click('nav a[href="#/"]');
      await page.waitForSelector('section.card table');
      expect(await page.textContent('main')).toContain('pg-b');
      expect(pageErrors).toEqual([]);
    } finally {
      await setServerState(api.devdb.pool, 'central', 'active');
      await member.stop();
    }
  });
});
