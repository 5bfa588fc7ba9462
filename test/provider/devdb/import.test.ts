import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectsAs, databaseConfig, startHarness, vars, type Harness } from './harness.js';

// `terraform import` then `terraform plan` must show no changes, however the
// configuration spells "no team": Coder's pattern `team = ""` or no team at all.

let h: Harness;

beforeAll(async () => {
  h = await startHarness('import');
});

afterAll(async () => {
  await h?.cleanup();
});

const WITHOUT_TEAM = databaseConfig().replace(/^\s+team\s+= var\.team\n/m, '');

describe('import then plan is empty', () => {
  it.each<{ name: string; config: string; values: Record<string, string> }>([
    { name: 'individual, team = ""', config: databaseConfig(), values: { team: '' } },
    { name: 'individual, no team attribute', config: WITHOUT_TEAM, values: {} },
    {
      name: 'team',
      config: databaseConfig(),
      values: { type: 'team', team: 'importers' },
    },
  ])('$name', async ({ name, config, values }) => {
    expect(WITHOUT_TEAM).not.toMatch(/team\s+= var\.team/);
    const w = await h.workdir(`import-${name.replace(/\W+/g, '-')}`, config);
    const workspaceId = randomUUID();
    const args = vars({ ...values, owner: 'ingrid', workspace_id: workspaceId });
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    const database = String(w.attributes()!.name);
    const rm = await w.tf(['state', 'rm', 'devdb_database.db']);
    expect(rm.code, rm.output).toBe(0);

    const imported = await w.tf([
      'import',
      ...args,
      'devdb_database.db',
      `${database}/${workspaceId}`,
    ]);
    expect(imported.code, imported.output).toBe(0);
    expect(w.attributes()!.team).toBe(values.team ?? '');
    const plan = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(plan.code, plan.output).toBe(0);
    expect(plan.output).toMatch(/No changes/);
    expect(await connectsAs(w.credentialsUrl())).toBe(database);
  });

  it('a new individual attachment without team stores "" and plans nothing after', async () => {
    const w = await h.workdir('create-without-team', WITHOUT_TEAM);
    const args = vars({ owner: 'ivo', workspace_id: randomUUID() });
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    expect(w.attributes()!.team).toBe('');
    const plan = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(plan.code, plan.output).toBe(0);
  });
});
