/**
 * Enrollment (docs/security.md, "Enrollment: no password in Terraform state")
 * against a real PostgreSQL 17: tokens are single-use, expire, are replaced by
 * newer ones or a password, are kept only as hashes, and two agents racing with
 * one token get exactly one enrollment. The enrollment role, whose password is
 * public, can do nothing but enroll. Expiry is tested by moving a token's
 * expires_at into the past, never by waiting.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attachWorkspace,
  detachWorkspace,
  enroll,
  enrollmentRefusal,
  enrollmentTokenState,
  ENROLLMENT_ROLE,
  ENROLLMENT_ROLE_PASSWORD,
  generatePassword,
  issueEnrollmentToken,
  ProvisioningError,
  scramVerifier,
  setAttachmentPassword,
  type Attachment,
} from '../../provisioning/index.js';
import { enrollmentTokenHash } from '../../provisioning/enrollment/index.js';
import { ENROLLMENT_TOKEN_PREFIX } from '../../provisioning/contract/index.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;
let su: pg.Client;
const clients: pg.Client[] = [];

beforeAll(async () => {
  devdb = await startTestDevDb();
  su = await devdb.superuser('devdb');
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.end()));
  await devdb?.stop();
});

/** A session as devdb_enroll, the way the agent opens one. */
async function asEnrollRole(database = 'devdb'): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: devdb.url(ENROLLMENT_ROLE, ENROLLMENT_ROLE_PASSWORD, database),
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

let counter = 0;
function attachEnrolling(owner: string): Promise<Attachment> {
  counter++;
  return attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner,
    workspaceId: `ws-${owner}-${counter}`,
    credentials: 'enrollment',
  });
}

/** Enrolls a fresh password as the agent would; returns it. */
async function agentEnrolls(att: Attachment, token: string, client?: pg.Client): Promise<string> {
  const password = generatePassword();
  await enroll(client ?? (await asEnrollRole()), {
    token,
    user: att.user,
    verifier: scramVerifier(password),
  });
  return password;
}

async function canLogIn(att: Attachment, password: string): Promise<boolean> {
  return (await tryConnect(devdb.url(att.user, password, att.name))).ok;
}

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a refusal').toBeInstanceOf(ProvisioningError);
  const code = (error as ProvisioningError).code;
  return enrollmentRefusal(code) ?? code;
}

async function expire(token: string, issuedMinutesAgo: number, expiresInMinutes: number) {
  await su.query(
    `UPDATE provisioning.enrollment_tokens
        SET issued_at = now() - make_interval(mins => $2), expires_at = now() + make_interval(mins => $3)
      WHERE token_sha256 = $1`,
    [enrollmentTokenHash(token), issuedMinutesAgo, expiresInMinutes],
  );
}

describe('an enrollment attachment', () => {
  let att: Attachment;
  let token: string;
  let workspaceId: string;

  test('has a login role without a password and a token kept only as its hash', async () => {
    att = await attachEnrolling('erin');
    workspaceId = `ws-erin-${counter}`;
    token = att.enrollmentToken!;
    expect(att.password).toBe('');
    expect(att.credentials).toBe('enrollment');
    expect(token.startsWith(ENROLLMENT_TOKEN_PREFIX)).toBe(true);
    expect(token.length).toBeGreaterThanOrEqual(ENROLLMENT_TOKEN_PREFIX.length + 43);
    expect(att.enrollmentTokenExpiresAt!.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(att.enrollmentTokenExpiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);

    const { rows } = await su.query<{ rolpassword: string | null }>(
      'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
      [att.user],
    );
    expect(rows).toEqual([{ rolpassword: null }]);
    // Nothing in the registry holds the token itself.
    const dump = await su.query<{ t: string }>(
      `SELECT concat_ws(' ', (SELECT string_agg(row_to_json(t)::text, ' ') FROM provisioning.enrollment_tokens t),
                             (SELECT string_agg(row_to_json(e)::text, ' ') FROM provisioning.events e),
                             (SELECT string_agg(row_to_json(a)::text, ' ') FROM provisioning.attachments a)) AS t`,
    );
    expect(dump.rows[0]!.t).not.toContain(token);
    expect(dump.rows[0]!.t).not.toContain(token.slice(ENROLLMENT_TOKEN_PREFIX.length));
    const stored = await su.query(
      'SELECT 1 FROM provisioning.enrollment_tokens WHERE token_sha256 = sha256(convert_to($1, $2))',
      [token, 'UTF8'],
    );
    expect(stored.rowCount).toBe(1);
    expect(await enrollmentTokenState(devdb.pool, { database: att.name, workspaceId })).toBe(
      'usable',
    );
  });

  let password: string;

  test("the agent's enrollment sets the password it made; the token is then used", async () => {
    password = await agentEnrolls(att, token);
    expect(await canLogIn(att, password)).toBe(true);
    expect(await enrollmentTokenState(devdb.pool, { database: att.name, workspaceId })).toBe(
      'used',
    );
    const { rows } = await devdb.pool.query(
      `SELECT actor, detail FROM provisioning.events WHERE action = 'enrollment.enroll' AND db_name = $1`,
      [att.name],
    );
    expect(rows).toEqual([
      { actor: 'devdb-agent', detail: expect.objectContaining({ login_role: att.user }) },
    ]);
  });

  test('replaying the token is refused and changes nothing', async () => {
    expect(await refusal(agentEnrolls(att, token))).toBe('used');
    expect(await canLogIn(att, password)).toBe(true);
  });

  test('attaching the workspace again in enrollment mode keeps the enrolled password', async () => {
    const again = await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'individual',
      owner: 'erin',
      workspaceId,
      credentials: 'enrollment',
    });
    expect(again.reattached).toBe(true);
    expect(again.user).toBe(att.user);
    expect(await canLogIn(att, password)).toBe(true);
    token = again.enrollmentToken!;
    expect(await enrollmentTokenState(devdb.pool, { database: att.name, workspaceId })).toBe(
      'usable',
    );
  });

  test('an expired token is refused; a token past half its life is "expiring"', async () => {
    await expire(token, 10, 5);
    expect(await enrollmentTokenState(devdb.pool, { database: att.name, workspaceId })).toBe(
      'expiring',
    );
    await expire(token, 20, -5);
    expect(await enrollmentTokenState(devdb.pool, { database: att.name, workspaceId })).toBe(
      'expired',
    );
    const error = await agentEnrolls(att, token).catch((e: Error) => e);
    expect(enrollmentRefusal((error as ProvisioningError).code)).toBe('expired');
    expect((error as Error).message).toMatch(/enrollment token expired at/);
    expect(await canLogIn(att, password)).toBe(true);
  });

  test('a newer token replaces an unused one; unknown tokens and other roles are refused', async () => {
    const first = await issueEnrollmentToken(devdb.pool, { database: att.name, workspaceId });
    const second = await issueEnrollmentToken(devdb.pool, { database: att.name, workspaceId });
    expect(first.user).toBe(att.user);
    expect(await refusal(agentEnrolls(att, first.token))).toBe('replaced');
    expect(await refusal(agentEnrolls(att, `${ENROLLMENT_TOKEN_PREFIX}made-up`))).toBe('unknown');
    const other = await attachEnrolling('frank');
    expect(await refusal(agentEnrolls(other, second.token))).toBe('other-role');
    // None of these consumed it.
    password = await agentEnrolls(att, second.token);
    expect(await canLogIn(att, password)).toBe(true);
  });

  test('a password that is not a SCRAM verifier is refused before the token is looked at', async () => {
    const { token: fresh } = await issueEnrollmentToken(devdb.pool, {
      database: att.name,
      workspaceId,
    });
    const client = await asEnrollRole();
    for (const verifier of [
      'plain-password',
      'SCRAM-SHA-256$1024:c2FsdA==$' + 'A'.repeat(43) + '=:' + 'B'.repeat(43) + '=',
      scramVerifier('x').replace(/=$/, ''),
    ]) {
      const error = await enroll(client, { token: fresh, user: att.user, verifier }).catch(
        (e: ProvisioningError) => e,
      );
      expect((error as ProvisioningError).code).toBe('22023');
    }
    expect(await enrollmentTokenState(devdb.pool, { database: att.name, workspaceId })).toBe(
      'usable',
    );
  });

  test('two agents racing with one token: exactly one enrolls', async () => {
    const { token: raced } = await issueEnrollmentToken(devdb.pool, {
      database: att.name,
      workspaceId,
    });
    const [a, b] = await Promise.all([asEnrollRole(), asEnrollRole()]);
    const passwords = [generatePassword(), generatePassword()];
    const results = await Promise.allSettled(
      [a, b].map((client, i) =>
        enroll(client, { token: raced, user: att.user, verifier: scramVerifier(passwords[i]!) }),
      ),
    );
    const won = results.findIndex((r) => r.status === 'fulfilled');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results[1 - won] as PromiseRejectedResult;
    expect(enrollmentRefusal((lost.reason as ProvisioningError).code)).toBe('used');
    expect(await canLogIn(att, passwords[won]!)).toBe(true);
    expect(await canLogIn(att, passwords[1 - won]!)).toBe(false);
    password = passwords[won]!;
  });

  test('a password set for the attachment revokes unused tokens; clearing it makes it useless', async () => {
    const { token: pending } = await issueEnrollmentToken(devdb.pool, {
      database: att.name,
      workspaceId,
    });
    const rekeyed = await setAttachmentPassword(devdb.pool, { database: att.name, workspaceId });
    expect(rekeyed.user).toBe(att.user);
    expect(await canLogIn(att, rekeyed.password)).toBe(true);
    expect(await canLogIn(att, password)).toBe(false);
    expect(await refusal(agentEnrolls(att, pending))).toBe('replaced');

    const { token: next } = await issueEnrollmentToken(devdb.pool, {
      database: att.name,
      workspaceId,
      clearPassword: true,
    });
    expect(await canLogIn(att, rekeyed.password)).toBe(false);
    password = await agentEnrolls(att, next);
    expect(await canLogIn(att, password)).toBe(true);

    // A password attach revokes unused tokens too.
    const { token: unused } = await issueEnrollmentToken(devdb.pool, {
      database: att.name,
      workspaceId,
    });
    const withPassword = await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'individual',
      owner: 'erin',
      workspaceId,
    });
    expect(withPassword.enrollmentToken).toBeUndefined();
    expect(await refusal(agentEnrolls(att, unused))).toBe('replaced');
    expect(await enrollmentTokenState(devdb.pool, { database: att.name, workspaceId })).toBe(
      'missing',
    );
  });

  test("a detached workspace's token is refused", async () => {
    const { token: last } = await issueEnrollmentToken(devdb.pool, {
      database: att.name,
      workspaceId,
    });
    await detachWorkspace(devdb.pool, { workspaceId, database: att.name });
    const error = await agentEnrolls(att, last).catch((e: Error) => e);
    expect(enrollmentRefusal((error as ProvisioningError).code)).toBe('replaced');
    expect((error as Error).message).toMatch(/was detached from dev_erin/);
  });
});

describe('the enrollment_token_ttl setting', () => {
  afterAll(() =>
    devdb.pool.query(`DELETE FROM provisioning.settings WHERE key = 'enrollment_token_ttl'`),
  );

  test('sets how long new tokens live; a value that is no interval is refused, naming it', async () => {
    await devdb.pool.query(
      `INSERT INTO provisioning.settings (key, value) VALUES ('enrollment_token_ttl', '1 hour')`,
    );
    const att = await attachEnrolling('gina');
    const left = att.enrollmentTokenExpiresAt!.getTime() - Date.now();
    expect(left).toBeGreaterThan(59 * 60_000);
    expect(left).toBeLessThanOrEqual(60 * 60_000);

    for (const bad of ['soon', '-5 minutes']) {
      await devdb.pool.query(
        `UPDATE provisioning.settings SET value = $1 WHERE key = 'enrollment_token_ttl'`,
        [bad],
      );
      await expect(
        issueEnrollmentToken(devdb.pool, { database: att.name, workspaceId: `ws-gina-${counter}` }),
      ).rejects.toThrow(/setting enrollment_token_ttl is '.*', not a positive interval/);
    }
  });
});

describe('the enrollment role, whose password is public, can do nothing else', () => {
  let att: Attachment;

  beforeAll(async () => {
    att = await attachEnrolling('hank');
    await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'team',
      owner: 'hank',
      team: 'payments',
      workspaceId: 'ws-hank-team',
    });
  });

  test('it may connect to devdb only', async () => {
    const { rows } = await su.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datallowconn ORDER BY 1`,
    );
    const databases = rows.map((r) => r.datname);
    expect(databases).toEqual(expect.arrayContaining(['devdb', att.name, 'team_payments']));
    for (const database of databases) {
      const result = await tryConnect(
        devdb.url(ENROLLMENT_ROLE, ENROLLMENT_ROLE_PASSWORD, database),
      );
      expect(result.ok, `${ENROLLMENT_ROLE} in ${database}`).toBe(database === 'devdb');
      if (!result.ok) expect(result.error).toMatch(/permission denied for database/);
    }
  });

  test('it reads nothing of the registry and executes no other function', async () => {
    const client = await asEnrollRole();
    const { rows: tables } = await su.query<{ t: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables
        WHERE schemaname IN ('provisioning', 'devdb_ext', 'public') ORDER BY 1`,
    );
    expect(tables.length).toBeGreaterThan(5);
    for (const { t } of tables) {
      await expect(client.query(`SELECT * FROM ${t} LIMIT 1`), t).rejects.toThrow(
        /permission denied/,
      );
    }
    for (const view of ['provisioning.active_databases', 'provisioning.database_summary']) {
      await expect(client.query(`SELECT * FROM ${view}`), view).rejects.toThrow(
        /permission denied/,
      );
    }
    // Callable: EXECUTE on the function and USAGE on its schema (dblink's functions
    // keep PUBLIC's EXECUTE, but nobody but the provisioner may use devdb_ext).
    const { rows: executable } = await su.query<{ f: string }>(
      `SELECT p.oid::regprocedure::text AS f FROM pg_proc p
        WHERE p.pronamespace IN ('provisioning'::regnamespace, 'devdb_ext'::regnamespace, 'public'::regnamespace)
          AND has_function_privilege($1, p.oid, 'EXECUTE')
          AND has_schema_privilege($1, p.pronamespace, 'USAGE')`,
      [ENROLLMENT_ROLE],
    );
    expect(executable.map((r) => r.f)).toEqual(['provisioning.enroll(text,text,text)']);
    await expect(client.query('SELECT * FROM provisioning.report_access()')).rejects.toThrow(
      /permission denied/,
    );
    await expect(client.query('CREATE TABLE public.t (x int)')).rejects.toThrow(
      /permission denied/,
    );
    const { rows: role } = await su.query(
      `SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolinherit, r.rolconnlimit,
              (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS memberships
         FROM pg_roles r WHERE r.rolname = $1`,
      [ENROLLMENT_ROLE],
    );
    expect(role).toEqual([
      {
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolinherit: false,
        rolconnlimit: 20,
        memberships: 0,
      },
    ]);
  });

  test('workspace login roles and PUBLIC may not enroll', async () => {
    const { rows } = await su.query<{ who: string; may: boolean }>(
      `SELECT w.who, has_function_privilege(w.who, 'provisioning.enroll(text,text,text)', 'EXECUTE') AS may
         FROM (VALUES ('devdb_workspace'), ('public')) w(who)`,
    );
    expect(rows).toEqual([
      { who: 'devdb_workspace', may: false },
      { who: 'public', may: false },
    ]);
  });
});
