/**
 * How to reach a PostgreSQL server (docs/security.md, "TLS for database
 * connections"): one description — host, port, role, database, TLS mode, CA —
 * from which every client DevDB starts or prints is made: node-postgres'
 * settings, libpq's environment for pg_dump, pg_restore and psql, the URLs
 * shown to an admin, and where workspaces connect.
 *
 * A ServerAccess comes from an admin URL and, when the pool's registry knows
 * it, the server's CA as PEM text. libpq reads a CA only from a file, so such a
 * CA is kept in a content-addressed file (`$XDG_CACHE_HOME/devdb/ca/<sha256>.crt`,
 * default `~/.cache/devdb/ca/`, 0600 in a 0700 folder; a certificate is public,
 * and one file serves every later run and every `psql` line printed with it)
 * and the access's `url` names it in `sslrootcert`: that string, passed on
 * anywhere, describes the server fully.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';
import { ProvisioningError, type ServerEndpoint } from '../contract/index.js';

/** libpq's sslmode values. */
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** URL parameters about TLS: the access decides them for node-postgres (which reads some itself). */
const TLS_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat'];

/** URL parameters libpq's tools get as environment variables (libpq's names for both). */
const LIBPQ_ENV: Record<string, string> = {
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  sslcrl: 'PGSSLCRL',
  sslcrldir: 'PGSSLCRLDIR',
  sslsni: 'PGSSLSNI',
  sslnegotiation: 'PGSSLNEGOTIATION',
  ssl_min_protocol_version: 'PGSSLMINPROTOCOLVERSION',
  ssl_max_protocol_version: 'PGSSLMAXPROTOCOLVERSION',
  channel_binding: 'PGCHANNELBINDING',
  gssencmode: 'PGGSSENCMODE',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  options: 'PGOPTIONS',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
  application_name: 'PGAPPNAME',
};

/** Where workspaces connect, when not where the admin URL points (see workspaceEndpoint). */
export interface EndpointOverrides {
  host?: string | null;
  port?: number | null;
  sslmode?: string | null;
  /** The CA certificate (PEM) itself. */
  caCert?: string | null;
}

export class ServerAccess {
  /**
   * The admin URL, password included (never print it): the URL given, with
   * `sslmode` and `sslrootcert` naming a local file of the CA when the CA came
   * as PEM text. Parsed again, it gives the same access.
   */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** libpq's sslmode; undefined: none asked for (no TLS for node-postgres, libpq's default for its tools). */
  readonly sslmode: string | undefined;
  /** The CA (PEM) the server's certificate is verified with, read once; undefined: the system's, or none. */
  readonly caCert: string | undefined;
  /** A file of this machine holding caCert (or libpq's `system`). */
  readonly caFile: string | undefined;
  private readonly params: URLSearchParams;
  private readonly password: string;

  constructor(adminUrl: string, caCert?: string | null) {
    const url = parseUrl(adminUrl);
    const rootcert = url.searchParams.get('sslrootcert') || undefined;
    if (caCert) {
      // The registry's CA wins over a file the URL may name on another machine.
      this.caCert = caCert;
      this.caFile = rootcert && readIfFile(rootcert) === caCert ? rootcert : cachedCaFile(caCert);
    } else if (rootcert && rootcert !== 'system') {
      this.caCert = readCaFile(rootcert);
      this.caFile = rootcert;
    } else {
      this.caFile = rootcert;
    }
    const asked = url.searchParams.get('sslmode') ?? legacySsl(url.searchParams.get('ssl'));
    // A CA and no sslmode: verified fully, as workspaces are (and as libpq does for `system`).
    this.sslmode = asked ?? (this.caFile ? 'verify-full' : undefined);
    if (this.sslmode && !SSL_MODES.includes(this.sslmode)) {
      throw new ProvisioningError(
        `the admin URL's sslmode=${this.sslmode} is not one of libpq's (${SSL_MODES.join(', ')})`,
      );
    }
    if (this.sslmode) url.searchParams.set('sslmode', this.sslmode);
    if (this.caFile) url.searchParams.set('sslrootcert', this.caFile);
    url.searchParams.delete('ssl');
    this.url = readableUrl(url);
    this.params = url.searchParams;
    this.host = url.searchParams.get('host') ?? decodeURIComponent(bare(url.hostname));
    this.port = Number(url.searchParams.get('port') ?? (url.port || 5432));
    this.user = decodeURIComponent(url.username);
    this.password = decodeURIComponent(url.password);
    this.database = decodeURIComponent(url.pathname.slice(1)) || this.user;
  }

  /** node-postgres' settings (a Client's or a Pool's): TLS as libpq would do it for this URL. */
  pgConfig(database = this.database): pg.ClientConfig {
    const url = new URL(this.url);
    for (const key of TLS_PARAMS) url.searchParams.delete(key);
    url.pathname = `/${encodeURIComponent(database)}`;
    return { connectionString: url.toString(), ssl: this.nodeTls() };
  }

  /**
   * libpq's environment for pg_dump, pg_restore or psql on `database`: the
   * password in PGPASSWORD, never on a command line; the CA in PGSSLROOTCERT.
   * PG* variables of `base` do not reach the tool: the URL says it all.
   */
  libpqEnv(
    database: string,
    options: { base?: NodeJS.ProcessEnv; applicationName?: string } = {},
  ): NodeJS.ProcessEnv {
    const base = options.base ?? process.env;
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(base).filter(([key]) => !key.startsWith('PG')),
    );
    for (const [param, variable] of Object.entries(LIBPQ_ENV)) {
      const value = this.params.get(param);
      if (value !== null) env[variable] = value;
    }
    Object.assign(env, {
      PGHOST: this.host,
      PGPORT: String(this.port),
      PGUSER: this.user,
      PGDATABASE: database,
      ...(this.password ? { PGPASSWORD: this.password } : {}),
      ...(this.sslmode ? { PGSSLMODE: this.sslmode } : {}),
      ...(this.caFile ? { PGSSLROOTCERT: this.caFile } : {}),
      ...(options.applicationName ? { PGAPPNAME: options.applicationName } : {}),
    });
    return env;
  }

  /**
   * `url` (a database's URL on this server, e.g. a workspace's) as an admin on
   * this machine uses it with psql: with sslrootcert naming a local file of
   * `caCert` (the admin URL's own, when it is that CA). Workspaces get theirs
   * without: the agent writes the CA where libpq looks (~/.postgresql/root.crt).
   */
  forAdmin(url: string, caCert: string | undefined): string {
    if (!caCert) return url;
    const file = caCert === this.caCert && this.caFile ? this.caFile : cachedCaFile(caCert);
    const shown = new URL(url);
    shown.searchParams.set('sslrootcert', file);
    return readableUrl(shown);
  }

  /**
   * Where workspaces reach the server: the admin URL's host, port and sslmode,
   * unless the caller says otherwise (workspaces often use another address).
   * The CA is the caller's, else the admin URL's; with a CA and no sslmode,
   * workspaces verify the server fully (`verify-full`).
   */
  workspaceEndpoint(overrides: EndpointOverrides = {}): ServerEndpoint {
    const caCert = overrides.caCert || this.caCert || undefined;
    const asked = overrides.sslmode ?? this.params.get('sslmode') ?? undefined;
    return {
      host: overrides.host ?? this.host,
      port: overrides.port ?? this.port,
      sslmode: asked ?? (caCert ? 'verify-full' : undefined),
      ...(caCert ? { caCert } : {}),
    };
  }

  /** libpq's sslmode in node-postgres' terms. */
  private nodeTls(): pg.ClientConfig['ssl'] {
    const mode = this.sslmode;
    if (!mode || mode === 'disable' || mode === 'allow') return false;
    const tls: ConnectionOptions = {};
    if (this.caCert) tls.ca = this.caCert;
    const cert = this.params.get('sslcert');
    const key = this.params.get('sslkey');
    if (cert) tls.cert = readCaFile(cert, 'sslcert');
    if (key) tls.key = readCaFile(key, 'sslkey');
    if (mode === 'verify-full') return tls;
    // prefer/require verify nothing unless a CA is given (then like verify-ca), as libpq does.
    // node-postgres cannot fall back to plain: `prefer` needs a server that serves TLS.
    if (mode !== 'verify-ca' && !this.caCert) return { ...tls, rejectUnauthorized: false };
    return { ...tls, checkServerIdentity: () => undefined };
  }
}

/** The access for `adminUrl` (and the server's CA as PEM, when the pool's registry knows it). */
export function serverAccess(adminUrl: string, caCert?: string | null): ServerAccess {
  return new ServerAccess(adminUrl, caCert);
}

/**
 * Where workspaces reach the server at `adminUrl` (ServerAccess.workspaceEndpoint).
 */
export function workspaceEndpoint(
  adminUrl: string,
  overrides: EndpointOverrides = {},
): ServerEndpoint {
  return serverAccess(adminUrl).workspaceEndpoint(overrides);
}

function parseUrl(adminUrl: string): URL {
  try {
    return new URL(adminUrl);
  } catch {
    // Never the URL itself in the message: it holds a password.
    throw new ProvisioningError('the admin URL is not a valid postgresql:// URL');
  }
}

/** node-postgres' own `ssl=true` (no sslmode) is libpq's `require`. */
const legacySsl = (ssl: string | null) => (ssl === 'true' || ssl === '1' ? 'require' : undefined);

const bare = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

/** Slashes of file paths stay readable: both libpq and node-postgres decode them. */
const readableUrl = (url: URL) =>
  url.toString().replace(/(sslrootcert=[^&]*)/, (p) => p.replace(/%2F/g, '/'));

function readIfFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readCaFile(file: string, param = 'sslrootcert'): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ProvisioningError(
      `cannot read the file ${file} that the admin URL's ${param} names (${why})`,
    );
  }
}

/** `$XDG_CACHE_HOME/devdb/ca`, default `~/.cache/devdb/ca`. */
function caCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'devdb', 'ca');
}

/** This process's own 0700 folder under the temp dir: where the CA goes when the cache is not writable. */
let privateDir: string | undefined;

/**
 * A file of this machine holding `pem`, named after its sha256, written once
 * (atomically) in the cache; where that folder cannot be written (no home, a
 * read-only one), in a private folder of this process under the temp dir.
 */
export function cachedCaFile(pem: string): string {
  const name = `${createHash('sha256').update(pem).digest('hex')}.crt`;
  try {
    return writeOnce(caCacheDir(), name, pem);
  } catch (cacheError) {
    try {
      privateDir ??= mkdtempSync(path.join(tmpdir(), 'devdb-ca-'));
      return writeOnce(privateDir, name, pem);
    } catch {
      const why = (cacheError as NodeJS.ErrnoException).code ?? String(cacheError);
      throw new ProvisioningError(
        `cannot keep a server's CA certificate in ${caCacheDir()} (${why}) nor under ${tmpdir()}: pg_dump, pg_restore and psql read it from a file; set XDG_CACHE_HOME to a folder DevDB may write`,
      );
    }
  }
}

function writeOnce(dir: string, name: string, pem: string): string {
  const file = path.join(dir, name);
  if (readIfFile(file) === pem) return file;
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(temp, pem, { mode: 0o600 });
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
  return file;
}
