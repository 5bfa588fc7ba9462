/**
 * The coder stand-in under the real terraform CLI: a temp filesystem mirror holding
 * only the stand-in, and one working directory initialised once; each scenario writes
 * its own main.tf and starts from an empty state. Terraform runs with a clean
 * environment (no CODER_* of the test process) plus what the scenario passes, the way
 * Coder's provisioner sets the variables for each build.
 */
import { type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killGroup, runTerraform, type RunResult } from '../provider/devdb/harness.js';
import { installTestMirror } from './install.js';
import { parameterEnvironmentVariable } from './parameter.js';

export type { RunResult };

export const TERRAFORM_BLOCK = `terraform {
  required_providers {
    coder = { source = "coder/coder", version = "~> 2.15" }
  }
}
`;

export interface StateFile {
  outputs: Record<string, { value: unknown; sensitive?: boolean }>;
  resources: {
    mode: 'managed' | 'data';
    type: string;
    name: string;
    instances: { index_key?: number | string; attributes: Record<string, unknown> }[];
  }[];
}

export interface CoderWorkdir {
  dir: string;
  cliConfigFile: string;
  /** Every terraform command run here, with its combined output (for leak checks). */
  outputs: { args: string[]; output: string }[];
  /** Writes main.tf (the terraform block is prepended) and forgets any state. */
  use(config: string): void;
  /** Runs terraform with `-no-color` where it applies; throws when `expectCode` differs. */
  tf(args: string[], env?: NodeJS.ProcessEnv, expectCode?: number | null): Promise<RunResult>;
  state(): StateFile;
  /** The outputs' values from the state. */
  outputValues(): Record<string, unknown>;
  /** Attributes of the managed resources of one type, by `name` or `name[index]`. */
  resources(type: string): Record<string, Record<string, unknown>>;
  cleanup(): void;
}

const NO_COLOR = new Set(['apply', 'destroy', 'init', 'output', 'plan', 'show', 'validate']);

export async function coderWorkdir(prefix: string): Promise<CoderWorkdir> {
  const root = mkdtempSync(join(tmpdir(), `coder-standin-${prefix}-`));
  const running = new Set<ChildProcess>();
  const cleanup = () => {
    for (const child of running) killGroup(child, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const { cliConfigFile } = await installTestMirror(join(root, 'mirror'), { devdb: false });
    const dir = join(root, 'work');
    mkdirSync(dir);
    const baseEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: root,
      TMPDIR: process.env.TMPDIR ?? tmpdir(),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      TF_CLI_CONFIG_FILE: cliConfigFile,
    };
    const outputs: CoderWorkdir['outputs'] = [];
    const tf: CoderWorkdir['tf'] = async (args, env = {}, expectCode = 0) => {
      const [command = '', ...rest] = args;
      const full = NO_COLOR.has(command) ? [command, '-no-color', ...rest] : args;
      const result = await runTerraform(dir, full, { env: { ...baseEnv, ...env } }, running);
      outputs.push({ args: full, output: result.output });
      if (expectCode !== null && result.code !== expectCode) {
        throw new Error(
          `terraform ${full.join(' ')} exited ${result.code}, expected ${expectCode}:\n${result.output}`,
        );
      }
      return result;
    };
    const state = (): StateFile =>
      JSON.parse(readFileSync(join(dir, 'terraform.tfstate'), 'utf8')) as StateFile;
    const workdir: CoderWorkdir = {
      dir,
      cliConfigFile,
      outputs,
      use(config) {
        writeFileSync(join(dir, 'main.tf'), TERRAFORM_BLOCK + config);
        rmSync(join(dir, 'terraform.tfstate'), { force: true });
        rmSync(join(dir, 'terraform.tfstate.backup'), { force: true });
      },
      tf,
      state,
      outputValues: () =>
        Object.fromEntries(Object.entries(state().outputs).map(([k, v]) => [k, v.value])),
      resources(type) {
        const found: Record<string, Record<string, unknown>> = {};
        for (const r of state().resources) {
          if (r.mode !== 'managed' || r.type !== type) continue;
          for (const i of r.instances) {
            const key = i.index_key === undefined ? r.name : `${r.name}[${i.index_key}]`;
            found[key] = i.attributes;
          }
        }
        return found;
      },
      cleanup,
    };
    workdir.use('');
    await tf(['init', '-input=false']);
    return workdir;
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** The environment Coder's provisioner would set for a parameter value. */
export function parameterEnv(values: Record<string, string>): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [parameterEnvironmentVariable(name), value]),
  );
}

/** The text of the diagnostics (`Error` or `Warning`) that name `address` (`with <address>,`). */
export function diagnosticFor(
  output: string,
  address: string,
  severity: 'Error' | 'Warning' = 'Error',
): string {
  const blocks = output.split(/^(?=Error: |Warning: )/m);
  const found = blocks.filter(
    (b) => b.startsWith(`${severity}: `) && b.includes(`with ${address},`),
  );
  if (found.length === 0) throw new Error(`no ${severity} for ${address} in:\n${output}`);
  // Terraform wraps long lines; compare text with single spaces.
  return found.join('\n').replace(/\s+/g, ' ');
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
