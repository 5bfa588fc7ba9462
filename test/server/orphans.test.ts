import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachWorkspace,
  classifyOrphans,
  ensureTeamDatabase,
  writeSetting,
  type CoderState,
  type CoderUser,
  type CoderWorkspace,
  type OrphanFacts,
  type OrphanFinding,
} from '../../provisioning/index.js';
import { findOrphans } from '../../server/coder/orphans.js';
import {
  startCoderApiStandIn,
  type CoderApiStandIn,
  type StandInWorkspace,
} from '../coder-api/server.js';
import { runDevdb, type CliResult } from '../helpers/cli-io.js';
import { startTestDevDb, writeDataDirCredentials, type TestDevDb } from '../helpers/devdb.js';

// `devdb orphans` against a real DevDB and the Coder API stand-in: every
// classification produced and reported (table and JSON), Coder's checks skipped
// when it is not configured, and a clear error that changes nothing when Coder
// refuses or cannot be reached. The token never appears in any output.

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

let devdb: TestDevDb;
let coder: CoderApiStandIn;
let dataDir: string;
let superuser: pg.Client;
const outputs: string[] = [];

async function orphans(
  args: string[] = [],
  options: { env?: Record<string, string>; isTTY?: boolean } = {},
): Promise<CliResult> {
  const result = await runDevdb(['orphans', '--data-dir', dataDir, ...args], options);
  outputs.push(result.stdout, result.stderr);
  return result;
}

const coderEnv = () => ({ CODER_URL: coder.url, CODER_SESSION_TOKEN: coder.token });

async function json(args: string[] = [], env: Record<string, string> = coderEnv()) {
  const result = await orphans(['--json', ...args], { env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as { findings: Record<string, unknown>[]; skipped: unknown[] };
}

const summary = (findings: Record<string, unknown>[]) =>
  findings.map((f) => `${f.database as string} ${f.kind as string}`);

/** Everything `devdb orphans` could have changed, to compare before and after. */
async function registryState() {
  const { rows } = await superuser.query(
    `SELECT (SELECT count(*)::int FROM provisioning.events) AS events,
            (SELECT json_agg(a ORDER BY a.id) FROM provisioning.attachments a) AS attachments,
            (SELECT json_agg(d ORDER BY d.db_name) FROM provisioning.databases d) AS databases,
            (SELECT count(*)::int FROM pg_roles WHERE rolname LIKE 'ws\\_%') AS login_roles`,
  );
  return rows[0] as unknown;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The scenario: one database (or attachment) per classification, and one with none. */
const ws: Record<string, string> = {};

async function seed() {
  const user = (username: string, status: CoderUser['status'] = 'active') =>
    coder.addUser({ username, status });
  const attach = (owner: string, ownerId: string, workspaceId: string) =>
    attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'individual',
      owner,
      ownerId,
      workspaceId,
      workspaceName: 'dev',
      template: 'contractor-workspace',
    });
  const workspace = (owner: { id: string }, extra: Partial<StandInWorkspace>) =>
    coder.addWorkspace({ name: 'dev', ownerId: owner.id, ...extra }).id;

  const alice = user('alice');
  ws.alice = workspace(alice, {});
  await attach('alice', alice.id, ws.alice);

  const bob = user('bob');
  ws.bob = workspace(bob, {});
  await attach('bob', bob.id, ws.bob);
  coder.deleteWorkspace(ws.bob); // `coder delete --orphan`: Terraform never ran

  const carol = user('carol');
  ws.carol = randomUUID(); // never Coder's
  await attach('carol', carol.id, ws.carol);

  const dave = user('dave');
  ws.dave = workspace(dave, { dormantAt: daysAgo(10), transition: 'stop' });
  await attach('dave', dave.id, ws.dave);

  const erin = user('erin');
  ws.erin = workspace(erin, {
    dormantAt: daysAgo(20),
    deletingAt: new Date(Date.now() + 7 * DAY),
    transition: 'stop',
  });
  await attach('erin', erin.id, ws.erin);

  const frank = user('frank');
  ws.frank = workspace(frank, { transition: 'stop', lastUsedAt: daysAgo(45) });
  await attach('frank', frank.id, ws.frank);

  const grace = user('grace', 'suspended');
  ws.grace = workspace(grace, {});
  await attach('grace', grace.id, ws.grace);

  const heidi = user('heidi');
  ws.heidi = workspace(heidi, {});
  await attach('heidi', heidi.id, ws.heidi);
  coder.deleteWorkspace(ws.heidi);
  coder.deleteUser(heidi.id); // Coder refuses to delete a user who still has workspaces

  const ivan = user('ivan');
  ws.ivan = workspace(ivan, {});
  await attach('ivan', ivan.id, ws.ivan);
  await superuser.query(
    `UPDATE provisioning.databases SET last_accessed = now() - interval '40 days' WHERE db_name = 'dev_ivan'`,
  );

  const judy = user('judy');
  ws.judy = workspace(judy, {});
  const judyAttachment = await attach('judy', judy.id, ws.judy);
  ws.judyRole = judyAttachment.user;
  // What a crash between the detach's commits leaves: recorded as detached, role still there.
  await superuser.query(
    `UPDATE provisioning.attachments SET detached_at = now() WHERE workspace_id = $1`,
    [ws.judy],
  );

  // Created outside the registry (the doctor's `unregistered database`).
  await devdb.pool.query('CREATE ROLE dev_oscar NOLOGIN');
  await devdb.pool.query('GRANT dev_oscar TO devdb_provisioner WITH SET TRUE, INHERIT FALSE');
  await devdb.pool.query('CREATE DATABASE dev_oscar OWNER dev_oscar');

  await ensureTeamDatabase(devdb.pool, { team: 'docs' });
  await superuser.query(
    `UPDATE provisioning.databases SET created_at = now() - interval '40 days' WHERE db_name = 'team_docs'`,
  );

  ws.team = workspace(alice, { name: 'frontend' });
  await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'team',
    owner: 'alice',
    team: 'frontend',
    workspaceId: ws.team,
  });
  await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'team',
    owner: 'bob',
    team: 'frontend',
    workspaceId: 'ws-legacy',
  });
}

const EVERY_FINDING = [
  'dev_bob workspace-deleted',
  'dev_carol unknown-workspace',
  'dev_dave workspace-dormant',
  'dev_erin workspace-deleting',
  'dev_frank workspace-stopped',
  'dev_grace owner-suspended',
  'dev_heidi workspace-deleted',
  'dev_heidi owner-gone',
  'dev_ivan idle',
  'dev_judy no-attachments',
  'dev_judy credential-without-workspace',
  'dev_oscar unregistered',
  'team_docs no-attachments',
  'team_docs idle',
  'team_frontend unknown-workspace',
];

beforeAll(async () => {
  coder = await startCoderApiStandIn();
  devdb = await startTestDevDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'devdb-orphans-'));
  await writeDataDirCredentials(devdb, dataDir);
  superuser = await devdb.superuser('devdb');
  await seed();
});

afterAll(async () => {
  await devdb?.stop();
  await coder?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('devdb orphans with Coder', () => {
  it('classifies every database and attachment, asking Coder only what its listings lack', async () => {
    const before = coder.requests.length;
    const { findings, skipped } = await json();
    expect(skipped).toEqual([]);
    expect(summary(findings)).toEqual(EVERY_FINDING);

    const asked = coder.requests
      .slice(before)
      .map((r) => `${r.path}${r.query.include_deleted ? ' deleted' : ''}`);
    const perWorkspace = asked.filter((p) => /^\/api\/v2\/workspaces\/./.test(p)).sort();
    // Only the three ids the listing lacked, each once plainly and once with include_deleted.
    const missing = [ws.bob, ws.carol, ws.heidi].sort();
    expect(perWorkspace).toEqual(
      missing
        .flatMap((id) => [`/api/v2/workspaces/${id}`, `/api/v2/workspaces/${id} deleted`])
        .sort(),
    );
    expect(asked.filter((p) => p === '/api/v2/workspaces')).toHaveLength(1);
    expect(asked.filter((p) => p === '/api/v2/users')).toHaveLength(1);
    // heidi is missing from the user listing: by id (a tombstone), then by name (gone).
    const heidiId = coder.requests.find((r) => r.path.endsWith('/users/heidi'));
    expect(heidiId).toBeDefined();
  });

  it('gives each finding its owner, workspace, credential, last access and why', async () => {
    const { findings } = await json();
    const find = (database: string, kind: string) =>
      findings.find((f) => f.database === database && f.kind === kind)!;
    expect(find('dev_bob', 'workspace-deleted')).toEqual({
      kind: 'workspace-deleted',
      database: 'dev_bob',
      owner: 'bob',
      workspaceId: ws.bob,
      loginRole: expect.stringMatching(/^ws_/),
      lastAccess: null,
      status: 'workspace deleted',
      detail: expect.stringMatching(
        /^Coder deleted workspace bob\/dev on \d{4}-\d\d-\d\d \(gone, found only with include_deleted\) without releasing its database: its credential still works$/,
      ),
    });
    expect(find('dev_carol', 'unknown-workspace').detail).toBe(
      "Coder has no workspace with this id (404, also with include_deleted): check the id before acting, it may not be this Coder's",
    );
    expect(find('team_frontend', 'unknown-workspace')).toMatchObject({
      owner: 'bob',
      workspaceId: 'ws-legacy',
      detail: expect.stringContaining("not a Coder workspace id (Coder's ids are UUIDs)"),
    });
    expect(find('dev_dave', 'workspace-dormant').status).toBe('workspace dormant 10 days');
    expect(find('dev_erin', 'workspace-deleting').detail).toMatch(
      /^workspace erin\/dev: Coder deletes it on \d{4}-/,
    );
    expect(find('dev_frank', 'workspace-stopped')).toMatchObject({
      status: 'workspace stopped 45 days',
      detail: expect.stringMatching(/^workspace frank\/dev is stopped, last used \d{4}-/),
    });
    expect(find('dev_grace', 'owner-suspended')).toMatchObject({
      owner: 'grace',
      workspaceId: null,
      detail: 'grace is suspended in Coder',
    });
    expect(find('dev_heidi', 'owner-gone').detail).toMatch(
      /^Coder user [0-9a-f-]{36}: deleted in Coder \(was heidi\)$/,
    );
    expect(find('dev_ivan', 'idle')).toMatchObject({
      status: 'idle 40 days',
      lastAccess: expect.stringMatching(/^\d{4}-/),
      detail: expect.stringMatching(/^no access since \d{4}-\d\d-\d\d \(policy_idle_days = 30\)$/),
    });
    expect(find('dev_judy', 'credential-without-workspace')).toMatchObject({
      owner: 'judy',
      workspaceId: ws.judy,
      loginRole: ws.judyRole,
      status: 'credential without workspace',
      detail: `login role ${ws.judyRole} can log in as a workspace but no live attachment uses it; \`devdb doctor --fix\` drops it`,
    });
    expect(find('dev_judy', 'no-attachments').detail).toMatch(
      /^no workspace attached since \d{4}-/,
    );
    expect(find('dev_oscar', 'unregistered')).toMatchObject({
      owner: 'oscar',
      detail:
        'exists on the server but the registry has no record of it; `devdb doctor --fix` adopts it',
    });
    expect(find('team_docs', 'idle').status).toBe('never accessed, 40 days old');
    expect(find('team_docs', 'no-attachments').detail).toBe('no workspace ever attached');
  });

  it("prints a table like the guide's, one row per finding", async () => {
    const result = await orphans([], { env: coderEnv() });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /│ Database +│ Owner +│ Workspace ID +│ Last Access +│ Status +│ Detail/,
    );
    const row = (database: string, ...cells: string[]) =>
      new RegExp(
        `│ ${[database, ...cells].map((c) => `${c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +`).join('│ ')}`,
      );
    expect(result.stdout).toMatch(row('dev_bob', 'bob', ws.bob!, 'never', 'workspace deleted'));
    expect(result.stdout).toMatch(row('dev_oscar', 'oscar', '-', '-', 'unregistered'));
    expect(result.stdout).toMatch(
      /│ dev_ivan +│ ivan +│ - +│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +│ idle 40 days/,
    );
    const rows = result.stdout.split('\n').filter((line) => /^│ (dev|team)_/.test(line));
    expect(rows).toHaveLength(EVERY_FINDING.length);
  });

  it('shows its progress on a terminal while it asks Coder', async () => {
    const result = await orphans([], { env: coderEnv(), isTTY: true });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('\rasking Coder: listing workspaces');
    expect(result.stderr).toContain('\rasking Coder: confirming workspaces 3/3');
    expect(result.stderr).toContain('\rasking Coder: confirming owners 1/1');
    expect(result.stderr.endsWith('\n')).toBe(true);
  });

  it('rides out 429s and 5xx from Coder', async () => {
    coder.failNext({ status: 429, retryAfter: '0' }, 2);
    coder.failNext({ status: 503, retryAfter: '0', path: /^\/api\/v2\/workspaces\?/ });
    expect(summary((await json()).findings)).toEqual(EVERY_FINDING);
  });

  it('takes the token from --coder-token-file and the URL from --coder-url', async () => {
    const file = path.join(dataDir, 'coder-token');
    await writeFile(file, `${coder.token}\n`, { mode: 0o600 });
    const { findings, skipped } = await json(
      ['--coder-url', coder.url, '--coder-token-file', file],
      {},
    );
    expect(skipped).toEqual([]);
    expect(summary(findings)).toEqual(EVERY_FINDING);
  });

  it('takes the URL from the setting coder_url, the idle threshold from policy_idle_days or --idle-days', async () => {
    await writeSetting(devdb.pool, 'coder_url', coder.url);
    await writeSetting(devdb.pool, 'policy_idle_days', '41');
    try {
      const viaSetting = await json([], { CODER_SESSION_TOKEN: coder.token });
      expect(summary(viaSetting.findings)).toEqual(
        EVERY_FINDING.filter((f) => !f.endsWith(' idle')),
      );
      const withFlag = await json(['--idle-days', '40'], { CODER_SESSION_TOKEN: coder.token });
      expect(summary(withFlag.findings)).toEqual(EVERY_FINDING);
      // Without a token the setting alone does not turn Coder's checks on.
      const noToken = await orphans(['--json'], { env: {} });
      expect(noToken.stderr).toMatch(
        /^devdb: skipped the checks that need Coder .*: the setting coder_url is set/,
      );
      expect(JSON.parse(noToken.stdout).skipped).toContainEqual({
        kind: 'workspace-deleted',
        reason:
          'the setting coder_url is set but no token is: set CODER_SESSION_TOKEN or pass --coder-token-file',
      });
    } finally {
      await writeSetting(devdb.pool, 'coder_url', null);
      await writeSetting(devdb.pool, 'policy_idle_days', null);
    }
  });
});

describe('devdb orphans without Coder', () => {
  it("runs the registry's checks and says which it skipped and how to enable them", async () => {
    const result = await orphans(['--json'], { env: {} });
    expect(result.code).toBe(0);
    const { findings, skipped } = JSON.parse(result.stdout) as {
      findings: Record<string, unknown>[];
      skipped: { kind: string; reason: string }[];
    };
    expect(summary(findings)).toEqual([
      'dev_ivan idle',
      'dev_judy no-attachments',
      'dev_judy credential-without-workspace',
      'dev_oscar unregistered',
      'team_docs no-attachments',
      'team_docs idle',
    ]);
    const how =
      'Coder is not configured: set CODER_URL and CODER_SESSION_TOKEN (a token from `coder tokens create --lifetime 720h`), or pass --coder-url and --coder-token-file';
    expect(skipped).toEqual(
      [
        'workspace-deleted',
        'unknown-workspace',
        'workspace-deleting',
        'workspace-dormant',
        'workspace-stopped',
        'owner-gone',
        'owner-suspended',
      ].map((kind) => ({ kind, reason: how })),
    );
    expect(result.stderr).toBe(
      'devdb: skipped the checks that need Coder (workspace-deleted, unknown-workspace, workspace-deleting, ' +
        `workspace-dormant, workspace-stopped, owner-gone, owner-suspended): ${how}\n`,
    );
  });
});

describe('devdb orphans when Coder refuses or cannot be reached: one line, exit 1, nothing changed', () => {
  const refused = async (args: string[], env: Record<string, string>, message: string | RegExp) => {
    const before = await registryState();
    const result = await orphans(args, { env });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr.split('\n')).toHaveLength(2); // one line
    expect(result.stderr).toMatch(typeof message === 'string' ? `devdb: ${message}\n` : message);
    expect(await registryState()).toEqual(before);
    return result;
  };

  it('401: a wrong token', async () => {
    const wrong = 'b0b0b0b0b0-deadbeefdeadbeefdeadbe';
    const result = await refused(
      [],
      { CODER_URL: coder.url, CODER_SESSION_TOKEN: wrong },
      `Coder rejected the token (401: API key is invalid.): check CODER_SESSION_TOKEN for ${coder.url}; ` +
        'an admin makes one with `coder tokens create --lifetime 720h`',
    );
    expect(result.stderr).not.toContain(wrong);
  });

  it("403: a member's token, which would take other users' workspaces for deleted ones", async () => {
    const member = coder.addUser({ username: 'mallory' });
    const token = coder.issueToken(member.id);
    const result = await refused(
      ['--json'],
      { CODER_URL: coder.url, CODER_SESSION_TOKEN: token },
      'the Coder token belongs to mallory (site roles: member), who may not read every workspace: ' +
        "Coder would answer 404 for other users' workspaces as if they were deleted. Use a token of an Owner or a Template Admin",
    );
    expect(result.stderr).not.toContain(token);
  });

  it('403 from Coder itself', async () => {
    coder.failNext({ status: 403, path: /^\/api\/v2\/workspaces\?/ });
    await refused(
      [],
      coderEnv(),
      /^devdb: Coder refused GET \/api\/v2\/workspaces\?limit=100 \(403: Injected fault 403\.\): the token from CODER_SESSION_TOKEN may not read/,
    );
  });

  it('Coder unreachable', async () => {
    const port = await closedPort();
    await refused(
      [],
      { CODER_URL: `http://127.0.0.1:${port}`, CODER_SESSION_TOKEN: coder.token },
      `cannot reach Coder at http://127.0.0.1:${port} (connection refused): check CODER_URL`,
    );
  });

  it('Coder failing after every retry', async () => {
    coder.failNext({ status: 500, retryAfter: '0' }, 5);
    await refused(
      [],
      coderEnv(),
      `Coder at ${coder.url} answered 500 (Injected fault 500.) to GET /api/v2/users/me after 5 attempts`,
    );
  });

  it('half a configuration, or an unreadable token file', async () => {
    await refused(
      [],
      { CODER_SESSION_TOKEN: coder.token },
      'a Coder token is given (CODER_SESSION_TOKEN) but no URL: set CODER_URL, pass --coder-url, or set the setting coder_url',
    );
    await refused(
      ['--coder-url', coder.url],
      {},
      "Coder's URL is given (--coder-url) but no token: set CODER_SESSION_TOKEN or pass --coder-token-file",
    );
    const missing = path.join(dataDir, 'no-such-token');
    await refused(
      ['--coder-url', coder.url, '--coder-token-file', missing],
      {},
      `cannot read the Coder token file ${missing} (ENOENT): check --coder-token-file`,
    );
  });
});

describe('the token', () => {
  it('never appeared in any output', () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const text of outputs) expect(text).not.toContain(coder.token);
  });
});

describe("findOrphans (the library entry point) by the server's clock", () => {
  it('sees every database idle once the clock is past the threshold, without waiting', async () => {
    await devdb.clock.shift(31 * DAY);
    const report = await findOrphans(devdb.pool, { coder: null });
    await devdb.clock.reset();
    const idle = report.findings.filter((f) => f.kind === 'idle').map((f) => f.database);
    expect(idle).toEqual([
      'dev_alice',
      'dev_bob',
      'dev_carol',
      'dev_dave',
      'dev_erin',
      'dev_frank',
      'dev_grace',
      'dev_heidi',
      'dev_ivan',
      'dev_judy',
      'team_docs',
      'team_frontend',
    ]);
    expect(report.skipped).toHaveLength(7);
  });
});

describe('classifyOrphans (pure)', () => {
  const now = new Date('2025-06-30T12:00:00Z');
  const at = (iso: string) => new Date(iso);
  const attachment = (workspaceId: string) => ({
    workspaceId,
    workspaceName: 'dev',
    owner: 'zoe',
    loginRole: `ws_zoe_${workspaceId}`,
    template: null,
    attachedAt: at('2025-01-01T00:00:00Z'),
    lastSeenAt: null,
  });
  const facts = (lastAccessed: Date | null, workspaceIds: string[] = ['w1']): OrphanFacts => ({
    databases: [
      {
        name: 'dev_zoe',
        type: 'individual',
        owner: 'zoe',
        ownerId: 'u1',
        team: null,
        createdAt: at('2025-01-01T00:00:00Z'),
        lastAccessed,
        lastDetachedAt: null,
        attachments: workspaceIds.map(attachment),
      },
    ],
    unregisteredDatabases: [],
    orphanLoginRoles: [],
  });
  const workspace = (extra: Partial<CoderWorkspace>): CoderWorkspace => ({
    id: 'w1',
    name: 'dev',
    owner_id: 'u1',
    owner_name: 'zoe',
    template_id: 't',
    template_name: 'tpl',
    last_used_at: '2025-06-29T00:00:00Z',
    dormant_at: null,
    deleting_at: null,
    latest_build: { transition: 'start', status: 'running', created_at: '2025-06-29T00:00:00Z' },
    ...extra,
  });
  const state = (w: CoderWorkspace, status: CoderUser['status'] = 'active'): CoderState => ({
    workspaces: new Map([['w1', { state: 'live', workspace: w }]]),
    owners: new Map([
      [
        'u1',
        {
          state: 'present',
          user: { id: 'u1', username: 'zoe', email: '', status, roles: [], created_at: '' },
        },
      ],
    ]),
  });
  const kinds = (found: OrphanFinding[]) => found.map((f) => f.kind);

  it('idle from the threshold on: 29 days is not, 30 is', () => {
    const recent = facts(new Date(now.getTime() - 29 * DAY - 1000));
    expect(classifyOrphans(recent, null, { now, idleDays: 30 })).toEqual([]);
    const old = facts(new Date(now.getTime() - 30 * DAY));
    expect(classifyOrphans(old, null, { now, idleDays: 30 })).toEqual([
      expect.objectContaining({ kind: 'idle', status: 'idle 30 days', workspaceId: null }),
    ]);
    expect(kinds(classifyOrphans(old, null, { now, idleDays: 31 }))).toEqual([]);
  });

  it('a never-accessed database counts from its creation', () => {
    expect(classifyOrphans(facts(null), null, { now, idleDays: 30 })).toEqual([
      expect.objectContaining({
        kind: 'idle',
        status: 'never accessed, 180 days old',
        lastAccess: null,
      }),
    ]);
  });

  it('a stopped workspace from the threshold on; a running one never', () => {
    const fresh = facts(now);
    const stopped = (lastUsed: string) =>
      state(
        workspace({
          last_used_at: lastUsed,
          latest_build: { transition: 'stop', status: 'stopped', created_at: lastUsed },
        }),
      );
    expect(
      kinds(classifyOrphans(fresh, stopped('2025-05-31T12:00:00Z'), { now, idleDays: 30 })),
    ).toEqual(['workspace-stopped']);
    expect(
      kinds(classifyOrphans(fresh, stopped('2025-06-01T12:00:01Z'), { now, idleDays: 30 })),
    ).toEqual([]);
    expect(
      kinds(
        classifyOrphans(fresh, state(workspace({ last_used_at: '2024-01-01T00:00:00Z' })), {
          now,
          idleDays: 30,
        }),
      ),
    ).toEqual([]);
  });

  it('scheduled deletion wins over dormancy; a failed delete build counts as being deleted', () => {
    const fresh = facts(now);
    const dormant = workspace({ dormant_at: '2025-06-20T12:00:00Z' });
    expect(classifyOrphans(fresh, state(dormant), { now, idleDays: 30 })).toEqual([
      expect.objectContaining({ kind: 'workspace-dormant', status: 'workspace dormant 10 days' }),
    ]);
    const deleting = workspace({
      dormant_at: '2025-06-20T12:00:00Z',
      deleting_at: '2025-07-20T12:00:00Z',
    });
    expect(classifyOrphans(fresh, state(deleting), { now, idleDays: 30 })).toEqual([
      expect.objectContaining({
        kind: 'workspace-deleting',
        detail: 'workspace zoe/dev: Coder deletes it on 2025-07-20',
      }),
    ]);
    const failedDelete = workspace({
      latest_build: { transition: 'delete', status: 'failed', created_at: '' },
    });
    expect(classifyOrphans(fresh, state(failedDelete), { now, idleDays: 30 })).toEqual([
      expect.objectContaining({
        kind: 'workspace-deleting',
        detail: 'workspace zoe/dev: a delete build is failed',
      }),
    ]);
  });

  it('a suspended owner; an active or dormant one is no finding', () => {
    const fresh = facts(now);
    expect(
      kinds(classifyOrphans(fresh, state(workspace({}), 'suspended'), { now, idleDays: 30 })),
    ).toEqual(['owner-suspended']);
    expect(
      kinds(classifyOrphans(fresh, state(workspace({}), 'dormant'), { now, idleDays: 30 })),
    ).toEqual([]);
  });

  it('several findings of one database come in the order of ORPHAN_KINDS, attachments by workspace id', () => {
    const two = facts(null, ['w2', 'w1']);
    const coderState: CoderState = {
      workspaces: new Map([
        ['w1', { state: 'unknown', reason: 'gone' }],
        ['w2', { state: 'unknown', reason: 'gone' }],
      ]),
      owners: new Map([['u1', { state: 'gone', reason: 'deleted in Coder (was zoe)' }]]),
    };
    const found = classifyOrphans(two, coderState, { now, idleDays: 30 });
    expect(found.map((f) => `${f.kind} ${f.workspaceId ?? ''}`)).toEqual([
      'unknown-workspace w1',
      'unknown-workspace w2',
      'owner-gone ',
      'idle ',
    ]);
  });
});
