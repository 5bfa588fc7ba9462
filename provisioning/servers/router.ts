/**
 * Every operation on a database goes to the server that holds it
 * (docs/servers.md): the router asks the central registry where a database is
 * (placing a new one), and hands back a pool on that server and the address
 * workspaces use there. One pool per server, opened on first use.
 *
 * A member that cannot be reached is named, never a bare driver error
 * (docs/servers.md, "A server that cannot be reached"): the router probes a
 * member before handing it out (a short `SELECT 1`), records the outcome in the
 * central registry (placement skips a server whose last probe failed), and
 * turns a lost connection on a member's pool into a ServerUnreachableError.
 */
import pg from 'pg';
import {
  attachedDatabaseName,
  attachWorkspace,
  type AttachInput,
  type Attachment,
} from '../databases/index.js';
import type { ServerEndpoint } from '../contract/index.js';
import { ping, query, serverAccess, type ServerAccess } from '../schema/index.js';
import { optionalSeedName, ProvisioningError } from '../contract/index.js';
import { connectionFailure, hostPortOf, isConnectionError } from './address.js';
import {
  claimPlacement,
  holdsDatabase,
  listServers,
  getServer,
  recordServerHealth,
  recordServerUsage,
  releasePlacement,
  serverOf,
  type PoolServer,
} from './servers.js';

/** How long a probe waits to connect, and then for its `SELECT 1`. */
export const PROBE_TIMEOUT_MS = 5_000;

/** A server of the pool that could not be reached: which, where (its admin host:port), why. */
export interface UnreachableServer {
  server: string;
  /** host:port of its admin URL (never the password). */
  address: string;
  /** In a few words: `connection refused`, `timed out`, `password authentication failed`… */
  reason: string;
}

/** `pg-b (127.0.0.1:45793) unreachable: connection refused`. */
export function describeUnreachable(unreachable: UnreachableServer): string {
  return `${unreachable.server} (${unreachable.address}) unreachable: ${unreachable.reason}`;
}

/**
 * A member of the pool could not be reached (its probe failed, or its
 * connection was lost during the work): one line naming it. `code` is the
 * driver's (ECONNREFUSED, 57P01…), else 08006, so callers that tell outages
 * from refusals by code (the provider) keep doing so.
 */
export class ServerUnreachableError extends ProvisioningError {
  constructor(
    readonly unreachable: UnreachableServer,
    code?: string,
  ) {
    super(`server ${describeUnreachable(unreachable)}`, code ?? '08006');
    this.name = 'ServerUnreachableError';
  }
}

/** What `router.each(fn)` found: fn's result on each server reached, and the servers that were not. */
export interface EachServer<T> {
  results: { server: string; result: T }[];
  unreachable: UnreachableServer[];
}

/** How `router.each` runs: on which servers, and whether all at once. */
export interface EachOptions {
  /** Keeps the servers (by name) to run on; default all. */
  only?: (server: string) => boolean;
  /** All at once (the API's reads) rather than one after the other (the CLI's output order). */
  parallel?: boolean;
}

/** One server of the pool, ready to use. */
export interface RoutedServer {
  server: PoolServer;
  /** Connected to that server's `devdb` database as its provisioner. */
  db: pg.Pool;
  /** How DevDB reaches it: its admin URL and CA (schema/reach.ts). */
  access: ServerAccess;
  /**
   * Its provisioner URL (pg_dump, pg_restore and backup runs connect with it):
   * access.url, which names the CA's file when the pool knows the CA.
   */
  adminUrl: string;
  /** Where workspaces reach it. */
  endpoint: ServerEndpoint;
}

export interface CentralServer {
  db: pg.Pool;
  adminUrl: string;
  /** Where workspaces reach the central server (the provider's or the command's setting). */
  endpoint: ServerEndpoint;
}

export class ServerRouter {
  private readonly pools = new Map<string, pg.Pool>();
  /** Members a probe of this router reached; a lost connection takes one out again. */
  private readonly reached = new Set<string>();
  private readonly probing = new Map<string, Promise<void>>();
  /** How DevDB reaches the central server (schema/reach.ts). */
  readonly centralAccess: ServerAccess;

  constructor(
    readonly central: CentralServer,
    private readonly poolMax = 4,
  ) {
    this.centralAccess = serverAccess(central.adminUrl);
  }

  /**
   * The server holding `database`, probed first (ServerUnreachableError when it
   * cannot be reached); `place` puts a new one on the least-loaded server first.
   */
  async forDatabase(
    database: string,
    options: { place?: boolean; seed?: string | null } = {},
  ): Promise<RoutedServer> {
    if (options.place) return (await this.place(database, options.seed)).routed;
    return this.forServer(await serverOf(this.central.db, database));
  }

  /**
   * Runs `fn` on the server of `database`, placing a new one first. When `fn`
   * fails, a placement this call made is let go again unless its server holds
   * the database (a create of it under way there is waited for): the pool
   * never records a database on a server that did not create it.
   */
  async withPlaced<T>(
    database: string,
    options: { seed?: string | null },
    fn: (routed: RoutedServer) => Promise<T>,
  ): Promise<T> {
    const { routed, placed } = await this.place(database, options.seed);
    try {
      return await fn(routed);
    } catch (error) {
      if (placed) await this.releaseUnlessHeld(routed, database);
      throw error;
    }
  }

  /** Every server of the pool, the central one first (not probed). */
  async all(): Promise<RoutedServer[]> {
    return (await listServers(this.central.db)).map((server) => this.routed(server));
  }

  /** A server by name, probed first (ServerUnreachableError when it cannot be reached). */
  async forServer(name: string): Promise<RoutedServer> {
    const routed = this.routed(await getServer(this.central.db, name));
    if (!routed.server.central) await this.probe(routed);
    return routed;
  }

  /**
   * Runs `fn` on every server (or those `only` keeps), the central one first,
   * one after the other or, with `parallel`, all at once; `fn` is told how many
   * servers run it. It goes on over those reached: a member whose probe fails,
   * or whose connection is lost during `fn`, is listed in `unreachable`
   * instead; the central server failing fails the whole (it holds the registry).
   */
  async each<T>(
    fn: (routed: RoutedServer, servers: number) => Promise<T>,
    options: EachOptions = {},
  ): Promise<EachServer<T>> {
    const only = options.only ?? (() => true);
    const servers = (await this.all()).filter((routed) => only(routed.server.name));
    const probes = await Promise.allSettled(servers.map((routed) => this.probe(routed)));
    const runOne = async (routed: RoutedServer, i: number) => {
      const probe = probes[i]!;
      try {
        if (probe.status === 'rejected') throw probe.reason;
        return { server: routed.server.name, result: await fn(routed, servers.length) };
      } catch (error) {
        if (!isUnreachable(error, routed.server)) throw error;
        // Lost during fn (its probe had passed): recorded as a failed probe is.
        if (probe.status === 'fulfilled') await this.recordUnreachable(error.unreachable);
        return error.unreachable;
      }
    };
    const outcomes: ({ server: string; result: T } | UnreachableServer)[] = [];
    if (options.parallel) outcomes.push(...(await Promise.all(servers.map(runOne))));
    else for (const [i, routed] of servers.entries()) outcomes.push(await runOne(routed, i));
    const found: EachServer<T> = { results: [], unreachable: [] };
    for (const outcome of outcomes) {
      if ('result' in outcome) found.results.push(outcome);
      else found.unreachable.push(outcome);
    }
    return found;
  }

  /**
   * Checks that a server answers (`SELECT 1` on a connection of its own,
   * PROBE_TIMEOUT_MS to connect and to answer) and records the outcome in the
   * central registry. A member reached once is not probed again by this
   * router (unless `fresh`) until its connection is lost. The central server
   * is asked through the caller's pool; its failure is thrown as it is.
   */
  async probe(routed: RoutedServer, options: { fresh?: boolean } = {}): Promise<void> {
    const { name } = routed.server;
    if (!options.fresh && this.reached.has(name)) return;
    let pending = this.probing.get(name);
    if (!pending) {
      pending = this.probeNow(routed.server).finally(() => this.probing.delete(name));
      this.probing.set(name, pending);
    }
    return pending;
  }

  routed(server: PoolServer): RoutedServer {
    if (server.central) {
      const { db, adminUrl, endpoint } = this.central;
      return {
        server,
        db,
        access: this.centralAccess,
        adminUrl,
        endpoint: {
          ...endpoint,
          host: server.publicHost ?? endpoint.host,
          port: server.publicPort ?? endpoint.port,
        },
      };
    }
    const access = serverAccess(server.adminUrl!, server.caCert);
    return {
      server,
      db: this.poolFor(server, access),
      access,
      adminUrl: access.url,
      endpoint: {
        host: server.publicHost ?? access.host,
        port: server.publicPort ?? access.port,
        ...memberTls(server, this.central.endpoint),
      },
    };
  }

  /**
   * Measures a server for placement: its bytes (the sampler's recorded sizes
   * where it has them: provisioning.recorded_size), and which placed databases
   * it no longer holds (dropped there), whose placements then go.
   */
  async measure(routed: RoutedServer): Promise<{ bytes: number; databases: number }> {
    const [usage] = await query<{ bytes: number; live: string[] }>(
      routed.db,
      `SELECT coalesce((SELECT sum(provisioning.recorded_size(d.datname, d.oid)) FROM pg_database d),
                       0)::float8 AS bytes,
              coalesce((SELECT array_agg(db_name) FROM provisioning.databases WHERE status <> 'dropped'),
                       '{}') AS live`,
    );
    const live = new Set(usage!.live);
    const placed = await query<{ db_name: string }>(
      this.central.db,
      `SELECT db_name FROM provisioning.placements WHERE server_name = $1`,
      [routed.server.name],
    );
    const gone = placed.map((p) => p.db_name).filter((name) => !live.has(name));
    await recordServerUsage(this.central.db, routed.server.name, { bytes: usage!.bytes, gone });
    return { bytes: usage!.bytes, databases: live.size };
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.end()));
  }

  /**
   * Where `database` lives, placed first when new. A new placement's server is
   * probed at once: when it cannot be reached it is recorded so (placement
   * then skips it), the placement is let go and the database placed again,
   * until a server answers (next to its seed or nowhere, for a copy).
   */
  private async place(
    database: string,
    seed: string | null | undefined,
  ): Promise<{ routed: RoutedServer; placed: boolean }> {
    const tried = new Set<string>();
    for (;;) {
      const { server, placed } = await claimPlacement(this.central.db, database, seed);
      const routed = this.routed(await getServer(this.central.db, server));
      if (routed.server.central) return { routed, placed };
      try {
        await this.probe(routed, { fresh: placed });
        return { routed, placed };
      } catch (error) {
        if (!placed) throw error;
        await releasePlacement(this.central.db, database, server);
        if (seed || tried.has(server) || !isUnreachable(error, routed.server)) throw error;
        tried.add(server);
      }
    }
  }

  /**
   * After a failed create: the placement goes unless its server holds the
   * database (asked under the database's lock, so a create of it under way
   * there is waited for). A server that cannot be asked holds nothing this
   * call made: the probe had reached it just before.
   */
  private async releaseUnlessHeld(routed: RoutedServer, database: string): Promise<void> {
    const holds = await holdsDatabase(routed.db, database).catch(() => false);
    if (!holds) {
      await releasePlacement(this.central.db, database, routed.server.name).catch(() => false);
    }
  }

  private async probeNow(server: PoolServer): Promise<void> {
    if (server.central) {
      await ping(this.central.db);
    } else {
      try {
        await pingOnce(serverAccess(server.adminUrl!, server.caCert).pgConfig());
      } catch (error) {
        this.reached.delete(server.name);
        const unreachable = unreachableServer(server, error);
        await this.recordUnreachable(unreachable);
        throw new ServerUnreachableError(unreachable, codeOf(error));
      }
      this.reached.add(server.name);
    }
    await recordServerHealth(this.central.db, server.name, null);
  }

  /** The registry's record is secondary: the error says it all if it cannot be written. */
  private async recordUnreachable(unreachable: UnreachableServer): Promise<void> {
    await recordServerHealth(this.central.db, unreachable.server, unreachable.reason).catch(
      () => undefined,
    );
  }

  private poolFor(server: PoolServer, access: ServerAccess): pg.Pool {
    let pool = this.pools.get(server.name);
    if (!pool) {
      pool = new pg.Pool({
        ...access.pgConfig(),
        max: this.poolMax,
        connectionTimeoutMillis: 15_000,
        application_name: 'devdb-router',
      });
      pool.on('error', () => undefined); // an idle client's failure shows on the next query
      pool = this.naming(server, pool);
      this.pools.set(server.name, pool);
    }
    return pool;
  }

  /** `pool`, whose lost connections (and those of its clients) throw ServerUnreachableError. */
  private naming(server: PoolServer, pool: pg.Pool): pg.Pool {
    const rename = (error: unknown): unknown => {
      if (!isLostConnection(error)) return error;
      this.reached.delete(server.name);
      return new ServerUnreachableError(unreachableServer(server, error), codeOf(error));
    };
    const renaming = <O extends object>(
      target: O,
      wrap: (name: PropertyKey, value: unknown) => unknown,
    ) =>
      new Proxy(target, {
        get(object, name) {
          const value: unknown = Reflect.get(object, name, object);
          if (typeof value !== 'function') return value;
          return wrap(name, value.bind(object)) ?? value.bind(object);
        },
      });
    const settle = (result: unknown, then?: (value: unknown) => unknown): unknown =>
      result instanceof Promise
        ? result.then(then, (error: unknown) => {
            throw rename(error);
          })
        : result;
    const client = (target: pg.PoolClient): pg.PoolClient =>
      renaming(target, (name, bound) =>
        name === 'query'
          ? (...args: unknown[]) => settle((bound as (...a: unknown[]) => unknown)(...args))
          : undefined,
      );
    return renaming(pool, (name, bound) => {
      const call = bound as (...a: unknown[]) => unknown;
      if (name === 'query') return (...args: unknown[]) => settle(call(...args));
      if (name === 'connect') {
        return (...args: unknown[]) => settle(call(...args), (c) => client(c as pg.PoolClient));
      }
      return undefined;
    });
  }
}

/** A probe: a connection of its own, `SELECT 1`, closed again; short timeouts throughout. */
async function pingOnce(connection: pg.ClientConfig): Promise<void> {
  const client = new pg.Client({
    ...connection,
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
    query_timeout: PROBE_TIMEOUT_MS,
    application_name: 'devdb-probe',
  });
  client.on('error', () => undefined); // a failure shows in connect or query
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

function unreachableServer(server: PoolServer, error: unknown): UnreachableServer {
  return {
    server: server.name,
    address: hostPortOf(server.adminUrl!),
    reason: connectionFailure(error),
  };
}

const codeOf = (error: unknown): string | undefined => (error as { code?: string })?.code;

/**
 * The connection failed or was lost (refused, timed out, terminated, the server
 * shutting down or refusing the login): not an error a statement raised on a
 * live session (a dblink failure inside a function is SQLSTATE 08… too, at ERROR).
 */
function isLostConnection(error: unknown): boolean {
  const severity = (error as { severity?: string })?.severity;
  if (/Client has encountered a connection error/.test(String(error))) return true;
  return isConnectionError(error) && (severity === undefined || severity === 'FATAL');
}

/** `error` says `server` could not be reached. */
function isUnreachable(error: unknown, server: PoolServer): error is ServerUnreachableError {
  return error instanceof ServerUnreachableError && error.unreachable.server === server.name;
}

/** Runs `fn` with a router over `central`; the pools it opened are closed afterwards. */
export async function withServerRouter<T>(
  central: CentralServer,
  fn: (router: ServerRouter) => Promise<T>,
): Promise<T> {
  const router = new ServerRouter(central);
  try {
    return await fn(router);
  } finally {
    await router.close();
  }
}

/**
 * How workspaces secure their connections to a member (docs/servers.md, "TLS"):
 * verify-full with its own CA when the pool knows one; without, the central
 * endpoint's sslmode, unless that is a verification against the central CA,
 * which the member's certificate would fail.
 */
function memberTls(server: PoolServer, central: ServerEndpoint): Partial<ServerEndpoint> {
  if (server.caCert) return { sslmode: 'verify-full', caCert: server.caCert };
  return central.caCert ? {} : { sslmode: central.sslmode };
}

/**
 * attachWorkspace on the server that holds (or, new, will hold) the database:
 * placed first on a server that answers; when the attach fails there and the
 * server does not hold the database, the placement goes again (withPlaced).
 */
export async function attachPlaced(router: ServerRouter, input: AttachInput): Promise<Attachment> {
  const database = attachedDatabaseName(input);
  const seed = optionalSeedName(input.seedFrom);
  return router.withPlaced(database, { seed }, (routed) =>
    attachWorkspace(routed.db, routed.endpoint, input),
  );
}
