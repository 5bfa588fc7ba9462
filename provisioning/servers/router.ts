/**
 * Every operation on a database goes to the server that holds it
 * (docs/servers.md): the router asks the central registry where a database is
 * (placing a new one), and hands back a pool on that server and the address
 * workspaces use there. One pool per server, opened on first use.
 */
import pg from 'pg';
import {
  attachedDatabaseName,
  attachWorkspace,
  type AttachInput,
  type Attachment,
} from '../databases/index.js';
import type { ServerEndpoint } from '../contract/index.js';
import { query, serverAccess, type ServerAccess } from '../schema/index.js';
import { optionalSeedName } from '../contract/index.js';
import {
  listServers,
  getServer,
  placeDatabase,
  recordServerUsage,
  serverOf,
  type PoolServer,
} from './servers.js';

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
  /** How DevDB reaches the central server (schema/reach.ts). */
  readonly centralAccess: ServerAccess;

  constructor(
    readonly central: CentralServer,
    private readonly poolMax = 4,
  ) {
    this.centralAccess = serverAccess(central.adminUrl);
  }

  /** The server holding `database`; `place` puts a new one on the least-loaded server first. */
  async forDatabase(
    database: string,
    options: { place?: boolean; seed?: string | null } = {},
  ): Promise<RoutedServer> {
    const name = options.place
      ? await placeDatabase(this.central.db, database, options.seed)
      : await serverOf(this.central.db, database);
    return this.forServer(name);
  }

  /** Every server of the pool, the central one first. */
  async all(): Promise<RoutedServer[]> {
    return (await listServers(this.central.db)).map((server) => this.routed(server));
  }

  async forServer(name: string): Promise<RoutedServer> {
    return this.routed(await getServer(this.central.db, name));
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
      this.pools.set(server.name, pool);
    }
    return pool;
  }
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
 * placed first, so a re-run after a failure goes to the same server.
 */
export async function attachPlaced(router: ServerRouter, input: AttachInput): Promise<Attachment> {
  const database = attachedDatabaseName(input);
  const seed = optionalSeedName(input.seedFrom);
  const routed = await router.forDatabase(database, { place: true, seed });
  return attachWorkspace(routed.db, routed.endpoint, input);
}
