import { spawn, type ChildProcess } from 'node:child_process';
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
      const match = /DevDB is running: PostgreSQL 17 on [^:]+:(\d+)/.exec(output);
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
