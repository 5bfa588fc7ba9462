import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The built `devdb` executable (tests that need a process run it). */
export const CLI = path.resolve('dist/server/cli.js');

export interface UpProcess {
  child: ChildProcess;
  output: () => string;
  port: number;
  startedInMs: number;
}

/** Starts `devdb up` and resolves once it says it is running. */
export function startUp(dataDir: string, extra: string[] = []): Promise<UpProcess> {
  const started = Date.now();
  const child = spawn('node', [CLI, 'up', '--data-dir', dataDir, '--port', '0', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /DevDB is running: PostgreSQL \d+ on [^:]+:(\d+)/.exec(output);
      if (match) {
        resolve({
          child,
          output: () => output,
          port: Number(match[1]),
          startedInMs: Date.now() - started,
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`devdb up exited (${code}):\n${output}`)));
  });
}

export function stopUp(up: UpProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (up.child.exitCode !== null) return Promise.resolve(up.child.exitCode);
  return new Promise((resolve) => {
    up.child.once('exit', (code) => resolve(code));
    up.child.kill(signal);
  });
}

export interface TempUp extends UpProcess {
  dataDir: string;
  /** Stops `devdb up` and removes its temp dir. */
  stop(): Promise<void>;
}

export interface TempDataDir {
  root: string;
  /** ROOT/data, not made yet: `devdb up` makes it. */
  dataDir: string;
  /** Stops whatever `devdb up` a failed test left running on it, and removes the temp dir. */
  remove(): Promise<void>;
}

/** A temp dir for `devdb up` to keep its data in, as several starts in one suite share it. */
export async function tempDataDir(prefix: string): Promise<TempDataDir> {
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  await chmod(root, 0o755); // as root, PostgreSQL runs unprivileged and must enter it
  const dataDir = path.join(root, 'data');
  return {
    root,
    dataDir,
    remove: async () => {
      // Loaded here, not at the top: cli-io loads the CLI, whose embedded binaries are
      // chosen at import, and suites that import CLI pick their server first
      // (selectBackupTestServer sets DEVDB_PG_BIN_DIR).
      const { runDevdb } = await import('./cli-io.js');
      await runDevdb(['stop', '--data-dir', dataDir]);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** `devdb up` on a fresh data dir in a temp dir; `stop()` cleans up, also after a failed start. */
export async function startUpInTempDir(prefix: string, extra: string[] = []): Promise<TempUp> {
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  const removeRoot = () => rm(root, { recursive: true, force: true });
  try {
    await chmod(root, 0o755); // as root, PostgreSQL runs unprivileged and must enter it
    const dataDir = path.join(root, 'data');
    const up = await startUp(dataDir, extra);
    return {
      ...up,
      dataDir,
      stop: async () => {
        await stopUp(up);
        await removeRoot();
      },
    };
  } catch (error) {
    await removeRoot();
    throw error;
  }
}

/** Resolves with the match once `pattern` shows in the output; fails, with the output, after 30 s. */
export async function untilOutput(up: UpProcess, pattern: RegExp): Promise<RegExpExecArray> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = pattern.exec(up.output());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no output matching ${pattern}:\n${up.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
