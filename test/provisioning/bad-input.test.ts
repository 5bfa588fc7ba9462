/**
 * Bad input (docs/architecture.md, "Names"): hostile or malformed names are refused
 * with a message that says what is allowed, and nothing is created — not a
 * database, not a role, not a registry row, not an event. Checked through the
 * TypeScript API and through the SQL entry points, which must refuse alone.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attachWorkspace,
  detachWorkspace,
  ensureIndividualDatabase,
  ensureTeamDatabase,
  InvalidNameError,
  ProvisioningError,
  reportAccess,
  type AttachInput,
} from '../../provisioning/index.js';
import { TEAM_RULE, USERNAME_RULE, WORKSPACE_ID_RULE } from '../../provisioning/contract/index.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;
let su: pg.Client;

beforeAll(async () => {
  devdb = await startTestDevDb();
  su = await devdb.superuser('devdb'); // shared catalogs are visible from any database
  // Something to leave alone.
  await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner: 'alice',
    workspaceId: 'ws-alice',
  });
});

afterAll(async () => {
  await devdb?.stop();
});

interface Snapshot {
  databases: string;
  roles: string;
  registry: unknown[];
  attachments: unknown[];
  events: number;
}

async function snapshot(): Promise<Snapshot> {
  const databases = await su.query<{ s: string }>(
    `SELECT string_agg(datname || ':' || datdba::regrole || ':' || coalesce(datacl::text, '-'), ' '
                       ORDER BY datname) AS s FROM pg_database`,
  );
  const roles = await su.query<{ s: string }>(
    `SELECT string_agg(rolname || ':' || rolcanlogin || rolsuper, ' ' ORDER BY rolname) AS s
       FROM pg_roles`,
  );
  const registry = await su.query('SELECT * FROM provisioning.databases ORDER BY db_name');
  const attachments = await su.query('SELECT * FROM provisioning.attachments ORDER BY id');
  const events = await su.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM provisioning.events',
  );
  return {
    databases: databases.rows[0]!.s,
    roles: roles.rows[0]!.s,
    registry: registry.rows,
    attachments: attachments.rows,
    events: events.rows[0]!.n,
  };
}

/** Runs `fn`, expects it to be refused with `message`, and that nothing changed. */
async function expectRefusedAndNothingCreated(
  fn: () => Promise<unknown>,
  kind: typeof InvalidNameError | typeof ProvisioningError,
  message: RegExp | string,
) {
  // The superuser client reads `devdb`'s registry; it lives in a separate session.
  const before = await snapshot();
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a refusal').toBeInstanceOf(kind);
  expect((error as Error).message).toMatch(message);
  expect(await snapshot()).toEqual(before);
}

const HOSTILE = [
  '',
  ' ',
  'alice bob',
  "o'brien",
  'a"b',
  'a;b',
  "Robert'); DROP TABLE provisioning.databases;--",
  'x; DROP DATABASE devdb',
  'alice\n',
  'alicé',
  'ä',
  '用户',
  '😀',
  'a'.repeat(64),
  'é'.repeat(32), // 32 characters, 64 bytes
  '-alice',
  'alice-',
  'al--ice',
  'al_ice',
  'dev_alice',
  '$1',
  '%I',
];
const re = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

describe('the TypeScript API refuses before any SQL runs', () => {
  test.each(HOSTILE)('username %j', async (owner) => {
    await expectRefusedAndNothingCreated(
      () => ensureIndividualDatabase(devdb.pool, { owner }),
      InvalidNameError,
      re(`must be ${USERNAME_RULE}`),
    );
    await expectRefusedAndNothingCreated(
      () =>
        attachWorkspace(devdb.pool, devdb.endpoint, {
          type: 'individual',
          owner,
          workspaceId: 'ws-x',
        }),
      InvalidNameError,
      re(`must be ${USERNAME_RULE}`),
    );
  });

  // "alice-" and "al--ice" are valid team names (docs/architecture.md, "Names": [a-z0-9-], starting
  // with a letter), so the team list leaves them out.
  test.each([
    ...HOSTILE.filter((s) => !['alice-', 'al--ice'].includes(s)),
    'Frontend',
    'FRONTEND-PROJECT',
    'frontEnd',
    '1team',
    'b'.repeat(41),
    'team_x',
  ])('team name %j', async (team) => {
    await expectRefusedAndNothingCreated(
      () => ensureTeamDatabase(devdb.pool, { team }),
      InvalidNameError,
      re(`must be ${TEAM_RULE}`),
    );
    await expectRefusedAndNothingCreated(
      () =>
        attachWorkspace(devdb.pool, devdb.endpoint, {
          type: 'team',
          owner: 'alice',
          team,
          workspaceId: 'ws-x',
        }),
      InvalidNameError,
      re(`must be ${TEAM_RULE}`),
    );
  });

  test.each(['', 'ws x', "ws'1", 'ws;1', '-ws', 'wé', 'w'.repeat(129)])(
    'workspace id %j',
    async (workspaceId) => {
      await expectRefusedAndNothingCreated(
        () =>
          attachWorkspace(devdb.pool, devdb.endpoint, {
            type: 'individual',
            owner: 'bob',
            workspaceId,
          }),
        InvalidNameError,
        re(`must be ${WORKSPACE_ID_RULE}`),
      );
      await expectRefusedAndNothingCreated(
        () => detachWorkspace(devdb.pool, { workspaceId }),
        InvalidNameError,
        re(`must be ${WORKSPACE_ID_RULE}`),
      );
    },
  );

  test('wrong shapes of attach input', async () => {
    const base = { owner: 'bob', workspaceId: 'ws-bob' };
    const cases: [AttachInput, typeof InvalidNameError | typeof ProvisioningError, RegExp][] = [
      [
        { ...base, type: 'admin' as 'team' },
        InvalidNameError,
        /must be one of "individual", "team"/,
      ],
      [{ ...base, type: 'team' }, InvalidNameError, re(`must be ${TEAM_RULE}`)],
      [
        { ...base, type: 'individual', team: 'frontend' },
        ProvisioningError,
        /team must not be set for an individual database/,
      ],
      [
        { ...base, type: 'individual', connectionLimit: -5 },
        ProvisioningError,
        /must be -1 \(no limit\) or a non-negative number/,
      ],
    ];
    for (const [input, kind, message] of cases) {
      await expectRefusedAndNothingCreated(
        () => attachWorkspace(devdb.pool, devdb.endpoint, input),
        kind,
        message,
      );
    }
  });

  test('reporting access for a database DevDB does not know', async () => {
    await expectRefusedAndNothingCreated(
      () => reportAccess(devdb.pool, { database: "dev_alice'; DROP DATABASE dev_alice; --" }),
      ProvisioningError,
      /no DevDB database named/,
    );
    await expectRefusedAndNothingCreated(
      () => reportAccess(devdb.pool, { database: 'postgres' }),
      ProvisioningError,
      /no DevDB database named/,
    );
  });
});

describe('the SQL entry points refuse on their own', () => {
  const sqlCases: [string, unknown[], RegExp][] = [
    ['SELECT provisioning.create_team_db($1)', ['Bad Name'], re(`must be ${TEAM_RULE}`)],
    ['SELECT provisioning.create_team_db($1)', ['Frontend'], re(`must be ${TEAM_RULE}`)],
    ['SELECT provisioning.create_team_db($1)', [''], re(`must be ${TEAM_RULE}`)],
    ['SELECT provisioning.create_team_db($1)', [null], /invalid team name \(null\)/],
    [
      'SELECT provisioning.create_team_db($1)',
      ["x'); DROP DATABASE devdb; --"],
      re(`must be ${TEAM_RULE}`),
    ],
    ['SELECT provisioning.create_team_db($1)', ['b'.repeat(41)], re(`must be ${TEAM_RULE}`)],
    [
      `SELECT * FROM provisioning.ensure_database('individual', $1, NULL, NULL)`,
      ["Robert'); DROP TABLE x;--"],
      re(`must be ${USERNAME_RULE}`),
    ],
    [
      `SELECT * FROM provisioning.ensure_database($1, 'carol', NULL, NULL)`,
      ['superuser'],
      /invalid database type 'superuser': must be one of "individual", "team"/,
    ],
    [
      `SELECT * FROM provisioning.ensure_database('individual', 'carol', NULL, 'frontend')`,
      [],
      /team must not be set/,
    ],
    [
      `SELECT * FROM provisioning.attach_workspace('individual', $1, NULL, NULL, 'ws-1', NULL, NULL,
         'SCRAM-SHA-256$4096:x$y:z')`,
      ['bad name'],
      re(`must be ${USERNAME_RULE}`),
    ],
    [
      `SELECT * FROM provisioning.attach_workspace('individual', 'carol', NULL, NULL, $1, NULL, NULL,
         'SCRAM-SHA-256$4096:x$y:z')`,
      ["ws'; DROP ROLE devdb_provisioner; --"],
      re(`must be ${WORKSPACE_ID_RULE}`),
    ],
    [
      // A plain password instead of a verifier would put it in the server's catalogs and logs.
      `SELECT * FROM provisioning.attach_workspace('individual', 'carol', NULL, NULL, 'ws-1', NULL, NULL,
         'hunter2')`,
      [],
      /needs a SCRAM-SHA-256 verifier, not a password/,
    ],
    [
      `SELECT * FROM provisioning.list_user_databases($1)`,
      ["alice' OR '1'='1"],
      re(`must be ${USERNAME_RULE}`),
    ],
    [
      `SELECT * FROM provisioning.get_connection_info($1)`,
      ["dev_alice' OR '1'='1"],
      /no DevDB database named/,
    ],
    [
      `SELECT * FROM provisioning.detach_workspace($1)`,
      ['a b'],
      re(`must be ${WORKSPACE_ID_RULE}`),
    ],
  ];

  test.each(sqlCases)('%s with %j', async (sql, params, message) => {
    await expectRefusedAndNothingCreated(
      () =>
        devdb.pool
          .query(sql, params)
          .catch((e: Error) => Promise.reject(new ProvisioningError(e.message))),
      ProvisioningError,
      message,
    );
  });
});

describe('names that look dangerous but are valid', () => {
  async function databaseFacts(name: string) {
    const { rows } = await su.query(
      `SELECT oid::int, datdba::regrole::text AS owner, datacl::text, datallowconn, datistemplate
         FROM pg_database WHERE datname = $1`,
      [name],
    );
    return rows[0];
  }

  test('team "postgres" → team_postgres; the real postgres database is untouched', async () => {
    const before = {
      postgres: await databaseFacts('postgres'),
      template1: await databaseFacts('template1'),
      postgresRole: (await su.query(`SELECT * FROM pg_roles WHERE rolname = 'postgres'`)).rows,
    };
    const att = await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'team',
      owner: 'alice',
      team: 'postgres',
      workspaceId: 'ws-team-postgres',
    });
    expect(att.name).toBe('team_postgres');
    expect(att.user).toMatch(/^ws_alice_[0-9a-f]{16}$/);
    const team1 = await ensureTeamDatabase(devdb.pool, { team: 'template1' });
    expect(team1).toMatchObject({ name: 'team_template1', created: true });
    const dev = await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'individual',
      owner: 'postgres',
      workspaceId: 'ws-user-postgres',
    });
    expect(dev.name).toBe('dev_postgres');

    expect({
      postgres: await databaseFacts('postgres'),
      template1: await databaseFacts('template1'),
      postgresRole: (await su.query(`SELECT * FROM pg_roles WHERE rolname = 'postgres'`)).rows,
    }).toEqual(before);
    // The credentials reach their own databases only.
    expect((await tryConnect(devdb.url(att.user, att.password, 'team_postgres'))).ok).toBe(true);
    expect((await tryConnect(devdb.url(att.user, att.password, 'postgres'))).ok).toBe(false);
    expect((await tryConnect(devdb.url(dev.user, dev.password, 'dev_postgres'))).ok).toBe(true);
    expect((await tryConnect(devdb.url(dev.user, dev.password, 'postgres'))).ok).toBe(false);
    const registry = await devdb.pool.query<{ db_name: string }>(
      `SELECT db_name FROM provisioning.databases WHERE db_name IN ('postgres', 'template1')`,
    );
    expect(registry.rows).toEqual([]);
  });
});

describe('names taken by objects DevDB did not create', () => {
  test('an existing LOGIN role with the owner name is not adopted', async () => {
    await su.query(`CREATE ROLE dev_mallory LOGIN PASSWORD 'x'`);
    await expectRefusedAndNothingCreated(
      () => ensureIndividualDatabase(devdb.pool, { owner: 'mallory' }),
      ProvisioningError,
      /role dev_mallory already exists and can log in; DevDB will not adopt it/,
    );
  });

  test('an existing database with the name is not taken over', async () => {
    await su.query(`CREATE DATABASE team_legacy`);
    await expectRefusedAndNothingCreated(
      () => ensureTeamDatabase(devdb.pool, { team: 'legacy' }),
      ProvisioningError,
      /database team_legacy already exists and is owned by devdb_admin, not by DevDB's role team_legacy/,
    );
  });
});
