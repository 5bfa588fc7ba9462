/**
 * The workspace's DevDB settings, from the DEVDB_* variables Terraform puts in
 * the workspace (coder_env). DEVDB_URL fills in whatever the separate
 * variables leave out; the URL the agent writes anywhere never has a password.
 */
import { CA_CERT_ENV, connectionUrl, UNAVAILABLE_ENV } from '../provisioning/contract/index.js';
import { ENROLL_TOKEN_ENV } from '../provisioning/contract/index.js';
import { AgentError, EXIT } from './errors.js';
import { addSecret } from './log.js';

export type Env = Record<string, string | undefined>;

export interface Config {
  host: string;
  port: number;
  name: string;
  user: string;
  /** postgresql:// URL without a password. */
  url: string;
  /** The central database the agent reports to (never the workspace's own). */
  centralDb: string;
  sslmode?: string;
  /** From DEVDB_PASSWORD (or a password inside DEVDB_URL); never printed. */
  password?: string;
  /** From DEVDB_ENROLL_TOKEN: enrollment instead of a password (agent/connection/enroll.ts); never printed. */
  enrollToken?: string;
  /** From DEVDB_CA_CERT: the server's CA (PEM) when it serves TLS (agent/files/root-cert.ts). */
  caCert?: string;
}

interface UrlParts {
  host?: string;
  port?: string;
  name?: string;
  user?: string;
  password?: string;
  sslmode?: string;
}

function parseUrl(raw: string): UrlParts {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AgentError(
      'DEVDB_URL is not a valid URL',
      'set DEVDB_URL to postgresql://USER@HOST:PORT/NAME, or unset it and set DEVDB_HOST/PORT/NAME/USER',
      EXIT.usage,
    );
  }
  const opt = (s: string) => (s ? decodeURIComponent(s) : undefined);
  return {
    host: opt(url.hostname.replace(/^\[(.*)\]$/, '$1')),
    port: opt(url.port),
    name: opt(url.pathname.replace(/^\//, '')),
    user: opt(url.username),
    password: opt(url.password),
    sslmode: url.searchParams.get('sslmode') ?? undefined,
  };
}

function withoutPassword(raw: string): string {
  const url = new URL(raw);
  url.password = '';
  return url.toString();
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new AgentError(
      `DEVDB_PORT "${raw}" is not a TCP port`,
      'set DEVDB_PORT to a number between 1 and 65535 (the template sets it from devdb_database.port)',
      EXIT.usage,
    );
  }
  return port;
}

const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v);

/**
 * The workspace was built while DevDB could not be reached (DEVDB_UNAVAILABLE,
 * the provider's `on_unavailable = "skip"`): it has no database yet, and the
 * server is not to blame now.
 */
export class UnavailableAtBuild extends AgentError {
  constructor() {
    super(
      'DevDB was unavailable when this workspace was built, so it has no database yet',
      'restart the workspace once DevDB is back (`coder restart WORKSPACE`): that start creates its database; if it keeps happening, ask your DevDB admin whether the server is up',
      EXIT.unavailable,
    );
    this.name = 'UnavailableAtBuild';
  }
}

/**
 * Reads the settings from `env`; `fallback` (the DEVDB_* values `start` saved in
 * ~/.devdb/env) fills gaps for commands run where the variables are not set.
 */
export function readConfig(env: Env, fallback: Env = {}): Config {
  // What a previous start saved belongs to another build: it does not count here.
  if (env[UNAVAILABLE_ENV] === 'true') throw new UnavailableAtBuild();
  const get = (key: string) => blank(env[key]) ?? blank(fallback[key]);
  const rawUrl = get('DEVDB_URL');
  const fromUrl = rawUrl ? parseUrl(rawUrl) : {};
  const values = {
    DEVDB_HOST: get('DEVDB_HOST') ?? fromUrl.host,
    DEVDB_PORT: get('DEVDB_PORT') ?? fromUrl.port ?? (rawUrl ? '5432' : undefined),
    DEVDB_NAME: get('DEVDB_NAME') ?? fromUrl.name,
    DEVDB_USER: get('DEVDB_USER') ?? fromUrl.user,
  };
  const missing = Object.entries(values).filter(([, v]) => v === undefined);
  if (missing.length > 0) {
    throw new AgentError(
      `${missing.map(([k]) => k).join(', ')} not set`,
      'the workspace gets DEVDB_* from the devdb_database resource through coder_env: check that the template sets them (the DevDB constructs do) and restart the workspace',
      EXIT.usage,
    );
  }
  const host = values.DEVDB_HOST!;
  const port = parsePort(values.DEVDB_PORT!);
  const name = values.DEVDB_NAME!;
  const user = values.DEVDB_USER!;
  const password = blank(env.DEVDB_PASSWORD) ?? fromUrl.password;
  addSecret(password);
  const enrollToken = blank(env[ENROLL_TOKEN_ENV]);
  addSecret(enrollToken);
  const sslmode = fromUrl.sslmode;
  const caCert = blank(env[CA_CERT_ENV]);
  return {
    host,
    port,
    name,
    user,
    url: rawUrl ? withoutPassword(rawUrl) : connectionUrl({ host, port, sslmode }, name, user),
    centralDb: blank(env.DEVDB_CENTRAL_DB) ?? 'devdb',
    ...(sslmode ? { sslmode } : {}),
    ...(password ? { password } : {}),
    ...(enrollToken ? { enrollToken } : {}),
    ...(caCert ? { caCert } : {}),
  };
}
