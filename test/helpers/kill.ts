import { spawn } from 'node:child_process';
import { setTimeout as pause } from 'node:timers/promises';

/**
 * Runs `node args…` in a child and SIGKILLs it as soon as `due()` says so
 * (polled every 10 ms: another process's progress, not time passing). Fails
 * when the child exits first or nothing happens within 60 s. Resolves with its
 * exit code once it is gone (null: killed by the signal).
 */
export async function killWhen(
  args: string[],
  due: () => Promise<boolean>,
  options: { env?: NodeJS.ProcessEnv; what: string },
): Promise<number | null> {
  const child = spawn('node', args, { env: options.env ?? process.env, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  try {
    const deadline = Date.now() + 60_000;
    while (!(await due())) {
      if (child.exitCode !== null) {
        throw new Error(`${options.what} exited (${child.exitCode}) before the kill`);
      }
      if (Date.now() > deadline) throw new Error(`${options.what} made no progress in 60 s`);
      await pause(10);
    }
  } finally {
    child.kill('SIGKILL');
  }
  return exited;
}
