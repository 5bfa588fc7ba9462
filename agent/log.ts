/**
 * Output. Every line goes through here so that a secret registered once (the
 * workspace's password) can never reach the workspace log, even inside an
 * error message quoted from somewhere else.
 */
const secrets = new Set<string>();

/** Registers a value that must never be printed. */
export function addSecret(value: string | undefined): void {
  // Very short values would redact ordinary words; real passwords are long.
  if (value && value.length >= 6) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('********');
  return out;
}

/** Progress and problems: stderr, prefixed, so stdout stays clean for `env`/`status`. */
export function log(message: string): void {
  process.stderr.write(`devdb-agent: ${redact(message)}\n`);
}

/** A command's result: stdout, as is. */
export function print(text: string): void {
  process.stdout.write(redact(text.endsWith('\n') ? text : `${text}\n`));
}
