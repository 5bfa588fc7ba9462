import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleProvider } from '../../../../provider/plugin/bundle.js';

// Runs the real terraform CLI against a provider bundle installed in a filesystem
// mirror, so `terraform init` works offline exactly as it will for users.

export interface MirrorProvider {
  namespace: string;
  type: string;
  version: string;
  entry: string;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  output: string;
  ms: number;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Called once the process runs, e.g. to interrupt it. */
  onStart?: (child: ChildProcess, output: () => string) => void;
  timeoutMs?: number;
}

export interface TerraformWorkspace {
  root: string;
  dir: string;
  run(args: string[], options?: RunOptions): Promise<RunResult>;
  cleanup(): void;
}

export const HOST = 'registry.terraform.io';
const PLATFORM = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;

/** Builds the mirror and CLI config in a fresh temp dir; cleanup() kills and removes all. */
export async function createTerraformWorkspace(
  provider: MirrorProvider,
): Promise<TerraformWorkspace> {
  const root = mkdtempSync(join(tmpdir(), 'plugin-tf-'));
  const running = new Set<ChildProcess>();
  const cleanup = () => {
    for (const child of running) killGroup(child, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const mirror = join(root, 'mirror');
    const packageDir = join(
      mirror,
      HOST,
      provider.namespace,
      provider.type,
      provider.version,
      PLATFORM,
    );
    mkdirSync(packageDir, { recursive: true });
    const executable = `terraform-provider-${provider.type}_v${provider.version}`;
    await bundleProvider({ entry: provider.entry, outfile: join(packageDir, executable) });
    const cliConfig = join(root, 'terraformrc');
    writeFileSync(
      cliConfig,
      `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`,
    );
    const dir = join(root, 'work');
    mkdirSync(dir);
    const env = {
      ...process.env,
      CHECKPOINT_DISABLE: '1',
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
    };
    const run = (args: string[], options: RunOptions = {}) =>
      runTerraform(dir, args, { ...options, env: { ...env, ...options.env } }, running);
    return { root, dir, run, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** Runs terraform in its own process group, tracked in `running` for cleanup. */
export function runTerraform(
  dir: string,
  args: string[],
  options: RunOptions,
  running: Set<ChildProcess>,
): Promise<RunResult> {
  const started = performance.now();
  // Its own process group, so an interrupt reaches terraform and its plugins the way
  // Ctrl-C in a terminal does.
  const child = spawn('terraform', [...args], { cwd: dir, env: options.env, detached: true });
  running.add(child);
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk), (output += chunk)));
  child.stderr.on('data', (chunk: Buffer) => ((stderr += chunk), (output += chunk)));
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), options.timeoutMs ?? 90_000);
  options.onStart?.(child, () => output);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, stdout, stderr, output, ms: Math.round(performance.now() - started) });
    });
  });
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
