import { afterAll, beforeAll, expect, test } from 'vitest';
import { coderWorkdir, diagnosticFor, type CoderWorkdir } from './harness.js';

// What `terraform validate` rejects (or warns about) in the stand-in's resources, as the
// real provider does: cron field counts and values, env names, script triggers, agent
// and app arguments, duplicate metadata keys, parameter validation conflicts.

let work: CoderWorkdir;
beforeAll(async () => {
  work = await coderWorkdir('validate');
});
afterAll(() => work?.cleanup());

const script = (name: string, body: string) => `
resource "coder_script" "${name}" {
  agent_id     = coder_agent.main.id
  display_name = "${name}"
  script       = "true"
${body}
}
`;

test('terraform validate: each mistake is reported on its resource', async () => {
  work.use(`
resource "coder_agent" "main" {
  arch = "amd64"
  os   = "linux"
}

resource "coder_agent" "bad" {
  arch = "x86"
  os   = "linux"
  metadata {
    key      = "load"
    script   = "uptime"
    interval = 10
  }
  metadata {
    key      = "load"
    script   = "cat /proc/loadavg"
    interval = 10
  }
}
${script('six_fields', '  cron = "0 */5 * * * *"')}
${script('descriptor', '  cron = "@hourly"')}
${script('four_fields', '  cron = "*/5 * * *"')}
${script('seven_fields', '  cron = "0 0 */5 * * * *"')}
${script('five_fields', '  cron = "*/5 * * * *"')}
${script('out_of_range', '  cron = "0 61 * * * *"')}
${script('no_trigger', '')}
${script('blocks_login', '  run_on_stop        = true\n  start_blocks_login = true')}

resource "coder_env" "bad_name" {
  agent_id = coder_agent.main.id
  name     = "1DEVDB_URL"
  value    = "x"
}

resource "coder_env" "bad_strategy" {
  agent_id       = coder_agent.main.id
  name           = "PATH"
  merge_strategy = "merge"
}

resource "coder_app" "bad" {
  agent_id = coder_agent.main.id
  slug     = "code--server"
}

resource "coder_app" "both" {
  agent_id = coder_agent.main.id
  slug     = "both"
  url      = "http://localhost:8080"
  command  = "psql"
}

resource "coder_metadata" "dup" {
  resource_id = coder_agent.main.id
  item {
    key = "a"
  }
  item {
    key = "a"
  }
}

data "coder_parameter" "conflict" {
  name    = "name"
  default = "x"
  validation {
    regex = "^x$"
    error = "x only"
    min   = 1
  }
}
`);
  const { output } = await work.tf(['validate'], {}, 1);
  const error = (address: string) => diagnosticFor(output, address);
  for (const valid of ['six_fields', 'descriptor']) {
    expect(output).not.toContain(`with coder_script.${valid},`);
  }
  expect(error('coder_script.four_fields')).toContain(
    '*/5 * * * is not a valid cron expression: expected 5 to 6 fields, found 4',
  );
  expect(error('coder_script.seven_fields')).toContain('expected 5 to 6 fields, found 7');
  expect(diagnosticFor(output, 'coder_script.five_fields', 'Warning')).toContain(
    "appears to be in Unix 5-field format. Coder uses 6-field format (seconds minutes hours day month day-of-week). Consider prefixing with '0 '",
  );
  expect(error('coder_script.out_of_range')).toContain('minute 61 out of range (0-59)');
  expect(error('coder_script.no_trigger')).toContain(
    'at least one of "run_on_start", "run_on_stop", or "cron" must be set',
  );
  expect(error('coder_script.blocks_login')).toContain(
    '"start_blocks_login" can only be set if "run_on_start" is "true"',
  );
  expect(error('coder_agent.bad')).toMatch(
    /arch = "x86" .*Must be one of: "amd64", "armv7", "arm64"/,
  );
  expect(output).toContain('duplicate agent metadata key "load"');
  expect(error('coder_env.bad_name')).toContain('Must be a valid environment variable name.');
  expect(error('coder_env.bad_strategy')).toContain(
    'Must be one of: "replace", "append", "prepend", "error".',
  );
  expect(error('coder_app.bad')).toContain('Invalid slug');
  expect(error('coder_app.both')).toContain('"command": conflicts with url');
  expect(error('coder_metadata.dup')).toContain('duplicate resource metadata key "a"');
  expect(error('data.coder_parameter.conflict')).toContain(
    '"validation.0.regex": conflicts with validation.0.min',
  );
});
