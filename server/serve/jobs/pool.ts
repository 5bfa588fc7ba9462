/**
 * Jobs over the server pool (docs/servers.md): each member is a DevDB server
 * with its own registry, so a job that works through a registry (the sampler,
 * backups, pending drops) runs once per server, as if serve ran there. With
 * only the central server nothing changes. One server failing does not stop
 * the others; the tick fails afterwards, naming each.
 */
import {
  describeUnreachable,
  withServerRouter,
  type ServerRouter,
  type UnreachableServer,
} from '../../../provisioning/index.js';
import { messageOf } from '../log.js';
import type { Job, JobContext } from '../types.js';

/** The routed servers of the pool (the endpoint is not used by jobs). */
const withPool = <T>(ctx: JobContext, fn: (router: ServerRouter) => Promise<T>): Promise<T> =>
  withServerRouter(
    { db: ctx.db, adminUrl: ctx.adminUrl, endpoint: { host: 'localhost', port: 5432 } },
    fn,
  );

export function onEveryServer(job: Job): Job {
  return {
    ...job,
    run: (ctx) =>
      withPool(ctx, async (router) => {
        const servers = await router.all();
        if (servers.length === 1) return job.run(ctx);
        const failed: string[] = [];
        for (const { server, db, adminUrl } of servers) {
          ctx.signal.throwIfAborted();
          const on = server.central
            ? ctx
            : { ...ctx, db, adminUrl, log: ctx.log.child(`${job.name}@${server.name}`) };
          await job.run(on).catch((error: unknown) => {
            if (ctx.signal.aborted) throw error;
            on.log.error(`failed on server ${server.name}: ${messageOf(error)}`, {
              server: server.name,
            });
            failed.push(server.name);
          });
        }
        if (failed.length) throw new Error(`failed on server(s) ${failed.join(', ')}`);
      }),
  };
}

/** One warning per server that could not be reached. */
function warnUnreachable(ctx: JobContext, unreachable: UnreachableServer[]): void {
  for (const server of unreachable) {
    ctx.log.warn(`server ${describeUnreachable(server)}`, {
      server: server.server,
      reason: server.reason,
    });
  }
}

/**
 * Hourly: each server's bytes for placement, and the placements of databases
 * a server no longer holds (dropped there) let go. A server that cannot be
 * reached is skipped; the tick fails afterwards, naming it.
 */
export const serversJob: Job = {
  name: 'servers',
  defaultSchedule: '17 * * * *',
  run: (ctx) =>
    withPool(ctx, async (router) => {
      const { unreachable } = await router.each(async (routed) => {
        ctx.signal.throwIfAborted();
        const usage = await router.measure(routed);
        ctx.log.info(`server ${routed.server.name}: ${usage.databases} databases`, {
          server: routed.server.name,
          bytes: usage.bytes,
          databases: usage.databases,
        });
      });
      warnUnreachable(ctx, unreachable);
      if (unreachable.length) {
        throw new Error(`failed on server(s) ${unreachable.map((u) => u.server).join(', ')}`);
      }
    }),
};

/**
 * Every minute: each server probed (a short `SELECT 1`) and its health
 * recorded in the central registry (last reached, unreachable since, why), so
 * placement skips a server that is down and /metrics, /readyz and `devdb
 * servers list` show it (docs/servers.md, "A server that cannot be reached").
 * A server down is a warning, not a failed tick: the probe did its work.
 */
export const serverHealthJob: Job = {
  name: 'server_health',
  defaultSchedule: '* * * * *',
  run: (ctx) =>
    withPool(ctx, async (router) => {
      const { unreachable } = await router.each(async () => undefined);
      warnUnreachable(ctx, unreachable);
    }),
};
