import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { coderWorkdir, parameterEnv, UUID, type CoderWorkdir } from './harness.js';

// Every resource and data source of the stand-in in one template, driven through a
// workspace's life the way Coder's provisioner does it: `plan -out` with the build's
// environment, then `apply` of that plan; stop and start by CODER_WORKSPACE_TRANSITION,
// delete by `plan -destroy`.

const TEMPLATE = `
provider "coder" {
  url = "https://coder.example.com:8443"
}

data "coder_workspace" "me" {}
data "coder_workspace_owner" "me" {}

data "coder_parameter" "database_type" {
  name         = "database_type"
  display_name = "Database"
  description  = "Which database the workspace gets."
  type         = "string"
  default      = "individual"
  mutable      = false
  icon         = "/icon/database.svg"
  order        = 1
  option {
    name        = "Individual"
    value       = "individual"
    description = "A personal database."
    icon        = "/icon/user.svg"
  }
  option {
    name  = "Team"
    value = "team"
  }
  option {
    name  = "None"
    value = "none"
  }
}

data "coder_parameter" "team_database_name" {
  name    = "team_database_name"
  default = ""
  mutable = true
  validation {
    regex = "^([a-z][a-z0-9_]{0,30})?$"
    error = "Lowercase letters, digits and underscores."
  }
}

resource "coder_agent" "main" {
  count                   = data.coder_workspace.me.start_count
  arch                    = "amd64"
  os                      = "linux"
  auth                    = "token"
  env                     = { GREETING = "hello" }
  startup_script          = "echo start"
  startup_script_behavior = "blocking"
  shutdown_script         = "echo stop"
  connection_timeout      = 60
  motd_file               = "/etc/motd"
  troubleshooting_url     = "https://example.com/help"
  order                   = 1
  display_apps {
    vscode = false
  }
  metadata {
    key          = "devdb"
    display_name = "DevDB"
    script       = "devdb-agent status"
    interval     = 30
    timeout      = 5
    order        = 1
  }
}

resource "coder_env" "database_type" {
  count    = data.coder_workspace.me.start_count
  agent_id = coder_agent.main[0].id
  name     = "DEVDB_TYPE"
  value    = data.coder_parameter.database_type.value
}

resource "coder_env" "path" {
  count          = data.coder_workspace.me.start_count
  agent_id       = coder_agent.main[0].id
  name           = "PATH"
  value          = "/opt/devdb/bin"
  merge_strategy = "prepend"
}

resource "coder_script" "start" {
  count              = data.coder_workspace.me.start_count
  agent_id           = coder_agent.main[0].id
  display_name       = "DevDB"
  script             = "devdb-agent start"
  run_on_start       = true
  start_blocks_login = true
  timeout            = 300
  log_path           = "devdb.log"
  icon               = "/icon/database.svg"
}

resource "coder_script" "heartbeat" {
  count        = data.coder_workspace.me.start_count
  agent_id     = coder_agent.main[0].id
  display_name = "DevDB heartbeat"
  script       = "devdb-agent heartbeat"
  cron         = "0 */5 * * * *"
}

resource "coder_metadata" "database" {
  count       = data.coder_workspace.me.start_count
  resource_id = coder_agent.main[0].id
  hide        = false
  icon        = "/icon/database.svg"
  daily_cost  = 5
  item {
    key   = "database"
    value = "dev_alice"
  }
  item {
    key       = "note"
    value     = "hidden by default"
    sensitive = true
  }
  item {
    key = "unset"
  }
}

resource "coder_app" "code" {
  count        = data.coder_workspace.me.start_count
  agent_id     = coder_agent.main[0].id
  slug         = "code-server"
  display_name = "VS Code"
  url          = "http://localhost:13337"
  icon         = "/icon/code.svg"
  share        = "owner"
  subdomain    = false
  open_in      = "tab"
  order        = 1
  healthcheck {
    url       = "http://localhost:13337/healthz"
    interval  = 5
    threshold = 6
  }
}

output "workspace" {
  value = data.coder_workspace.me
}

output "owner" {
  value     = data.coder_workspace_owner.me
  sensitive = true
}

# Without its ID, which (as in the real provider) is new on every read.
output "database_type" {
  value = { for k, v in data.coder_parameter.database_type : k => v if k != "id" }
}

output "team_database_name" {
  value = data.coder_parameter.team_database_name.value
}
`;

const SECRETS = {
  CODER_WORKSPACE_OWNER_SSH_PRIVATE_KEY: 'ssh-private-key-material-7d1c',
  CODER_WORKSPACE_OWNER_SESSION_TOKEN: 'session-token-4f2a9b',
  CODER_WORKSPACE_OWNER_OIDC_ACCESS_TOKEN: 'oidc-access-token-88e1',
};

const BUILD = {
  CODER_WORKSPACE_BUILD_ID: 'a0b1c2d3-0000-4000-8000-000000000001',
  CODER_WORKSPACE_ID: '11111111-2222-4333-8444-555555555555',
  CODER_WORKSPACE_NAME: 'ws1',
  CODER_WORKSPACE_OWNER: 'alice',
  CODER_WORKSPACE_OWNER_ID: '99999999-8888-4777-8666-555555555555',
  CODER_WORKSPACE_OWNER_NAME: 'Alice Liddell',
  CODER_WORKSPACE_OWNER_EMAIL: 'alice@example.com',
  CODER_WORKSPACE_OWNER_GROUPS: '["frontend","Everyone"]',
  CODER_WORKSPACE_OWNER_LOGIN_TYPE: 'password',
  CODER_WORKSPACE_OWNER_SSH_PUBLIC_KEY: 'ssh-ed25519 AAAA alice',
  ...SECRETS,
  CODER_WORKSPACE_TEMPLATE_ID: 'template-id-1',
  CODER_WORKSPACE_TEMPLATE_NAME: 'contractor-workspace',
  CODER_WORKSPACE_TEMPLATE_VERSION: 'v1',
  CODER_AGENT_SCRIPT_linux_amd64: 'curl -fsSL ${ACCESS_URL}bin/coder | sh -s -- ${AUTH_TYPE}',
  ...parameterEnv({ database_type: 'team', team_database_name: 'frontend_project' }),
};

/** Plans with the build's environment and applies exactly that plan, as Coder does. */
async function build(work: CoderWorkdir, env: NodeJS.ProcessEnv, destroy = false) {
  const plan = await work.tf(
    ['plan', '-input=false', ...(destroy ? ['-destroy'] : []), '-out=build.tfplan'],
    env,
  );
  const apply = await work.tf(['apply', '-input=false', 'build.tfplan'], env);
  return { plan, apply };
}

describe('coder stand-in through a workspace lifecycle', () => {
  let work: CoderWorkdir;
  const tokens: string[] = [];

  beforeAll(async () => {
    work = await coderWorkdir('lifecycle');
    work.use(TEMPLATE);
  });
  afterAll(() => work?.cleanup());

  test('start: every resource is created with generated IDs; data sources follow the env', async () => {
    const { plan } = await build(work, BUILD);
    expect(plan.output).toMatch(/token\s+= \(sensitive value\)/);

    const out = work.outputValues();
    expect(out.workspace).toEqual({
      id: BUILD.CODER_WORKSPACE_ID,
      name: 'ws1',
      start_count: 1,
      transition: 'start',
      template_id: 'template-id-1',
      template_name: 'contractor-workspace',
      template_version: 'v1',
      access_url: 'https://coder.example.com:8443',
      access_port: 8443,
      is_prebuild: false,
      prebuild_count: 0,
    });
    expect(out.owner).toEqual({
      id: BUILD.CODER_WORKSPACE_OWNER_ID,
      name: 'alice',
      full_name: 'Alice Liddell',
      email: 'alice@example.com',
      groups: ['frontend', 'Everyone'],
      login_type: 'password',
      ssh_public_key: 'ssh-ed25519 AAAA alice',
      ssh_private_key: SECRETS.CODER_WORKSPACE_OWNER_SSH_PRIVATE_KEY,
      session_token: SECRETS.CODER_WORKSPACE_OWNER_SESSION_TOKEN,
      oidc_access_token: SECRETS.CODER_WORKSPACE_OWNER_OIDC_ACCESS_TOKEN,
    });
    expect(out.database_type).toMatchObject({
      name: 'database_type',
      value: 'team',
      type: 'string',
      form_type: 'radio',
      mutable: false,
      ephemeral: false,
      optional: true,
      default: 'individual',
      order: 1,
    });
    expect(out.team_database_name).toBe('frontend_project');

    const agent = work.resources('coder_agent')['main[0]']!;
    expect(agent.id).toMatch(UUID);
    expect(agent.token).toMatch(UUID);
    tokens.push(agent.token as string);
    expect(agent.init_script).toBe(
      'curl -fsSL https://coder.example.com:8443/bin/coder | sh -s -- token',
    );
    expect(agent.display_apps).toEqual([
      {
        vscode: false,
        vscode_insiders: false,
        web_terminal: true,
        ssh_helper: true,
        port_forwarding_helper: true,
      },
    ]);
    expect(agent).toMatchObject({
      env: { GREETING: 'hello' },
      startup_script_behavior: 'blocking',
      connection_timeout: 60,
      metadata: [{ key: 'devdb', script: 'devdb-agent status', interval: 30, timeout: 5 }],
    });

    const envs = work.resources('coder_env');
    expect(envs['database_type[0]']).toMatchObject({
      agent_id: agent.id,
      name: 'DEVDB_TYPE',
      value: 'team',
      merge_strategy: 'replace',
    });
    expect(envs['path[0]']).toMatchObject({ merge_strategy: 'prepend' });
    const scripts = work.resources('coder_script');
    expect(scripts['start[0]']).toMatchObject({ run_on_start: true, start_blocks_login: true });
    expect(scripts['heartbeat[0]']).toMatchObject({ cron: '0 */5 * * * *', run_on_start: false });
    const metadata = work.resources('coder_metadata')['database[0]']!;
    expect(metadata.item).toEqual([
      { key: 'database', value: 'dev_alice', sensitive: false, is_null: false },
      { key: 'note', value: 'hidden by default', sensitive: true, is_null: false },
      { key: 'unset', value: null, sensitive: false, is_null: true },
    ]);
    const app = work.resources('coder_app')['code[0]']!;
    expect(app).toMatchObject({ slug: 'code-server', share: 'owner', open_in: 'tab' });
    expect(app.healthcheck).toEqual([
      { url: 'http://localhost:13337/healthz', interval: 5, threshold: 6 },
    ]);

    const ids = [agent, ...Object.values(envs), ...Object.values(scripts), metadata, app].map(
      (r) => r.id,
    );
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('the same build again plans no change', async () => {
    const plan = await work.tf(['plan', '-input=false', '-detailed-exitcode'], BUILD, 0);
    expect(plan.output).toContain('No changes.');
  });

  test('a changed argument forces replacement (every coder_* argument does)', async () => {
    const env = { ...BUILD, ...parameterEnv({ database_type: 'individual' }) };
    const plan = await work.tf(['plan', '-input=false', '-detailed-exitcode'], env, 2);
    expect(plan.output).toContain('# coder_env.database_type[0] must be replaced');
    expect(plan.output).toMatch(/value\s+= "team" -> "individual" # forces replacement/);
    expect(plan.output).toContain('Plan: 1 to add, 0 to change, 1 to destroy.');
  });

  test('stop: start_count 0 removes what counts on it', async () => {
    const { apply } = await build(work, { ...BUILD, CODER_WORKSPACE_TRANSITION: 'stop' });
    expect(apply.output).toContain('Resources: 0 added, 0 changed, 7 destroyed.');
    expect(work.resources('coder_agent')).toEqual({});
    expect(work.outputValues().workspace).toMatchObject({ start_count: 0, transition: 'stop' });
  });

  test('start again: a new agent with a new token', async () => {
    const { apply } = await build(work, { ...BUILD, CODER_WORKSPACE_TRANSITION: 'start' });
    expect(apply.output).toContain('Resources: 7 added, 0 changed, 0 destroyed.');
    const agent = work.resources('coder_agent')['main[0]']!;
    expect(agent.token).toMatch(UUID);
    expect(agent.token).not.toBe(tokens[0]);
    tokens.push(agent.token as string);
  });

  test('delete: plan -destroy leaves nothing in the state', async () => {
    await work.tf(['show'], BUILD);
    const { apply } = await build(work, { ...BUILD, CODER_WORKSPACE_TRANSITION: 'destroy' }, true);
    expect(apply.output).toContain('Resources: 0 added, 0 changed, 7 destroyed.');
    expect(work.state().resources.filter((r) => r.mode === 'managed')).toEqual([]);
  });

  test('agent tokens and the owner secrets never appear in terraform output', () => {
    expect(tokens).toHaveLength(2);
    expect(work.outputs.length).toBeGreaterThanOrEqual(9);
    for (const { args, output } of work.outputs) {
      for (const secret of [...tokens, ...Object.values(SECRETS)]) {
        expect(output.includes(secret), `${secret} in terraform ${args.join(' ')}`).toBe(false);
      }
    }
  });
});
