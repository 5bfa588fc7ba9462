/**
 * The provider's one connection pool (at most 4 connections per plugin process,
 * whatever the number of resources: one connection per resource would exhaust
 * a server's slots) and the translation of every failure into a diagnostic a
 * template author can act on.
 */
import pg from 'pg';
import { type ServerEndpoint } from '../../provisioning/contract/index.js';
import {
  serverAccess,
  ServerRouter,
  ServerUnreachableError,
  type RoutedServer,
} from '../../provisioning/index.js';
import { ProvisioningError } from '../../provisioning/contract/index.js';
import { InvalidNameError } from '../../provisioning/contract/index.js';
import { explainConnectionError, isConnectionError } from '../../provisioning/index.js';
import { DiagnosticError, type AttributePath } from '../plugin/index.js';

export const POOL_MAX = 4;

/** The provider's `on_unavailable` setting: what creating does while DevDB is down. */
export const ON_UNAVAILABLE = ['fail', 'skip'] as const;
export type OnUnavailable = (typeof ON_UNAVAILABLE)[number];

/**
 * Connection-class codes where the server did answer and said no (bad password,
 * role or address refused, no `devdb` database): a configuration problem to fail
 * on, never an outage to ride out.
 */
const REFUSED_BY_SERVER = /^(28...|3D000)$/;

/** The server could not be talked to at all: down, unknown host, timed out, shutting down. */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return isConnectionError(error) && !REFUSED_BY_SERVER.test(code);
}

/** "Cannot reach the DevDB server": what read/create/delete tell apart from other failures. */
export class DevDbUnreachableError extends DiagnosticError {}

/** Which attribute a rejected name came from, so Terraform points at the right line. */
const NAME_FIELDS: Record<string, AttributePath> = {
  username: ['owner'],
  'team name': ['team'],
  'workspace id': ['workspace_id'],
  'database type': ['type'],
};

/**
 * What a failover looks like from here (docs/operations.md, "Failover"): the
 * server ending sessions (57P01 admin shutdown, 57P02 crash, 57P03 not accepting
 * connections yet), a demoted primary refusing writes (25006), a connection
 * dropped mid-operation. Worth riding out for FAILOVER_WAIT: every operation
 * is idempotent, so running it again converges. A refused connection is also
 * the brief gap while a stable endpoint moves, but it is as well a server that
 * is simply down (the outage rules, `on_unavailable`): it gets a short wait only.
 */
const FAILOVER_CODES = /^(57P01|57P02|57P03|25006|ECONNRESET|EPIPE)$/;
const isFailover = (error: unknown) =>
  FAILOVER_CODES.test((error as { code?: string })?.code ?? '') ||
  /Connection terminated unexpectedly|terminating connection/i.test(String(error));
const isRefused = (error: unknown) => (error as { code?: string })?.code === 'ECONNREFUSED';

export interface RetryPolicy {
  /** Longest total wait for a failover to finish; default 30 s. */
  failoverMs: number;
  /** … for a refused connection; default 2 s. */
  refusedMs: number;
  /** First back-off, doubled each time (at most 4 s); default 250 ms. */
  firstDelayMs: number;
  sleep(ms: number): Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = {
  failoverMs: 30_000,
  refusedMs: 2_000,
  firstDelayMs: 250,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class DevDbClient {
  private pool: pg.Pool | undefined;
  private router: ServerRouter | undefined;

  constructor(
    private readonly adminUrl: string,
    readonly endpoint: ServerEndpoint,
    readonly onUnavailable: OnUnavailable = 'fail',
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  /**
   * Runs work on the pool, again with back-off while a failover lasts; every
   * failure comes back as a DiagnosticError.
   */
  async use<T>(
    work: (pool: pg.Pool) => Promise<T>,
    paths: Record<string, AttributePath> = {},
  ): Promise<T> {
    let waited = 0;
    let delay = this.retry.firstDelayMs;
    for (;;) {
      try {
        return await work(this.connect());
      } catch (error) {
        const budget = isFailover(error)
          ? this.retry.failoverMs
          : isRefused(error)
            ? this.retry.refusedMs
            : 0;
        if (waited + delay > budget) throw this.diagnose(error, paths, waited);
        await this.retry.sleep(delay);
        waited += delay;
        delay = Math.min(delay * 2, 4_000);
      }
    }
  }

  /**
   * Runs work with the server pool (docs/servers.md): each database's
   * operations go to the server that holds it. Retried like `use`.
   */
  withRouter<T>(
    work: (router: ServerRouter) => Promise<T>,
    paths: Record<string, AttributePath> = {},
  ): Promise<T> {
    return this.use((central) => work(this.routerOn(central)), paths);
  }

  /** Runs work on the server holding `database`. */
  onServerOf<T>(
    database: string,
    work: (server: RoutedServer) => Promise<T>,
    paths: Record<string, AttributePath> = {},
  ): Promise<T> {
    return this.withRouter(async (router) => work(await router.forDatabase(database)), paths);
  }

  /** False while the server cannot be reached; other failures (a wrong password) throw. */
  async reachable(): Promise<boolean> {
    try {
      await this.use((pool) => pool.query('SELECT 1'));
      return true;
    } catch (error) {
      if (error instanceof DevDbUnreachableError) return false;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.router?.close();
    await this.pool?.end();
  }

  private routerOn(central: pg.Pool): ServerRouter {
    return (this.router ??= new ServerRouter(
      { db: central, adminUrl: this.adminUrl, endpoint: this.endpoint },
      POOL_MAX,
    ));
  }

  private connect(): pg.Pool {
    if (!this.pool) {
      this.pool = new pg.Pool({
        ...serverAccess(this.adminUrl).pgConfig(),
        max: POOL_MAX,
        connectionTimeoutMillis: 15_000,
        application_name: 'terraform-provider-devdb',
      });
      this.pool.on('error', () => undefined); // an idle client's failure shows on the next query
    }
    return this.pool;
  }

  private diagnose(error: unknown, paths: Record<string, AttributePath>, waitedMs = 0): Error {
    if (error instanceof DiagnosticError) return error;
    const after = waitedMs
      ? ` (still so after retrying for ${(waitedMs / 1000).toFixed(1)} s)`
      : '';
    if (error instanceof ServerUnreachableError) {
      // A server of the pool, not the one admin_url names: its name and address, not admin_url's.
      const Diagnostic = isUnreachable(error) ? DevDbUnreachableError : DiagnosticError;
      return new Diagnostic(`Cannot reach the DevDB server ${error.unreachable.server}`, {
        detail: `${error.message}${after}. It is a server of DevDB's pool (\`devdb servers list\` shows its health); check that it is running and reachable from here; a re-run converges.`,
      });
    }
    if (error instanceof InvalidNameError) {
      return new DiagnosticError(`Invalid ${error.field}`, {
        detail: error.message,
        path: paths[error.field] ?? NAME_FIELDS[error.field],
      });
    }
    if (isConnectionError(error)) {
      // The explanation may end in a question ("… running?"): no "?." after it.
      const why = explainConnectionError(error, this.adminUrl).replace(/[.?!]?$/, (end) =>
        end === '' ? '.' : end,
      );
      const Diagnostic = isUnreachable(error) ? DevDbUnreachableError : DiagnosticError;
      return new Diagnostic('Cannot reach the DevDB server', {
        detail: `${why}${after} Check admin_url (or DEVDB_ADMIN_URL) and that the server is running; a re-run converges.`,
      });
    }
    if (error instanceof ProvisioningError) {
      return new DiagnosticError('DevDB refused the operation', { detail: error.message });
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}
