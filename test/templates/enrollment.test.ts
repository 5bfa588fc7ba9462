/**
 * Enrollment through a Coder workspace's life (docs/security.md, "Enrollment: no
 * password in Terraform state"), with the contractor-workspace template as
 * Coder's provisioner runs it (./coder-lab.ts) and TF_LOG=trace on every
 * terraform command: the state, `terraform show -json`, the plan and apply
 * output and the synthesized template hold no password; the token in the state
 * is worthless once used (replay), expired, or raced; the next build replaces a
 * used or expired token in place, never the attachment; a workspace whose home
 * survived keeps its credential, one whose home was wiped enrolls again.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollmentTokenHash } from '../../provisioning/enrollment/index.js';
import { startLab, stopLab, Workspace, type Lab } from './coder-lab.js';

const TRACE = { TF_LOG: 'trace' };

describe.sequential('enrollment in a Coder workspace, end to end', () => {
  let lab: Lab;
  let ws: Workspace;
  /** Every password an agent enrolled in this file. */
  const passwords = new Set<string>();

  const remember = (home = ws.home) => {
    const password = ws.pgpassPassword(home);
    expect(password).toBeTruthy();
    passwords.add(password!);
    return password!;
  };
  const loginRole = () => ws.databases()[0]!.user as string;
  const agentFails = (home = ws.home) =>
    ws.agentStart(ws.coderEnv(), home).then(
      () => {
        throw new Error('devdb-agent start succeeded');
      },
      (error: Error & { exitCode?: number; log?: string }) => error,
    );

  beforeAll(async () => {
    lab = await startLab();
    ws = new Workspace(
      lab,
      'enr',
      'nora',
      { database_type: 'individual' },
      false,
      undefined,
      TRACE,
    );
  });

  afterAll(() => stopLab(lab));

  it('start: the workspace enrolls, psql works; the state holds a token and no password', async () => {
    await ws.build('start');
    const [db] = ws.databases();
    expect(db).toMatchObject({
      credentials: 'enrollment',
      password: '',
      enrollment_status: 'usable',
    });
    const env = ws.coderEnv();
    expect(env.DEVDB_PASSWORD).toBeUndefined();
    expect(env.DEVDB_ENROLL_TOKEN).toBe(db!.enrollment_token);

    const log = await ws.agentStart();
    expect(log).toContain(`enrolled a new password for ${loginRole()}`);
    expect(await ws.psql('SELECT current_database()')).toBe('dev_nora');
    await ws.psql("CREATE TABLE notes (t text); INSERT INTO notes VALUES ('kept')");
    const password = remember();
    expect(ws.stateText()).not.toContain(password);
  });

  it('replaying the token in the state gets nothing: "already used"', async () => {
    const error = await agentFails(ws.otherHome('thief'));
    expect(error.exitCode).toBe(4);
    expect(error.log).toContain('enrollment token was already used');
    expect(await ws.psql('SELECT t FROM notes')).toBe('kept');
  });

  it('stop: the used token is replaced in place (the attachment stays); the credential keeps working', async () => {
    const before = ws.databases()[0]!;
    const { plan } = await ws.build('stop');
    expect(plan).toMatch(/# devdb_database\.\S+ will be updated in-place/);
    expect(plan).not.toMatch(/# devdb_database\.\S+ must be replaced/);
    expect(plan).toMatch(/~ enrollment_status\s+= "used" -> "usable"/);
    expect(plan).toMatch(/~ enrollment_token\s+= \(sensitive value\)/);
    const after = ws.databases()[0]!;
    expect(after.id).toBe(before.id);
    expect(after.user).toBe(before.user);
    expect(after.enrollment_token).not.toBe(before.enrollment_token);
    expect(ws.coderEnv().DEVDB_ENROLL_TOKEN).toBe(after.enrollment_token);
    expect(await ws.psql('SELECT t FROM notes')).toBe('kept');
  });

  it('start with the home kept: ~/.pgpass works and the new token stays unused', async () => {
    const password = ws.pgpassPassword();
    await ws.build('start');
    const log = await ws.agentStart();
    expect(log).toContain('the enrollment token stays unused');
    expect(ws.pgpassPassword()).toBe(password);
    expect(await ws.psql('SELECT t FROM notes')).toBe('kept');
    // Nothing changed since: the same build again plans nothing.
    const again = await ws.terraform(
      ['plan', '-input=false', '-no-color', '-detailed-exitcode'],
      'start',
    );
    expect(again.output).toContain('No changes.');
  });

  it('an expired token is refused; the next start issues a new one and a wiped home enrolls again', async () => {
    const token = ws.coderEnv().DEVDB_ENROLL_TOKEN!;
    await lab.devdb.pool.query(
      `UPDATE provisioning.enrollment_tokens
          SET issued_at = now() - interval '20 minutes', expires_at = now() - interval '5 minutes'
        WHERE token_sha256 = $1`,
      [enrollmentTokenHash(token)],
    );
    ws.wipeHome();
    const error = await agentFails();
    expect(error.exitCode).toBe(4);
    expect(error.log).toContain('enrollment token expired at');

    const { plan } = await ws.build('start');
    expect(plan).toMatch(/~ enrollment_status\s+= "expired" -> "usable"/);
    expect(plan).not.toMatch(/# devdb_database\.\S+ must be replaced/);
    const log = await ws.agentStart();
    expect(log).toContain('enrolled a new password');
    expect(await ws.psql('SELECT t FROM notes')).toBe('kept');
    remember();
  });

  it('two agents racing with one token: exactly one enrolls', async () => {
    await ws.build('stop');
    await ws.build('start');
    const env = ws.coderEnv();
    const racers = [ws.otherHome('racer-1'), ws.otherHome('racer-2')];
    const results = await Promise.allSettled(racers.map((home) => ws.agentStart(env, home)));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((lost.reason as { log: string }).log).toContain('enrollment token was already used');
    const winner = racers[results.findIndex((r) => r.status === 'fulfilled')]!;
    expect(await ws.psql('SELECT t FROM notes', env, winner)).toBe('kept');
    remember(winner);
  });

  it('no password in the state, `terraform show -json`, any output (TF_LOG=trace) or the template', async () => {
    const show = await ws.terraform(['show', '-json'], 'start');
    const template = readFileSync(lab.templateFile, 'utf8');
    expect(template).not.toContain('DEVDB_PASSWORD');
    expect(template).not.toMatch(/devdb_database[^"]*\.password/);
    expect(template).toContain('enrollment_token');
    expect(lab.outputs.some((o) => o.includes('[TRACE]'))).toBe(true);
    expect(passwords.size).toBeGreaterThanOrEqual(2);
    for (const password of passwords) {
      expect(ws.stateText()).not.toContain(password);
      expect(show.stdout).not.toContain(password);
      for (const output of lab.outputs) expect(output).not.toContain(password);
    }
    // The token is sensitive: plan and apply output never print it (the state and
    // `show -json` hold it, like any sensitive value).
    const printed = lab.outputs.filter((o) => o !== show.output);
    expect(printed).toHaveLength(lab.outputs.length - 1);
    const leaks = printed.flatMap((o) =>
      [...o.matchAll(/devdb_et_[A-Za-z0-9_-]{43}/g)].map((m) =>
        o.slice(Math.max(0, m.index - 300), m.index + 60),
      ),
    );
    expect(leaks).toEqual([]);
  });

  it('delete: plan -destroy drops the login role; the enrolled password dies with it', async () => {
    const role = loginRole();
    await ws.build('destroy');
    expect(ws.databases()).toEqual([]);
    const { rowCount } = await lab.devdb.pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [
      role,
    ]);
    expect(rowCount).toBe(0);
  });
});
