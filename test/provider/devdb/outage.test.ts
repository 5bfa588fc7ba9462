import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installTestMirror } from '../../coder-provider/install.js';
import {
  connectsAs,
  databaseConfig,
  errorLines,
  killGroup,
  runTerraform,
  startHarness,
  vars,
  type Harness,
  type RunResult,
} from './harness.js';

// A DevDB outage must not hold workspaces hostage: Coder refreshes every resource
// on each start and stop. The real PostgreSQL server is stopped and started again
// under the same port and data; terraform is the real CLI.

let h: Harness;
let down = false;
const running = new Set<ChildProcess>();

async function halt(): Promise<void> {
  await h.devdb.cluster.halt();
  down = true;
}

async function resume(): Promise<void> {
  await h.devdb.cluster.resume();
  down = false;
}

beforeAll(async () => {
  h = await startHarness('outage');
});

afterEach(async () => {
  if (down) await resume();
});

afterAll(async () => {
  for (const child of running) killGroup(child, 'SIGKILL');
  await h?.cleanup();
});

const KEPT = /Warning: DevDB not reachable: kept the last known state/;
const SKIP_PROVIDER = 'provider "devdb" {\n  on_unavailable = "skip"\n}';
const OUTPUTS = `
output "provisioned" { value = devdb_database.db.provisioned }
output "env" {
  value     = devdb_database.db.env
  sensitive = true
}
`;

/** The output with Terraform's line wrapping undone. */
const text = (result: RunResult) => result.output.replace(/\s+/g, ' ');

function expectWarningOnly(result: RunResult, warning: RegExp) {
  expect(result.output).toMatch(warning);
  expect(errorLines(result.output), result.output).toEqual([]);
  expect(result.output).not.toMatch(/not-the-password|^\s+at /m);
}

describe.sequential('an existing attachment while DevDB is down', () => {
  it('plan and apply succeed with a warning and no changes; the credential works once DevDB is back', async () => {
    const w = await h.workdir('existing', databaseConfig());
    const args = vars({ owner: 'olga', workspace_id: randomUUID() });
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    const before = w.attributes();
    const credential = w.credentialsUrl();

    await halt();
    const plan = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(plan.code, plan.output).toBe(0);
    expectWarningOnly(plan, KEPT);
    expect(text(plan)).toMatch(/keep working once DevDB is back/);
    expect(plan.output).toContain(`${h.devdb.endpoint.host}:${h.devdb.endpoint.port}`);
    expect(plan.output).toMatch(/No changes/);
    const refresh = await w.tf(['apply', '-auto-approve', ...args]);
    expect(refresh.code, refresh.output).toBe(0);
    expectWarningOnly(refresh, KEPT);
    expect(refresh.output).toMatch(/Resources: 0 added, 0 changed, 0 destroyed|No changes/);
    expect(w.attributes()).toEqual(before);

    await resume();
    expect(await connectsAs(credential)).toBe('dev_olga');
    const back = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(back.code, back.output).toBe(0);
    expect(back.output).not.toMatch(/Warning/);
  });

  it('a state stored before `provisioned` existed rides out an outage too', async () => {
    const w = await h.workdir('old-state', databaseConfig());
    const args = vars({ owner: 'odile', workspace_id: randomUUID() });
    expect((await w.tf(['apply', '-auto-approve', ...args])).code).toBe(0);
    const file = join(w.dir, 'terraform.tfstate');
    const state = JSON.parse(readFileSync(file, 'utf8'));
    delete state.resources[0].instances[0].attributes.provisioned;
    writeFileSync(file, JSON.stringify(state));
    await halt();
    const plan = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(plan.code, plan.output).toBe(0);
    expectWarningOnly(plan, KEPT);
    await resume();
    const back = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(back.code, back.output).toBe(0);
  });

  it('an error that is not an outage (wrong admin password) still fails', async () => {
    const w = await h.workdir('wrong-password', databaseConfig());
    const args = vars({ owner: 'oscar', workspace_id: randomUUID() });
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    const wrong = h.adminUrl.replace(/:[^:@/]+@/, ':not-the-password@');
    const plan = await w.tf(['plan', ...args], { env: { DEVDB_ADMIN_URL: wrong } });
    expect(plan.code, plan.output).toBe(1);
    expect(errorLines(plan.output)).toEqual(['Error: Cannot reach the DevDB server']);
    expect(text(plan)).toMatch(/password authentication failed/);
    expect(plan.output).not.toMatch(KEPT);
  });

  it('destroy fails, saying how to delete the workspace anyway, and keeps the state', async () => {
    const w = await h.workdir('destroy', databaseConfig());
    const workspaceId = randomUUID();
    const args = vars({ owner: 'otto', workspace_id: workspaceId });
    expect((await w.tf(['apply', '-auto-approve', ...args])).code).toBe(0);
    const before = w.attributes();
    await halt();
    const destroy = await w.tf(['destroy', '-auto-approve', ...args]);
    expect(destroy.code, destroy.output).toBe(1);
    expect(errorLines(destroy.output)).toEqual(['Error: Cannot reach the DevDB server']);
    expect(text(destroy)).toContain('coder delete --orphan');
    expect(text(destroy)).toContain(`devdb release --workspace-id ${workspaceId}`);
    expect(w.attributes()).toEqual(before);
    await resume();
    expect(await connectsAs(w.credentialsUrl())).toBe('dev_otto');
  });
});

describe.sequential('creating while DevDB is down', () => {
  it('fails by default with one clear diagnostic that names on_unavailable', async () => {
    const w = await h.workdir('create-fail', databaseConfig());
    await halt();
    const apply = await w.tf(['apply', '-auto-approve', ...vars({ workspace_id: randomUUID() })]);
    expect(apply.code, apply.output).toBe(1);
    expect(errorLines(apply.output)).toEqual(['Error: Cannot reach the DevDB server']);
    expect(text(apply)).toContain('on_unavailable = "skip"');
    expect(w.state()?.resources ?? []).toEqual([]);
  });

  it('with on_unavailable = "skip": succeeds unprovisioned, then the next apply with DevDB back creates it', async () => {
    const config = databaseConfig(OUTPUTS).replace('provider "devdb" {}', SKIP_PROVIDER);
    const w = await h.workdir('create-skip', config);
    const args = vars({ owner: 'petra', workspace_id: randomUUID() });
    await halt();
    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    expectWarningOnly(apply, /Warning: DevDB not reachable: continuing without a database/);
    expect(w.attributes()).toMatchObject({
      provisioned: false,
      name: '',
      user: '',
      password: '',
      url: '',
      env: {
        DEVDB_HOST: '',
        DEVDB_PORT: '',
        DEVDB_NAME: '',
        DEVDB_USER: '',
        DEVDB_URL: '',
        DEVDB_UNAVAILABLE: 'true',
      },
    });
    // Still down: nothing to do, and no error.
    const again = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(again.code, again.output).toBe(0);
    expectWarningOnly(again, /Warning: DevDB still not reachable/);

    await resume();
    const plan = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toMatch(/devdb_database\.db will be created/);
    const create = await w.tf(['apply', '-auto-approve', ...args]);
    expect(create.code, create.output).toBe(0);
    expect(w.attributes()).toMatchObject({ provisioned: true, name: 'dev_petra' });
    expect(await connectsAs(w.credentialsUrl())).toBe('dev_petra');
    const noop = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(noop.code, noop.output).toBe(0);
  });

  it('with on_unavailable = "skip": a configuration change while still down re-tries the create', async () => {
    const config = databaseConfig().replace('provider "devdb" {}', SKIP_PROVIDER);
    const w = await h.workdir('skip-change', config);
    const workspaceId = randomUUID();
    await halt();
    const apply = await w.tf(['apply', '-auto-approve', ...vars({ workspace_id: workspaceId })]);
    expect(apply.code, apply.output).toBe(0);
    const renamed = vars({ workspace_id: workspaceId, workspace_name: 'renamed' });
    const plan = await w.tf(['plan', '-detailed-exitcode', ...renamed]);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toMatch(/must be replaced/);
    const replace = await w.tf(['apply', '-auto-approve', ...renamed]);
    expect(replace.code, replace.output).toBe(0);
    expect(w.attributes()).toMatchObject({ provisioned: false, workspace_name: 'renamed' });
  });

  it('the provider rejects an unknown on_unavailable', async () => {
    const config = databaseConfig().replace(
      'provider "devdb" {}',
      'provider "devdb" {\n  on_unavailable = "ignore"\n}',
    );
    const w = await h.workdir('bad-setting', config);
    const plan = await w.tf(['plan', ...vars({ workspace_id: randomUUID() })]);
    expect(plan.code, plan.output).toBe(1);
    expect(plan.output).toMatch(/on_unavailable/);
    expect(plan.output).toMatch(/fail.*skip/);
  });
});

// As Coder runs it: per build `plan -refresh=true -out` then `apply` of that plan,
// with CODER_WORKSPACE_TRANSITION; the coder provider is the project's stand-in.
const CODER_TEMPLATE = `terraform {
  required_providers {
    coder = { source = "coder/coder", version = "~> 2.15" }
    devdb = { source = "devdb/devdb" }
  }
}

provider "devdb" {
  on_unavailable = var.on_unavailable
}

variable "on_unavailable" { type = string }

data "coder_workspace" "me" {}
data "coder_workspace_owner" "me" {}

resource "coder_agent" "main" {
  count = data.coder_workspace.me.start_count
  arch  = "amd64"
  os    = "linux"
}

resource "devdb_database" "db" {
  type         = "individual"
  owner        = data.coder_workspace_owner.me.name
  team         = ""
  workspace_id = data.coder_workspace.me.id
}

locals {
  devdb_env = ["DEVDB_HOST", "DEVDB_PORT", "DEVDB_NAME", "DEVDB_USER", "DEVDB_URL"]
}

resource "coder_env" "devdb" {
  count    = data.coder_workspace.me.start_count * length(local.devdb_env)
  agent_id = coder_agent.main[0].id
  name     = local.devdb_env[count.index]
  value    = devdb_database.db.env[local.devdb_env[count.index]]
}

resource "coder_env" "devdb_password" {
  count    = data.coder_workspace.me.start_count
  agent_id = coder_agent.main[0].id
  name     = "DEVDB_PASSWORD"
  value    = devdb_database.db.password
}
`;

/** DEVDB_URL with DEVDB_PASSWORD put in: what a client in the workspace connects with. */
function workspaceCredential(env: Record<string, string>): string {
  const url = new URL(env.DEVDB_URL!);
  url.password = env.DEVDB_PASSWORD!;
  return url.toString();
}

describe.sequential('a Coder workspace while DevDB is down (coder stand-in)', () => {
  let cliConfigFile: string;
  const TEMPLATE_ID = randomUUID();

  beforeAll(async () => {
    ({ cliConfigFile } = await installTestMirror(join(h.root, 'coder-mirror')));
  });

  function workspace(name: string, owner: string, onUnavailable: 'fail' | 'skip') {
    const dir = join(h.root, `coder-${name}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'main.tf'), CODER_TEMPLATE);
    const id = randomUUID();
    const tf = (args: string[], transition: string) =>
      runTerraform(
        dir,
        args,
        {
          env: {
            PATH: process.env.PATH,
            HOME: h.root,
            CHECKPOINT_DISABLE: '1',
            TF_IN_AUTOMATION: '1',
            TF_CLI_CONFIG_FILE: cliConfigFile,
            TF_VAR_on_unavailable: onUnavailable,
            DEVDB_ADMIN_URL: h.adminUrl,
            CODER_WORKSPACE_TRANSITION: transition,
            CODER_WORKSPACE_BUILD_ID: randomUUID(),
            CODER_WORKSPACE_ID: id,
            CODER_WORKSPACE_NAME: name,
            CODER_WORKSPACE_OWNER: owner,
            CODER_WORKSPACE_TEMPLATE_ID: TEMPLATE_ID,
            CODER_WORKSPACE_TEMPLATE_NAME: 'outage',
            CODER_WORKSPACE_TEMPLATE_VERSION: 'v1',
          },
        },
        running,
      );
    let initialised = false;
    /** One Coder build; returns the plan's and the apply's output. */
    const build = async (transition: 'start' | 'stop') => {
      if (!initialised) {
        const init = await tf(['init', '-input=false', '-no-color'], transition);
        expect(init.code, init.output).toBe(0);
        initialised = true;
      }
      const plan = await tf(
        ['plan', '-refresh=true', '-input=false', '-no-color', '-out=build.tfplan'],
        transition,
      );
      expect(plan.code, `${transition} plan: ${plan.output}`).toBe(0);
      const apply = await tf(['apply', '-input=false', '-no-color', 'build.tfplan'], transition);
      expect(apply.code, `${transition} apply: ${apply.output}`).toBe(0);
      return { plan: plan.output, apply: apply.output };
    };
    const coderEnv = async () => {
      const show = await tf(['show', '-json'], 'start');
      const resources = JSON.parse(show.stdout).values.root_module.resources as {
        type: string;
        values: Record<string, string>;
      }[];
      return Object.fromEntries(
        resources.filter((r) => r.type === 'coder_env').map((r) => [r.values.name, r.values.value]),
      );
    };
    return { build, coderEnv };
  }

  it('start, then stop and start while DevDB is down: both succeed, devdb_database unchanged', async () => {
    const ws = workspace('steady', 'quinn', 'fail');
    await ws.build('start');
    const env = await ws.coderEnv();
    expect(env.DEVDB_NAME).toBe('dev_quinn');

    await halt();
    const stop = await ws.build('stop');
    expect(stop.plan).toMatch(KEPT);
    expect(stop.plan).not.toMatch(/devdb_database\.db (will|must)/);
    expect(stop.plan).toMatch(/coder_agent\.main\[0\] will be destroyed/);
    const start = await ws.build('start');
    expect(start.plan).toMatch(KEPT);
    expect(start.plan).not.toMatch(/devdb_database\.db (will|must)/);
    expect(await ws.coderEnv()).toEqual(env);

    await resume();
    expect(await connectsAs(workspaceCredential(env))).toBe('dev_quinn');
  });

  it('on_unavailable = "skip": a workspace created during the outage gets its database at its next build', async () => {
    const ws = workspace('late', 'rita', 'skip');
    await halt();
    const start = await ws.build('start');
    expect(start.apply).toMatch(/Warning: DevDB not reachable: continuing without a database/);
    expect(await ws.coderEnv()).toMatchObject({ DEVDB_URL: '', DEVDB_PASSWORD: '' });

    await resume();
    const stop = await ws.build('stop');
    expect(stop.plan).toMatch(/devdb_database\.db will be created/);
    const restart = await ws.build('start');
    expect(restart.plan).not.toMatch(/devdb_database\.db (will|must)/);
    const env = await ws.coderEnv();
    expect(env.DEVDB_NAME).toBe('dev_rita');
    expect(await connectsAs(workspaceCredential(env))).toBe('dev_rita');
  });
});
