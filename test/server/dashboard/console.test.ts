/**
 * The dashboard as a console (issue 24, item 6), in a real Chromium against a
 * real control plane and PostgreSQL (one of each for the file): the audit log
 * as sentences with filters and paging, the Settings page grouped with units
 * and validation, charts drawn from the sampler's samples and the fleet,
 * "restore as new", a team login's owner, each message once, the stat cards on
 * one row, and an axe-core run on every page with no serious or critical
 * violation. Time moves by PostgreSQL's clock (DevDB's provisioning._now()),
 * never by sleeping.
 *
 * DEVDB_SCREENSHOTS=1 also writes docs/dashboard-{settings,events,trends,fleet}.png
 * (scripts/dashboard-screenshots.js).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureIndividualDatabase,
  ensureTeamDatabase,
  recordEvent,
  sampleAll,
  SCHEDULE_DEFAULTS,
  takeSnapshot,
} from '../../../provisioning/index.js';
import { selectBackupTestServer } from '../../helpers/backup-server.js';
import type { ApiHarness } from '../api/harness.js';

// Backups ("restore as new") need a server pg_dump can dump: chosen before the
// embedded binaries are (at the helpers' import).
await selectBackupTestServer();
const { DAY_MS } = await import('../../helpers/devdb.js');
const { startApiHarness } = await import('../api/harness.js');

const CHROMIUM = process.env.DEVDB_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.DEVDB_SCREENSHOTS === '1';
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

let api: ApiHarness;
let browser: Browser;
let page: Page;
let backupDir: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: set DEVDB_CHROMIUM`);
  if (!existsSync('dist/dashboard/app.js')) throw new Error('run npm run build first');
  api = await startApiHarness({ liveIntervalMs: 500 });
  backupDir = await mkdtemp(join(tmpdir(), 'devdb-console-'));
  await api.call('PATCH', '/api/v1/settings', {
    token: api.tokens.admin,
    body: { backup_dir: backupDir },
  });
  for (const owner of ['anna', 'ben']) {
    await ensureIndividualDatabase(api.devdb.pool, { owner, actor: 'test' });
  }
  await ensureTeamDatabase(api.devdb.pool, { team: 'frontend', actor: 'test' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await logIn();
});

/** Logs the page in with the admin token (again after the server's clock moved past the session). */
async function logIn() {
  await page.goto(`${api.plane.url}/#/`);
  await page.reload();
  await page.waitForSelector('#token, [data-stat=databases]');
  if (!(await page.$('#token'))) return; // the session is still valid
  await page.fill('#token', api.tokens.admin);
  await page.click('button[type=submit]');
  await page.waitForSelector('#live.live-live');
}

afterAll(async () => {
  await api?.devdb.clock.reset();
  await browser?.close();
  await api?.stop();
  if (backupDir) await rm(backupDir, { recursive: true, force: true });
});

async function shot(name: string) {
  if (!SCREENSHOTS) return;
  await page.screenshot({ path: `docs/dashboard-${name}.png`, fullPage: true });
}

/** Goes to a page of the dashboard and waits for `ready` on it. */
async function open(hash: string, ready: string) {
  const url = `${api.plane.url}/${hash}`;
  // The same hash again: a reload, so that the page is drawn afresh.
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  await page.waitForSelector(ready);
}

const text = (selector: string) => page.locator(selector).innerText();

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's violations on the page as it is now (axe.min.js put in by the test only). */
async function axeViolations(): Promise<AxeViolation[]> {
  // Evaluated, not a <script>: the dashboard's CSP (script-src 'self') allows no inline script.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (n: Node) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const { violations } = await axe.run(document);
    return violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

describe('the settings declaration', () => {
  it("gives each job's schedule default as devdb serve's job has it", async () => {
    const { DEFAULT_JOBS } = await import('../../../server/serve/jobs/index.js');
    expect(Object.fromEntries(DEFAULT_JOBS.map((job) => [job.name, job.defaultSchedule]))).toEqual(
      SCHEDULE_DEFAULTS,
    );
  });
});

describe('the dashboard as a console, in Chromium', () => {
  it('writes the audit log as sentences, details as values (durations in words), never JSON', async () => {
    await api.call('POST', '/api/v1/databases/dev_ben/archive', { token: api.tokens.admin });
    await api.call('POST', '/api/v1/databases/dev_ben/restore', { token: api.tokens.admin });
    await recordEvent(api.devdb.pool, {
      actor: 'devdb-agent',
      action: 'database.access',
      database: 'dev_anna',
      detail: { session_time_ms: 849971729014, size_bytes: 7 * 1024 * 1024 },
    });
    await open('#/events', 'table.events');
    const body = await text('table.events');
    expect(body).toContain('api:admin archived dev_ben');
    expect(body).toContain('api:admin restored dev_ben from its archive');
    expect(body).toContain('devdb-agent reported access to dev_anna');
    expect(body).not.toMatch(/[{}"]/);
    const row = page.locator('tr[data-action="database.access"]').first();
    await row.locator('summary').click();
    const detail = await row.locator('dl').innerText();
    expect(detail).toContain('9837 days 15 h');
    expect(detail).toContain('7.0 MiB');
    expect(detail).not.toContain('849971729014');
    await shot('events');
  });

  it('filters the audit log by actor, action, database and days, and pages by the cursor', async () => {
    for (let i = 0; i < 60; i++) {
      await recordEvent(api.devdb.pool, {
        actor: 'pager',
        action: 'database.protect',
        database: i % 2 ? 'dev_anna' : 'team_frontend',
        detail: { reason: `demo ${i}` },
      });
    }
    // One event ten days ago (an event's time is the server's now() when it is written).
    const su = await api.devdb.superuser('devdb');
    const { rows: old } = await su.query<{ day: string }>(
      `INSERT INTO provisioning.events (at, actor, action) VALUES (now() - interval '10 days', 'old', 'cleanup.run')
       RETURNING to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day`,
    );
    const tenDaysAgo = old[0]!.day;
    await open('#/events', 'table.events');
    const rows = () => page.locator('table.events tbody tr').count();
    await page.fill('#filter-actor', 'pager');
    await page.waitForSelector('#event-list[data-filters="actor=pager"]');
    expect(await text('#event-count')).toBe('50 event(s) shown, older ones on the next page');
    expect(await text('table.events')).not.toContain('api:admin');
    await page.click('#more-events');
    await expect
      .poll(async () => `${await text('#event-count')} ${await text('#flash')}`)
      .toBe('60 event(s) shown ');
    expect(await page.isHidden('#more-events')).toBe(true);
    expect(await rows()).toBe(60);

    await page.fill('#filter-database', 'dev_anna');
    await page.waitForSelector('#event-list[data-filters="actor=pager&database=dev_anna"]');
    expect(await text('#event-count')).toBe('30 event(s) shown');
    await page.fill('#filter-actor', '');
    await page.fill('#filter-database', '');
    await page.selectOption('#filter-action', 'cleanup');
    await expect.poll(() => rows()).toBe(1);
    expect(await text('table.events')).toContain('old ran cleanup');

    await page.selectOption('#filter-action', '');
    await page.fill('#filter-from', tenDaysAgo);
    await page.fill('#filter-to', tenDaysAgo);
    await expect.poll(() => text('#event-count')).toBe('1 event(s) shown');
    expect(await text('table.events')).toContain('old ran cleanup');
  });

  it('groups the settings by what they govern, with units, defaults and what is allowed', async () => {
    await open('#/settings', '#settings-form');
    const groups = await page.$$eval('fieldset[data-group] legend', (ls) =>
      ls.map((l) => l.textContent),
    );
    expect(groups).toEqual([
      'Connections',
      'Backups',
      'Snapshots',
      'Policy',
      'Webhook',
      'Coder',
      'Schedules',
      'Sampler and metrics',
    ]);
    expect(await text('fieldset[data-group=snapshots]')).toContain('Snapshots per database');
    const policy = await text('fieldset[data-group=policy]');
    expect(policy).toContain('Idle after');
    expect(policy).toContain('Stale after');
    expect(policy).toContain('Eligible for cleanup after');
    expect(policy).toContain('Default: 90 days');
    expect(await text('[data-setting=seed_file_copy_min_bytes]')).toContain('Default: 64.0 MiB');
    expect(await text('fieldset[data-group=schedules]')).toContain('Scheduled backups');
    expect(await text('fieldset[data-group=webhook]')).toContain('Webhook URL');
    // Every input has its label.
    expect(await page.locator('#setting-policy_stale_days').getAttribute('id')).toBeTruthy();
    expect(await page.locator('label[for=setting-policy_stale_days]').innerText()).toBe(
      'Stale after',
    );
    await shot('settings');
    // The policy's defaults as the declaration says them are the policy's own (in SQL).
    const listed = (await api.call('GET', '/api/v1/settings', { token: api.tokens.admin })).json
      .items as { policyField?: string; default: string | null }[];
    const inForce = (await api.call('GET', '/api/v1/policy/settings', { token: api.tokens.admin }))
      .json as Record<string, unknown>;
    for (const s of listed.filter((one) => one.policyField)) {
      const value = inForce[s.policyField!];
      expect(s.default, s.policyField).toBe(value === null ? null : String(value));
    }
  });

  it('says what is allowed beside a refused setting, and saves one that is allowed', async () => {
    await open('#/settings', '#settings-form');
    await page.fill('#setting-backup_keep_daily', '-3');
    await page.click('#save-settings');
    await expect
      .poll(() => text('#setting-backup_keep_daily-error'))
      .toMatch(/must be a whole number from 0 to 999999999/);
    expect(await page.getAttribute('#setting-backup_keep_daily', 'aria-invalid')).toBe('true');

    await open('#/settings', '#settings-form');
    await page.fill('#setting-policy_stale_days', '20');
    await page.click('#save-settings');
    await expect
      .poll(() => text('#setting-policy_stale_days-error'))
      .toMatch(/each must be more days than the one before/);

    await open('#/settings', '#settings-form');
    await page.fill('#setting-schedule_backups', 'every night');
    await page.click('#save-settings');
    await expect.poll(() => text('#setting-schedule_backups-error')).toMatch(/cron pattern of 5/);

    await open('#/settings', '#settings-form');
    await page.fill('#setting-policy_stale_days', '61');
    await page.fill('#setting-schedule_backups', '30 3 * * *');
    await page.fill('#setting-policy_webhook_url', 'https://hooks.example.com/services/SECRET');
    await page.selectOption('#setting-policy_auto_action', 'archive');
    await page.click('#save-settings');
    await expect.poll(() => text('#flash')).toContain('Settings saved');
    const { rows } = await api.devdb.pool.query<{ key: string; value: string }>(
      `SELECT key, value FROM provisioning.settings
        WHERE key IN ('policy_stale_days', 'schedule_backups', 'policy_auto_action') ORDER BY key`,
    );
    expect(rows).toEqual([
      { key: 'policy_auto_action', value: 'archive' },
      { key: 'policy_stale_days', value: '61' },
      { key: 'schedule_backups', value: '30 3 * * *' },
    ]);
    // The webhook's secret path is never sent back to the page.
    await page.waitForSelector('#setting-policy_webhook_url');
    expect(await page.getAttribute('#setting-policy_webhook_url', 'placeholder')).toBe(
      'set: https://hooks.example.com/…',
    );
    expect(await page.content()).not.toContain('SECRET');
  });

  it("draws a database's size and sessions over time from the sampler's samples", async () => {
    const start = await api.devdb.clock.now();
    const client = await api.devdb.superuser('dev_anna');
    await client.query('SET ROLE dev_anna');
    await client.query('CREATE TABLE t (id int, pad text)');
    try {
      for (let i = 0; i < 4; i++) {
        await api.devdb.clock.set(new Date(start.getTime() + i * 3_600_000));
        if (i > 0) {
          await client.query(
            `INSERT INTO t SELECT g, repeat('x', 500) FROM generate_series(1, 4000) g`,
          );
          // A client session that comes and goes: the sampler counts it.
          const visit = await api.devdb.superuser('dev_anna');
          await visit.query('SELECT 1');
          await visit.end();
        }
        await sampleAll(api.devdb.pool);
      }
    } finally {
      await client.end();
      await api.devdb.clock.reset();
    }
    const { rows } = await api.devdb.pool.query<{ max: number }>(
      `SELECT max(size_bytes)::float8 AS max FROM provisioning.samples WHERE db_name = 'dev_anna'`,
    );
    await open('#/databases/dev_anna', 'figure[data-chart=size] svg');
    const size = page.locator('figure[data-chart=size] svg');
    expect(Number(await size.getAttribute('data-points'))).toBeGreaterThanOrEqual(4);
    expect(Number(await size.getAttribute('data-max'))).toBe(rows[0]!.max);
    expect(await size.getAttribute('aria-label')).toMatch(/^Size: from [\d.]+ MiB to [\d.]+ MiB/);
    const sessions = page.locator('figure[data-chart=sessions] svg');
    expect(Number(await sessions.getAttribute('data-max'))).toBeGreaterThanOrEqual(1);
    await shot('trends');
  });

  it('draws the fleet: databases by state, days idle on the thresholds, storage per server', async () => {
    await open('#/', 'figure[data-chart=states] svg');
    const bars = (chart: string) =>
      page.$$eval(`figure[data-chart=${chart}] g.bar`, (gs) =>
        gs.map((g) => [g.getAttribute('data-label'), Number(g.getAttribute('data-value'))]),
      );
    const states: Record<string, number> = Object.fromEntries(await bars('states'));
    const total = Number(await text('[data-stat=databases] .value'));
    expect(Object.values(states).reduce((a, b) => a + b, 0)).toBe(total);
    const storage = await bars('storage');
    expect(storage.map(([label]) => label)).toEqual(['central']);
    // 35 days later by the server's clock, every active database is idle (30–60 days).
    await api.devdb.clock.shift(35 * DAY_MS);
    try {
      await logIn(); // the session ended by the server's clock
      await open('#/', 'figure[data-chart=idle] svg');
      const idle = Object.fromEntries(await bars('idle'));
      // The bucket from the idle threshold to the stale one (61 days since the settings test).
      const bucket = Object.keys(idle).find((label) => label.startsWith('30–'))!;
      expect(idle[bucket]).toBe(states.active);
      expect(idle['0–6 days']).toBe(0);
      expect(Object.fromEntries(await bars('states')).idle).toBe(states.active);
      await shot('fleet');
    } finally {
      await api.devdb.clock.reset();
      await logIn();
    }
  });

  it('keeps the stat cards on one row', async () => {
    for (const [hash, ready] of [
      ['#/', '[data-stat=databases]'],
      ['#/databases/dev_anna', '[data-stat=status]'],
    ] as const) {
      await open(hash, ready);
      const tops = await page.$$eval('.stats .stat', (cards) =>
        cards.map((c) => c.getBoundingClientRect().top),
      );
      expect(tops.length).toBeGreaterThan(5);
      expect(new Set(tops).size).toBe(1);
    }
  });

  it("restores a backup as a new database, and refuses another person's name", async () => {
    const backup = await api.call('POST', '/api/v1/databases/dev_anna/backups', {
      token: api.tokens.admin,
    });
    expect(backup.status, backup.text).toBe(201);
    await open('#/databases/dev_anna', '[data-restore-new]');
    await page.click('[data-restore-new]');
    await page.fill('#restore-as', 'dev_ben');
    await page.click('#restore-new-form button[type=submit]');
    await expect.poll(() => page.locator('#restore-new-form .notice').innerText()).toMatch(/dev_/);
    await page.fill('#restore-as', 'team_anna_copy');
    await page.click('#restore-new-form button[type=submit]');
    await page.waitForURL(/#\/databases\/team_anna_copy$/);
    await expect.poll(() => text('#flash')).toContain('restored as team_anna_copy');
    const { rows } = await api.devdb.pool.query(
      `SELECT status FROM provisioning.databases WHERE db_name = 'team_anna_copy'`,
    );
    expect(rows).toEqual([{ status: 'active' }]);
  });

  it('asks whose a team login is, and shows its owner', async () => {
    await open('#/databases', '#new-database');
    await page.click('#new-database');
    await page.selectOption('select[aria-label=type]', 'team');
    await page.fill('input[aria-label="owner or team"]', 'design');
    await page.fill('input[aria-label="workspace id"]', 'ws-cleo-1');
    await page.fill('#credential-owner', 'cleo');
    await page.click('#create-form button[type=submit]');
    await page.waitForSelector('#credential-password');
    expect(await text('#credential-owner-name')).toBe('cleo');
    await page.click('#saved-it');
    await page.waitForFunction(() => document.body.textContent?.includes('ws-cleo-1'));
    expect(await text('main')).toContain('cleo');
  });

  it('says each message once on the Cleanup page (Coder not configured)', async () => {
    await open('#/cleanup', '#cleanup-plan');
    await page.waitForFunction(
      () => !document.querySelector('main')?.textContent?.includes('Loading'),
    );
    const main = await text('main');
    const lines = main.split('\n').filter((l) => l.trim());
    const repeated = lines.filter((l, i) => /Coder/.test(l) && lines.indexOf(l) !== i);
    expect(repeated).toEqual([]);
    expect(main.match(/Coder is not configured/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });

  it("lists a database's snapshots, and an admin puts it back to one or deletes one", async () => {
    const anna = await api.devdb.superuser('dev_anna');
    try {
      await anna.query("CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept')");
    } finally {
      await anna.end();
    }
    await takeSnapshot(api.devdb.pool, { database: 'dev_anna', name: 'before', actor: 'test' });
    await takeSnapshot(api.devdb.pool, { database: 'dev_anna', name: 'spare', actor: 'test' });
    const after = await api.devdb.superuser('dev_anna');
    try {
      await after.query('DELETE FROM notes');
    } finally {
      await after.end();
    }
    await open('#/databases/dev_anna', '#snapshots table');
    const rows = () => page.locator('#snapshots tbody tr').allInnerTexts();
    expect((await rows()).map((r) => r.split('\t')[0])).toEqual(['before', 'spare']);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button[aria-label="Restore dev_anna to snapshot before"]');
    await expect
      .poll(() => text('#flash'), { timeout: 30_000 })
      .toContain('Put back to snapshot before.');
    const back = await api.devdb.superuser('dev_anna');
    try {
      expect((await back.query('SELECT body FROM notes')).rows).toEqual([{ body: 'kept' }]);
    } finally {
      await back.end();
    }
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button[aria-label="Delete snapshot spare"]');
    await expect
      .poll(() => text('#flash'), { timeout: 30_000 })
      .toContain('Snapshot spare deleted.');
    await expect.poll(async () => (await rows()).map((r) => r.split('\t')[0])).toEqual(['before']);
  });

  it('passes axe-core on every page with no serious or critical violation', async () => {
    const pages: [string, string][] = [
      ['#/', 'figure[data-chart=states]'],
      ['#/databases', 'tr[data-name=dev_anna]'],
      ['#/databases/dev_anna', 'figure[data-chart=size]'],
      ['#/backups', 'main p.hint'],
      ['#/events', 'table.events'],
      ['#/cleanup', '#cleanup-plan'],
      ['#/settings', '#settings-form'],
    ];
    const found: string[] = [];
    const check = async (where: string) => {
      for (const v of await axeViolations()) {
        found.push(
          `${where}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
        );
      }
    };
    for (const [hash, ready] of pages) {
      await open(hash, ready);
      await check(hash);
    }
    // The dialogs too.
    await open('#/databases', '#new-database');
    await page.click('#new-database');
    await check('new database dialog');
    await page.keyboard.press('Escape');
    await open('#/databases/dev_anna', '[data-restore-new]');
    await page.click('[data-restore-new]');
    await check('restore as new dialog');
    await page.keyboard.press('Escape');
    // And the login, logged out.
    const context = await browser.newContext();
    const login = await context.newPage();
    const mainPage = page;
    try {
      page = login;
      await page.goto(api.plane.url);
      await page.waitForSelector('#token');
      await check('#/login');
    } finally {
      page = mainPage;
      await context.close();
    }
    if (found.length) console.log(`axe findings:\n${found.join('\n')}`);
    expect(found.filter((f) => /: (serious|critical) /.test(f))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
