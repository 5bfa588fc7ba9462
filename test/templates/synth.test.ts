import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATH_SETUP } from '../../provider/constructs/agent.js';
import { startControlPlane } from '../../server/api/index.js';
import { synthTemplate } from '../../templates/synth.js';

const AGENT = path.resolve('dist/agent-bundle/devdb-agent');

/** A tool's absolute path on this machine's PATH. */
async function which(tool: string): Promise<string> {
  const { stdout } = await promisify(execFile)('sh', ['-c', `command -v ${tool}`]);
  return stdout.trim();
}

// Structure, and the agent scripts run by `sh` as Coder runs them; the whole
// workspace lifecycle is checked for real in contractor-workspace.test.ts.
describe('npm run templates: the synthesized contractor-workspace', () => {
  let dir: string;
  let text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let config: any;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'devdb-synth-test-'));
    text = await readFile(await synthTemplate(dir), 'utf8');
    config = JSON.parse(text);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is a folder coder templates push accepts: main.tf.json, no backend, no local paths', () => {
    expect(config.terraform.backend).toBeUndefined();
    expect(text).not.toContain('"//"');
    for (const local of [process.cwd(), tmpdir(), '/root/']) expect(text).not.toContain(local);
  });

  it('pins the providers: coder ~> 2.15, docker ~> 3.0, devdb from the mirror', () => {
    expect(config.terraform.required_providers).toEqual({
      coder: { source: 'coder/coder', version: '~> 2.15' },
      devdb: { source: 'devdb/devdb' },
      docker: { source: 'kreuzwerker/docker', version: '~> 3.0' },
    });
  });

  it('keeps `x != ""` as written (the last CDKTF release rendered it as `x != undefined`)', () => {
    expect(config.provider.devdb[0].host).toBe('${(var.devdb_host != "") ? var.devdb_host : null}');
    expect(text).not.toContain('undefined');
  });

  it('has the two parameters, immutable, with options and the team-name validation', () => {
    const params = Object.values(config.data.coder_parameter) as { name: string }[];
    const byName = Object.fromEntries(params.map((p) => [p.name, p])) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(byName.database_type.mutable).toBe(false);
    expect(byName.database_type.default).toBe('individual');
    expect(byName.database_type.option.map((o: { value: string }) => o.value)).toEqual([
      'individual',
      'team',
      'none',
    ]);
    expect(byName.team_database_name.validation.regex).toBe('^[a-z][a-z0-9-]{0,39}$|^$');
    expect(byName.team_database_name.validation.error).toContain(
      'lowercase letters, digits and hyphens',
    );
  });

  it('ties the container to start_count but not the database, which skips none and prebuilds', () => {
    expect(config.resource.docker_container.workspace.count).toBe(
      '${data.coder_workspace.me.start_count}',
    );
    const [database] = Object.values(config.resource.devdb_database) as { count: string }[];
    expect(database!.count).toContain('== "none"');
    expect(database!.count).toContain('data.coder_workspace.me.is_prebuild');
    expect(database!.count).not.toContain('start_count');
  });

  it('injects every DEVDB_* variable (an enrollment token, no password) through coder_env and runs devdb-agent', () => {
    const names = (Object.values(config.resource.coder_env) as { name: string }[]).map(
      (e) => e.name,
    );
    // Enrollment: a single-use token, never a password, goes to the workspace (docs/security.md).
    expect(names.sort()).toEqual([
      'DEVDB_CA_CERT', // the server's CA ("" without TLS): the agent writes it for libpq
      'DEVDB_ENROLL_TOKEN',
      'DEVDB_HOST',
      'DEVDB_NAME',
      'DEVDB_PORT',
      'DEVDB_URL',
      'DEVDB_USER',
    ]);
    const scripts = Object.values(config.resource.coder_script) as {
      script: string;
      cron?: string;
    }[];
    expect(scripts.some((s) => s.script.includes('devdb-agent start'))).toBe(true);
    expect(scripts.find((s) => s.cron)?.cron).toBe('0 */5 * * * *');
    expect(config.resource.coder_agent.main.metadata[0].script).toBe(
      `${AGENT_PATH_SETUP}; devdb-agent status`,
    );
  });

  /** The three scripts that run devdb-agent, as the shell gets them (Terraform's `$${` is `${`). */
  function agentScripts(): Record<'start' | 'heartbeat' | 'status', string> {
    const scripts = (Object.values(config.resource.coder_script) as { script: string }[]).map((s) =>
      s.script.replaceAll('$${', '${'),
    );
    const find = (command: string) => scripts.find((s) => s.includes(`devdb-agent ${command}`))!;
    const status = config.resource.coder_agent.main.metadata[0].script as string;
    return { start: find('start'), heartbeat: find('heartbeat'), status };
  }

  it("writes the shell's `${` as Terraform's `$${` escape: no interpolation in the scripts", () => {
    for (const s of Object.values(config.resource.coder_script) as { script: string }[]) {
      expect(s.script).not.toMatch(/(^|[^$])\$\{/);
    }
    expect(agentScripts().start).toContain('${DEVDB_AGENT_URL:-}');
  });

  it('puts ~/.local/bin on the PATH before each of start, heartbeat and status', () => {
    for (const [command, script] of Object.entries(agentScripts())) {
      const setup = script.indexOf(AGENT_PATH_SETUP);
      expect(setup, command).toBeGreaterThanOrEqual(0);
      expect(script.indexOf(`devdb-agent ${command}`), command).toBeGreaterThan(setup);
    }
  });

  it('each script runs the devdb-agent that was downloaded to ~/.local/bin', async () => {
    const home = path.join(dir, 'home');
    await mkdir(path.join(home, '.local', 'bin'), { recursive: true });
    await symlink(AGENT, path.join(home, '.local', 'bin', 'devdb-agent'));
    // What Coder runs a script with: a PATH without ~/.local/bin, no DEVDB_* yet.
    const env = { HOME: home, PATH: '/usr/local/bin:/usr/bin:/bin' };
    const sh = (script: string) =>
      new Promise<{ code: number; output: string }>((resolve) => {
        execFile('sh', ['-c', script], { env, encoding: 'utf8' }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
        );
      });
    const { start, heartbeat, status } = agentScripts();
    expect(await sh(status)).toEqual({ code: 0, output: 'not configured\n' });
    // The agent itself answers (exit 2, settings missing), not the shell (127, not found).
    for (const script of [start, heartbeat]) {
      const run = await sh(script);
      expect(run.code, run.output).toBe(2);
      expect(run.output).toContain('DEVDB_HOST');
    }
  });

  it('without node in the image, start installs the single executable the control plane serves, again when it changes', async () => {
    const home = path.join(dir, 'home-sea');
    const bin = path.join(dir, 'bin-no-node');
    await mkdir(home, { recursive: true });
    await mkdir(bin, { recursive: true });
    // The tools the script uses, and no node.
    for (const tool of ['sh', 'curl', 'mkdir', 'chmod', 'mv', 'rm', 'cut', 'sha256sum']) {
      await symlink(await which(tool), path.join(bin, tool));
    }
    // The control plane serving stand-ins for two builds of dist/agent-sea/devdb-agent
    // (the real one: test/agent/sea.test.ts; the real server: test/server/agent-download.test.ts).
    const dist = path.join(dir, 'dist');
    const sea = path.join(dist, 'agent-sea', 'devdb-agent');
    await mkdir(path.dirname(sea), { recursive: true });
    await writeFile(sea, '#!/bin/sh\necho "sea v1 $1"\n');
    const pool = { query: () => Promise.reject(new Error('no database')) } as never;
    const plane = await startControlPlane({
      pool,
      adminUrl: 'postgresql://x/devdb',
      port: 0,
      agentDistDir: dist,
    });
    const { start } = agentScripts();
    const run = (seaUrl: string) =>
      new Promise<{ code: number; output: string }>((resolve) => {
        const env = {
          HOME: home,
          PATH: bin,
          DEVDB_AGENT_SEA_URL: seaUrl,
          // The bundle's URL is not used without node.
          DEVDB_AGENT_URL: `${plane.url}/api/v1/agent/current/node`,
        };
        execFile('sh', ['-c', start], { env, encoding: 'utf8' }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
        );
      });
    const seaUrl = `${plane.url}/api/v1/agent/current/linux-x64`;
    try {
      expect(await run(seaUrl)).toEqual({ code: 0, output: 'sea v1 start\n' });
      expect(await run(seaUrl)).toEqual({ code: 0, output: 'sea v1 start\n' });
      // A new build on the server (same URL) is fetched again.
      await writeFile(sea, '#!/bin/sh\necho "sea v2 $1"\n');
      expect(await run(seaUrl)).toEqual({ code: 0, output: 'sea v2 start\n' });
    } finally {
      await plane.close();
    }
    // The server gone: the installed one runs, and the script says why it did not check.
    const offline = await run(seaUrl);
    expect(offline.code).toBe(0);
    expect(offline.output).toContain(
      `devdb-agent: cannot fetch ${seaUrl}/sha256: keeping the devdb-agent installed\n`,
    );
    expect(offline.output).toContain('sea v2 start\n');
    expect(await readdir(path.join(home, '.local', 'bin'))).toEqual(['devdb-agent']);
  });

  it('the HCL twin sets up the PATH the same way in the same three scripts', async () => {
    const hcl = await readFile('examples/hcl/coder-template/main.tf', 'utf8');
    const scripts = [
      ...hcl.matchAll(/\bscript\s*=\s*(<<-EOT\n[\s\S]*?\n\s*EOT|"(?:[^"\\]|\\.)*")/g),
    ]
      .map((m) => (m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : m[1]!))
      .filter((script) => /devdb-agent (start|heartbeat|status)/.test(script));
    expect(scripts).toHaveLength(3);
    for (const script of scripts) expect(script).toContain(AGENT_PATH_SETUP);
  });

  it('describes the database to Coder with coder_metadata: name, user, host:port, no password', () => {
    const [metadata] = Object.values(config.resource.coder_metadata) as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const [databaseId] = Object.keys(config.resource.devdb_database);
    const database = `devdb_database.${databaseId}["0"]`;
    expect(metadata.count).toBe(config.resource.devdb_database[databaseId!].count);
    expect(metadata.resource_id).toBe(`\${${database}.id}`);
    expect(metadata.icon).toBe('/icon/database.svg');
    expect(metadata.item).toEqual([
      { key: 'database', value: `\${${database}.name}` },
      { key: 'user', value: `\${${database}.user}` },
      { key: 'host', value: `\${${database}.host}:\${${database}.port}` },
      { key: 'access', value: `\${${database}.access}` },
    ]);
    expect(JSON.stringify(metadata)).not.toContain('password');
  });

  it('asks for the team as free text, without reading the teams', () => {
    expect(config.data.devdb_teams).toBeUndefined();
    const team = teamParameter(config);
    expect(team.option).toBeUndefined();
    expect(team.dynamic).toBeUndefined();
  });
});

/** data.coder_parameter team_database_name of a synthesized template. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function teamParameter(config: any): any {
  return Object.values(config.data.coder_parameter).find(
    (p) => (p as { name: string }).name === 'team_database_name',
  );
}

describe("teamOptions: 'existing': the team parameter offers DevDB's team databases", () => {
  let dir: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let config: any;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'devdb-synth-test-'));
    const file = await synthTemplate(dir, { teamOptions: 'existing' });
    config = JSON.parse(await readFile(file, 'utf8'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads devdb_teams and builds the options as a dynamic block over it, No team first', () => {
    const [teamsId] = Object.keys(config.data.devdb_teams);
    expect(config.data.devdb_teams[teamsId!]).toEqual({});
    const team = teamParameter(config);
    expect(team.option).toBeUndefined();
    expect(team.validation).toBeUndefined();
    expect(team.default).toBe('');
    const option = team.dynamic.option;
    expect(option.content).toEqual({
      name: '${each.value.name}',
      value: '${each.value.value}',
      description: '${each.value.description}',
    });
    expect(option.for_each).toContain(`data.devdb_teams.${teamsId}.teams`);
    expect(option.for_each).toContain('"name" = "No team", "value" = ""');
    expect(option.for_each).toMatch(/: val\.value => val \}\}$/);
  });
});

// `coder templates push -d` uploads the whole folder: only the Terraform JSON belongs in it,
// not the template's compiled JavaScript (dist/templates/) or source maps.
describe('npm run templates: the folders it writes', () => {
  it('hold main.tf.json and nothing else', async () => {
    const { stdout } = await promisify(execFile)('node', ['scripts/synth-templates.js']);
    const folders = [...stdout.matchAll(/-d (\S+)\)/g)].map((match) => match[1]!);
    expect(folders).toEqual([path.join('dist', 'coder-templates', 'contractor-workspace')]);
    for (const folder of folders) expect(await readdir(folder)).toEqual(['main.tf.json']);
  });
});
