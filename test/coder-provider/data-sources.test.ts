import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { coderWorkdir, diagnosticFor, UUID, type CoderWorkdir } from './harness.js';

// data.coder_parameter, data.coder_workspace and data.coder_workspace_owner under real
// terraform, with the environment variables Coder's provisioner sets for a build.

/** Written out here rather than taken from the stand-in: this is the contract under test. */
const parameterVariable = (name: string) =>
  `CODER_PARAMETER_${createHash('sha256').update(name, 'utf8').digest('hex')}`;
const previousVariable = (name: string) =>
  `CODER_PARAMETER_PREVIOUS_${createHash('sha256').update(name, 'utf8').digest('hex')}`;

let work: CoderWorkdir;
beforeAll(async () => {
  work = await coderWorkdir('data');
});
afterAll(() => work?.cleanup());

/** Applies a configuration of data sources and outputs; returns the outputs. */
async function read(config: string, env: NodeJS.ProcessEnv = {}) {
  work.use(config);
  await work.tf(['apply', '-input=false', '-auto-approve'], env);
  return work.outputValues();
}

describe('coder_parameter', () => {
  const PARAMETERS = `
data "coder_parameter" "database_type" {
  name    = "database_type"
  default = "individual"
  option {
    name  = "Individual"
    value = "individual"
  }
  option {
    name  = "Team"
    value = "team"
  }
}

data "coder_parameter" "region" {
  name    = "region"
  default = "eu"
}

data "coder_parameter" "spaced" {
  name = "Team database name"
}

data "coder_parameter" "cpus" {
  name    = "cpus"
  type    = "number"
  default = "2"
  validation {
    min = 1
    max = 8
  }
}

data "coder_parameter" "verbose" {
  name    = "verbose"
  type    = "bool"
  default = "false"
}

data "coder_parameter" "tools" {
  name      = "tools"
  type      = "list(string)"
  form_type = "multi-select"
  default   = "[]"
  option {
    name  = "psql"
    value = "psql"
  }
  option {
    name  = "pgcli"
    value = "pgcli"
  }
  option {
    name  = "pg_dump"
    value = "pg_dump"
  }
}

output "values" {
  value = { for p in [
    data.coder_parameter.database_type, data.coder_parameter.region, data.coder_parameter.spaced,
    data.coder_parameter.cpus, data.coder_parameter.verbose, data.coder_parameter.tools,
  ] : p.name => { value = p.value, optional = p.optional, form_type = p.form_type, type = p.type } }
}
`;

  test('values come from CODER_PARAMETER_<sha256 of the name>, else the default; always strings', async () => {
    const out = await read(PARAMETERS, {
      [parameterVariable('database_type')]: 'team',
      [parameterVariable('Team database name')]: 'frontend_project',
      [parameterVariable('cpus')]: '6',
      [parameterVariable('tools')]: '["psql","pg_dump"]',
    });
    expect(out.values).toEqual({
      database_type: { value: 'team', optional: true, form_type: 'radio', type: 'string' },
      region: { value: 'eu', optional: true, form_type: 'input', type: 'string' },
      'Team database name': {
        value: 'frontend_project',
        optional: false,
        form_type: 'input',
        type: 'string',
      },
      cpus: { value: '6', optional: true, form_type: 'input', type: 'number' },
      verbose: { value: 'false', optional: true, form_type: 'checkbox', type: 'bool' },
      tools: {
        value: '["psql","pg_dump"]',
        optional: true,
        form_type: 'multi-select',
        type: 'list(string)',
      },
    });
  });

  test('a missing required value, a value outside the options, and failed validation are errors', async () => {
    work.use(`
data "coder_parameter" "required" {
  name = "team_database_name"
}

data "coder_parameter" "not_an_option" {
  name    = "database_type"
  default = "individual"
  option {
    name  = "Individual"
    value = "individual"
  }
  option {
    name  = "Team"
    value = "team"
  }
}

data "coder_parameter" "bad_default" {
  name    = "flavour"
  default = "mint"
  option {
    name  = "Vanilla"
    value = "vanilla"
  }
}

data "coder_parameter" "regex" {
  name    = "team"
  default = "frontend"
  validation {
    regex = "^[a-z][a-z0-9-]*$"
    error = "Team names are lowercase letters, digits and hyphens."
  }
}

data "coder_parameter" "range" {
  name    = "cpus"
  type    = "number"
  default = "2"
  validation {
    min   = 1
    max   = 8
    error = "Between {min} and {max} CPUs, not {value}."
  }
}

data "coder_parameter" "monotonic" {
  name    = "disk_gb"
  type    = "number"
  default = "10"
  mutable = true
  validation {
    monotonic = "increasing"
  }
}

data "coder_parameter" "not_a_list" {
  name    = "tools"
  type    = "list(string)"
  default = "[]"
}

data "coder_parameter" "ephemeral" {
  name      = "rebuild"
  type      = "bool"
  default   = "false"
  ephemeral = true
}
`);
    const plan = await work.tf(
      ['plan', '-input=false'],
      {
        [parameterVariable('database_type')]: 'shared',
        [parameterVariable('team')]: 'Front End',
        [parameterVariable('cpus')]: '12',
        [parameterVariable('disk_gb')]: '20',
        [previousVariable('disk_gb')]: '50',
        [parameterVariable('tools')]: 'psql',
      },
      1,
    );
    const required = diagnosticFor(plan.output, 'data.coder_parameter.required');
    expect(required).toContain('Error: parameter "team_database_name" is required');
    expect(required).toContain(parameterVariable('team_database_name'));
    expect(diagnosticFor(plan.output, 'data.coder_parameter.not_an_option')).toContain(
      'Error: Value must be a valid option with data.coder_parameter.not_an_option,',
    );
    expect(diagnosticFor(plan.output, 'data.coder_parameter.not_an_option')).toContain(
      'the value "shared" must be defined as one of options',
    );
    expect(diagnosticFor(plan.output, 'data.coder_parameter.bad_default')).toMatch(
      /Error: Default value must be a valid option .* default = "mint" .*the value "mint" must be defined as one of options/,
    );
    expect(diagnosticFor(plan.output, 'data.coder_parameter.regex')).toContain(
      'Team names are lowercase letters, digits and hyphens. (value "Front End" does not match "^[a-z][a-z0-9-]*$")',
    );
    expect(diagnosticFor(plan.output, 'data.coder_parameter.range')).toContain(
      'Between 1 and 8 CPUs, not 12.',
    );
    expect(diagnosticFor(plan.output, 'data.coder_parameter.monotonic')).toContain(
      "parameter value '20' must be equal or greater than previous value: 50",
    );
    expect(diagnosticFor(plan.output, 'data.coder_parameter.not_a_list')).toContain(
      'value "psql" is not a valid list of strings',
    );
    expect(diagnosticFor(plan.output, 'data.coder_parameter.ephemeral')).toContain(
      "parameter can't be immutable and ephemeral",
    );
  });
});

describe('coder_workspace and coder_workspace_owner', () => {
  const CONFIG = `
data "coder_workspace" "me" {}
data "coder_workspace_owner" "me" {}

output "workspace" {
  value = data.coder_workspace.me
}

output "owner" {
  value     = data.coder_workspace_owner.me
  sensitive = true
}
`;
  let defaults: { workspace: Record<string, unknown>; owner: Record<string, unknown> };

  test('outside a build every field has its default; start is the default transition', async () => {
    defaults = (await read(CONFIG)) as typeof defaults;
    expect(defaults.workspace).toMatchObject({
      name: 'default',
      transition: 'start',
      start_count: 1,
      is_prebuild: false,
      prebuild_count: 0,
      template_id: '',
      template_name: '',
      template_version: '',
      access_url: 'https://mydeployment.coder.com',
      access_port: 443,
    });
    expect(defaults.workspace.id).toMatch(UUID);
    expect(defaults.owner).toMatchObject({
      name: 'default',
      full_name: 'default',
      email: 'default@example.com',
      groups: [],
      login_type: '',
      ssh_public_key: '',
      ssh_private_key: '',
      session_token: '',
      oidc_access_token: '',
    });
    expect(defaults.owner.id).toMatch(UUID);
  });

  test('stop: start_count 0; unset IDs are derived from the names, so builds agree', async () => {
    const out = await read(CONFIG, { CODER_WORKSPACE_TRANSITION: 'stop' });
    expect(out.workspace).toMatchObject({ transition: 'stop', start_count: 0 });
    expect((out.workspace as { id: string }).id).toBe(defaults.workspace.id);
    expect((out.owner as { id: string }).id).toBe(defaults.owner.id);
  });

  test('destroy: start_count 0', async () => {
    const out = await read(CONFIG, { CODER_WORKSPACE_TRANSITION: 'destroy' });
    expect(out.workspace).toMatchObject({ transition: 'destroy', start_count: 0 });
  });

  test('a prebuild owned by `prebuilds`; CODER_AGENT_URL sets the access URL', async () => {
    const out = await read(CONFIG, {
      CODER_WORKSPACE_IS_PREBUILD: 'true',
      CODER_WORKSPACE_OWNER: 'prebuilds',
      CODER_WORKSPACE_NAME: 'prebuild-x1',
      CODER_AGENT_URL: 'http://coder.internal:3000',
    });
    expect(out.workspace).toMatchObject({
      name: 'prebuild-x1',
      is_prebuild: true,
      prebuild_count: 1,
      start_count: 1,
      access_url: 'http://coder.internal:3000',
      access_port: 3000,
    });
    expect((out.workspace as { id: string }).id).not.toBe(defaults.workspace.id);
    expect(out.owner).toMatchObject({ name: 'prebuilds' });
    expect((out.owner as { id: string }).id).not.toBe(defaults.owner.id);
  });

  test('during a build the template variables are required; groups must be a JSON array', async () => {
    work.use(CONFIG);
    const plan = await work.tf(
      ['plan', '-input=false'],
      {
        CODER_WORKSPACE_BUILD_ID: '0b6f0a52-0000-4000-8000-000000000000',
        CODER_WORKSPACE_OWNER_GROUPS: 'admins',
      },
      1,
    );
    expect(diagnosticFor(plan.output, 'data.coder_workspace.me')).toContain(
      'template ID is missing: CODER_WORKSPACE_TEMPLATE_ID is required',
    );
    expect(diagnosticFor(plan.output, 'data.coder_workspace_owner.me')).toContain(
      'invalid user groups',
    );
  });
});
