/**
 * ~/.devdb/env: the connection settings as a dotenv file that shells can
 * source too (single-quoted values). It never holds the password: every
 * client finds that in ~/.pgpass.
 */
import type { Config } from '../config.js';
import { paths } from './home.js';

/**
 * With TLS the URL names the CA file too: libpq would find it in root.crt
 * anyway, node-postgres only this way.
 */
function urlWithCa(config: Config): string {
  if (!config.caCert) return config.url;
  const url = new URL(config.url);
  url.searchParams.set('sslrootcert', paths.caFile());
  return url.toString();
}

/** The variables, in the order they are written. */
export function envVars(config: Config): [string, string][] {
  const url = urlWithCa(config);
  return [
    ['DEVDB_HOST', config.host],
    ['DEVDB_PORT', String(config.port)],
    ['DEVDB_NAME', config.name],
    ['DEVDB_USER', config.user],
    ['DEVDB_URL', url],
    ['PGHOST', config.host],
    ['PGPORT', String(config.port)],
    ['PGDATABASE', config.name],
    ['PGUSER', config.user],
    ...(config.sslmode ? ([['PGSSLMODE', config.sslmode]] as [string, string][]) : []),
    ['DATABASE_URL', url],
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
