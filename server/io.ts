/**
 * Everything a `devdb` command touches outside its arguments, passed in rather
 * than reached for: the CLI runs on process IO, tests on captured IO.
 */
import { createInterface } from 'node:readline/promises';

export interface TextSink {
  write(text: string): unknown;
}

/** How the `devdb` process was started: process.argv[1] (a PATH symlink keeps its name there) and process.execPath. */
export interface Launch {
  script: string;
  node: string;
}

export interface CliIO {
  stdout: TextSink;
  stderr: TextSink;
  /** Whether stdout is a terminal: tables are coloured only then (and never with NO_COLOR). */
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /**
   * How the `devdb` process was started, for the commands it prints
   * (server/invocation.ts). Absent when the program runs inside another process.
   */
  launch?: Launch;
  /**
   * Resolves with why to shut down, first after the call: a signal's name
   * (SIGINT/SIGTERM), or PARENT_EXITED.
   */
  shutdownSignal(): Promise<string>;
  /**
   * Asks a yes/no question on the terminal (default no). Absent when stdin is
   * not a terminal: commands that need a confirmation then need --yes.
   */
  confirm?(question: string): Promise<boolean>;
}

/** The reason shutdownSignal gives when the process that started this one is gone. */
export const PARENT_EXITED = 'parent process exited';

const PARENT_POLL_MS = 500;

/**
 * Resolves once this process is re-parented: `npm start` stopped with SIGTERM
 * forwards it to its script's shell only, which dies and leaves node behind
 * (docs/operations.md, "Stopping"). Polled: Linux tells a child nothing else.
 */
function parentExit(): Promise<string> {
  const parent = process.ppid;
  return new Promise((resolve) => {
    if (parent <= 1) return; // started by init or a container runtime: nothing to watch
    const timer = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(timer);
      resolve(PARENT_EXITED);
    }, PARENT_POLL_MS);
    timer.unref(); // never what keeps the process alive
  });
}

/** Asks on stderr, reads one line from stdin: yes is `y` or `yes`. */
async function askOnTerminal(question: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await terminal.question(`${question} [y/N] `)).trim());
  } finally {
    terminal.close();
  }
}

/** The real thing, for the `devdb` executable. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    launch: { script: process.argv[1] ?? '', node: process.execPath },
    ...(process.stdin.isTTY ? { confirm: askOnTerminal } : {}),
    // `on`, not `once`: a second Ctrl-C while PostgreSQL stops must not kill it half-way.
    shutdownSignal: () =>
      Promise.race([
        new Promise<string>((resolve) => {
          for (const signal of ['SIGINT', 'SIGTERM'] as const)
            process.on(signal, () => resolve(signal));
        }),
        parentExit(),
      ]),
  };
}
