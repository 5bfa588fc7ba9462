/**
 * `devdb cleanup` (docs/operations.md, "Cleanup"): one plan, computed from the
 * policy's states, that the dry run prints and the real run executes — its
 * actions and nothing else, in order: detach workspaces Coder confirmed
 * deleted, archive eligible databases, drop archived ones past the retention.
 *
 * Each action is one atomic, idempotent step that checks its reason again
 * under the database's lock (a database protected or used since the plan is
 * skipped), so a run that dies midway leaves nothing half-done and a re-run
 * plans what is left. Drops go through the injected `dropDatabase` (the final
 * verified backup, then the drop); this module never drops by itself. The time
 * is the server's (provisioning._now()): no caller's clock decides what is due.
 */
import { query, queryOne, serverNow, type Queryable } from '../schema/index.js';
import type { CleanupActionKind } from '../contract/index.js';
import {
  policyStates,
  readPolicySettings,
  type PolicySettings,
  type PolicyStateRow,
} from './policy.js';

export interface CleanupAction {
  kind: CleanupActionKind;
  database: string;
  /** The workspace of a detach. */
  workspaceId?: string;
  /** Why, in words: `no access for 95 days (eligible at 90)`. */
  reason: string;
}

/** Something the policy would act on but cleanup leaves alone, and why. */
export interface CleanupSkip {
  database: string;
  workspaceId?: string;
  reason: string;
}

export interface CleanupPlan {
  /** When the plan was made, by the server's clock (shown; decisions are the server's). */
  now: Date;
  actions: CleanupAction[];
  skipped: CleanupSkip[];
  /** What Coder said about deleted workspaces, or why none is detached (null: not told). */
  coder: string | null;
}

/** A live attachment whose workspace Coder confirmed deleted (`devdb orphans`). */
export interface DeletedWorkspaceAttachment {
  database: string;
  workspaceId: string;
}

/**
 * Drops a database after its final verified backup (or, with noBackup, without
 * one, recorded as an event). Must be idempotent and leave the database as it
 * was when it fails.
 */
export type DropDatabase = (
  database: string,
  options: { actor: string; noBackup?: { reason: string } },
) => Promise<{ alreadyDropped?: boolean } | void>;

export interface PlanOptions {
  /** Attachments to detach; default none (without Coder, no workspace is known deleted). */
  deletedWorkspaces?: readonly DeletedWorkspaceAttachment[];
  /** What Coder confirmed, or why nothing is detached, for the plan's `coder` line. */
  coder?: string;
}

export interface CleanupResult {
  action: CleanupAction;
  /** skipped: its reason no longer held when its turn came (nothing changed). */
  outcome: 'done' | 'skipped' | 'failed';
  detail?: string;
}

export interface ExecuteOptions {
  dropDatabase: DropDatabase;
  /** Actor of every event (default 'cleanup'). */
  actor?: string;
  /** Hears of each action before (no result) and after it runs. */
  onProgress?: (step: {
    index: number;
    total: number;
    action: CleanupAction;
    result?: CleanupResult;
  }) => void;
}

export interface CleanupOptions extends PlanOptions, ExecuteOptions {
  /** Plan only: nothing changes. */
  dryRun?: boolean;
}

export interface CleanupRun {
  dryRun: boolean;
  plan: CleanupPlan;
  /** One per action, in the plan's order; empty for a dry run. */
  results: CleanupResult[];
}

const day = (date: Date) => date.toISOString().slice(0, 10);
const key = (database: string, workspaceId: string) => `${database}\u0000${workspaceId}`;

function protectedReason(state: PolicyStateRow): string {
  const until = state.protectedUntil ? ` until ${day(state.protectedUntil)}` : '';
  return `protected${until}${state.protectReason ? `: ${state.protectReason}` : ''}`;
}

/** The detaches: live attachments of deleted workspaces, outside protected databases. */
function planDetaches(
  deleted: readonly DeletedWorkspaceAttachment[],
  live: Set<string>,
  states: Map<string, PolicyStateRow>,
  plan: CleanupPlan,
): void {
  const seen = new Set<string>();
  const sorted = [...deleted].sort(
    (a, b) => a.database.localeCompare(b.database) || a.workspaceId.localeCompare(b.workspaceId),
  );
  for (const { database, workspaceId } of sorted) {
    const id = key(database, workspaceId);
    if (seen.has(id) || !live.has(id)) continue;
    seen.add(id);
    const state = states.get(database);
    if (state?.protected) {
      plan.skipped.push({ database, workspaceId, reason: protectedReason(state) });
    } else {
      plan.actions.push({
        kind: 'detach',
        database,
        workspaceId,
        reason: 'workspace deleted in Coder',
      });
    }
  }
}

/** Archives of eligible databases (with every workspace detached) and drops past retention. */
function planDatabases(
  states: PolicyStateRow[],
  settings: PolicySettings,
  plan: CleanupPlan,
): void {
  const detaching = (database: string) =>
    plan.actions.filter((a) => a.kind === 'detach' && a.database === database).length;
  const archives: CleanupAction[] = [];
  const drops: CleanupAction[] = [];
  for (const state of states) {
    const { database } = state;
    if (state.state === 'eligible') {
      const attached = state.liveAttachments - detaching(database);
      if (attached > 0) {
        plan.skipped.push({
          database,
          reason: `eligible, but ${attached} workspace(s) attached that Coder has not confirmed deleted`,
        });
      } else {
        const reason = `no access for ${state.idleDays} days (eligible at ${settings.eligibleDays})`;
        archives.push({ kind: 'archive', database, reason });
      }
    } else if (state.state === 'protected' && state.timeState === 'eligible') {
      plan.skipped.push({ database, reason: protectedReason(state) });
    } else if (state.state === 'archived' && state.dropDue) {
      const reason = `archived ${state.archivedAt ? day(state.archivedAt) : ''}, kept ${settings.archiveRetentionDays} days`;
      if (state.protected) plan.skipped.push({ database, reason: protectedReason(state) });
      else drops.push({ kind: 'drop', database, reason });
    }
  }
  plan.actions.push(...archives, ...drops);
}

/** What cleanup would do now: the one plan both the dry run and the real run use. */
export async function planCleanup(db: Queryable, options: PlanOptions = {}): Promise<CleanupPlan> {
  const [now, states, settings, live] = await Promise.all([
    serverNow(db),
    policyStates(db),
    readPolicySettings(db),
    query<{ database: string; workspaceId: string }>(
      db,
      `SELECT db_name AS database, workspace_id AS "workspaceId"
         FROM provisioning.attachments WHERE detached_at IS NULL`,
    ),
  ]);
  const plan: CleanupPlan = { now, actions: [], skipped: [], coder: options.coder ?? null };
  planDetaches(
    options.deletedWorkspaces ?? [],
    new Set(live.map((a) => key(a.database, a.workspaceId))),
    new Map(states.map((s) => [s.database, s])),
    plan,
  );
  planDatabases(states, settings, plan);
  return plan;
}

/**
 * 'archived', 'detached' (with what the last detach did to the database, in
 * parentheses) or 'skipped: why', from the guarded SQL steps.
 */
function outcomeOf(action: CleanupAction, said: string): CleanupResult {
  if (said.startsWith('skipped: ')) {
    return { action, outcome: 'skipped', detail: said.slice('skipped: '.length) };
  }
  const detail = said.match(/^detached \((.*)\)$/)?.[1];
  return detail ? { action, outcome: 'done', detail } : { action, outcome: 'done' };
}

/** The drop, after checking again that the database is archived, unprotected and due. */
async function executeDrop(
  db: Queryable,
  action: CleanupAction,
  options: ExecuteOptions,
): Promise<CleanupResult> {
  const [state] = await policyStates(db, { database: action.database });
  if (!state || state.state !== 'archived') {
    return { action, outcome: 'skipped', detail: `now ${state?.state ?? 'unknown'}` };
  }
  if (state.protected) return { action, outcome: 'skipped', detail: protectedReason(state) };
  if (!state.dropDue) return { action, outcome: 'skipped', detail: 'not yet due' };
  const dropped = await options.dropDatabase(action.database, {
    actor: options.actor ?? 'cleanup',
  });
  // Another process (the drops job, `devdb delete --now`) dropped it while this one waited.
  if (dropped?.alreadyDropped) {
    return { action, outcome: 'skipped', detail: 'dropped meanwhile by another process' };
  }
  return { action, outcome: 'done' };
}

/** Runs one action; a failure is its result (the message says why), not an exception. */
export async function executeCleanupAction(
  db: Queryable,
  action: CleanupAction,
  options: ExecuteOptions,
): Promise<CleanupResult> {
  const actor = options.actor ?? 'cleanup';
  try {
    if (action.kind === 'drop') return await executeDrop(db, action, options);
    const row =
      action.kind === 'archive'
        ? await queryOne<{ said: string }>(
            db,
            `SELECT provisioning.cleanup_archive($1, $2) AS said`,
            [action.database, actor],
          )
        : await queryOne<{ said: string }>(
            db,
            `SELECT provisioning.cleanup_detach($1, $2, $3) AS said`,
            [action.database, action.workspaceId, actor],
          );
    return outcomeOf(action, row.said);
  } catch (error) {
    return { action, outcome: 'failed', detail: (error as Error).message };
  }
}

/** Executes a plan's actions in order, and nothing else; records the run as an event. */
export async function executeCleanupPlan(
  db: Queryable,
  plan: CleanupPlan,
  options: ExecuteOptions,
): Promise<CleanupResult[]> {
  const results: CleanupResult[] = [];
  const total = plan.actions.length;
  if (total === 0) return results;
  for (const [index, action] of plan.actions.entries()) {
    options.onProgress?.({ index, total, action });
    const result = await executeCleanupAction(db, action, options);
    results.push(result);
    options.onProgress?.({ index, total, action, result });
  }
  const count = (outcome: CleanupResult['outcome']) =>
    results.filter((r) => r.outcome === outcome).length;
  await query(db, `SELECT provisioning._log($1, 'cleanup.run', NULL, NULL, $2)`, [
    options.actor ?? 'cleanup',
    { actions: total, done: count('done'), skipped: count('skipped'), failed: count('failed') },
  ]);
  return results;
}

/** Plans, then (unless a dry run) executes the plan: what the scheduler's cleanup job calls. */
export async function runCleanup(db: Queryable, options: CleanupOptions): Promise<CleanupRun> {
  const plan = await planCleanup(db, options);
  if (options.dryRun) return { dryRun: true, plan, results: [] };
  return { dryRun: false, plan, results: await executeCleanupPlan(db, plan, options) };
}
