import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectsAs,
  databaseConfig,
  startHarness,
  tryConnect,
  vars,
  type Harness,
  type Workdir,
} from './harness.js';

// Changes made behind Terraform's back (docs/security.md T8) show in the next plan,
// and apply repairs them.

let h: Harness;
let su: pg.Client;
const OUTSIDER_PASSWORD = 'outsider-password-1';

beforeAll(async () => {
  h = await startHarness('drift');
  su = await h.devdb.superuser();
  // A login role with no business in any DevDB database: it connects wherever
  // PUBLIC holds CONNECT.
  await su.query(`CREATE ROLE outsider LOGIN PASSWORD '${OUTSIDER_PASSWORD}'`);
});

afterAll(async () => {
  await h?.cleanup();
});

/** Privileges PUBLIC holds on the database, from its ACL. */
async function publicPrivileges(db: string): Promise<string[]> {
  const { rows } = await su.query<{ p: string }>(
    `SELECT a.privilege_type AS p FROM pg_database d, aclexplode(d.datacl) a
      WHERE d.datname = $1 AND a.grantee = 0 ORDER BY 1`,
    [db],
  );
  return rows.map((r) => r.p);
}

const outsiderConnects = async (db: string) =>
  (await tryConnect(h.devdb.url('outsider', OUTSIDER_PASSWORD, db))).ok;

describe.sequential('devdb_database drift', () => {
  let w: Workdir;
  const args = vars({ owner: 'alice', workspace_id: randomUUID() });

  beforeAll(async () => {
    w = await h.workdir('database', databaseConfig());
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    if (apply.code !== 0) throw new Error(apply.output);
  });

  it('a database dropped out of band: plan creates it, apply recreates it', async () => {
    await su.query('DROP DATABASE dev_alice WITH (FORCE)');
    const plan = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toMatch(/devdb_database\.db has been deleted/);
    expect(plan.output).toMatch(/devdb_database\.db will be created/);
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    expect(await connectsAs(w.credentialsUrl())).toBe('dev_alice');
    expect(await publicPrivileges('dev_alice')).toEqual([]);
    expect(await outsiderConnects('dev_alice')).toBe(false);
    const again = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(again.code, again.output).toBe(0);
  });

  it('GRANT CONNECT … TO PUBLIC out of band: plan shows public_privileges, apply revokes', async () => {
    await su.query('GRANT CONNECT ON DATABASE dev_alice TO PUBLIC');
    expect(await outsiderConnects('dev_alice')).toBe(true);
    const before = w.attributes()!;
    const plan = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toMatch(/devdb_database\.db will be updated in-place/);
    expect(plan.output).toMatch(/~ public_privileges = \[\s*- "CONNECT",\s*\]/);
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    expect(await publicPrivileges('dev_alice')).toEqual([]);
    expect(await outsiderConnects('dev_alice')).toBe(false);
    expect(w.attributes()!.password).toBe(before.password);
    expect(await connectsAs(w.credentialsUrl())).toBe('dev_alice');
    const again = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(again.code, again.output).toBe(0);
  });

  describe.sequential('the access posture (docs/security.md T13)', () => {
    let bob: Workdir;
    const bobArgs = vars({ owner: 'bob', workspace_id: randomUUID() });

    beforeAll(async () => {
      bob = await h.workdir('bob', databaseConfig());
      const apply = await bob.tf(['apply', '-auto-approve', ...bobArgs]);
      if (apply.code !== 0) throw new Error(apply.output);
    });

    /** Plan names `line` in access_drift; apply repairs; the next plan is empty. */
    async function planShowsAndApplyRepairs(line: string) {
      const before = w.attributes()!;
      const plan = await w.tf(['plan', '-detailed-exitcode', ...args]);
      expect(plan.code, plan.output).toBe(2);
      expect(plan.output).toMatch(/devdb_database\.db will be updated in-place/);
      expect(plan.output).toContain(`~ access_drift`);
      expect(plan.output).toMatch(new RegExp(`\\[\\s*- "${line}",\\s*\\]`));
      const apply = await w.tf(['apply', '-auto-approve', ...args]);
      expect(apply.code, apply.output).toBe(0);
      expect(w.attributes()).toMatchObject({ password: before.password, access_drift: [] });
      const again = await w.tf(['plan', '-detailed-exitcode', ...args]);
      expect(again.code, again.output).toBe(0);
    }

    it('GRANT CONNECT to another owner role: plan names it, apply revokes it', async () => {
      await su.query('GRANT CONNECT ON DATABASE dev_alice TO dev_bob');
      const bobInAlice = () =>
        tryConnect(
          h.devdb.url(
            String(bob.attributes()!.user),
            String(bob.attributes()!.password),
            'dev_alice',
          ),
        );
      expect((await bobInAlice()).ok).toBe(true);
      await planShowsAndApplyRepairs('CONNECT granted to dev_bob');
      expect(await bobInAlice()).toMatchObject({
        ok: false,
        error: expect.stringMatching(/permission denied for database "dev_alice"/),
      });
      expect(await connectsAs(w.credentialsUrl())).toBe('dev_alice');
    });

    it.each([
      ['ALLOW_CONNECTIONS false', 'allow_connections = false', false],
      ['CONNECTION LIMIT 0', 'connection_limit = 0', false],
      ['IS_TEMPLATE true', 'is_template = true', true],
    ])(
      "ALTER DATABASE … %s run with the workspace's own credential: plan names it, apply resets it",
      async (change, line, stillConnects) => {
        const a = w.attributes()!;
        const client = new pg.Client({
          connectionString: h.devdb.url(String(a.user), String(a.password), 'devdb'),
        });
        await client.connect();
        await client.query(`ALTER DATABASE dev_alice ${change}`);
        await client.end();
        expect((await tryConnect(w.credentialsUrl())).ok).toBe(stillConnects);
        await planShowsAndApplyRepairs(line);
        expect(await connectsAs(w.credentialsUrl())).toBe('dev_alice');
      },
    );
  });

  it('the login role dropped out of band: plan re-creates, apply repairs with new credentials', async () => {
    const old = w.attributes()!;
    await su.query(`DROP ROLE ${String(old.user)}`);
    const plan = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toMatch(/devdb_database\.db will be created/);
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    const repaired = w.attributes()!;
    expect(repaired.password).not.toBe(old.password);
    expect(await connectsAs(w.credentialsUrl())).toBe('dev_alice');
    expect(
      (await tryConnect(h.devdb.url(String(old.user), String(old.password), 'dev_alice'))).ok,
    ).toBe(false);
    const { rows } = await h.devdb.pool.query(
      `SELECT count(*)::int AS n FROM provisioning.attachments
        WHERE db_name = 'dev_alice' AND detached_at IS NULL`,
    );
    expect(rows).toEqual([{ n: 1 }]);
    const again = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(again.code, again.output).toBe(0);
  });
});

describe.sequential('devdb_team drift and on_destroy', () => {
  let team: Workdir;
  const DB = 'team_drift_team';

  beforeAll(async () => {
    team = await h.workdir(
      'team',
      `terraform {
  required_providers {
    devdb = { source = "devdb/devdb" }
  }
}
provider "devdb" {}
resource "devdb_team" "t" {
  name         = "drift-team"
  on_destroy   = "drop"
  final_backup = false
}
`,
    );
    const apply = await team.tf(['apply', '-auto-approve']);
    if (apply.code !== 0) throw new Error(apply.output);
  });

  it('PUBLIC re-granted: plan shows it, apply revokes', async () => {
    await su.query(`GRANT CONNECT, TEMP ON DATABASE ${DB} TO PUBLIC`);
    const plan = await team.tf(['plan', '-detailed-exitcode']);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toMatch(/devdb_team\.t will be updated in-place/);
    expect(plan.output).toMatch(/public_privileges = \[\s*- "CONNECT",\s*- "TEMPORARY",\s*\]/);
    const apply = await team.tf(['apply', '-auto-approve']);
    expect(apply.code, apply.output).toBe(0);
    expect(await publicPrivileges(DB)).toEqual([]);
    expect(await outsiderConnects(DB)).toBe(false);
    const again = await team.tf(['plan', '-detailed-exitcode']);
    expect(again.code, again.output).toBe(0);
  });

  it('dropped out of band: plan creates it, apply recreates it', async () => {
    await su.query(`DROP DATABASE ${DB} WITH (FORCE)`);
    const plan = await team.tf(['plan', '-detailed-exitcode']);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toMatch(/devdb_team\.t will be created/);
    const apply = await team.tf(['apply', '-auto-approve']);
    expect(apply.code, apply.output).toBe(0);
    const { rows } = await su.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB]);
    expect(rows).toHaveLength(1);
    expect(await publicPrivileges(DB)).toEqual([]);
  });

  it('on_destroy = drop (final_backup = false) refuses while a workspace is attached, then drops', async () => {
    const member = await h.workdir('member', databaseConfig());
    const memberArgs = vars({
      type: 'team',
      team: 'drift-team',
      owner: 'bob',
      workspace_id: randomUUID(),
    });
    const attach = await member.tf(['apply', '-auto-approve', ...memberArgs]);
    expect(attach.code, attach.output).toBe(0);
    expect(member.attributes()!.name).toBe(DB);

    const refused = await team.tf(['destroy', '-auto-approve']);
    expect(refused.code, refused.output).toBe(1);
    expect(refused.output).toMatch(/Error: /);
    expect(refused.output).toMatch(/attached/i);
    expect(refused.output).not.toMatch(/^\s+at /m);
    expect(await connectsAs(member.credentialsUrl())).toBe(DB);
    expect(team.attributes('devdb_team')).toBeDefined();

    const detach = await member.tf(['destroy', '-auto-approve', ...memberArgs]);
    expect(detach.code, detach.output).toBe(0);
    const destroy = await team.tf(['destroy', '-auto-approve']);
    expect(destroy.code, destroy.output).toBe(0);
    const { rows } = await h.devdb.pool.query(
      `SELECT (SELECT count(*)::int FROM pg_database WHERE datname = $1) AS live,
              (SELECT status FROM provisioning.databases WHERE db_name = $1) AS status`,
      [DB],
    );
    expect(rows).toEqual([{ live: 0, status: 'dropped' }]);
    const { rows: events } = await h.devdb.pool.query(
      `SELECT actor, detail FROM provisioning.events
        WHERE db_name = $1 AND action = 'database.drop_without_backup'`,
      [DB],
    );
    expect(events).toEqual([{ actor: 'terraform', detail: { reason: 'final_backup = false' } }]);
  });
});
