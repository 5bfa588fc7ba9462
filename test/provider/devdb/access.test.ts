import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorLines, startHarness, vars, type Harness, type Workdir } from './harness.js';

// devdb_database with access = "read" under the real terraform CLI: a read-only
// attachment end to end, switched to write and back in place (same login role
// and password), and an invalid value refused with a diagnostic on the attribute.

const config = `terraform {
  required_providers {
    devdb = { source = "devdb/devdb" }
  }
}
provider "devdb" {}
variable "workspace_id" { type = string }
variable "access" { type = string }

resource "devdb_database" "db" {
  type         = "team"
  team         = "contractors"
  owner        = "carol"
  workspace_id = var.workspace_id
  access       = var.access
}
`;

let h: Harness;
let w: Workdir;
const WS = randomUUID();
let tables = 0;

/** The SQLSTATE (or 'ok') of a write, and whether a SELECT works, with the state's credentials. */
async function probe(): Promise<{ user: string; write: string; read: string }> {
  const client = new pg.Client({ connectionString: w.credentialsUrl() });
  await client.connect();
  try {
    const outcome = (sql: string) =>
      client.query(sql).then(
        () => 'ok',
        (error: { code?: string }) => error.code ?? 'error',
      );
    const user = (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
    return {
      user,
      write: await outcome(`CREATE TABLE shared.t${++tables} (x int)`),
      read: await outcome('SELECT * FROM shared.t1'),
    };
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  h = await startHarness('access');
  w = await h.workdir('access', config);
});

afterAll(async () => {
  await h?.cleanup();
});

describe.sequential('devdb_database access under terraform', () => {
  it('access = "read": the credential reads and cannot write', async () => {
    // A writer first, so there is a table to read.
    const writer = await w.tf([
      'apply',
      '-auto-approve',
      ...vars({ workspace_id: WS, access: 'write' }),
    ]);
    expect(writer.code, writer.output).toBe(0);
    expect(await probe()).toEqual({ user: 'team_contractors', write: 'ok', read: 'ok' });

    const plan = await w.tf(['plan', ...vars({ workspace_id: WS, access: 'read' })]);
    expect(plan.output).toMatch(/devdb_database\.db will be updated in-place/);
    expect(plan.output).toMatch(/~ access\s+= "write" -> "read"/);
    const before = w.attributes()!;
    const apply = await w.tf([
      'apply',
      '-auto-approve',
      ...vars({ workspace_id: WS, access: 'read' }),
    ]);
    expect(apply.code, apply.output).toBe(0);
    const after = w.attributes()!;
    expect(after).toMatchObject({ access: 'read', user: before.user, password: before.password });
    expect(await probe()).toEqual({ user: after.user, write: '42501', read: 'ok' });
    const again = await w.tf([
      'plan',
      '-detailed-exitcode',
      ...vars({ workspace_id: WS, access: 'read' }),
    ]);
    expect(again.code, again.output).toBe(0);
  });

  it('back to write in place, then destroy drops the login role', async () => {
    const apply = await w.tf([
      'apply',
      '-auto-approve',
      ...vars({ workspace_id: WS, access: 'write' }),
    ]);
    expect(apply.code, apply.output).toBe(0);
    expect(await probe()).toMatchObject({ user: 'team_contractors', write: 'ok' });
    const user = String(w.attributes()!.user);
    const destroy = await w.tf([
      'destroy',
      '-auto-approve',
      ...vars({ workspace_id: WS, access: 'write' }),
    ]);
    expect(destroy.code, destroy.output).toBe(0);
    const { rowCount } = await h.devdb.pool.query('SELECT FROM pg_roles WHERE rolname = $1', [
      user,
    ]);
    expect(rowCount).toBe(0);
  });

  it('an invalid access value: one diagnostic on the attribute, nothing created', async () => {
    const bad = await h.workdir('access-invalid', config);
    const result = await bad.tf(['plan', ...vars({ workspace_id: randomUUID(), access: 'admin' })]);
    expect(result.code, result.output).toBe(1);
    expect(errorLines(result.output)).toHaveLength(1);
    expect(errorLines(result.output)[0]).toMatch(/Error: Invalid (value for )?access/i);
    expect(result.output).toMatch(/\d+:\s+access\s+= var\.access/);
    expect(result.output).toMatch(/"write", "read"|write, read/);
    expect(bad.state()?.resources ?? []).toEqual([]);
  });
});
