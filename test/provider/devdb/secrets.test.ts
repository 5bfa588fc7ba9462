import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseConfig, startHarness, vars, type Harness, type Workdir } from './harness.js';

// Generated passwords are sensitive everywhere (docs/security.md T5): never in plan or
// apply output, TF_LOG=debug output (which carries the plugin's stderr), or
// DevDB's event log. They show only where asked for: `terraform output -raw
// password` (and the state itself).

let h: Harness;
let w: Workdir;
const passwords = new Set<string>();
const DEBUG = { env: { TF_LOG: 'debug' } };

beforeAll(async () => {
  h = await startHarness('secrets');
  w = await h.workdir('secrets', databaseConfig());
});

afterAll(async () => {
  await h?.cleanup();
});

async function remember() {
  const raw = await w.tf(['output', '-raw', 'password']);
  expect(raw.code, raw.output).toBe(0);
  expect(raw.stdout).toBe(w.attributes()!.password);
  expect(raw.stdout.length).toBeGreaterThanOrEqual(32);
  passwords.add(raw.stdout);
}

describe.sequential('the password stays secret', () => {
  const ws = randomUUID();
  const args = vars({ owner: 'grace', workspace_id: ws });

  it('through plan, apply, update, refresh, show, import and destroy, with TF_LOG=debug', async () => {
    const steps: string[][] = [
      ['plan', ...args],
      ['apply', '-auto-approve', ...args],
    ];
    for (const step of steps) {
      const result = await w.tf(step, DEBUG);
      expect(result.code, result.output).toBe(0);
    }
    await remember();
    // The plugin's own stderr is in the debug output: its log lines are there.
    const apply = h.outputs.find((o) => o.args[0] === 'apply')!.output;
    expect(apply).toMatch(/provider\.terraform-provider-devdb_v[^:]*: .*attached workspace/);
    expect(apply).toMatch(/password\s+= \(sensitive value\)/);

    const renamed = vars({ owner: 'grace', workspace_id: ws, workspace_name: 'renamed' });
    for (const step of [
      ['plan', ...args],
      ['apply', '-auto-approve', ...renamed],
      ['apply', '-refresh-only', '-auto-approve', ...renamed],
      ['show'],
      ['output'],
      ['state', 'show', 'devdb_database.db'],
    ]) {
      const result = await w.tf(step, DEBUG);
      expect(result.code, result.output).toBe(0);
    }
    const removed = await w.tf(['state', 'rm', 'devdb_database.db']);
    expect(removed.code, removed.output).toBe(0);
    const imported = await w.tf(
      ['import', ...renamed, 'devdb_database.db', `dev_grace/${ws}`],
      DEBUG,
    );
    expect(imported.code, imported.output).toBe(0);
    await remember();
    expect(passwords.size).toBe(2);
    const destroy = await w.tf(['destroy', '-auto-approve', ...renamed], DEBUG);
    expect(destroy.code, destroy.output).toBe(0);

    const leaks = h.outputs
      .filter((o) => !(o.args[0] === 'output' && o.args.includes('-raw')))
      .filter((o) => [...passwords].some((p) => o.output.includes(p)))
      .map((o) => o.args.join(' '));
    expect(leaks).toEqual([]);
    // The debug runs were verbose (`terraform show -json` is left out: like the state
    // file, it holds sensitive values by design).
    expect(destroy.output).toMatch(/\[DEBUG\]/);
  });

  it("is not in DevDB's event log", async () => {
    const { rows } = await h.devdb.pool.query<{ t: string }>(
      "SELECT string_agg(detail::text, ' ') AS t FROM provisioning.events",
    );
    for (const p of passwords) expect(rows[0]!.t).not.toContain(p);
  });
});
