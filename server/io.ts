/**
 * Everything a `devdb` command touches outside its arguments, passed in rather
 * than reached for: the CLI runs on process IO, tests on captured IO.
 */
export interface TextSink {
  write(text: string): unknown;
}

export interface CliIO {
  stdout: TextSink;
  stderr: TextSink;
  /** Whether stdout is a terminal: tables are coloured only then (and never with NO_COLOR). */
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Resolves with the name of the first shutdown signal (SIGINT/SIGTERM) after the call. */
  shutdownSignal(): Promise<string>;
}

/** The real thing, for the `devdb` executable. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    // `on`, not `once`: a second Ctrl-C while PostgreSQL stops must not kill it half-way.
    shutdownSignal: () =>
      new Promise((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const)
          process.on(signal, () => resolve(signal));
      }),
  };
}
