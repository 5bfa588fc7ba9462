import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enroll,
  enrollmentRefusal,
  ENROLLMENT_ROLE,
  ENROLLMENT_ROLE_PASSWORD,
  generatePassword,
  ProvisioningError,
  scramVerifier,
} from '../../../provisioning/index.js';
import {
  databaseConfig,
  startHarness,
  tryConnect,
  vars,
  type Harness,
  type Workdir,
} from './harness.js';

// devdb_database's `credentials` under the real terraform CLI (docs/security.md,
// "Enrollment: no password in Terraform state"): switching between password and
// enrollment in place (never a replacement), a used token re-issued by an
// in-place update while the enrolled password keeps working, states written
// before `credentials` existed planning no change, and the token never printed.

let h: Harness;
let w: Workdir;
const WS = randomUUID();
const DEBUG = { env: { TF_LOG: 'debug' } };
const secrets = new Set<string>();

const config = databaseConfig(`
variable "credentials" {
  type    = string
  default = "password"
}
output "token" {
  value     = devdb_database.db.enrollment_token
  sensitive = true
}
`).replace(
  '  on_last_detach = var.on_last_detach\n',
  '  on_last_detach = var.on_last_detach\n  credentials    = var.credentials\n',
);

beforeAll(async () => {
  h = await startHarness('enrollment');
  w = await h.workdir('enrollment', config);
});

afterAll(async () => {
  await h?.cleanup();
});

const args = (credentials: string) => vars({ owner: 'olga', workspace_id: WS, credentials });

async function tf(command: string[]) {
  const result = await w.tf(command, DEBUG);
  expect(result.code, result.output).toBe(0);
  return result.output;
}

const state = () => w.attributes()!;
const canLogIn = async (password: string) =>
  (await tryConnect(h.devdb.url(String(state().user), password, String(state().name)))).ok;

/** What devdb-agent does with the token in the state; returns the password it enrolled. */
async function agentEnrolls(token: string): Promise<string> {
  const client = new pg.Client({
    connectionString: h.devdb.url(ENROLLMENT_ROLE, ENROLLMENT_ROLE_PASSWORD, 'devdb'),
  });
  await client.connect();
  try {
    const password = generatePassword();
    await enroll(client, { token, user: String(state().user), verifier: scramVerifier(password) });
    secrets.add(password);
    return password;
  } finally {
    await client.end();
  }
}

describe.sequential('devdb_database credentials', () => {
  let password: string;
  let enrolled: string;

  it('password (the default): the state holds a working password and no token', async () => {
    await tf(['apply', '-auto-approve', ...args('password')]);
    expect(state()).toMatchObject({
      credentials: 'password',
      enrollment_token: '',
      enrollment_status: '',
    });
    password = String(state().password);
    secrets.add(password);
    expect(await canLogIn(password)).toBe(true);
    expect(Object.keys(state().env as object)).not.toContain('DEVDB_ENROLL_TOKEN');
  });

  it('a state written before `credentials` existed plans no change', async () => {
    const file = join(w.dir, 'terraform.tfstate');
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    const attributes = raw.resources[0].instances[0].attributes;
    for (const name of ['credentials', 'enrollment_token', 'enrollment_status'])
      delete attributes[name];
    raw.serial += 1;
    writeFileSync(file, JSON.stringify(raw));
    const plan = await w.tf(['plan', '-detailed-exitcode', ...args('password')]);
    expect(plan.code, plan.output).toBe(0);
  });

  it('to enrollment in place: the password in the state stops working, a token takes its place', async () => {
    const id = state().id;
    const plan = await tf(['plan', ...args('enrollment')]);
    expect(plan).toMatch(/devdb_database\.db will be updated in-place/);
    expect(plan).toMatch(/~ credentials\s+= "password" -> "enrollment"/);
    expect(plan).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
    await tf(['apply', '-auto-approve', ...args('enrollment')]);
    expect(state()).toMatchObject({
      id,
      credentials: 'enrollment',
      password: '',
      enrollment_status: 'usable',
    });
    const token = String(state().enrollment_token);
    secrets.add(token);
    expect((state().env as Record<string, string>).DEVDB_ENROLL_TOKEN).toBe(token);
    expect(await canLogIn(password)).toBe(false);
    const raw = await w.tf(['output', '-raw', 'token']);
    expect(raw.stdout).toBe(token);

    enrolled = await agentEnrolls(token);
    expect(await canLogIn(enrolled)).toBe(true);
  });

  it('a used token shows in the plan and is re-issued in place; the enrolled password keeps working', async () => {
    const before = state();
    const plan = await tf(['plan', ...args('enrollment')]);
    expect(plan).toMatch(/~ enrollment_status\s+= "used" -> "usable"/);
    expect(plan).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
    await tf(['apply', '-auto-approve', ...args('enrollment')]);
    expect(state().user).toBe(before.user);
    expect(state().enrollment_token).not.toBe(before.enrollment_token);
    secrets.add(String(state().enrollment_token));
    expect(await canLogIn(enrolled)).toBe(true);
    const again = await w.tf(['plan', '-detailed-exitcode', ...args('enrollment')]);
    expect(again.code, again.output).toBe(0);
  });

  it('back to password in place: a new password in the state; the unused token is refused', async () => {
    const unused = String(state().enrollment_token);
    await tf(['apply', '-auto-approve', ...args('password')]);
    expect(state()).toMatchObject({ credentials: 'password', enrollment_token: '' });
    const fresh = String(state().password);
    secrets.add(fresh);
    expect(await canLogIn(fresh)).toBe(true);
    expect(await canLogIn(enrolled)).toBe(false);
    const error = await agentEnrolls(unused).catch((e: ProvisioningError) => e);
    expect(enrollmentRefusal((error as ProvisioningError).code)).toBe('replaced');
  });

  it('created with enrollment: no password, refresh and destroy; no secret in any output', async () => {
    const other = await h.workdir('enrollment-create', config);
    const ws = vars({ owner: 'olga', workspace_id: randomUUID(), credentials: 'enrollment' });
    for (const step of [['apply', '-auto-approve', ...ws], ['refresh', ...ws], ['show']]) {
      const result = await other.tf(step, DEBUG);
      expect(result.code, result.output).toBe(0);
    }
    const attributes = other.attributes()!;
    expect(attributes).toMatchObject({ password: '', credentials: 'enrollment' });
    secrets.add(String(attributes.enrollment_token));
    const destroy = await other.tf(['destroy', '-auto-approve', ...ws], DEBUG);
    expect(destroy.code, destroy.output).toBe(0);

    const leaks = h.outputs
      .filter((o) => !(o.args[0] === 'output' && o.args.includes('-raw')))
      .filter((o) => [...secrets].some((s) => o.output.includes(s)))
      .map((o) => o.args.join(' '));
    expect(leaks).toEqual([]);
    expect(secrets.size).toBeGreaterThanOrEqual(6);
  });
});
