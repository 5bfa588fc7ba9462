import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndividualDatabase } from '../../../provisioning/index.js';
import {
  closedPort,
  databaseConfig,
  errorLines,
  startHarness,
  vars,
  type Harness,
  type RunResult,
} from './harness.js';

// What a template author sees when things go wrong: the server is down
// (outage.test.ts covers riding it out), a name is invalid, a database does not exist. One clear
// diagnostic, on the right line, no stack trace, nothing half-done.

let h: Harness;
let downUrl: string;
let downAt: string;

beforeAll(async () => {
  h = await startHarness('failures');
  const port = await closedPort();
  downAt = `127.0.0.1:${port}`;
  downUrl = `postgresql://devdb_provisioner:not-the-password@${downAt}/devdb`;
});

afterAll(async () => {
  await h?.cleanup();
});

/** Exactly one error diagnostic, and none of the signs of a crash. */
function expectOneCleanError(result: RunResult, summary: RegExp) {
  expect(result.code, result.output).toBe(1);
  expect(errorLines(result.output), result.output).toHaveLength(1);
  expect(errorLines(result.output)[0]).toMatch(summary);
  expect(result.output).not.toMatch(/^\s+at /m);
  expect(result.output).not.toMatch(/panic|goroutine|plugin crashed|unexpected EOF/i);
}

/** What exists on the server: databases, roles, DevDB's records. */
async function snapshot() {
  const q = async (sql: string) =>
    (await h.devdb.pool.query<{ v: string }>(sql)).rows.map((r) => r.v).join(',');
  return {
    databases: await q('SELECT datname AS v FROM pg_database ORDER BY 1'),
    roles: await q('SELECT rolname AS v FROM pg_roles ORDER BY 1'),
    records: await q(`SELECT db_name || ':' || status AS v FROM provisioning.databases ORDER BY 1`),
    attachments: await q('SELECT id::text AS v FROM provisioning.attachments ORDER BY 1'),
  };
}

describe('the server is down', () => {
  const down = { env: { DEVDB_ADMIN_URL: '' } };

  beforeAll(() => {
    down.env.DEVDB_ADMIN_URL = downUrl;
  });

  function expectServerDown(result: RunResult) {
    expectOneCleanError(result, /Error: Cannot reach the DevDB server/);
    expect(result.output).toContain(downAt);
    expect(result.output).toMatch(/admin_url|DEVDB_ADMIN_URL/);
    expect(result.output).toMatch(/running/);
    expect(result.output).not.toMatch(/[?!]\./);
    expect(result.output).not.toContain('not-the-password');
  }

  it('apply of a new attachment: one diagnostic naming host:port and what to check', async () => {
    const w = await h.workdir('down-new', databaseConfig());
    const result = await w.tf(
      ['apply', '-auto-approve', ...vars({ workspace_id: randomUUID() })],
      down,
    );
    expectServerDown(result);
    expect(w.state()?.resources ?? []).toEqual([]);
  });

  it('plan of an existing attachment: succeeds with a warning; destroy: one diagnostic; the state kept', async () => {
    const w = await h.workdir('down-existing', databaseConfig());
    const args = vars({ owner: 'frank', workspace_id: randomUUID() });
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    const before = w.attributes();
    // Refresh rides out the outage (Coder refreshes on every start and stop):
    // test/provider/devdb/outage.test.ts has the rest. (Here the admin URL names
    // another port, which the addressing follows: the plan is not empty.)
    const whileDown = await w.tf(['plan', ...args], down);
    expect(whileDown.code, whileDown.output).toBe(0);
    expect(whileDown.output).toMatch(/Warning: DevDB not reachable: kept the last known state/);
    expect(whileDown.output).toContain(downAt);
    expect(whileDown.output).not.toContain('not-the-password');
    expectServerDown(await w.tf(['destroy', '-auto-approve', ...args], down));
    expect(w.attributes()).toEqual(before);
    // Back up: nothing to do for the attachment. (The failed destroy got past its
    // refresh now, so Terraform already removed the outputs: the plan restores them.)
    const plan = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(plan.code, plan.output).not.toBe(1);
    expect(plan.output).not.toMatch(/devdb_database\.db (will|must)/);
    expect(plan.output).not.toMatch(/Warning/);
  });
});

describe('invalid names: a diagnostic on the attribute, nothing created', () => {
  it.each<{ attribute: string; values: Record<string, string>; summary: RegExp; line: RegExp }>([
    {
      attribute: 'owner',
      values: { owner: 'Bad User!' },
      summary: /Error: Invalid (value for )?owner/i,
      line: /\d+:\s+owner\s+= var\.owner/,
    },
    {
      attribute: 'team',
      values: { type: 'team', team: 'Bad_Team' },
      summary: /Error: Invalid (value for )?team/i,
      line: /\d+:\s+team\s+= var\.team/,
    },
  ])('$attribute', async ({ attribute, values, summary, line }) => {
    const w = await h.workdir(`invalid-${attribute}`, databaseConfig());
    const args = vars({ ...values, workspace_id: randomUUID() });
    const before = await snapshot();
    for (const command of [['plan'], ['apply', '-auto-approve']]) {
      const result = await w.tf([...command, ...args]);
      expectOneCleanError(result, summary);
      expect(result.output).toMatch(/on main\.tf line \d+, in resource "devdb_database" "db":/);
      expect(result.output).toMatch(line);
    }
    expect(await snapshot()).toEqual(before);
    expect(w.state()?.resources ?? []).toEqual([]);
  });
});

describe('data source devdb_database', () => {
  const config = `terraform {
  required_providers {
    devdb = { source = "devdb/devdb" }
  }
}
provider "devdb" {}
variable "name" { type = string }
data "devdb_database" "d" {
  name = var.name
}
output "facts" {
  value = {
    host   = data.devdb_database.d.host
    port   = data.devdb_database.d.port
    status = data.devdb_database.d.status
    type   = data.devdb_database.d.type
    owner  = data.devdb_database.d.owner
    url    = data.devdb_database.d.url
  }
}
`;

  it('returns host, port and status of an existing database', async () => {
    await ensureIndividualDatabase(h.devdb.pool, { owner: 'dana' });
    const w = await h.workdir('data-existing', config);
    const apply = await w.tf(['apply', '-auto-approve', '-var', 'name=dev_dana']);
    expect(apply.code, apply.output).toBe(0);
    const out = await w.tf(['output', '-json', 'facts']);
    const { host, port } = h.devdb.endpoint;
    expect(JSON.parse(out.stdout)).toEqual({
      host,
      port,
      status: 'active',
      type: 'individual',
      owner: 'dana',
      url: `postgresql://${host}:${port}/dev_dana`,
    });
  });

  it('gives a clear error for an unknown database', async () => {
    const w = await h.workdir('data-unknown', config);
    const before = await snapshot();
    const plan = await w.tf(['plan', '-var', 'name=dev_nobody']);
    expectOneCleanError(plan, /Error: No such DevDB database/);
    expect(plan.output).toContain('"dev_nobody"');
    expect(plan.output).toMatch(/on main\.tf line \d+, in data "devdb_database" "d":/);
    expect(plan.output).toMatch(/\d+:\s+name = var\.name/);
    expect(await snapshot()).toEqual(before);
  });
});
