/**
 * Coder workspaces driven the way Coder's provisioner drives the
 * contractor-workspace template: each workspace has its own directory and
 * state; every build is `terraform init`, `plan -refresh=true -out` and `apply`
 * of that plan, with the build's CODER_* variables and parameters in the
 * environment; delete is `plan -destroy`. The template is the synthesized cdktn
 * app without the Docker container (no Docker engine here); the devdb provider
 * is the real one, the coder provider the stand-in under test/coder-provider.
 * Inside the "workspace", the real devdb-agent and psql run with the coder_env
 * values Terraform produced and the workspace's own home directory.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ownEntry } from '../../agent/files/pgpass.js';
import { synthTemplate } from '../../templates/synth.js';
import { installTestMirror } from '../coder-provider/install.js';
import { parameterEnv } from '../coder-provider/harness.js';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';
import { killGroup, runTerraform } from '../provider/plugin/helpers/terraform.js';
import { provisionerEnv } from './provisioner-env.js';

const AGENT = path.resolve('dist/agent-bundle/devdb-agent');
const run = promisify(execFile);

export type Transition = 'start' | 'stop' | 'destroy';

interface StateResource {
  mode: string;
  type: string;
  instances: { attributes: Record<string, unknown> }[];
}

/** Everything the workspaces share: DevDB, the provider mirror, the synthesized templates. */
export interface Lab {
  devdb: TestDevDb;
  root: string;
  templateFile: string;
  /** The template with `teamOptions: 'existing'`: the team is picked among devdb_teams. */
  listTemplateFile: string;
  templateId: string;
  baseEnv: NodeJS.ProcessEnv;
  running: Set<ChildProcess>;
  /** The combined output of every terraform command run, for leak checks. */
  outputs: string[];
}

export async function startLab(): Promise<Lab> {
  const devdb = await startTestDevDb();
  const root = mkdtempSync(path.join(tmpdir(), 'devdb-e2e-'));
  const lab: Lab = {
    devdb,
    root,
    templateFile: '',
    listTemplateFile: '',
    templateId: randomUUID(),
    baseEnv: {},
    running: new Set(),
    outputs: [],
  };
  try {
    const { cliConfigFile } = await installTestMirror(path.join(root, 'mirror'));
    lab.templateFile = await synthTemplate(path.join(root, 'template'), { docker: false });
    lab.listTemplateFile = await synthTemplate(path.join(root, 'list-template'), {
      docker: false,
      teamOptions: 'existing',
    });
    lab.baseEnv = provisionerEnv({ home: root, cliConfigFile, adminUrl: devdb.provisionerUrl });
    return lab;
  } catch (error) {
    await stopLab(lab);
    throw error;
  }
}

export async function stopLab(lab: Lab | undefined): Promise<void> {
  if (!lab) return;
  for (const child of lab.running) killGroup(child, 'SIGKILL');
  rmSync(lab.root, { recursive: true, force: true });
  await lab.devdb.stop();
}

/** One Coder workspace: its own directory and state, like Coder keeps per workspace. */
export class Workspace {
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
    /** Added to every terraform command's environment (e.g. TF_LOG). */
    private readonly extraEnv: NodeJS.ProcessEnv = {},
  ) {
    this.dir = path.join(lab.root, `ws-${name}-${owner}`);
    this.home = path.join(this.dir, 'home');
    mkdirSync(this.home, { recursive: true });
    writeFileSync(path.join(this.dir, 'main.tf.json'), readFileSync(templateFile));
  }

  /** The variables Coder's provisioner sets for a build of this workspace. */
  private env(transition: Transition): NodeJS.ProcessEnv {
    const ownerId = createHash('sha256').update(this.owner).digest('hex').slice(0, 32);
    return {
      ...this.lab.baseEnv,
      ...this.extraEnv,
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

  /** Runs terraform for a build of `transition`; fails on a non-zero exit. Returns stdout and the output. */
  async terraform(
    args: string[],
    transition: Transition,
  ): Promise<{ stdout: string; output: string }> {
    const result = await runTerraform(
      this.dir,
      args,
      { env: this.env(transition) },
      this.lab.running,
    );
    if (result.code !== 0) {
      throw new Error(`terraform ${args.join(' ')} (${transition}) failed:\n${result.output}`);
    }
    this.lab.outputs.push(result.output);
    return { stdout: result.stdout, output: result.output };
  }

  /** One build as Coder runs it; returns the plan's and the apply's output. */
  async build(transition: Transition): Promise<{ plan: string; apply: string }> {
    await this.terraform(['init', '-input=false', '-no-color'], transition);
    const args = ['plan', '-refresh=true', '-input=false', '-no-color', '-out=build.tfplan'];
    const plan = await this.terraform(
      transition === 'destroy' ? [...args, '-destroy'] : args,
      transition,
    );
    const apply = await this.terraform(
      ['apply', '-input=false', '-no-color', 'build.tfplan'],
      transition,
    );
    return { plan: plan.output, apply: apply.output };
  }

  /** The state file as Coder stores it. */
  stateText(): string {
    return readFileSync(path.join(this.dir, 'terraform.tfstate'), 'utf8');
  }

  private resources(type: string): Record<string, unknown>[] {
    const state = JSON.parse(this.stateText());
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

  /** The home directory is lost (a workspace rebuilt without its volume): a fresh, empty one. */
  wipeHome(): void {
    rmSync(this.home, { recursive: true, force: true });
    mkdirSync(this.home, { recursive: true });
  }

  /** Another, empty home: a second machine with the same coder_env (e.g. someone holding the state). */
  otherHome(name: string): string {
    const home = path.join(this.dir, `home-${name}`);
    mkdirSync(home, { recursive: true });
    return home;
  }

  /** A process the Coder agent starts in the workspace: its env plus coder_env. */
  async exec(
    command: string,
    args: string[],
    coderEnv = this.coderEnv(),
    home = this.home,
  ): Promise<{ stdout: string; stderr: string }> {
    const env = { PATH: process.env.PATH, HOME: home, PGCONNECT_TIMEOUT: '5', ...coderEnv };
    return run(command, args, { env, cwd: home });
  }

  /**
   * `devdb-agent start`; its log (stderr and stdout). Throws when it fails, with
   * `exitCode` and `log`.
   */
  async agentStart(coderEnv = this.coderEnv(), home = this.home): Promise<string> {
    try {
      const { stdout, stderr } = await this.exec(
        'node',
        [AGENT, 'start', '--timeout', '20'],
        coderEnv,
        home,
      );
      return stdout + stderr;
    } catch (error) {
      const e = error as Error & { stdout?: string; stderr?: string; code?: number };
      throw Object.assign(new Error(`devdb-agent start exited ${e.code}:\n${e.stderr}`), {
        exitCode: e.code,
        log: `${e.stdout ?? ''}${e.stderr ?? ''}`,
      });
    }
  }

  /** `psql $DEVDB_URL -c …`, no password given: it must come from ~/.pgpass. */
  async psql(sql: string, coderEnv = this.coderEnv(), home = this.home): Promise<string> {
    const args = [coderEnv.DEVDB_URL!, '-v', 'ON_ERROR_STOP=1', '-w', '-tAc', sql];
    const { stdout } = await this.exec('psql', args, coderEnv, home);
    return stdout.trim();
  }

  /** The password devdb-agent keeps in ~/.pgpass of this workspace (or `home`), if any. */
  pgpassPassword(home = this.home): string | undefined {
    const file = path.join(home, '.pgpass');
    return ownEntry(existsSync(file) ? readFileSync(file, 'utf8') : null)?.password;
  }
}
