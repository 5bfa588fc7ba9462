/**
 * Cleanup over the server pool (docs/operations.md "Cleanup", docs/servers.md),
 * one way for `devdb cleanup` and POST /api/v1/cleanup: each server reached
 * gets its own plan, against its own registry and the workspaces Coder
 * confirmed deleted among its attachments; the plans are shown as one, every
 * action and result naming its server; the real run holds every server's
 * cleanup lock, taken in the pool's order so two cleanups never wait on each
 * other in a cycle, and plans under them (after waiting, what the other left).
 */
import {
  executeCleanupPlan,
  planCleanup,
  withCleanupLock,
  type CleanupAction,
  type CleanupPlan,
  type CleanupResult,
  type ExecuteOptions,
  type RoutedServer,
  type RunLockHolder,
} from '../provisioning/index.js';
import { POLICY_WIRING, type CoderSource } from './policy-wiring.js';

/** An action of the pool's plan: the server it runs on. */
export type PoolCleanupAction = CleanupAction & { server: string };

/** The pool's plan: every server's actions and skips, each naming its server. */
export interface PoolCleanupPlan extends CleanupPlan {
  actions: PoolCleanupAction[];
  skipped: (CleanupPlan['skipped'][number] & { server: string })[];
}

export interface PoolCleanupResult extends CleanupResult {
  action: PoolCleanupAction;
}

type Plans = { server: RoutedServer; plan: CleanupPlan }[];

/** One plan per server, and the pool's plan made of them. */
export async function planAll(
  servers: RoutedServer[],
  coder: CoderSource,
): Promise<{ plans: Plans; plan: PoolCleanupPlan }> {
  const plans: Plans = [];
  for (const server of servers) {
    const deleted = await POLICY_WIRING.deletedWorkspaces(server.db, coder);
    const note = servers.length > 1 ? `${server.server.name}: ${deleted.note}` : deleted.note;
    const options = { deletedWorkspaces: deleted.attachments, coder: note };
    plans.push({ server, plan: await planCleanup(server.db, options) });
  }
  const on = <T>(server: RoutedServer, rows: T[]) =>
    rows.map((row) => ({ ...row, server: server.server.name }));
  return {
    plans,
    plan: {
      now: plans[0]!.plan.now,
      actions: plans.flatMap((p) => on(p.server, p.plan.actions)),
      skipped: plans.flatMap((p) => on(p.server, p.plan.skipped)),
      coder: plans.map((p) => p.plan.coder).join('\n'),
    },
  };
}

export interface PoolLockOptions {
  /** false: refuse (RunLockBusyError) when another cleanup holds a lock. */
  wait: boolean;
  /** Who holds it, as other runs are told. */
  what?: string;
  /** Another cleanup holds `server`'s lock and this one waits. */
  onWait?: (holder: RunLockHolder | null, server: RoutedServer) => void;
  /** The lock waited for is now held. */
  onResume?: () => void;
}

/** Runs `fn` holding the cleanup lock of every server, in the pool's order. */
export async function withEveryCleanupLock<T>(
  servers: RoutedServer[],
  lock: PoolLockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const [first, ...rest] = servers;
  if (!first) return fn();
  let waited = false;
  const onWait = (holder: RunLockHolder | null) => {
    waited = true;
    lock.onWait?.(holder, first);
  };
  return withCleanupLock(first.db, { wait: lock.wait, what: lock.what, onWait }, () => {
    if (waited) lock.onResume?.();
    return withEveryCleanupLock(rest, lock, fn);
  });
}

export interface PoolCleanupOptions extends PoolLockOptions {
  actor: string;
  env: NodeJS.ProcessEnv;
  /** Asked with the plan before anything changes (the CLI's question); throws to refuse. */
  confirm?: (plan: PoolCleanupPlan) => Promise<void>;
  onProgress?: ExecuteOptions['onProgress'];
}

/** The real run over `servers`: planned under every lock, then each server's plan executed. */
export function cleanUpPool(
  servers: RoutedServer[],
  coder: CoderSource,
  options: PoolCleanupOptions,
): Promise<{ plan: PoolCleanupPlan; results: PoolCleanupResult[] }> {
  return withEveryCleanupLock(servers, options, async () => {
    const { plans, plan } = await planAll(servers, coder);
    if (plan.actions.length === 0) return { plan, results: [] };
    await options.confirm?.(plan);
    const results: PoolCleanupResult[] = [];
    for (const { server, plan: own } of plans) {
      const { db, adminUrl } = server;
      const done = await executeCleanupPlan(db, own, {
        dropDatabase: POLICY_WIRING.dropDatabase({ db, adminUrl, env: options.env }),
        actor: options.actor,
        onProgress: options.onProgress,
      });
      for (const result of done) {
        results.push({ ...result, action: { ...result.action, server: server.server.name } });
      }
    }
    return { plan, results };
  });
}
