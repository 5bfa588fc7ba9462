/**
 * What the control plane is given (server/api/index.ts) and what every route
 * module gets: the provisioner pool, how to reach the server, the clock, and
 * the pluggable parts `devdb serve` provides (readiness checks, the sampler).
 */
import type pg from 'pg';
import type { ApiPrincipal, ServerEndpoint } from '../../provisioning/index.js';
import type { RefusalLimits } from './refusals.js';

/**
 * One thing /readyz checks; `ok: false` makes it answer 503, unless the check
 * only degrades: the API still serves, something DevDB does on its own cannot
 * (e.g. backups without a fitting pg_dump), so /readyz says `degraded` with 200.
 */
export interface ReadinessCheck {
  name: string;
  degradesOnly?: boolean;
  run(): Promise<{ ok: boolean; detail?: string }>;
}

/** The sampler's latest pass, for /metrics (devdb serve provides it). */
export interface SamplerStatus {
  lastPassAt: Date;
  durationSeconds: number;
}

export interface ControlPlaneOptions {
  /**
   * Connected to the central server's `devdb` database as the provisioner; the
   * pool's other servers are reached from its registry (pool.ts, docs/servers.md).
   */
  pool: pg.Pool;
  /** The central provisioner's URL: backups there run pg_dump/pg_restore with it. */
  adminUrl: string;
  /** Where workspaces connect (credentials in responses); default: the admin URL's host and port. */
  endpoint?: ServerEndpoint;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7432; 0 picks a free port. */
  port?: number;
  /** Serve HTTPS with these PEM files. */
  tls?: { certFile: string; keyFile: string };
  /**
   * Injectable clock for what the process itself times (login limits, metrics'
   * ages); every decision by time (sessions, tokens, the policy) is the server's.
   */
  now?: () => Date;
  /** Largest request body in bytes (413 above it); default 64 KiB. */
  bodyLimit?: number;
  /** Dashboard session lifetime; default 12 h. */
  sessionTtlSeconds?: number;
  /** Failed logins allowed per client address, and per token prefix, and window; default 10 per 15 minutes. */
  loginLimit?: { max: number; windowMs: number };
  /**
   * Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For names the
   * client (Fastify's trustProxy); none: the client is the socket's peer.
   */
  trustedProxies?: string[];
  /** How refused requests are counted in the audit trail (server/api/refusals.ts). */
  refusalLimits?: Partial<RefusalLimits>;
  /** Checks added to /readyz after PostgreSQL and migrations (e.g. the sampler's freshness). */
  readinessChecks?: ReadinessCheck[];
  /** Feeds devdb_sampler_* in /metrics; absent: those series are left out. */
  samplerStatus?: () => Promise<SamplerStatus | null>;
  /** /metrics without a token (default: a viewer token is needed, like the rest of the API). */
  publicMetrics?: boolean;
  /** Overrides for backups run through the API; default: the backup_* settings. */
  backup?: { dir?: string; recipients?: string[]; identities?: string[] };
  /** Where Coder's URL and token (CODER_URL, CODER_SESSION_TOKEN) and backup locations are read; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The dashboard's live feed: milliseconds between snapshots (default 2000). */
  liveIntervalMs?: number;
  /** A live client is closed (and reconnects, authenticating again) after this long; default 10 minutes. */
  liveMaxClientAgeMs?: number;
  /** Databases in a live snapshot (the first by name); default 500. */
  liveDatabaseLimit?: number;
  /**
   * Where the devdb-agent files served at /api/v1/agent are (agent-bundle/,
   * agent-sea/); default: this package's dist/.
   */
  agentDistDir?: string;
  /** Fastify's logger option; default off (devdb serve passes its own). */
  logger?: boolean | Record<string, unknown>;
}

export type AccessLevel = 'public' | 'read' | 'write';

/** Per-route settings, in each route's `config`. */
export interface RouteConfig {
  /** public: anyone; read: viewer or admin; write: admin (and CSRF for cookie sessions). */
  access: AccessLevel;
  /** For mutations: the event action recorded as `<action>.failed` when the mutation fails. */
  action?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook for every route that is not public. */
    principal?: ApiPrincipal;
  }
  interface FastifyContextConfig {
    access?: AccessLevel;
    action?: string;
  }
}

/** The actor recorded in events for what a token does. */
export const actorOf = (principal: ApiPrincipal | undefined): string =>
  principal ? `api:${principal.name}` : 'api';
