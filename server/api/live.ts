/**
 * The dashboard's live feed (docs/api.md, "Dashboard"): `GET /api/v1/live`
 * upgrades to a WebSocket (viewer or admin, by the session cookie or a bearer
 * token). The server reads PostgreSQL once per tick — the summary, the first
 * page of databases with their connections, the newest events, on every server
 * of the pool (server/api/pool.ts) — serializes that snapshot once and sends
 * the same text to every connected browser. The
 * ticks run only while at least one client is connected, so browsers cause no
 * queries beyond their own actions, and 50 open dashboards cost what one does.
 * A tick that finds nothing changed sends nothing.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import {
  listApiTokens,
  listEvents,
  searchDatabases,
  sessionCounts,
  type Queryable,
  type ServerRouter,
} from '../../provisioning/index.js';
import { newestFirst, summarizeWithUsers } from '../pool-reads.js';
import type { ControlPlaneOptions } from './context.js';
import { eachServer, poolSummary, tagged, type PoolRead } from './pool.js';
import { databaseOrder } from './routes/databases.js';

/** Default period between two snapshots. */
export const LIVE_INTERVAL_MS = 2000;
/** Databases in a snapshot (by name); the list page says when there are more. */
export const LIVE_DATABASE_LIMIT = 500;
/** Newest events in a snapshot. */
export const LIVE_EVENT_LIMIT = 20;

/** What the feed sends to one client. */
export interface LiveClient {
  send(data: string): void;
  /** The API token it authenticated with (directly or through its session). */
  tokenName?: string;
  /** Ends the client (its token was revoked, or it has been open too long). */
  close?(code: number, reason: string): void;
}

export interface LiveFeedStats {
  /** Snapshots built since the feed started. */
  ticks: number;
  /** Statements sent to PostgreSQL by all ticks. */
  queries: number;
  /** Statements of the latest tick. */
  lastTickQueries: number;
  /** Milliseconds the latest tick took (reading, serializing, sending). */
  lastTickMs: number;
  /** Clients the latest tick was sent to (0 when nothing had changed). */
  lastTickClients: number;
  /** Length of the latest tick's message (characters of JSON; 0 when nothing was sent). */
  lastTickBytes: number;
  /** Ticks that found nothing changed, and so sent nothing. */
  unchanged: number;
}

export interface LiveFeedOptions {
  /** The central server. */
  pool: Queryable;
  /** Every server of the pool; absent: the central server alone. */
  router?: ServerRouter;
  intervalMs?: number;
  databaseLimit?: number;
  /**
   * A client is closed after this long (default 10 minutes); the page reconnects,
   * which authenticates it again (a session that ended or was logged out stops).
   */
  maxClientAgeMs?: number;
  /** Where a failed tick is reported (the next tick tries again). */
  onError?: (error: unknown) => void;
}

/** The feed: one reader, many clients. */
export class LiveFeed {
  readonly stats: LiveFeedStats = {
    ticks: 0,
    queries: 0,
    lastTickQueries: 0,
    lastTickMs: 0,
    lastTickClients: 0,
    lastTickBytes: 0,
    unchanged: 0,
  };
  /** Each client with when it joined. */
  private readonly clients = new Map<LiveClient, number>();
  private readonly intervalMs: number;
  private readonly databaseLimit: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<string | null> | undefined;
  private latest: string | undefined;
  private latestContent: string | undefined;
  private closed = false;

  constructor(private readonly options: LiveFeedOptions) {
    this.intervalMs = options.intervalMs ?? LIVE_INTERVAL_MS;
    this.databaseLimit = options.databaseLimit ?? LIVE_DATABASE_LIMIT;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * Adds a client: it gets the latest snapshot at once (or the next one), then
   * every tick's. The returned function removes it; the ticks stop with the last.
   */
  join(client: LiveClient): () => void {
    this.clients.set(client, Date.now());
    if (this.latest !== undefined) this.deliver(client, this.latest);
    if (!this.timer && !this.closed) {
      // The first client starts the ticks, with one right away.
      void this.tick();
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.stopTicking();
    };
  }

  /**
   * One tick: read once, send the same text to every client (unless nothing
   * changed since the last message). A tick asked for while one runs joins it
   * (no second read). Returns the latest message, or null when there was nobody
   * to send it to or the read failed.
   */
  tick(): Promise<string | null> {
    this.running ??= this.readAndSend().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  close(): void {
    this.closed = true;
    this.stopTicking();
    this.clients.clear();
  }

  private stopTicking(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.latest = undefined;
    this.latestContent = undefined;
  }

  private async readAndSend(): Promise<string | null> {
    if (this.clients.size === 0) return null;
    const started = performance.now();
    let queries = 0;
    const counted = (db: Queryable): Queryable => ({
      query: ((...args: Parameters<Queryable['query']>) => {
        queries++;
        return (db.query as (...a: unknown[]) => unknown)(...args);
      }) as Queryable['query'],
    });
    let content: string;
    try {
      const [read, tokens] = await Promise.all([
        this.readServers(counted, () => queries++),
        // One statement for every client: whose token is still valid.
        listApiTokens(counted(this.options.pool)),
      ]);
      this.dropEnded(new Set(tokens.filter((t) => !t.revokedAt).map((t) => t.name)));
      const part = <T>(of: (r: ServerRead) => T) => ({
        ...read,
        results: read.results.map(({ server, result }) => ({ server, result: of(result) })),
      });
      const connections = new Map(
        read.results.flatMap(({ server, result }) =>
          [...result.connections].map(([name, n]) => [`${server}/${name}`, n] as const),
        ),
      );
      const databases = tagged(part((r) => r.databases.items))
        .sort(databaseOrder('name', 'asc'))
        .slice(0, this.databaseLimit);
      content = JSON.stringify({
        summary: poolSummary(part((r) => r.summary)),
        databases: {
          total: read.results.reduce((n, { result }) => n + result.databases.total, 0),
          limit: this.databaseLimit,
          items: databases.map((d) => ({
            ...d,
            connections: connections.get(`${d.server}/${d.name}`) ?? 0,
          })),
        },
        events: newestFirst(
          read.results.map(({ server, result }) => result.events.map((e) => ({ ...e, server }))),
        ).slice(0, LIVE_EVENT_LIMIT),
      });
    } catch (error) {
      this.stats.queries += queries;
      this.options.onError?.(error);
      return null;
    }
    // The last client left while the pool was read: nobody to send it to, no tick.
    if (this.clients.size === 0) {
      this.stats.queries += queries;
      return null;
    }
    this.stats.ticks++;
    this.stats.queries += queries;
    this.stats.lastTickQueries = queries;
    // Nothing changed since the last message: nothing is sent.
    const changed = content !== this.latestContent;
    if (changed) {
      this.latestContent = content;
      this.latest = `{"type":"snapshot","at":${JSON.stringify(new Date().toISOString())},${content.slice(1)}`;
      for (const client of this.clients.keys()) this.deliver(client, this.latest);
    } else {
      this.stats.unchanged++;
    }
    this.stats.lastTickClients = changed ? this.clients.size : 0;
    this.stats.lastTickBytes = changed ? this.latest!.length : 0;
    this.stats.lastTickMs = performance.now() - started;
    return this.latest ?? null;
  }

  /** What a tick reads of each server (of the central one alone without a router). */
  private async readServers(
    counted: (db: Queryable) => Queryable,
    listed: () => void,
  ): Promise<PoolRead<ServerRead>> {
    const read = (db: Queryable) => readServer(counted(db), this.databaseLimit);
    if (!this.options.router) {
      return {
        results: [{ server: 'central', result: await read(this.options.pool) }],
        unreachable: [],
      };
    }
    listed(); // router.all(): one statement
    return eachServer(this.options.router, ({ db }) => read(db));
  }

  /** Closes the clients whose token was revoked, and those open longer than the maximum age. */
  private dropEnded(validTokens: Set<string>): void {
    const oldest = Date.now() - (this.options.maxClientAgeMs ?? 10 * 60_000);
    for (const [client, joinedAt] of this.clients) {
      const revoked = client.tokenName !== undefined && !validTokens.has(client.tokenName);
      if (!revoked && joinedAt >= oldest) continue;
      this.clients.delete(client);
      client.close?.(revoked ? 4401 : 4000, revoked ? 'token revoked: log in again' : 'reconnect');
    }
  }

  private deliver(client: LiveClient, message: string): void {
    try {
      client.send(message);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}

/** One server's part of a snapshot. */
async function readServer(db: Queryable, databaseLimit: number) {
  const [summary, databases, connections, events] = await Promise.all([
    summarizeWithUsers(db),
    searchDatabases(db, { sort: 'name', limit: databaseLimit, offset: 0 }),
    sessionCounts(db),
    listEvents(db, { limit: LIVE_EVENT_LIMIT }),
  ]);
  return { summary, databases, connections, events };
}
type ServerRead = Awaited<ReturnType<typeof readServer>>;

/** A browser's Origin must be this server (a page elsewhere cannot read the feed). */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return true; // not a browser
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The dashboard's live feed (server/api/live.ts). */
    liveFeed: LiveFeed;
  }
}

/** GET /api/v1/live (WebSocket). Needs @fastify/websocket registered first. */
export function liveRoutes(
  app: FastifyInstance,
  options: ControlPlaneOptions,
  router: ServerRouter,
): void {
  const feed = new LiveFeed({
    pool: options.pool,
    router,
    intervalMs: options.liveIntervalMs,
    maxClientAgeMs: options.liveMaxClientAgeMs,
    databaseLimit: options.liveDatabaseLimit,
    onError: (error) => app.log.error({ err: error }, 'live feed tick failed'),
  });
  app.decorate('liveFeed', feed);
  app.addHook('onClose', async () => feed.close());
  app.route({
    method: 'GET',
    url: '/api/v1/live',
    websocket: true,
    config: { access: 'read' },
    schema: { hide: true },
    handler(socket: WebSocket, request) {
      if (!sameOrigin(request)) {
        socket.close(1008, 'cross-origin');
        return;
      }
      const client: LiveClient = {
        tokenName: request.principal?.name,
        send: (data) => {
          if (socket.readyState === socket.OPEN) socket.send(data);
        },
        close: (code, reason) => socket.close(code, reason),
      };
      const leave = feed.join(client);
      socket.on('close', leave);
      socket.on('error', leave);
      // The feed is one-way: anything a client sends is ignored.
    },
  });
}
