/**
 * The whole workspace lifecycle, driven the way Coder's provisioner drives the
 * contractor-workspace template: each workspace has its own state; every build
 * is `terraform init`, `plan -refresh=true -out` and `apply` of that plan, with
 * the build's CODER_* variables and parameters in the environment; delete is
 * `plan -destroy`. The template is the synthesized cdktn app without the Docker
 * container (no Docker engine here); the devdb provider is the real one, the
 * coder provider the stand-in under test/coder-provider. Inside the "workspace",
 * the real devdb-agent and psql run with the coder_env values Terraform produced.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthTemplate } from '../../templates/synth.js';
import { installTestMirror } from '../coder-provider/install.js';
import { parameterEnv } from '../coder-provider/harness.js';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';
import { killGroup, runTerraform } from '../provider/plugin/helpers/terraform.js';
import { provisionerEnv } from './provisioner-env.js';

const AGENT = path.resolve('dist/agent-bundle/devdb-agent');
const run = promisify(execFile);

interface Build {
  transition: 'start' | 'stop' | 'destroy';
}

interface StateResource {
  mode: string;
  type: string;
  instances: { attributes: Record<string, unknown> }[];
}

/** One Coder workspace: its own directory and state, like Coder keeps per workspace. */
class Workspace {
  readonly id = randomUUID();
  readonly dir: string;
  readonly home: string;

  constructor(
    private readonly lab: Lab,
    readonly name: string,
    readonly owner: string,
    readonly parameters: Record<string, string>,
    readonly prebuild = false,
    templateFile = lab.templateFile,
  ) {
    this.dir = path.join(lab.root, `ws-${name}-${owner}`);
    this.home = path.join(this.dir, 'home');
    mkdirSync(this.home, { recursive: true });
    writeFileSync(path.join(this.dir, 'main.tf.json'), readFileSync(templateFile));
  }

  /** The variables Coder's provisioner sets for a build of this workspace. */
  private env({ transition }: Build): NodeJS.ProcessEnv {
    const ownerId = createHash('sha256').update(this.owner).digest('hex').slice(0, 32);
    return {
      ...this.lab.baseEnv,
      CODER_WORKSPACE_TRANSITION: transition,
      CODER_WORKSPACE_BUILD_ID: randomUUID(),
      CODER_WORKSPACE_ID: this.id,
      CODER_WORKSPACE_NAME: this.name,
      CODER_WORKSPACE_OWNER: this.owner,
      CODER_WORKSPACE_OWNER_ID: `${ownerId.slice(0, 8)}-${ownerId.slice(8, 12)}-4${ownerId.slice(13, 16)}-8${ownerId.slice(17, 20)}-${ownerId.slice(20, 32)}`,
      CODER_WORKSPACE_OWNER_EMAIL: `${this.owner}@example.com`,
      CODER_WORKSPACE_TEMPLATE_ID: this.lab.templateId,
      CODER_WORKSPACE_TEMPLATE_NAME: 'contractor-workspace',
      CODER_WORKSPACE_TEMPLATE_VERSION: 'v1',
      CODER_WORKSPACE_IS_PREBUILD: String(this.prebuild),
      ...parameterEnv(this.parameters),
    };
  }

  private async terraform(args: string[], build: Build): Promise<void> {
    const result = await runTerraform(this.dir, args, { env: this.env(build) }, this.lab.running);
    if (result.code !== 0) {
      throw new Error(
        `terraform ${args.join(' ')} (${build.transition}) failed:\n${result.output}`,
      );
    }
    this.lab.outputs.push(result.output);
  }

  async build(transition: Build['transition']): Promise<void> {
    const build = { transition };
    await this.terraform(['init', '-input=false', '-no-color'], build);
    const plan = ['plan', '-refresh=true', '-input=false', '-no-color', '-out=build.tfplan'];
    await this.terraform(transition === 'destroy' ? [...plan, '-destroy'] : plan, build);
    await this.terraform(['apply', '-input=false', '-no-color', 'build.tfplan'], build);
  }

  private resources(type: string): Record<string, unknown>[] {
    const state = JSON.parse(readFileSync(path.join(this.dir, 'terraform.tfstate'), 'utf8'));
    return (state.resources as StateResource[])
      .filter((r) => r.mode === 'managed' && r.type === type)
      .flatMap((r) => r.instances.map((i) => i.attributes));
  }

  /** What the Coder agent would put in the workspace's environment (coder_env). */
  coderEnv(): Record<string, string> {
    return Object.fromEntries(
      this.resources('coder_env').map((e) => [e.name as string, e.value as string]),
    );
  }

  databases(): Record<string, unknown>[] {
    return this.resources('devdb_database');
  }

  metadata(): Record<string, unknown>[] {
    return this.resources('coder_metadata');
  }

  /** A process the Coder agent starts in the workspace: its env plus coder_env. */
  async exec(
    command: string,
    args: string[],
    coderEnv = this.coderEnv(),
  ): Promise<{ stdout: string; stderr: string }> {
    const env = { PATH: process.env.PATH, HOME: this.home, PGCONNECT_TIMEOUT: '5', ...coderEnv };
    return run(command, args, { env, cwd: this.home });
  }

  async agentStart(): Promise<string> {
    const { stdout, stderr } = await this.exec('node', [AGENT, 'start', '--timeout', '20']);
    return stdout + stderr;
  }

  /** `psql $DEVDB_URL -c …`, no password given: it must come from ~/.pgpass. */
  async psql(sql: string, coderEnv = this.coderEnv()): Promise<string> {
    const args = [coderEnv.DEVDB_URL!, '-v', 'ON_ERROR_STOP=1', '-w', '-tAc', sql];
    const { stdout } = await this.exec('psql', args, coderEnv);
    return stdout.trim();
  }
}

/** Everything the workspaces share: DevDB, the provider mirror, the synthesized template. */
interface Lab {
  root: string;
  templateFile: string;
  /** The template with `teamOptions: 'existing'`: the team is picked among devdb_teams. */
  listTemplateFile: string;
  templateId: string;
  baseEnv: NodeJS.ProcessEnv;
  running: Set<ChildProcess>;
  outputs: string[];
}

describe('contractor-workspace, end to end as Coder runs it', () => {
  let devdb: TestDevDb;
  let lab: Lab;
  const workspace = (
    name: string,
    owner: string,
    params: Record<string, string>,
    prebuild = false,
  ) => new Workspace(lab, name, owner, params, prebuild);
  const individual = { database_type: 'individual' };
  const databaseExists = async (name: string) => {
    const su = await devdb.superuser();
    const { rowCount } = await su.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  };

  beforeAll(async () => {
    devdb = await startTestDevDb();
    const root = mkdtempSync(path.join(tmpdir(), 'devdb-e2e-'));
    const { cliConfigFile } = await installTestMirror(path.join(root, 'mirror'));
    const templateFile = await synthTemplate(path.join(root, 'template'), { docker: false });
    const listTemplateFile = await synthTemplate(path.join(root, 'list-template'), {
      docker: false,
      teamOptions: 'existing',
    });
    lab = {
      root,
      templateFile,
      listTemplateFile,
      templateId: randomUUID(),
      baseEnv: provisionerEnv({ home: root, cliConfigFile, adminUrl: devdb.provisionerUrl }),
      running: new Set(),
      outputs: [],
    };
  });

  afterAll(async () => {
    for (const child of lab?.running ?? []) killGroup(child, 'SIGKILL');
    if (lab) rmSync(lab.root, { recursive: true, force: true });
    await devdb?.stop();
  });

  let ws1: Workspace;
  let ws2: Workspace;

  it('alice creates ws1 (individual): dev_alice, the right coder_env, psql works with no password', async () => {
    ws1 = workspace('ws1', 'alice', individual);
    await ws1.build('start');
    expect(await databaseExists('dev_alice')).toBe(true);
    const env = ws1.coderEnv();
    expect(Object.keys(env).sort()).toEqual([
      'DEVDB_HOST',
      'DEVDB_NAME',
      'DEVDB_PASSWORD',
      'DEVDB_PORT',
      'DEVDB_URL',
      'DEVDB_USER',
    ]);
    expect(env).toMatchObject({
      DEVDB_HOST: devdb.endpoint.host,
      DEVDB_PORT: String(devdb.endpoint.port),
      DEVDB_NAME: 'dev_alice',
      DEVDB_URL: `postgresql://${env.DEVDB_USER}@${devdb.endpoint.host}:${devdb.endpoint.port}/dev_alice`,
    });
    expect(env.DEVDB_USER).toMatch(/^ws_alice_[0-9a-f]{16}$/);
    expect(env.DEVDB_PASSWORD!.length).toBeGreaterThanOrEqual(32);

    const log = await ws1.agentStart();
    expect(log).toContain('connected to dev_alice');
    expect(log).not.toContain(env.DEVDB_PASSWORD);
    expect(await ws1.psql('select 1')).toBe('1');
    await ws1.psql("CREATE TABLE notes (t text); INSERT INTO notes VALUES ('kept')");
  });

  it("coder_metadata shows Coder's workspace page dev_alice's name, user, address and access, never the password", () => {
    const env = ws1.coderEnv();
    const [database] = ws1.databases();
    const [metadata] = ws1.metadata();
    expect(metadata).toMatchObject({ resource_id: database!.id, icon: '/icon/database.svg' });
    expect(metadata!.item).toEqual([
      { key: 'database', value: 'dev_alice', sensitive: false, is_null: false },
      { key: 'user', value: env.DEVDB_USER, sensitive: false, is_null: false },
      {
        key: 'host',
        value: `${devdb.endpoint.host}:${devdb.endpoint.port}`,
        sensitive: false,
        is_null: false,
      },
      { key: 'access', value: 'write', sensitive: false, is_null: false },
    ]);
    expect(JSON.stringify(metadata)).not.toContain(env.DEVDB_PASSWORD);
  });

  it('stop keeps the database and the credentials; start finds the same database with the data', async () => {
    const before = ws1.coderEnv();
    await ws1.build('stop');
    expect(await databaseExists('dev_alice')).toBe(true);
    expect(ws1.coderEnv()).toEqual(before);
    expect(await ws1.psql('SELECT t FROM notes')).toBe('kept');

    await ws1.build('start');
    expect(ws1.coderEnv()).toEqual(before);
    expect(await ws1.psql('SELECT t FROM notes')).toBe('kept');
  });

  it('ws2 of alice shares dev_alice with its own credentials; deleting ws1 leaves ws2 working', async () => {
    ws2 = workspace('ws2', 'alice', individual);
    await ws2.build('start');
    const env1 = ws1.coderEnv();
    const env2 = ws2.coderEnv();
    expect(env2.DEVDB_NAME).toBe('dev_alice');
    expect(env2.DEVDB_USER).not.toBe(env1.DEVDB_USER);
    expect(env2.DEVDB_PASSWORD).not.toBe(env1.DEVDB_PASSWORD);
    await ws2.agentStart();
    expect(await ws2.psql('SELECT t FROM notes')).toBe('kept');

    await ws1.build('destroy');
    expect(ws1.databases()).toEqual([]);
    expect(await ws2.psql('SELECT t FROM notes')).toBe('kept');
    // ws1's home still has its ~/.pgpass line: the credential itself must be dead.
    await expect(ws1.psql('select 1', env1)).rejects.toThrow(
      /password authentication failed|no password supplied/,
    );
    expect(await databaseExists('dev_alice')).toBe(true);
  });

  it('bob and carol on team frontend-project at once: one database, both connect, personal schema first', async () => {
    const team = { database_type: 'team', team_database_name: 'frontend-project' };
    const bob = workspace('bobws', 'bob', team);
    const carol = workspace('carolws', 'carol', team);
    await Promise.all([bob.build('start'), carol.build('start')]);
    const su = await devdb.superuser();
    const { rows } = await su.query(
      "SELECT datname FROM pg_database WHERE datname LIKE 'team_frontend%'",
    );
    expect(rows).toEqual([{ datname: 'team_frontend_project' }]);
    for (const [member, ws] of [
      ['bob', bob],
      ['carol', carol],
    ] as const) {
      await ws.agentStart();
      expect(await ws.psql('SELECT current_database()')).toBe('team_frontend_project');
      expect(await ws.psql('SHOW search_path')).toBe(`${member}, shared, public`);
      await ws.psql(`CREATE TABLE mine_${member} (x int)`);
      expect(
        await ws.psql(`SELECT schemaname FROM pg_tables WHERE tablename = 'mine_${member}'`),
      ).toBe(member);
    }
  });

  it("teamOptions 'existing': erin picks frontend-project among the teams; an unlisted team is refused", async () => {
    const listed = (name: string, params: Record<string, string>) =>
      new Workspace(lab, name, 'erin', params, false, lab.listTemplateFile);
    const erin = listed('erinws', {
      database_type: 'team',
      team_database_name: 'frontend-project',
    });
    await erin.build('start');
    expect(erin.coderEnv().DEVDB_NAME).toBe('team_frontend_project');

    // The empty default is an option ("No team"), so other workspaces build as before.
    const own = listed('erinown', individual);
    await own.build('start');
    expect(own.coderEnv().DEVDB_NAME).toBe('dev_erin');

    const newTeam = listed('erinnew', { database_type: 'team', team_database_name: 'new-team' });
    await expect(newTeam.build('start')).rejects.toThrow(/must be a valid option/);
    expect(await databaseExists('team_new_team')).toBe(false);
  });

  it('none gets no database and no DEVDB_*; a prebuilt workspace gets no database', async () => {
    const none = workspace('nodb', 'dave', { database_type: 'none' });
    await none.build('start');
    expect(none.databases()).toEqual([]);
    expect(none.coderEnv()).toEqual({});
    expect(await databaseExists('dev_dave')).toBe(false);

    const prebuild = workspace('pre', 'prebuilds', individual, true);
    await prebuild.build('start');
    expect(prebuild.databases()).toEqual([]);
    expect(prebuild.coderEnv()).toEqual({});
    expect(await databaseExists('dev_prebuilds')).toBe(false);
  });

  it('never shows a password in any terraform output', () => {
    const passwords = [ws1, ws2].map((w) => w.coderEnv().DEVDB_PASSWORD).filter(Boolean);
    expect(passwords.length).toBeGreaterThan(0);
    for (const output of lab.outputs) {
      for (const password of passwords) expect(output).not.toContain(password);
    }
  });
});
