import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  closedPort,
  connectsAs,
  databaseConfig,
  EXAMPLE_MAIN_TF,
  startHarness,
  tryConnect,
  vars,
  type Harness,
  type Workdir,
} from './harness.js';

// One devdb_database through its whole life with examples/hcl/basic/main.tf, as a
// template author would run it: the steps share one working dir and state.

const WS = randomUUID();
let h: Harness;
let w: Workdir;
const timings: Record<string, number> = {};
const base = { owner: 'alice', workspace_id: WS };
const bobInTeam = (team: string) =>
  vars({ ...base, owner: 'bob', workspace_name: 'renamed', database_type: 'team', team });

async function sql<R extends Record<string, unknown>>(query: string, params: unknown[] = []) {
  return (await h.devdb.pool.query<R>(query, params)).rows;
}

beforeAll(async () => {
  h = await startHarness('lifecycle');
  w = await h.workdir('basic', readFileSync(EXAMPLE_MAIN_TF, 'utf8'), { init: false });
});

afterAll(async () => {
  await h?.cleanup();
  console.info('devdb lifecycle terraform wall times (ms):', JSON.stringify(timings));
});

describe.sequential('devdb_database lifecycle under terraform (examples/hcl/basic)', () => {
  it('initialises offline from the filesystem mirror', async () => {
    // A proxy that refuses everything: any network access would fail init.
    const proxy = `http://127.0.0.1:${await closedPort()}`;
    const init = await w.tf(['init', '-input=false'], {
      env: { HTTPS_PROXY: proxy, HTTP_PROXY: proxy },
    });
    expect(init.code, init.output).toBe(0);
    expect(init.output).toMatch(/Installed devdb\/devdb v\d+\.\d+\.\d+/);
    const lock = readFileSync(join(w.dir, '.terraform.lock.hcl'), 'utf8');
    expect(lock).toContain('provider "registry.terraform.io/devdb/devdb"');
    expect(lock).toMatch(/"h1:[A-Za-z0-9+/=]+"/);
    timings.init = init.ms;
  });

  it('plans a create', async () => {
    const plan = await w.tf(['plan', '-detailed-exitcode', ...vars(base)]);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toMatch(/devdb_database\.db\[0\] will be created/);
    expect(plan.output).toMatch(/password\s+= \(sensitive value\)/);
    expect(plan.output).toMatch(/Plan: 1 to add, 0 to change, 0 to destroy/);
    timings.planCreate = plan.ms;
  });

  it('applies: dev_alice exists and the credentials act as its owner role', async () => {
    const apply = await w.tf(['apply', '-auto-approve', ...vars(base)]);
    expect(apply.code, apply.output).toBe(0);
    expect(apply.output).toMatch(/Apply complete! Resources: 1 added/);
    const a = w.attributes()!;
    expect(a).toMatchObject({
      id: `dev_alice/${WS}`,
      name: 'dev_alice',
      host: h.devdb.endpoint.host,
      port: h.devdb.endpoint.port,
      public_privileges: [],
    });
    expect(a.user).toMatch(/^ws_alice_[0-9a-f]{16}$/);
    expect(String(a.password).length).toBeGreaterThanOrEqual(32);
    expect(a.url).not.toContain(String(a.password));
    expect(await connectsAs(w.credentialsUrl())).toBe('dev_alice');
    const out = await w.tf(['output', '-raw', 'password']);
    expect(out.stdout).toBe(a.password);
    timings.apply = apply.ms;
  });

  it('then plans no changes (-detailed-exitcode 0)', async () => {
    const plan = await w.tf(['plan', '-detailed-exitcode', ...vars(base)]);
    expect(plan.code, plan.output).toBe(0);
    expect(plan.output).toMatch(/No changes/);
    timings.noopPlan = plan.ms;
  });

  it('updates workspace_name in place, keeping the password', async () => {
    const args = vars({ ...base, workspace_name: 'renamed' });
    const plan = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toMatch(/devdb_database\.db\[0\] will be updated in-place/);
    expect(plan.output).toMatch(/~ workspace_name\s+= "dev" -> "renamed"/);
    expect(plan.output).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
    const before = w.attributes()!;
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    const after = w.attributes()!;
    expect(after.password).toBe(before.password);
    expect(after.user).toBe(before.user);
    expect(await connectsAs(w.credentialsUrl())).toBe('dev_alice');
    const rows = await sql(
      'SELECT workspace_name FROM provisioning.attachments WHERE workspace_id = $1 AND detached_at IS NULL',
      [WS],
    );
    expect(rows).toEqual([{ workspace_name: 'renamed' }]);
    const again = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(again.code, again.output).toBe(0);
  });

  it('imports dev_alice/<workspace_id>: the imported password works', async () => {
    const args = vars({ ...base, workspace_name: 'renamed' });
    const old = w.credentialsUrl();
    const rm = await w.tf(['state', 'rm', 'devdb_database.db[0]']);
    expect(rm.code, rm.output).toBe(0);
    expect(w.attributes()).toBeUndefined();
    const imported = await w.tf(['import', ...args, 'devdb_database.db[0]', `dev_alice/${WS}`]);
    expect(imported.code, imported.output).toBe(0);
    expect(imported.output).toMatch(/Import successful/);
    const a = w.attributes()!;
    expect(a).toMatchObject({
      id: `dev_alice/${WS}`,
      name: 'dev_alice',
      type: 'individual',
      owner: 'alice',
      workspace_id: WS,
      workspace_name: 'renamed',
    });
    expect(await connectsAs(w.credentialsUrl())).toBe('dev_alice');
    // Re-keyed: the password that was lost with the state no longer logs in.
    expect((await tryConnect(old)).ok).toBe(false);
    // The configuration says team = "" (Coder's parameter pattern); the import
    // stores "" for an individual database: nothing to change.
    expect(a.team).toBe('');
    const plan = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(plan.code, plan.output).toBe(0);
    expect(plan.output).toMatch(/No changes/);
    const importedState = w.attributes()!;
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    expect(w.attributes()).toMatchObject({
      password: importedState.password,
      user: importedState.user,
    });
    expect(await connectsAs(w.credentialsUrl())).toBe('dev_alice');
    const noop = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(noop.code, noop.output).toBe(0);
  });

  // examples/hcl/basic sets no owner_id: a new name is a new user.
  it('replaces on an owner change', async () => {
    const args = vars({ ...base, owner: 'bob', workspace_name: 'renamed' });
    const plan = await w.tf(['plan', ...args]);
    expect(plan.code, plan.output).toBe(0);
    expect(plan.output).toMatch(/devdb_database\.db\[0\] must be replaced/);
    expect(plan.output).toMatch(/owner\s+= "alice" -> "bob" # forces replacement/);
    const old = w.credentialsUrl();
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    expect(apply.output).toMatch(/Resources: 1 added, 0 changed, 1 destroyed/);
    expect(w.attributes()).toMatchObject({ name: 'dev_bob', owner: 'bob' });
    expect(await connectsAs(w.credentialsUrl())).toBe('dev_bob');
    expect((await tryConnect(old)).ok).toBe(false);
    // keep (the default): alice's database stays, with nobody attached.
    const rows = await sql(
      `SELECT d.status, count(a.*) FILTER (WHERE a.detached_at IS NULL)::int AS live
         FROM provisioning.databases d LEFT JOIN provisioning.attachments a USING (db_name)
        WHERE d.db_name = 'dev_alice' GROUP BY d.status`,
    );
    expect(rows).toEqual([{ status: 'active', live: 0 }]);
  });

  it('replaces on a type change', async () => {
    const args = bobInTeam('frontend');
    const plan = await w.tf(['plan', ...args]);
    expect(plan.code, plan.output).toBe(0);
    expect(plan.output).toMatch(/devdb_database\.db\[0\] must be replaced/);
    expect(plan.output).toMatch(/type\s+= "individual" -> "team" # forces replacement/);
    const old = w.credentialsUrl();
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    expect(w.attributes()).toMatchObject({ name: 'team_frontend', type: 'team' });
    expect(await connectsAs(w.credentialsUrl())).toBe('team_frontend');
    expect((await tryConnect(old)).ok).toBe(false);
  });

  it('replaces on a team change of a team attachment', async () => {
    const args = bobInTeam('backend');
    const plan = await w.tf(['plan', ...args]);
    expect(plan.code, plan.output).toBe(0);
    expect(plan.output).toMatch(/devdb_database\.db\[0\] must be replaced/);
    expect(plan.output).toMatch(/team\s+= "frontend" -> "backend" # forces replacement/);
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    expect(w.attributes()).toMatchObject({ name: 'team_backend', team: 'backend' });
    expect(await connectsAs(w.credentialsUrl())).toBe('team_backend');
  });

  it('destroys: the login role goes, the database is kept', async () => {
    const args = bobInTeam('backend');
    const a = w.attributes()!;
    const old = w.credentialsUrl();
    const destroy = await w.tf(['destroy', '-auto-approve', ...args]);
    expect(destroy.code, destroy.output).toBe(0);
    expect(destroy.output).toMatch(/Resources: 1 destroyed/);
    expect(w.state()!.resources.filter((r) => r.mode === 'managed')).toEqual([]);
    expect((await tryConnect(old)).ok).toBe(false);
    expect(await sql('SELECT 1 FROM pg_roles WHERE rolname = $1', [a.user])).toEqual([]);
    expect(
      await sql(
        'SELECT 1 FROM provisioning.attachments WHERE workspace_id = $1 AND detached_at IS NULL',
        [WS],
      ),
    ).toEqual([]);
    expect(
      await sql(`SELECT status FROM provisioning.databases WHERE db_name = 'team_backend'`),
    ).toEqual([{ status: 'active' }]);
    timings.destroy = destroy.ms;
  });
});

// A Coder user renames themselves: with the same owner_id the attachment is
// updated in place whatever on_last_detach says (docs/security.md, "Renamed
// Coder users"); with another owner_id it is a new user's, so a replacement.
describe.sequential.each(['keep', 'archive', 'drop'])(
  'an owner renamed with the same owner_id (on_last_detach = %s)',
  (policy) => {
    let r: Workdir;
    const before = vars({
      owner: `carl-${policy}`,
      owner_id: `u-carl-${policy}`,
      on_last_detach: policy,
      workspace_id: randomUUID(),
    });
    const renamedTo = (owner: string, ownerId = `u-carl-${policy}`) =>
      before.map((arg) =>
        arg.replace(/^owner=.*/, `owner=${owner}`).replace(/^owner_id=.*/, `owner_id=${ownerId}`),
      );
    const db = `dev_carl_${policy}`;

    beforeAll(async () => {
      r = await h.workdir(`rename-${policy}`, databaseConfig());
      const apply = await r.tf(['apply', '-auto-approve', ...before]);
      if (apply.code !== 0) throw new Error(apply.output);
      const client = new pg.Client({ connectionString: r.credentialsUrl() });
      await client.connect();
      await client.query(`CREATE TABLE notes AS SELECT 'kept' AS note`);
      await client.end();
    });

    it('records on_last_detach with the attachment: what cleanup applies if Coder deletes the workspace', async () => {
      expect(
        await sql(
          `SELECT on_last_detach, final_backup FROM provisioning.attachments
            WHERE db_name = $1 AND detached_at IS NULL`,
          [db],
        ),
      ).toEqual([{ on_last_detach: policy, final_backup: true }]);
    });

    it('plans another owner_id as a replacement', async () => {
      const plan = await r.tf(['plan', ...renamedTo(`carlos-${policy}`, 'u-someone-else')]);
      expect(plan.code, plan.output).toBe(0);
      expect(plan.output).toMatch(/devdb_database\.db must be replaced/);
      expect(plan.output).toMatch(/owner\s+= "carl-\w+" -> "carlos-\w+" # forces replacement/);
    });

    it('plans and applies the rename in place: data, credential and state stay', async () => {
      const args = renamedTo(`carlos-${policy}`);
      const plan = await r.tf(['plan', '-detailed-exitcode', ...args]);
      expect(plan.code, plan.output).toBe(2);
      expect(plan.output).toMatch(/devdb_database\.db will be updated in-place/);
      expect(plan.output).toMatch(/~ owner\s+= "carl-\w+" -> "carlos-\w+"\n/);
      expect(plan.output).not.toMatch(/forces replacement/);
      expect(plan.output).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
      const old = r.attributes()!;
      const apply = await r.tf(['apply', '-auto-approve', ...args]);
      expect(apply.code, apply.output).toBe(0);
      expect(apply.output).toMatch(/Resources: 0 added, 1 changed, 0 destroyed/);
      expect(r.attributes()).toMatchObject({
        name: db,
        owner: `carlos-${policy}`,
        user: old.user,
        password: old.password,
        env: old.env,
      });
      const client = new pg.Client({ connectionString: r.credentialsUrl() });
      await client.connect();
      const { rows } = await client.query('SELECT current_user, note FROM notes');
      await client.end();
      expect(rows).toEqual([{ current_user: db, note: 'kept' }]);
      expect(
        await sql('SELECT owner_username, status FROM provisioning.databases WHERE db_name = $1', [
          db,
        ]),
      ).toEqual([{ owner_username: `carlos-${policy}`, status: 'active' }]);
      expect(
        await sql(
          `SELECT action FROM provisioning.events
            WHERE db_name = $1 AND action IN ('database.archive', 'database.drop', 'workspace.detach')`,
          [db],
        ),
      ).toEqual([]);
      expect(await sql(`SELECT 1 FROM pg_database WHERE datname = 'dev_carlos_${policy}'`)).toEqual(
        [],
      );
      const again = await r.tf(['plan', '-detailed-exitcode', ...args]);
      expect(again.code, again.output).toBe(0);
    });
  },
);
