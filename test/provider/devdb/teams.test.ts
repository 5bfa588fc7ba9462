import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachWorkspace } from '../../../provisioning/index.js';
import { ensureTeamDatabase } from '../../../provisioning/index.js';
import { retireDatabase } from '../../../provisioning/index.js';
import { startHarness, type Harness } from './harness.js';

// devdb_teams under the real terraform CLI: the team databases with their members
// and sizes, active ones unless include_inactive.

let h: Harness;

beforeAll(async () => {
  h = await startHarness('teams');
  const attach = (owner: string, type: 'individual' | 'team', team?: string) =>
    attachWorkspace(h.devdb.pool, h.devdb.endpoint, {
      type,
      owner,
      team,
      workspaceId: randomUUID(),
    });
  await attach('carol', 'team', 'frontend-project');
  await attach('bob', 'team', 'frontend-project');
  await attach('dave', 'team', 'data-eng');
  await attach('alice', 'individual');
  await ensureTeamDatabase(h.devdb.pool, { team: 'old-project' });
  await retireDatabase(h.devdb.pool, { database: 'team_old_project', policy: 'archive' });
});

afterAll(async () => {
  await h?.cleanup();
});

const config = `terraform {
  required_providers {
    devdb = { source = "devdb/devdb" }
  }
}
provider "devdb" {}
data "devdb_teams" "active" {}
data "devdb_teams" "every" {
  include_inactive = true
}
output "active" { value = data.devdb_teams.active.teams }
output "every" { value = data.devdb_teams.every.teams }
`;

interface Team {
  name: string;
  database: string;
  status: string;
  size_bytes: number | null;
  members: string[];
}

describe('data source devdb_teams', () => {
  let active: Team[];
  let every: Team[];

  beforeAll(async () => {
    const w = await h.workdir('teams', config);
    const apply = await w.tf(['apply', '-auto-approve']);
    expect(apply.code, apply.output).toBe(0);
    const output = async (name: string) =>
      JSON.parse((await w.tf(['output', '-json', name])).stdout) as Team[];
    active = await output('active');
    every = await output('every');
  });

  it('lists the active team databases by name, with their members, and no individual one', () => {
    expect(active.map(({ size_bytes: _, ...team }) => team)).toEqual([
      { name: 'data-eng', database: 'team_data_eng', status: 'active', members: ['dave'] },
      {
        name: 'frontend-project',
        database: 'team_frontend_project',
        status: 'active',
        members: ['bob', 'carol'],
      },
    ]);
  });

  it('gives each database its size in bytes', () => {
    for (const team of active) expect(team.size_bytes).toBeGreaterThan(1_000_000);
  });

  it('adds archived ones with include_inactive: no size, since the database is renamed', () => {
    expect(every.map((team) => [team.name, team.status])).toEqual([
      ['data-eng', 'active'],
      ['frontend-project', 'active'],
      ['old-project', 'archived'],
    ]);
    expect(every[2]).toMatchObject({ database: 'team_old_project', size_bytes: null, members: [] });
  });
});
