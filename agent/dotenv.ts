/**
 * ~/.devdb/env: the connection settings as a dotenv file that shells can
 * source too (single-quoted values). It never holds the password: every
 * client finds that in ~/.pgpass.
 */
import type { Config } from './config.js';

/** The variables, in the order they are written. */
export function envVars(config: Config): [string, string][] {
  return [
    ['DEVDB_HOST', config.host],
    ['DEVDB_PORT', String(config.port)],
    ['DEVDB_NAME', config.name],
    ['DEVDB_USER', config.user],
    ['DEVDB_URL', config.url],
    ['PGHOST', config.host],
    ['PGPORT', String(config.port)],
    ['PGDATABASE', config.name],
    ['PGUSER', config.user],
    ...(config.sslmode ? ([['PGSSLMODE', config.sslmode]] as [string, string][]) : []),
    ['DATABASE_URL', config.url],
  ];
}

/** Shell single quoting; also valid dotenv for every value DevDB produces. */
export const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export function renderEnvFile(config: Config): string {
  const header = [
    '# Written by `devdb-agent start`; `devdb-agent uninstall` removes it.',
    '# No password here: psql, libpq and node-postgres read it from ~/.pgpass.',
  ];
  const lines = envVars(config).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return [...header, ...lines].join('\n') + '\n';
}

/** KEY=value lines back into an object (quotes removed); comments ignored. */
export function parseEnvFile(text: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!match) continue;
    const raw = match[2]!;
    out[match[1]!] = raw.startsWith("'")
      ? raw.slice(1, -1).replace(/'\\''/g, "'")
      : raw.replace(/^"(.*)"$/, '$1');
  }
  return out;
}
