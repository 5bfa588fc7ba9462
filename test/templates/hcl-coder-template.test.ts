/**
 * The plain-HCL Coder template (examples/hcl/coder-template) under the real
 * terraform CLI, with the devdb provider and the coder stand-in: it validates, and
 * its team parameter behaves in both modes. The docker provider is not in the test
 * mirror, so its provider, resources and requirement are cut out of the copy.
 */
import { type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachWorkspace } from '../../provisioning/index.js';
import { parameterEnv } from '../coder-provider/harness.js';
import { installTestMirror } from '../coder-provider/install.js';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';
import { killGroup, runTerraform } from '../provider/plugin/helpers/terraform.js';
import { provisionerEnv } from './provisioner-env.js';

const TEMPLATE = path.resolve('examples/hcl/coder-template/main.tf');

/** The template without anything of docker's: top-level blocks and the provider requirement. */
function withoutDocker(text: string): string {
  const kept: string[] = [];
  let skipUntil: string | null = null;
  for (const line of text.split('\n')) {
    if (skipUntil !== null) {
      if (line === skipUntil) skipUntil = null;
      continue;
    }
    if (/^(resource "docker_|provider "docker")/.test(line)) {
      if (!line.endsWith('{}')) skipUntil = '}';
      continue;
    }
    if (/^ {4}docker = \{$/.test(line)) {
      skipUntil = '    }';
      continue;
    }
    kept.push(line);
  }
  return kept.join('\n');
}

describe('examples/hcl/coder-template under terraform', () => {
  let devdb: TestDevDb;
  let root: string;
  let env: NodeJS.ProcessEnv;
  const running = new Set<ChildProcess>();
  const tf = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    runTerraform(root, args, { env: { ...env, ...extra } }, running);
  const plan = (teamChoice: string, params: Record<string, string>) =>
    tf(
      [
        'plan',
        '-no-color',
        '-input=false',
        '-var',
        `team_choice=${teamChoice}`,
        '-out=build.tfplan',
      ],
      {
        ...parameterEnv(params),
        CODER_WORKSPACE_ID: randomUUID(),
        CODER_WORKSPACE_OWNER: 'erin',
      },
    );

  beforeAll(async () => {
    devdb = await startTestDevDb();
    root = mkdtempSync(path.join(tmpdir(), 'devdb-hcl-template-'));
    const { cliConfigFile } = await installTestMirror(path.join(root, 'mirror'));
    writeFileSync(path.join(root, 'main.tf'), withoutDocker(readFileSync(TEMPLATE, 'utf8')));
    env = provisionerEnv({ home: root, cliConfigFile, adminUrl: devdb.provisionerUrl });
    await attachWorkspace(devdb.pool, devdb.endpoint, {
      type: 'team',
      owner: 'bob',
      team: 'frontend-project',
      workspaceId: randomUUID(),
    });
    const init = await tf(['init', '-no-color', '-input=false']);
    expect(init.code, init.output).toBe(0);
  });

  afterAll(async () => {
    for (const child of running) killGroup(child, 'SIGKILL');
    if (root) rmSync(root, { recursive: true, force: true });
    await devdb?.stop();
  });

  it('passes terraform validate (docker cut out) and is terraform fmt clean', async () => {
    const validate = await tf(['validate', '-no-color']);
    expect(validate.code, validate.output).toBe(0);
    const fmt = await tf(['fmt', '-check', TEMPLATE]);
    expect(fmt.code, fmt.output).toBe(0);
  });

  it('plans coder_metadata for the database: name, user, host, no password', async () => {
    const result = await plan('free', { database_type: 'individual' });
    expect(result.code, result.output).toBe(0);
    const shown = await tf(['show', '-json', 'build.tfplan']);
    const changes = JSON.parse(shown.stdout).resource_changes as {
      address: string;
      change: { after: { item: { key: string }[] }; after_unknown: unknown };
    }[];
    const metadata = changes.find((c) => c.address === 'coder_metadata.devdb[0]');
    expect(metadata?.change.after.item.map((i) => i.key)).toEqual([
      'database',
      'user',
      'host',
      'access',
    ]);
    expect(JSON.stringify(metadata)).not.toContain('password');
  });

  it('team_choice = "list": an existing team plans; a team not in DevDB is refused', async () => {
    const team = (name: string) => ({ database_type: 'team', team_database_name: name });
    const existing = await plan('list', team('frontend-project'));
    expect(existing.code, existing.output).toBe(0);
    const individual = await plan('list', { database_type: 'individual' });
    expect(individual.code, individual.output).toBe(0);
    const unknown = await plan('list', team('new-team'));
    expect(unknown.code).not.toBe(0);
    expect(unknown.output).toMatch(/must be a valid option/);
  });

  it('team_choice = "free": any well-formed team name plans; a malformed one is refused', async () => {
    const team = (name: string) => ({ database_type: 'team', team_database_name: name });
    const fresh = await plan('free', team('new-team'));
    expect(fresh.code, fresh.output).toBe(0);
    const malformed = await plan('free', team('Bad_Team'));
    expect(malformed.code).not.toBe(0);
    expect(malformed.output).toMatch(/according to 'validation' block/);
  });
});
