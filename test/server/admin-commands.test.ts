/**
 * The rest of the admin guide from the shell, each with --json: delete (archive;
 * --now drops), restore NAME from the archive, size, connections [--terminate],
 * create-team, events, rotate, protect/unprotect, policy settings; list and
 * inspect show the policy state.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attachWorkspace,
  ensureIndividualDatabase,
  type Attachment,
} from '../../provisioning/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';

// `delete --now` takes a real final backup: a server whose major has a pg_dump here,
// chosen before the cluster helper loads (it reads the server binaries' location once).
await selectBackupTestServer();
const { startTestDevDb, tryConnect, writeDataDirCredentials } = await import('../helpers/devdb.js');
const { runDevdb } = await import('../helpers/cli-io.js');

let devdb: TestDevDb;
let dataDir: string;
let dora: Attachment;
const cli = (args: string[], options: Parameters<typeof runDevdb>[1] = {}) =>
  runDevdb([...args, '--data-dir', dataDir], options);
const json = async (args: string[]) => {
  const result = await cli([...args, '--json']);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
};

beforeAll(async () => {
  devdb = await startTestDevDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'devdb-admin-commands-'));
  await writeDataDirCredentials(devdb, dataDir);
  await devdb.pool.query(`INSERT INTO provisioning.settings VALUES ('backup_dir', $1)`, [
    path.join(dataDir, 'backups'),
  ]);
  dora = await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner: 'dora',
    workspaceId: 'ws-dora',
    workspaceName: 'dora-laptop',
    connectionLimit: 3,
  });
  for (const owner of ['eve', 'fay']) await ensureIndividualDatabase(devdb.pool, { owner });
});

afterAll(async () => {
  await devdb?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('delete and restore', () => {
  test('delete archives (refused while attached or protected), restore brings it back', async () => {
    const attached = await cli(['delete', 'dev_dora']);
    expect(attached.code).toBe(1);
    expect(attached.stderr).toMatch(/dev_dora still has 1 attached workspace\(s\)/);

    await cli(['protect', 'dev_eve', '--reason', 'demo']);
    const guarded = await cli(['delete', 'dev_eve']);
    expect(guarded.stderr).toBe(
      'devdb: dev_eve is protected (yes: demo): `devdb unprotect dev_eve` first\n',
    );
    expect((await cli(['unprotect', 'dev_eve'])).stdout).toMatch(/was protected +yes/);

    const deleted = await cli(['delete', 'dev_eve']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('Restore it with `devdb restore dev_eve`.');
    expect(await json(['inspect', 'dev_eve'])).toMatchObject({
      database: { status: 'archived', policyState: 'archived' },
    });
    expect(await json(['delete', 'dev_eve'])).toEqual({
      database: 'dev_eve',
      action: 'archived already',
    });

    // `restore NAME` without --from: from the archive.
    expect(await json(['restore', 'dev_eve'])).toEqual({
      database: 'dev_eve',
      from: 'archive',
      restored: true,
    });
    const notArchived = await cli(['restore', 'dev_eve']);
    expect(notArchived.code).toBe(1);
    expect(notArchived.stderr).toMatch(
      /dev_eve is active, not archived: to restore one of its backups, add --from ID/,
    );
    expect((await cli(['restore', 'dev_eve', '--as', 'dev_x'])).stderr).toMatch(
      /--as and --in-place restore a backup: add --from ID/,
    );
  });

  test('delete --now asks (or --yes) and drops after a verified final backup', async () => {
    const refused = await cli(['delete', 'dev_fay', '--now']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/devdb delete dev_fay --now asks for confirmation/);
    expect((await cli(['delete', 'dev_fay', '--now', '--no-backup'])).stderr).toMatch(
      /--no-backup needs --reason TEXT/,
    );
    expect(await json(['delete', 'dev_fay', '--now', '--yes'])).toEqual({
      database: 'dev_fay',
      action: 'dropped',
    });
    const su = await devdb.superuser();
    const left = await su.query(`SELECT 1 FROM pg_database WHERE datname LIKE '%dev_fay'`);
    expect(left.rows).toEqual([]);
    const final = await devdb.pool.query(
      `SELECT status, verified_at IS NOT NULL AS verified FROM provisioning.backups
        WHERE db_name = 'dev_fay' AND kind = 'final'`,
    );
    expect(final.rows).toEqual([{ status: 'ok', verified: true }]);
    expect((await cli(['delete', 'dev_fay'])).stderr).toBe('devdb: dev_fay was dropped already\n');
  });
});

test('size: largest first, in IEC units, with a total row', async () => {
  const client = new pg.Client({
    connectionString: devdb.url(dora.user, dora.password, 'dev_dora'),
  });
  await client.connect();
  await client.query(
    `CREATE TABLE big AS SELECT repeat('x', 1000) AS v FROM generate_series(1, 5000)`,
  );
  await client.end();
  const sizes = await json(['size']);
  expect(sizes.databases[0]).toMatchObject({ name: 'dev_dora', status: 'active' });
  const bytes = sizes.databases.map((d: { sizeBytes: number }) => d.sizeBytes);
  expect(bytes).toEqual([...bytes].sort((a, b) => b - a));
  expect(sizes.totalBytes).toBe(bytes.reduce((a: number, b: number) => a + b, 0));
  const { stdout } = await cli(['size']);
  const lines = stdout.split('\n');
  // Size, then its snapshots' bytes (none here).
  expect(lines.find((l) => l.includes('dev_dora'))).toMatch(/│ +\d+\.\d (MiB|KiB) │ +0 B │$/);
  expect(lines.at(-3)).toMatch(/^│ total \(2\) +│ +│ +\d+\.\d MiB │ +0 B │$/);
});

describe('connections', () => {
  test('per database and workspace (owner, name, id, login role); --terminate ends them after confirmation', async () => {
    const session = new pg.Client({
      connectionString: devdb.url(dora.user, dora.password, 'dev_dora'),
    });
    session.on('error', () => undefined);
    await session.connect();
    try {
      const rows = await json(['connections', 'dev_dora']);
      expect(rows).toMatchObject([
        {
          database: 'dev_dora',
          owner: 'dora',
          workspaceName: 'dora-laptop',
          workspaceId: 'ws-dora',
          user: dora.user,
          sessions: 1,
          idle: 1,
        },
      ]);
      const table = (await cli(['connections'])).stdout;
      expect(table).toMatch(
        /│ database +│ owner +│ workspace +│ workspace id +│ login role +│ sessions/,
      );
      expect(table).toContain(`│ dev_dora │ dora  │ dora-laptop │ ws-dora      │ ${dora.user} │`);
      expect((await cli(['connections', '--terminate'])).stderr).toMatch(
        /--terminate needs a database/,
      );
      const refused = await cli(['connections', 'dev_dora', '--terminate']);
      expect(refused.code).toBe(2);
      const asked: string[] = [];
      const ended = await cli(['connections', 'dev_dora', '--terminate', '--json'], {
        confirm: async (question) => (asked.push(question), true),
      });
      expect(asked).toEqual(['End every session in dev_dora? (open transactions are rolled back)']);
      expect(JSON.parse(ended.stdout)).toEqual({
        database: 'dev_dora',
        user: null,
        terminated: 1,
        leftRunning: 0,
      });
      expect(await json(['connections', 'dev_dora'])).toEqual([]);
    } finally {
      await session.end().catch(() => undefined);
    }
  });
});

test('create-team: creates team_NAME once, optionally seeded; says repaired only for a repair', async () => {
  const created = await cli(['create-team', 'platform', '--seed-from', 'dev_dora']);
  expect(created).toMatchObject({ code: 0, stderr: '' });
  expect(created.stdout).toBe('database  team_platform\ncreated   yes (seeded from dev_dora)\n');
  expect(await json(['create-team', 'platform'])).toEqual({
    name: 'team_platform',
    created: false,
    repaired: [],
    done: [],
  });
  const drift = await devdb.superuser();
  await drift.query('GRANT CONNECT ON DATABASE team_platform TO PUBLIC');
  await drift.end();
  const repaired = await cli(['create-team', 'platform']);
  expect(repaired.stdout).toMatch(
    /^database +team_platform\ncreated +no \(it existed\)\nrepaired +\S/,
  );
  expect(repaired.stdout).toMatch(/PUBLIC/);
  const su = await devdb.superuser('team_platform');
  expect((await su.query('SELECT count(*)::int AS n FROM big')).rows).toEqual([{ n: 5000 }]);
  expect((await cli(['create-team', 'Not A Team'])).stderr).toMatch(/invalid team name/);
});

test('events: the audit trail, filtered by database, time and count', async () => {
  const all = await json(['events', '--db', 'dev_eve']);
  expect(all.map((e: { action: string }) => e.action)).toEqual([
    'database.restore',
    'database.archive',
    'database.unprotect',
    'database.protect',
    'database.ensure',
  ]);
  expect(all[0]).toMatchObject({ actor: 'cli', database: 'dev_eve' });
  expect(await json(['events', '--db', 'dev_eve', '--limit', '2'])).toHaveLength(2);
  const page = await json(['events', '--db', 'dev_eve', '--before-id', String(all[1].id)]);
  expect(page.map((e: { id: number }) => e.id)).toEqual(
    all.slice(2).map((e: { id: number }) => e.id),
  );
  expect(await json(['events', '--since', '2999-01-01'])).toEqual([]);
  expect((await json(['events', '--since', '1h'])).length).toBeGreaterThan(5);
  const bad = await cli(['events', '--since', 'yesterday']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/must be a duration back from now \(30m, 12h, 7d, 2w\) or a date/);
});

test('times: ISO 8601 with the zone in --json, and the zone shown in tables', async () => {
  const times: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string' && /^\d{4}-\d\d-\d\d[T ]\d\d:/.test(value)) times.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  for (const args of [['list'], ['inspect', 'dev_dora'], ['events', '--db', 'dev_dora'], ['users']])
    collect(await json(args));
  expect(times.length).toBeGreaterThan(3);
  for (const time of times) expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const shown = (await cli(['inspect', 'dev_dora'])).stdout.match(/\d{4}-\d\d-\d\d[T ][\d:]+\S*/g);
  expect(shown?.length).toBeGreaterThan(2);
  for (const time of shown!) expect(time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
});

test('rotate: a new password, the old one stops working, limits kept', async () => {
  const rotated = await cli(['rotate', '--workspace-id', 'ws-dora']);
  expect(rotated.code).toBe(0);
  expect(rotated.stdout).toContain(
    'The old password no longer works: the workspace needs this one.',
  );
  const { password } = await json(['rotate', '--workspace-id', 'ws-dora']);
  expect(password).not.toBe(dora.password);
  expect(await tryConnect(devdb.url(dora.user, dora.password, 'dev_dora'))).toMatchObject({
    ok: false,
  });
  expect(await tryConnect(devdb.url(dora.user, password, 'dev_dora'))).toMatchObject({ ok: true });
  const su = await devdb.superuser();
  const limit = await su.query(`SELECT rolconnlimit FROM pg_roles WHERE rolname = $1`, [dora.user]);
  expect(limit.rows).toEqual([{ rolconnlimit: 3 }]);
  expect((await cli(['rotate', '--workspace-id', 'ws-nobody'])).stderr).toMatch(
    /workspace ws-nobody is not attached/,
  );
});

test('policy: states and settings (the webhook shown without its secret); list and inspect show them', async () => {
  const settings = await json([
    'policy',
    'settings',
    '--idle-days',
    '10',
    '--webhook-url',
    'https://hooks.example.com/services/T0/B0/secret',
  ]);
  expect(settings).toEqual({
    idleDays: 10,
    staleDays: 60,
    eligibleDays: 90,
    archiveRetentionDays: 30,
    webhookUrl: 'https://hooks.example.com/…',
    autoAction: 'notify',
  });
  const text = await cli(['policy', 'settings']);
  expect(text.stdout).not.toContain('secret');
  const bad = await cli(['policy', 'settings', '--stale-days', '5']);
  expect(bad.stderr).toMatch(/each must be more days than the one before/);
  // What devdb serve's policy job may do on its own.
  expect(await json(['policy', 'settings', '--auto-action', 'archive'])).toMatchObject({
    autoAction: 'archive',
  });
  expect((await cli(['policy', 'settings'])).stdout).toMatch(
    /devdb serve on its own +archive: also detach workspaces Coder deleted and archive eligible databases/,
  );
  expect((await cli(['policy', 'settings', '--auto-action', 'drop'])).stderr).toMatch(
    /option '--auto-action <what>' argument 'drop' is invalid\. Allowed choices are notify, archive, archive-and-drop/,
  );
  expect(await json(['policy', 'settings', '--auto-action', 'notify'])).toMatchObject({
    autoAction: 'notify',
  });

  await cli(['protect', 'dev_dora', '--until', '2999-12-31', '--reason', 'the demo']);
  const policy = await json(['policy']);
  expect(
    policy.databases.map((d: { database: string; state: string }) => [d.database, d.state]),
  ).toEqual([
    ['dev_dora', 'protected'],
    ['dev_eve', 'active'],
    ['team_platform', 'active'],
  ]);
  expect(policy.databases[0].protectedUntil).toBe('2999-12-31T23:59:59.999Z');
  expect((await cli(['list'])).stdout).toMatch(
    /│ dev_dora +│ individual +│ dora +│ active +│ protected +│/,
  );
  const inspected = await cli(['inspect', 'dev_dora']);
  expect(inspected.stdout).toMatch(/^protected +until 2999-12-31: the demo$/m);
  await json(['policy', 'settings', '--idle-days', '30', '--webhook-url', '']);
});
