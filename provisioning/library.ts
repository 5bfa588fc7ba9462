/**
 * DevDB as a typed library (docs/architecture.md, docs/library.md): `openDevDb` gives
 * every provisioning operation bound to its own pool, plus health, stats,
 * transactions and a bounded close.
 */
import pg from 'pg';
import { boundOperations, type DevDbOperations } from './api.js';
import type { ServerEndpoint } from './contract/index.js';
import { adminUrlFor, readCredentials, serverAccess, type ServerAccess } from './schema/index.js';
import { query, queryOne, type Queryable } from './schema/index.js';
import { DATABASE_STATUSES, type DatabaseStatus } from './contract/index.js';
import { ProvisioningError } from './contract/index.js';
import { migrationStatus } from './schema/index.js';

/** Passed to pg.Pool as they are (see node-postgres' pool options). */
export interface PoolLimits {
  min?: number;
  /** Default 10. */
  max?: number;
  /** How long a client may sit idle before it is closed; default 10 000. */
  idleTimeoutMillis?: number;
  /** How long to wait for a connection (a new one, or a free one from a full pool); default 10 000. */
  connectionTimeoutMillis?: number;
}

/** Time as the library sees it: injectable so tests never sleep. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; must not keep the process alive on its own. */
  delay(ms: number): Promise<void>;
}

export type OpenDevDbOptions = (
  | { /** postgresql:// URL of the `devdb` database, as the provisioner. */ adminUrl: string }
  | { /** A `devdb up` data directory: its credentials.json says where and who. */ dataDir: string }
) & {
  pool?: PoolLimits;
  /** Where workspaces reach the server, when not at the admin URL's host, port and sslmode. */
  endpoint?: { host?: string; port?: number; sslmode?: string };
  clock?: Clock;
};

export interface Health {
  /** PostgreSQL's server_version. */
  serverVersion: string;
  /** One round trip (`SHOW server_version`) on a pooled connection. */
  latencyMs: number;
  /** Counted while health holds one connection of its own. */
  pool: { total: number; idle: number; waiting: number };
  migrations: {
    /** Every migration this DevDB ships is applied, and none changed. */
    current: boolean;
    applied: number;
    pending: number;
    /** Why the ledger cannot be trusted (a changed or unknown migration), if so. */
    problem?: string;
  };
}

export interface Stats {
  /** DevDB's databases by provisioning.databases.status. */
  databases: Record<DatabaseStatus, number>;
  /** pg_database_size of every DevDB database present under its name (archived ones are renamed). */
  totalSizeBytes: number;
  connections: {
    /** Client connections to the server, DevDB's own included. */
    server: number;
    /** Client connections to DevDB's active databases (workspaces, mostly). */
    databases: number;
  };
}

export interface DevDb extends DevDbOperations {
  /** Where workspaces connect: the host and port in connection info. */
  readonly endpoint: ServerEndpoint;
  health(): Promise<Health>;
  stats(): Promise<Stats>;
  /**
   * Runs fn with operations bound to one client inside BEGIN … COMMIT; rolls back
   * and rethrows when fn throws. See docs/library.md for what a rollback cannot undo.
   */
  transaction<T>(fn: (tx: DevDbOperations) => Promise<T>): Promise<T>;
  /**
   * Refuses new work, waits up to timeoutMs (default 10 000) for work in flight,
   * then terminates what is still running and ends the pool.
   */
  close(options?: { timeoutMs?: number }): Promise<{ drained: boolean }>;
}

const systemClock: Clock = {
  now: () => performance.now(),
  delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

async function resolveAdminUrl(options: OpenDevDbOptions): Promise<string> {
  if ('adminUrl' in options) return options.adminUrl;
  const credentials = await readCredentials(options.dataDir);
  if (!credentials) {
    throw new ProvisioningError(
      `no DevDB credentials in ${options.dataDir}: start a server there with \`devdb up\``,
    );
  }
  return adminUrlFor(credentials);
}

/** Opens a pool (lazily: the first call connects) and returns the library's API over it. */
export async function openDevDb(options: OpenDevDbOptions): Promise<DevDb> {
  const access = serverAccess(await resolveAdminUrl(options));
  const endpoint = access.workspaceEndpoint(options.endpoint);
  const clock = options.clock ?? systemClock;
  const pool = new pg.Pool({
    ...access.pgConfig(),
    max: 10,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 10_000,
    ...options.pool,
  });
  pool.on('error', () => undefined); // an idle client's error surfaces on the next query
  const inFlight = new InFlight();
  const checkedOut = trackCheckedOut(pool);
  return {
    ...boundOperations(pool, endpoint, (work) => inFlight.run(work)),
    endpoint,
    health: () => inFlight.run(() => health(pool, clock)),
    stats: () => inFlight.run(() => stats(pool)),
    transaction: (fn) => inFlight.run(() => transaction(pool, endpoint, fn)),
    async close({ timeoutMs = 10_000 } = {}) {
      inFlight.closing = true;
      const drained = await Promise.race([
        inFlight.settled().then(() => true),
        clock.delay(timeoutMs).then(() => false),
      ]);
      if (!drained) await terminate(access, [...checkedOut]);
      await pool.end();
      return { drained };
    },
  };
}

/** The library's calls still running, so close can wait for them. */
class InFlight {
  closing = false;
  private readonly pending = new Set<Promise<unknown>>();

  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new ProvisioningError('the DevDB library is closed'));
    const promise = (async () => work())();
    this.pending.add(promise);
    const forget = () => this.pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

function trackCheckedOut(pool: pg.Pool): Set<pg.PoolClient> {
  const clients = new Set<pg.PoolClient>();
  pool.on('acquire', (client) => clients.add(client));
  pool.on('release', (_error, client) => clients.delete(client));
  pool.on('remove', (client) => clients.delete(client as pg.PoolClient));
  return clients;
}

/**
 * Ends the server sessions of clients still in use after the close bound: their
 * queries fail at once (a socket closed from our side would leave the server
 * running them), and the pool can end.
 */
async function terminate(access: ServerAccess, clients: pg.PoolClient[]): Promise<void> {
  const pids = clients.map((c) => (c as pg.PoolClient & { processID: number }).processID);
  if (pids.length === 0) return;
  const ended = clients.map((c) => new Promise((resolve) => c.once('end', resolve)));
  const killer = new pg.Client({ ...access.pgConfig(), connectionTimeoutMillis: 5_000 });
  try {
    await killer.connect();
    await killer.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
  } finally {
    await killer.end().catch(() => undefined);
  }
  await Promise.all(ended);
}

async function health(pool: pg.Pool, clock: Clock): Promise<Health> {
  const client = await pool.connect();
  try {
    const started = clock.now();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    const latencyMs = clock.now() - started;
    return {
      serverVersion: rows[0]!.server_version,
      latencyMs,
      pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
      migrations: await migrationsHealth(client),
    };
  } finally {
    client.release();
  }
}

async function migrationsHealth(client: pg.ClientBase): Promise<Health['migrations']> {
  try {
    // Both kinds count: a repeatable file changed since it was applied is pending too.
    const { numbered, repeatable } = await migrationStatus(client);
    const states = [...numbered, ...repeatable];
    const pending = states.filter((m) => m.state !== 'applied').length;
    return { current: pending === 0, applied: states.length - pending, pending };
  } catch (error) {
    // A changed or unknown applied migration: the schema is not what this DevDB expects.
    return { current: false, applied: 0, pending: 0, problem: (error as Error).message };
  }
}

async function stats(pool: pg.Pool): Promise<Stats> {
  const byStatus = await query<{ status: DatabaseStatus; n: number; size: number }>(
    pool,
    `SELECT status, count(*)::int AS n, coalesce(sum(size_bytes), 0)::float8 AS size
       FROM provisioning.database_summary GROUP BY status`,
  );
  const connections = await queryOne<Stats['connections']>(
    pool,
    `SELECT count(*)::int AS server,
            count(*) FILTER (WHERE datname IN (SELECT db_name FROM provisioning.databases
                                                WHERE status = 'active'))::int AS databases
       FROM pg_stat_activity WHERE backend_type = 'client backend'`,
  );
  const databases = Object.fromEntries(DATABASE_STATUSES.map((s) => [s, 0])) as Stats['databases'];
  for (const row of byStatus) databases[row.status] = row.n;
  return {
    databases,
    totalSizeBytes: byStatus.reduce((sum, row) => sum + row.size, 0),
    connections,
  };
}

async function transaction<T>(
  pool: pg.Pool,
  endpoint: ServerEndpoint,
  fn: (tx: DevDbOperations) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let open = true;
  // Operations kept past the callback must not run on a client given back to the pool.
  const guarded: Queryable = {
    query: ((...args: Parameters<Queryable['query']>) => {
      if (!open)
        throw new ProvisioningError('the transaction is over: use the api openDevDb returned');
      return (client.query as (...a: unknown[]) => unknown)(...args);
    }) as Queryable['query'],
  };
  try {
    await query(client, 'BEGIN');
    const result = await fn(boundOperations(guarded, endpoint));
    await query(client, 'COMMIT');
    open = false;
    client.release();
    return result;
  } catch (error) {
    open = false;
    await client.query('ROLLBACK').then(
      () => client.release(),
      (rollbackError: Error) => client.release(rollbackError), // a broken client is discarded
    );
    throw error;
  }
}
