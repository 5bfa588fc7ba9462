/**
 * The devdb provider under the real terraform CLI: a throwaway DevDB (embedded
 * PostgreSQL 17), the provider bundle `npm run build` wrote installed with
 * installProvider() into a temp filesystem mirror, and working directories that
 * run terraform with DEVDB_ADMIN_URL = the provisioner's URL (never a superuser).
 *
 * One `terraform init` per harness; every further working directory gets a copy
 * of the initialised .terraform dir and lock file.
 */
import type { ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installProvider } from '../../../server/commands/lifecycle/provider.js';
import { startTestDevDb, tryConnect, type TestDevDb } from '../../helpers/devdb.js';
import {
  killGroup,
  runTerraform,
  type RunOptions,
  type RunResult,
} from '../plugin/helpers/terraform.js';

export type { RunOptions, RunResult };
export { runTerraform };

export const EXAMPLE_MAIN_TF = fileURLToPath(
  new URL('../../../examples/hcl/basic/main.tf', import.meta.url),
);

export interface TfState {
  resources: {
    mode: string;
    type: string;
    name: string;
    instances: { attributes: Record<string, unknown>; status?: string }[];
  }[];
}

export interface Workdir {
  dir: string;
  /** Runs terraform here; `-no-color` is added to the commands that take it. */
  tf(args: string[], options?: RunOptions): Promise<RunResult>;
  /** The local state file, or null before the first apply. */
  state(): TfState | null;
  /** The attributes of a managed resource in the state, or undefined. */
  attributes(type?: string, name?: string): Record<string, unknown> | undefined;
  /** A URL with the credentials in the state of devdb_database (password included). */
  credentialsUrl(name?: string): string;
}

export interface Harness {
  devdb: TestDevDb;
  root: string;
  adminUrl: string;
  cliConfigFile: string;
  /** Every command run and its combined output, for leak checks. */
  outputs: { args: string[]; output: string }[];
  /** A fresh working dir holding `main.tf`; initialised unless `init: false`. */
  workdir(name: string, config: string, options?: { init?: boolean }): Promise<Workdir>;
  cleanup(): Promise<void>;
}

const NO_COLOR_COMMANDS = new Set([
  'apply',
  'destroy',
  'import',
  'init',
  'output',
  'plan',
  'refresh',
  'show',
  'validate',
]);

export async function startHarness(prefix: string): Promise<Harness> {
  const root = mkdtempSync(join(tmpdir(), `devdb-tf-${prefix}-`));
  const running = new Set<ChildProcess>();
  const outputs: Harness['outputs'] = [];
  let devdb: TestDevDb | undefined;
  const cleanup = async () => {
    for (const child of running) killGroup(child, 'SIGKILL');
    await devdb?.stop().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const installed = await installProvider(join(root, 'mirror'));
    devdb = await startTestDevDb();
    const db = devdb;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: root,
      TMPDIR: process.env.TMPDIR ?? tmpdir(),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      TF_CLI_CONFIG_FILE: installed.cliConfigFile,
      DEVDB_ADMIN_URL: db.provisionerUrl,
    };
    // The directory the one real `terraform init` ran in, once it has.
    let initialised: Promise<string> | undefined;

    const makeWorkdir = (dir: string): Workdir => {
      const state = (): TfState | null => {
        const file = join(dir, 'terraform.tfstate');
        return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as TfState) : null;
      };
      const attributes = (type = 'devdb_database', name?: string) =>
        state()?.resources.find(
          (r) => r.mode === 'managed' && r.type === type && (name === undefined || r.name === name),
        )?.instances[0]?.attributes;
      return {
        dir,
        tf: async (args, options = {}) => {
          const [command, ...rest] = args;
          const full = NO_COLOR_COMMANDS.has(command!) ? [command!, '-no-color', ...rest] : args;
          const result = await runTerraform(
            dir,
            full,
            { ...options, env: { ...env, ...options.env } },
            running,
          );
          outputs.push({ args: full, output: result.output });
          return result;
        },
        state,
        attributes,
        credentialsUrl: (name?: string) => {
          const a = attributes('devdb_database', name);
          if (!a) throw new Error(`no devdb_database in the state of ${dir}`);
          return db.url(String(a.user), String(a.password), String(a.name));
        },
      };
    };

    const workdir: Harness['workdir'] = async (name, config, options = {}) => {
      const dir = join(root, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'main.tf'), config);
      const work = makeWorkdir(dir);
      if (options.init === false) return work;
      if (!initialised) {
        initialised = work.tf(['init', '-input=false']).then((init) => {
          if (init.code !== 0) throw new Error(`terraform init failed:\n${init.output}`);
          return dir;
        });
        await initialised;
        return work;
      }
      const source = await initialised;
      cpSync(join(source, '.terraform'), join(dir, '.terraform'), {
        recursive: true,
        verbatimSymlinks: true,
      });
      cpSync(join(source, '.terraform.lock.hcl'), join(dir, '.terraform.lock.hcl'));
      return work;
    };

    return {
      devdb: db,
      root,
      adminUrl: db.provisionerUrl,
      cliConfigFile: installed.cliConfigFile,
      outputs,
      workdir,
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Pids of the terraform-provider-devdb processes terraform `parent` started (from /proc). */
export function providerPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('terraform-provider-devdb_v')) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** A TCP port on 127.0.0.1 nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Waits until `check` holds, polling; throws with `what` after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Logs in with the URL and checks the session acts as the database's owner role. */
export async function connectsAs(url: string): Promise<string> {
  const result = await tryConnect(url);
  if (!result.ok) throw new Error(`cannot connect: ${result.error}`);
  return result.currentUser;
}

export { killGroup, tryConnect };

/** The lines terraform prints for diagnostics (`Error: …`), with -no-color. */
export const errorLines = (output: string) => output.split('\n').filter((l) => /Error: /.test(l));

/** A configuration with one devdb_database driven by variables, and its outputs. */
export function databaseConfig(extra = ''): string {
  return `terraform {
  required_providers {
    devdb = { source = "devdb/devdb" }
  }
}

provider "devdb" {}

variable "type" {
  type    = string
  default = "individual"
}
variable "owner" {
  type    = string
  default = "alice"
}
variable "owner_id" {
  type    = string
  default = null
}
variable "team" {
  type    = string
  default = null
}
variable "workspace_id" { type = string }
variable "workspace_name" {
  type    = string
  default = "dev"
}
variable "on_last_detach" {
  type    = string
  default = "keep"
}

resource "devdb_database" "db" {
  type           = var.type
  owner          = var.owner
  owner_id       = var.owner_id
  team           = var.team
  workspace_id   = var.workspace_id
  workspace_name = var.workspace_name
  on_last_detach = var.on_last_detach
}

output "name" { value = devdb_database.db.name }
output "user" { value = devdb_database.db.user }
output "password" {
  value     = devdb_database.db.password
  sensitive = true
}
${extra}`;
}

/** `-var name=value` arguments. */
export function vars(values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([k, v]) => ['-var', `${k}=${v}`]);
}
