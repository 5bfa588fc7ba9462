/**
 * docs/architecture.md, "Names": the naming rules. Unit cases, a seeded generated/fuzz test of
 * the TypeScript module, and a cross-check that the server's SQL functions
 * accept exactly the same inputs and return exactly the same names.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attachWorkspace,
  individualDatabaseName,
  InvalidNameError,
  teamDatabaseName,
  validateTeamName,
} from '../../provisioning/index.js';
import {
  normalizeUsername,
  personalSchemaName,
  readRoleName,
  TEAM_RULE,
  USERNAME_RULE,
  validateWorkspaceId,
  WORKSPACE_ID_RULE,
} from '../../provisioning/contract/index.js';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';

const IDENT = /^[a-z0-9_]+$/;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** mulberry32: a small seeded PRNG, so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
// Everything a hostile or careless caller might send, including characters that
// lower-case or fold into ASCII in some locales (İ, K = Kelvin sign, ſ, ﬀ, fullwidth).
const NASTY = [
  "'",
  '"',
  ';',
  ' ',
  '\t',
  '\n',
  '\\',
  '_',
  '.',
  '/',
  '$',
  '%',
  '*',
  '(',
  ')',
  '\0',
  'é',
  'ß',
  'İ',
  'ı',
  '\u212a',
  'ſ',
  'ﬀ',
  'ａ',
  'Ａ',
  '١',
  '😀',
  '\u200b',
  '–',
];

function generateInputs(seed: number, count: number): string[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[] | string): T | string => xs[Math.floor(rnd() * xs.length)]!;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const len = Math.floor(rnd() * 81); // 0–80
    const mode = rnd();
    let s = '';
    if (mode < 0.45) {
      // Plausible names: alphanumeric runs with single hyphens, mostly accepted.
      const alpha = rnd() < 0.5 ? LOWER + DIGITS : LOWER + UPPER + DIGITS;
      const short = Math.max(1, Math.floor(len / (rnd() < 0.7 ? 2 : 1)));
      for (let j = 0; j < short; j++) {
        s += j > 0 && j < short - 1 && rnd() < 0.15 && !s.endsWith('-') ? '-' : pick(alpha);
      }
    } else if (mode < 0.75) {
      // Near misses: a plausible name with one or two hostile mutations.
      const alpha = LOWER + DIGITS + '-';
      for (let j = 0; j < Math.max(1, Math.floor(len / 2)); j++) s += pick(alpha);
      const mutations = 1 + Math.floor(rnd() * 2);
      for (let m = 0; m < mutations; m++) {
        const at = Math.floor(rnd() * (s.length + 1));
        s = s.slice(0, at) + pick([...NASTY, '-', '--', UPPER[at % 26]!]) + s.slice(at + 1);
      }
    } else {
      const alpha = [...LOWER, ...UPPER, ...DIGITS, '-', '-', ...NASTY];
      for (let j = 0; j < len; j++) s += pick(alpha);
    }
    out.push(s);
  }
  return out;
}

const EDGE_CASES = [
  '',
  'a',
  'A',
  '0',
  '1abc',
  'a'.repeat(32),
  'a'.repeat(33),
  'b'.repeat(40),
  'b'.repeat(41),
  'c'.repeat(63),
  'c'.repeat(64),
  'a-'.repeat(16) + 'a',
  '-a',
  'a-',
  'a--b',
  'a-b',
  'a_b',
  'postgres',
  'template1',
  'template0',
  'public',
  'shared',
  'information-schema',
  'pg-admin',
  'PG-Admin',
  'pg',
  'pgadmin',
  'Alice',
  'ALICE',
  'alice',
  'jane-doe',
  "Robert'); DROP TABLE students;--",
  'a b',
  'a;b',
  'é',
  'alicé',
  'İnci',
  '\u212aelvin',
  'a\nb',
  'a\0b',
  ' alice',
  'alice ',
  '1-2-3',
  'x'.repeat(20) + '-' + 'y'.repeat(11),
  'x'.repeat(20) + '-' + 'y'.repeat(12),
];

const SEED = 20261122;
const INPUTS = [...new Set([...EDGE_CASES, ...generateInputs(SEED, 3000)])];

type Outcome = { ok: true; value: string } | { ok: false; error: unknown };
function attempt(fn: (s: string) => string, input: string): Outcome {
  try {
    return { ok: true, value: fn(input) };
  } catch (error) {
    return { ok: false, error };
  }
}

function expectRefusal(outcome: Outcome, field: string, rule: string) {
  expect(outcome.ok).toBe(false);
  if (outcome.ok) return;
  expect(outcome.error).toBeInstanceOf(InvalidNameError);
  const err = outcome.error as InvalidNameError;
  expect(err.field).toBe(field);
  expect(err.message).toContain(`invalid ${field} `);
  expect(err.message).toContain(`must be ${rule}`);
}

describe('unit cases', () => {
  test('usernames map to dev_ + lower-case name with - → _', () => {
    expect(individualDatabaseName('alice')).toBe('dev_alice');
    expect(individualDatabaseName('Alice')).toBe('dev_alice');
    expect(individualDatabaseName('jane-doe')).toBe('dev_jane_doe');
    expect(individualDatabaseName('Jane-Doe-2')).toBe('dev_jane_doe_2');
    expect(individualDatabaseName('postgres')).toBe('dev_postgres');
    expect(individualDatabaseName('template1')).toBe('dev_template1');
    expect(individualDatabaseName('a'.repeat(32))).toBe(`dev_${'a'.repeat(32)}`);
    expect(normalizeUsername('ALICE')).toBe('alice');
  });

  test('team names map to team_ + name with - → _', () => {
    expect(teamDatabaseName('frontend-project')).toBe('team_frontend_project');
    expect(teamDatabaseName('postgres')).toBe('team_postgres');
    expect(teamDatabaseName('template1')).toBe('team_template1');
    expect(teamDatabaseName('b'.repeat(40))).toBe(`team_${'b'.repeat(40)}`);
    // docs/architecture.md, "Names" allows any [a-z0-9-] after the first letter, so these are valid,
    // and still injective (team names never contain `_`).
    expect(teamDatabaseName('a-')).toBe('team_a_');
    expect(teamDatabaseName('a--b')).toBe('team_a__b');
  });

  test.each([
    '',
    '-a',
    'a-',
    'a--b',
    'a_b',
    'a b',
    "o'brien",
    'a;b',
    'alicé',
    'a'.repeat(33),
    ' alice',
    'alice\n',
  ])('username %j is refused with the rule', (input) => {
    expectRefusal(attempt(individualDatabaseName, input), 'username', USERNAME_RULE);
    expectRefusal(attempt(normalizeUsername, input), 'username', USERNAME_RULE);
    expectRefusal(attempt(personalSchemaName, input), 'username', USERNAME_RULE);
  });

  test.each([
    '',
    '-a',
    '1abc',
    'Frontend',
    'FRONTEND',
    'a_b',
    'a b',
    'a;b',
    "x'y",
    'é',
    'b'.repeat(41),
  ])('team name %j is refused with the rule', (input) => {
    expectRefusal(attempt(teamDatabaseName, input), 'team name', TEAM_RULE);
    expectRefusal(attempt(validateTeamName, input), 'team name', TEAM_RULE);
  });

  test('non-strings are refused, and the message says what was given', () => {
    for (const value of [null, undefined, 42, {}, ['alice']]) {
      expect(() => individualDatabaseName(value)).toThrow(InvalidNameError);
      expect(() => teamDatabaseName(value)).toThrow(InvalidNameError);
    }
    expect(() => individualDatabaseName(null)).toThrow(
      /^username is missing: it must be a Coder username/,
    );
    expect(() => teamDatabaseName(undefined)).toThrow(
      /^team name is missing: it must be 1–40 characters/,
    );
    expect(() => teamDatabaseName('')).toThrow(/invalid team name \(empty\): must be/);
    // Long hostile input is shown shortened, never dumped whole.
    const long = 'x'.repeat(500);
    expect(() => teamDatabaseName(long)).toThrow(InvalidNameError);
    try {
      teamDatabaseName(long);
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(300);
    }
  });

  test('workspace ids', () => {
    expect(validateWorkspaceId('3f1c2b9e-8d4a-4c1e-9a7b-2f6d5e4c3b2a')).toBe(
      '3f1c2b9e-8d4a-4c1e-9a7b-2f6d5e4c3b2a',
    );
    for (const bad of ['', '-x', 'a b', "a'b", 'a;b', 'x'.repeat(129), 'é']) {
      expectRefusal(attempt(validateWorkspaceId, bad), 'workspace id', WORKSPACE_ID_RULE);
    }
    expect(validateWorkspaceId('x'.repeat(128))).toHaveLength(128);
  });

  test('personal schema names: reserved names are moved out of the way', () => {
    expect(personalSchemaName('alice')).toBe('alice');
    expect(personalSchemaName('Jane-Doe')).toBe('jane_doe');
    for (const reserved of ['public', 'shared', 'information-schema', 'PUBLIC']) {
      const schema = personalSchemaName(reserved);
      expect(['public', 'shared', 'information_schema']).not.toContain(schema);
      expect(schema).toMatch(IDENT);
    }
    // PostgreSQL refuses CREATE SCHEMA for any name starting with pg_.
    for (const pgLike of ['pg-admin', 'PG-x', 'pg-toast', 'pg-temp-1', 'pg-catalog']) {
      expect(personalSchemaName(pgLike)).not.toMatch(/^pg_/);
    }
    expect(personalSchemaName('public')).toBe('public_');
    expect(personalSchemaName('Shared')).toBe('shared_');
    expect(personalSchemaName('information-schema')).toBe('information_schema_');
    expect(personalSchemaName('pg-admin')).toBe('_pg_admin');
    expect(personalSchemaName('pg')).toBe('pg');
    expect(personalSchemaName('pgadmin')).toBe('pgadmin');
  });
});

describe('generated inputs', () => {
  test(`${INPUTS.length} inputs: accepted → valid, injective identifiers; refused → the rule`, () => {
    const byUserDb = new Map<string, string>();
    const bySchema = new Map<string, string>();
    const byTeamDb = new Map<string, string>();
    let acceptedUsers = 0;
    let acceptedTeams = 0;
    const reservedSchemas = new Set(['public', 'shared', 'information_schema']);

    for (const input of INPUTS) {
      const user = attempt(individualDatabaseName, input);
      if (user.ok) {
        acceptedUsers++;
        const normalized = input.toLowerCase();
        expect(user.value).toMatch(IDENT);
        expect(user.value.startsWith('dev_')).toBe(true);
        expect(bytes(user.value)).toBeLessThanOrEqual(63);
        // Injective: the name decodes back to the normalized username.
        expect(user.value.slice(4).replaceAll('_', '-')).toBe(normalized);
        const prev = byUserDb.get(user.value);
        if (prev !== undefined) expect(prev).toBe(normalized);
        byUserDb.set(user.value, normalized);

        const schema = personalSchemaName(input);
        expect(schema).toMatch(IDENT);
        expect(bytes(schema)).toBeLessThanOrEqual(63);
        expect(reservedSchemas.has(schema)).toBe(false);
        expect(schema.startsWith('pg_')).toBe(false);
        const prevS = bySchema.get(schema);
        if (prevS !== undefined) expect(prevS).toBe(normalized);
        bySchema.set(schema, normalized);
        // Usernames are case-insensitive: every casing gives the same names.
        expect(individualDatabaseName(input.toUpperCase())).toBe(user.value);
        expect(personalSchemaName(input.toUpperCase())).toBe(schema);
      } else {
        expectRefusal(user, 'username', USERNAME_RULE);
        expectRefusal(attempt(personalSchemaName, input), 'username', USERNAME_RULE);
      }

      const team = attempt(teamDatabaseName, input);
      if (team.ok) {
        acceptedTeams++;
        expect(team.value).toMatch(IDENT);
        expect(team.value.startsWith('team_')).toBe(true);
        expect(bytes(team.value)).toBeLessThanOrEqual(63);
        expect(team.value.slice(5).replaceAll('_', '-')).toBe(input);
        const prev = byTeamDb.get(team.value);
        if (prev !== undefined) expect(prev).toBe(input);
        byTeamDb.set(team.value, input);
      } else {
        expectRefusal(team, 'team name', TEAM_RULE);
      }
    }
    // Individual and team databases can never collide with each other either.
    for (const name of byUserDb.keys()) expect(byTeamDb.has(name)).toBe(false);
    // Read roles: injective (a prefix), 63-byte safe, apart from every other kind of role.
    for (const database of [...byUserDb.keys(), ...byTeamDb.keys()]) {
      const role = readRoleName(database);
      expect(role).toMatch(IDENT);
      expect(bytes(role)).toBeLessThanOrEqual(63);
      expect(role.slice(3)).toBe(database);
      expect(role).toMatch(/^ro_/);
      expect(byUserDb.has(role) || byTeamDb.has(role)).toBe(false);
    }
    // The generator must exercise both sides meaningfully.
    expect(acceptedUsers).toBeGreaterThan(500);
    expect(acceptedTeams).toBeGreaterThan(300);
    expect(INPUTS.length - acceptedUsers).toBeGreaterThan(1000);
  });
});

describe('against the server', () => {
  let devdb: TestDevDb;
  beforeAll(async () => {
    devdb = await startTestDevDb();
  });
  afterAll(async () => {
    await devdb?.stop();
  });

  // PostgreSQL text cannot hold \0; everything else goes to the server as is.
  const SERVER_INPUTS = INPUTS.filter((s) => !s.includes('\0')).slice(0, 600);

  test.each([
    ['individual_db_name', individualDatabaseName, USERNAME_RULE],
    ['personal_schema_name', personalSchemaName, USERNAME_RULE],
    ['team_db_name', teamDatabaseName, TEAM_RULE],
  ] as const)('provisioning.%s agrees with naming.ts', async (fn, tsFn, rule) => {
    const client = await devdb.pool.connect();
    try {
      await client.query(`CREATE OR REPLACE FUNCTION pg_temp.try_name(p text)
        RETURNS TABLE (name text, err text) LANGUAGE plpgsql AS $$
        BEGIN
          name := provisioning.${fn}(p); err := NULL; RETURN NEXT;
        EXCEPTION WHEN invalid_parameter_value THEN
          name := NULL; err := SQLERRM; RETURN NEXT;
        END $$`);
      const result = await client.query<{ input: string; name: string | null; err: string | null }>(
        `SELECT i.input, t.name, t.err
           FROM unnest($1::text[]) WITH ORDINALITY AS i(input, n), pg_temp.try_name(i.input) t
          ORDER BY i.n`,
        [SERVER_INPUTS],
      );
      expect(result.rows).toHaveLength(SERVER_INPUTS.length);
      let accepted = 0;
      for (const row of result.rows) {
        const ts = attempt(tsFn, row.input);
        if (ts.ok) {
          accepted++;
          expect({ input: row.input, name: row.name }).toEqual({
            input: row.input,
            name: ts.value,
          });
        } else {
          expect({ input: row.input, name: row.name }).toEqual({ input: row.input, name: null });
          expect(row.err).toContain(`must be ${rule}`);
        }
      }
      expect(accepted).toBeGreaterThan(100);
      await client.query('DISCARD TEMP');
    } finally {
      client.release();
    }
  });

  test('provisioning.read_role_name agrees with naming.ts', async () => {
    const databases = SERVER_INPUTS.flatMap((input) =>
      [individualDatabaseName, teamDatabaseName].flatMap((f) => {
        const r = attempt(f, input);
        return r.ok ? [r.value] : [];
      }),
    );
    const { rows } = await devdb.pool.query<{ name: string }>(
      'SELECT provisioning.read_role_name(d) AS name FROM unnest($1::text[]) WITH ORDINALITY u(d, n) ORDER BY n',
      [databases],
    );
    expect(databases.length).toBeGreaterThan(100);
    expect(rows.map((r) => r.name)).toEqual(databases.map(readRoleName));
  });

  test('reserved personal schemas work in a real team database', async () => {
    const owners = ['public', 'shared', 'information-schema', 'pg-admin', 'PG-Toast'];
    for (const [i, owner] of owners.entries()) {
      const att = await attachWorkspace(devdb.pool, devdb.endpoint, {
        type: 'team',
        owner,
        team: 'naming-check',
        workspaceId: `naming-ws-${i}`,
      });
      const client = new pg.Client({
        connectionString: devdb.url(att.user, att.password, att.name),
      });
      await client.connect();
      try {
        const { rows } = await client.query<{ schemas: string[] }>(
          'SELECT current_schemas(false)::text[] AS schemas',
        );
        expect(rows[0]!.schemas).toEqual([personalSchemaName(owner), 'shared', 'public']);
        await client.query('CREATE TABLE mine (x int)');
        const where = await client.query<{ s: string }>(
          `SELECT relnamespace::regnamespace::text AS s FROM pg_class WHERE oid = 'mine'::regclass`,
        );
        expect(where.rows[0]!.s.replaceAll('"', '')).toBe(personalSchemaName(owner));
      } finally {
        await client.end();
      }
    }
  });
});
