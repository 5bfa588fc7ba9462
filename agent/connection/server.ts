/**
 * Connections to DevDB. The agent only ever connects to the central database
 * (`devdb`, as the workspace's own login role): a connection to the workspace's
 * database would itself count as access in pg_stat_database.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { Config } from '../config.js';
import { AgentError, EXIT } from '../errors.js';
import { paths } from '../files/home.js';

/** Connection failures worth waiting out: the server is not (yet) there. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P03', // cannot_connect_now: starting up or shutting down
  '57P01', // admin_shutdown
  '53300', // too_many_connections
]);

/** Thrown while the server cannot be reached; `reason` says how it failed. */
export class Unavailable extends Error {
  constructor(
    readonly reason: string,
    /** The server answered, but the role's (or the server's) connections were all taken. */
    readonly busy = false,
  ) {
    super(reason);
    this.name = 'Unavailable';
  }
}

function reasonOf(error: Error & { code?: string }): string {
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ETIMEDOUT: 'connection timed out',
    ENOTFOUND: 'host name not found',
    EAI_AGAIN: 'host name lookup failed',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
  };
  return reasons[error.code ?? ''] ?? error.message;
}

function isUnavailable(error: Error & { code?: string }): boolean {
  if (error.code && UNAVAILABLE_CODES.has(error.code)) return true;
  // node-postgres reports its own connect timeout and dropped sockets without a code.
  return /timeout|terminated unexpectedly|Connection terminated/i.test(error.message);
}

/** The server refused this user's password (28P01): enrollment may set a new one. */
export class CredentialsRejected extends AgentError {
  constructor(message: string, fix: string) {
    super(message, fix, EXIT.rejected);
    this.name = 'CredentialsRejected';
  }
}

/** Turns a failed connect into Unavailable (retry) or an AgentError saying what to fix. */
export function classify(config: Config, error: unknown, user = config.user): Error {
  const err = error as Error & { code?: string };
  if (isUnavailable(err)) return new Unavailable(reasonOf(err), err.code === '53300');
  if (err.code === '28P01' || err.code === '28000') {
    const message = `DevDB rejected the credentials of ${user} (${err.message})`;
    const fix = config.enrollToken
      ? 'restart the workspace: its start gives it a new enrollment token (DEVDB_ENROLL_TOKEN); if that does not help, an admin can check the attachment with `devdb inspect ' +
        config.name +
        '`'
      : 'the workspace gets new credentials each time it is attached: restart the workspace so DEVDB_PASSWORD is current; if that does not help, an admin can check the attachment with `devdb inspect ' +
        config.name +
        '`';
    return err.code === '28P01'
      ? new CredentialsRejected(message, fix)
      : new AgentError(message, fix, EXIT.rejected);
  }
  if (err.code === '3D000') {
    return new AgentError(
      `the central database "${config.centralDb}" does not exist on ${config.host}:${config.port}`,
      'DEVDB_CENTRAL_DB names the database holding the provisioning schema (default devdb); unset it or fix it, and check DEVDB_HOST/DEVDB_PORT point at DevDB',
      EXIT.usage,
    );
  }
  if (err.code === '42501') {
    return new AgentError(
      `${user} may not connect to the central database "${config.centralDb}" (${err.message})`,
      'this role is not a DevDB workspace role (member of devdb_workspace): check DEVDB_USER, or restart the workspace to re-attach it',
      EXIT.rejected,
    );
  }
  return new AgentError(
    `could not connect to DevDB at ${config.host}:${config.port}: ${err.message}`,
    'run `devdb-agent doctor` to check DNS, TCP and authentication',
  );
}

/** The server's CA: DEVDB_CA_CERT, else the copy `start` saved (commands run from a shell). */
function caCert(config: Config): string | undefined {
  if (config.caCert) return config.caCert;
  try {
    return readFileSync(paths.caFile(), 'utf8');
  } catch {
    return undefined; // no TLS, or not started yet: Node's own CAs then
  }
}

/** libpq's sslmode in node-postgres' terms. */
function sslOption(config: Config): pg.ClientConfig['ssl'] {
  const { sslmode } = config;
  if (sslmode === 'require') return { rejectUnauthorized: false };
  if (sslmode !== 'verify-ca' && sslmode !== 'verify-full') return false;
  const ca = caCert(config);
  const identity = sslmode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {};
  return { rejectUnauthorized: true, ...(ca ? { ca } : {}), ...identity };
}

/**
 * One attempt to open a connection to the central database, as the workspace's
 * login role unless `user` says otherwise; throws what classify() gives.
 */
export async function connectCentral(
  config: Config,
  password: string,
  timeoutMs: number,
  user = config.user,
): Promise<pg.Client> {
  const client = new pg.Client({
    host: config.host,
    port: config.port,
    user,
    password,
    database: config.centralDb,
    ssl: sslOption(config),
    connectionTimeoutMillis: Math.max(1, Math.round(timeoutMs)),
    query_timeout: Math.max(1000, Math.round(timeoutMs)),
    application_name: 'devdb-agent',
  });
  // A socket error after connect must not crash the process; the next query fails instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw classify(config, error, user);
  }
}

/** Runs `fn` on a fresh central connection and always closes it. */
export async function withCentral<T>(
  config: Config,
  password: string,
  timeoutMs: number,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await connectCentral(config, password, timeoutMs);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
