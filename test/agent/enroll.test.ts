// `devdb-agent start` with DEVDB_ENROLL_TOKEN (docs/security.md, "Enrollment:
// no password in Terraform state"): it makes the password itself and enrolls
// it; a ~/.pgpass that still works wins over the token, which stays unused; a
// wiped home enrolls again with a new token; used, expired and raced tokens
// are refused with what to do. The password appears in no output and nowhere
// in DevDB's registry.
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ownEntry } from '../../agent/files/pgpass.js';
import {
  attachWorkspace,
  enrollmentTokenState,
  issueEnrollmentToken,
  setAttachmentPassword,
  type Attachment,
} from '../../provisioning/index.js';
import { enrollmentTokenHash } from '../../provisioning/enrollment/index.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../helpers/devdb.js';
import { fileMode, outputs, runAgent, tempHome, type Env } from './agent.js';

const exec = promisify(execFile);
const WORKSPACE = 'ws-ivy-1';

let devdb: TestDevDb;
let att: Attachment;
const homes: { home: string; cleanup: () => Promise<void> }[] = [];
/** Every token and password of this file, to look for in the outputs at the end. */
const secrets = new Set<string>();

beforeAll(async () => {
  devdb = await startTestDevDb();
  att = await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner: 'ivy',
    workspaceId: WORKSPACE,
    credentials: 'enrollment',
  });
  secrets.add(att.enrollmentToken!);
});

afterAll(async () => {
  await Promise.all(homes.map((h) => h.cleanup()));
  await devdb?.stop();
});

async function newHome(): Promise<string> {
  const h = await tempHome();
  homes.push(h);
  return h.home;
}

/** What Terraform puts in an enrollment workspace: DEVDB_* and the token, no password. */
const enrollEnv = (home: string, token: string): Env => ({
  HOME: home,
  ...att.env,
  DEVDB_ENROLL_TOKEN: token,
});

async function pgpassPassword(home: string): Promise<string | undefined> {
  const text = await readFile(path.join(home, '.pgpass'), 'utf8').catch(() => null);
  const password = ownEntry(text)?.password;
  if (password) secrets.add(password);
  return password;
}

/** psql as the workspace runs it: no password given, -w never prompts. */
async function psql(home: string, sql: string): Promise<string> {
  const { stdout } = await exec('psql', [att.url, '-X', '-w', '-tAc', sql], {
    env: { PATH: process.env.PATH, HOME: home },
  });
  return stdout.trim();
}

const tokenState = () =>
  enrollmentTokenState(devdb.pool, { database: att.name, workspaceId: WORKSPACE });

async function newToken(): Promise<string> {
  const { token } = await issueEnrollmentToken(devdb.pool, {
    database: att.name,
    workspaceId: WORKSPACE,
  });
  secrets.add(token);
  return token;
}

let home: string;

describe.sequential('a workspace enrolling', () => {
  test('start enrolls a password it made: ~/.pgpass 0600, psql works, the token is used', async () => {
    home = await newHome();
    const run = await runAgent(['start'], enrollEnv(home, att.enrollmentToken!));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`enrolled a new password for ${att.user}`);
    expect(run.stderr).toContain(`connected to ${att.name} as ${att.user}`);
    expect(await fileMode(path.join(home, '.pgpass'))).toBe(0o600);
    expect(await pgpassPassword(home)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await psql(home, 'SELECT current_database()')).toBe(att.name);
    expect(await tokenState()).toBe('used');
  });

  test('stop and start with the home kept: ~/.pgpass works, the (new) token stays unused', async () => {
    const before = await pgpassPassword(home);
    const used = await runAgent(['start'], enrollEnv(home, att.enrollmentToken!));
    expect(used.code, used.stderr).toBe(0);
    expect(used.stderr).toContain('the credential in ~/.pgpass works');

    const token = await newToken();
    const run = await runAgent(['start'], enrollEnv(home, token));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('enrolled');
    expect(await pgpassPassword(home)).toBe(before);
    expect(await tokenState()).toBe('usable');
    expect(await psql(home, 'SELECT 1')).toBe('1');
  });

  test('heartbeat and status use the enrolled password from ~/.pgpass', async () => {
    const heartbeat = await runAgent(['heartbeat'], { HOME: home, PATH: process.env.PATH });
    expect(heartbeat.code, heartbeat.stderr).toBe(0);
    const status = await runAgent(['status'], { HOME: home });
    expect(status.stdout).toMatch(new RegExp(`^${att.name} · `));
  });

  test('a wiped home enrolls again with the current token; the old password dies', async () => {
    const old = (await pgpassPassword(home))!;
    const token = await newToken();
    await rm(home, { recursive: true, force: true });
    home = await newHome();
    const run = await runAgent(['start'], enrollEnv(home, token));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('enrolled a new password');
    const fresh = await pgpassPassword(home);
    expect(fresh).not.toBe(old);
    expect(await psql(home, 'SELECT 1')).toBe('1');
    expect((await tryConnect(devdb.url(att.user, old, att.name))).ok).toBe(false);
  });

  test('a wiped home with a used token: exit 4, "already used", restart the workspace', async () => {
    const used = await newToken();
    const first = await runAgent(['start'], enrollEnv(await newHome(), used));
    expect(first.code, first.stderr).toBe(0);
    const run = await runAgent(['start'], enrollEnv(await newHome(), used));
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/DevDB refused to enroll .*enrollment token was already used/);
    expect(run.stderr).toContain('what to do: a token works once: restart the workspace');
  });

  test('an expired token: exit 4, "expired"', async () => {
    const token = await newToken();
    await devdb.pool.query(
      `UPDATE provisioning.enrollment_tokens
          SET issued_at = now() - interval '20 minutes', expires_at = now() - interval '5 minutes'
        WHERE token_sha256 = $1`,
      [enrollmentTokenHash(token)],
    );
    const run = await runAgent(['start'], enrollEnv(await newHome(), token));
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/enrollment token expired at/);
    expect(run.stderr).toContain('restart the workspace: its start issues a new token');
  });

  test('two agents racing with one token: exactly one enrolls, the other is refused', async () => {
    const token = await newToken();
    const racers = [await newHome(), await newHome()];
    const runs = await Promise.all(racers.map((h) => runAgent(['start'], enrollEnv(h, token))));
    expect(runs.map((r) => r.code).sort()).toEqual([0, 4]);
    const winner = racers[runs.findIndex((r) => r.code === 0)]!;
    const loser = runs.find((r) => r.code === 4)!;
    expect(loser.stderr).toContain('enrollment token was already used');
    expect(await psql(winner, 'SELECT 1')).toBe('1');
  });

  test('a stale ~/.pgpass (the password was changed) enrolls with the token', async () => {
    home = await newHome();
    const token = await newToken();
    expect((await runAgent(['start'], enrollEnv(home, token))).code).toBe(0);
    const rekeyed = await setAttachmentPassword(devdb.pool, {
      database: att.name,
      workspaceId: WORKSPACE,
    });
    secrets.add(rekeyed.password);
    const next = await newToken();
    const run = await runAgent(['start'], enrollEnv(home, next));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('the credential in ~/.pgpass no longer works: enrolling');
    expect(await psql(home, 'SELECT 1')).toBe('1');
  });

  test('no token and no password: exit 2 saying which variables', async () => {
    const run = await runAgent(['start'], { HOME: await newHome(), ...att.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('neither DEVDB_ENROLL_TOKEN nor DEVDB_PASSWORD is set');
  });

  test('no token or password in any output, nor in DevDB', async () => {
    expect(secrets.size).toBeGreaterThan(10);
    for (const output of outputs) {
      for (const secret of secrets) expect(output).not.toContain(secret);
    }
    const { rows } = await devdb.pool.query<{ t: string }>(
      `SELECT concat_ws(' ', (SELECT string_agg(row_to_json(e)::text, ' ') FROM provisioning.events e),
                             (SELECT string_agg(row_to_json(t)::text, ' ') FROM provisioning.enrollment_tokens t)) AS t`,
    );
    for (const secret of secrets) expect(rows[0]!.t).not.toContain(secret);
  });
});
