/**
 * The control plane over the server pool (docs/servers.md, docs/api.md): one
 * router, made from the control plane's options as the CLI's is from its flags,
 * sends each database's operations to the server that holds it (placing a new
 * one first); a list reads every server. `eachServer` is the API's one "read
 * every server": a member that cannot be reached is reported, not fatal;
 * `everyServer` writes what every server keeps alike (settings).
 */
import {
  describeUnreachable,
  explainConnectionError,
  isConnectionError,
  ProvisioningError,
  ServerRouter,
  ServerUnreachableError,
  workspaceEndpoint,
  type RoutedServer,
} from '../../provisioning/index.js';
import { addUpSummaries, rowsOf, type ServerSummary } from '../pool-reads.js';
import type { ControlPlaneOptions } from './context.js';

/** A server of the pool a read could not reach, and why (host:port, never a password). */
export interface Unreachable {
  server: string;
  reason: string;
}

/** What a read over the pool got: each server's result, central first, and who did not answer. */
export interface PoolRead<T> {
  results: { server: string; result: T }[];
  unreachable: Unreachable[];
}

/** The router of a control plane; the app closes it (index.ts). */
export function controlPlaneRouter(options: ControlPlaneOptions): ServerRouter {
  return new ServerRouter({
    db: options.pool,
    adminUrl: options.adminUrl,
    endpoint: options.endpoint ?? workspaceEndpoint(options.adminUrl),
  });
}

/**
 * Runs `read` on every server of the pool at once (or on those `only` keeps),
 * telling it how many servers are read: the router's `each` (probing members
 * first). A member that cannot be reached is in `unreachable`, in the router's
 * words, and the rest answer; the central server failing fails the request (it
 * holds the pool's registry).
 */
export async function eachServer<T>(
  router: ServerRouter,
  read: (routed: RoutedServer, servers: number) => Promise<T>,
  only?: (server: string) => boolean,
): Promise<PoolRead<T>> {
  const { results, unreachable } = await router.each(read, { only, parallel: true });
  return {
    results,
    unreachable: unreachable.map((u) => ({ server: u.server, reason: describeUnreachable(u) })),
  };
}

/** The router's words for a member it lost (`pg-b (host:port) unreachable: …`), as the CLI says them. */
function unreachableReason(error: unknown, routed: RoutedServer): string {
  return error instanceof ServerUnreachableError
    ? describeUnreachable(error.unreachable)
    : explainConnectionError(error, routed.adminUrl);
}

/**
 * Runs `write` on every server of the pool, the central one first, one after
 * the other (a change of what every server keeps alike). Any failure fails the
 * request, a member that cannot be reached with what to do; the change is
 * idempotent, so running it again converges.
 */
export async function everyServer(
  router: ServerRouter,
  write: (routed: RoutedServer) => Promise<void>,
): Promise<void> {
  for (const routed of await router.all()) {
    await write(routed).catch((error: unknown) => {
      if (routed.server.central || !isConnectionError(error)) throw error;
      throw new ProvisioningError(
        `${unreachableReason(error, routed)}: the change is made on the servers before ${routed.server.name}, not on it and those after`,
        undefined,
        'make it again once the server is back',
      );
    });
  }
}

/** Each server's rows with the server's name on every one. */
export const tagged = <T extends object>(read: PoolRead<T[]>) => rowsOf(read.results);

/** GET /api/v1/summary (and the live feed's): the pool's totals, each server's share, who did not answer. */
export function poolSummary(read: PoolRead<ServerSummary>) {
  return {
    ...addUpSummaries(read.results),
    servers: read.results.map(({ server, result: { summary } }) => ({
      server,
      databases: summary.databases,
      activeAttachments: summary.activeAttachments,
      totalSizeBytes: summary.totalSizeBytes,
    })),
    unreachable: read.unreachable,
  };
}
