import type { CliIO } from '../../server/io.js';
import { buildProgram } from '../../server/program.js';

/** IO that keeps what a command writes, with a shutdown signal the test sends. */
export interface CapturedIO extends CliIO {
  stdoutText(): string;
  stderrText(): string;
  /** Resolves once stdout matches `pattern` (checked on every write). */
  untilStdout(pattern: RegExp): Promise<RegExpExecArray>;
  /** Delivers a shutdown signal to whoever waits for one (`devdb up`). */
  sendSignal(name: string): void;
}

export function captureIO(
  options: {
    isTTY?: boolean;
    env?: Record<string, string | undefined>;
    /** Answers confirmation questions, as a person at a terminal would; absent: no terminal. */
    confirm?: (question: string) => Promise<boolean>;
  } = {},
): CapturedIO {
  let stdout = '';
  let stderr = '';
  const waiting: Array<(name: string) => void> = [];
  const watchers = new Set<() => void>();
  return {
    stdout: {
      write: (text: string) => {
        stdout += text;
        watchers.forEach((check) => check());
      },
    },
    stderr: { write: (text: string) => (stderr += text) },
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
    ...(options.confirm ? { confirm: options.confirm } : {}),
    shutdownSignal: () => new Promise((resolve) => waiting.push(resolve)),
    stdoutText: () => stdout,
    stderrText: () => stderr,
    untilStdout: (pattern) =>
      new Promise((resolve) => {
        const check = () => {
          const match = pattern.exec(stdout);
          if (match && watchers.delete(check)) resolve(match);
        };
        watchers.add(check);
        check();
      }),
    sendSignal: (name) => waiting.splice(0).forEach((resolve) => resolve(name)),
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `devdb args` in this process; the environment is only what the test passes. */
export async function runDevdb(
  args: string[],
  options: Parameters<typeof captureIO>[0] = {},
): Promise<CliResult> {
  const io = captureIO(options);
  const code = await buildProgram(io).run(args);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}
