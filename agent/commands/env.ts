/**
 * `devdb-agent env`: the connection settings for scripts, as `export` lines
 * (eval "$(devdb-agent env)") or JSON (--json). Never the password: every
 * PostgreSQL client finds it in ~/.pgpass, and printing it would put it in
 * whatever log captures a script's output.
 */
import type { Flags } from '../args.js';
import { envVars, shellQuote } from '../files/dotenv.js';
import { EXIT } from '../errors.js';
import { print } from '../log.js';
import { loadSettings } from '../files/settings.js';

export async function env(flags: Flags): Promise<number> {
  const vars = envVars(await loadSettings());
  if (flags.json) print(JSON.stringify(Object.fromEntries(vars), null, 2));
  else print(vars.map(([k, v]) => `export ${k}=${shellQuote(v)}`).join('\n'));
  return EXIT.ok;
}
