/**
 * The policy job (docs/operations.md, "The policy job"): every tick, the
 * 30/60/90 policy's state changes are recorded (an event each) and notified
 * (the webhook), each change once; then what the setting policy_auto_action
 * allows is done, as `devdb cleanup` does it:
 *
 * - `notify` (default): nothing more; the log says what cleanup would do.
 * - `archive`: the workspaces Coder confirmed deleted are detached (their
 *   databases follow their on_last_detach) and eligible databases archived.
 * - `archive-and-drop`: archives past their retention are dropped too, each
 *   after a verified final backup.
 *
 * Actions run under the cleanup lock (one cleanup at a time, with `devdb
 * cleanup` and the API): when another holds it, this tick's actions are left
 * to the next tick. The time is the server's (provisioning._now()).
 */
import {
  describeHolder,
  evaluatePolicy,
  executeCleanupPlan,
  planCleanup,
  readPolicySettings,
  RunLockBusyError,
  withCleanupLock,
  type CleanupPlan,
  type Evaluation,
} from '../../../provisioning/index.js';
import { closeCoder, coderSource, POLICY_WIRING } from '../../policy-wiring.js';
import type { Job, JobContext } from '../types.js';

const ACTOR = 'devdb serve';

/** Records and notifies the state changes; one log line each, and for each failed delivery. */
async function evaluate(ctx: JobContext): Promise<Evaluation> {
  const evaluation = await evaluatePolicy(ctx.db, {
    actor: ACTOR,
    log: (line) => ctx.log.warn(line),
  });
  for (const change of evaluation.changes) {
    ctx.log.info(`${change.database}: ${change.from} → ${change.to}`, {
      database: change.database,
      from: change.from,
      to: change.to,
    });
  }
  return evaluation;
}

const count = (plan: CleanupPlan, kind: string) =>
  plan.actions.filter((a) => a.kind === kind).length;

/** What the setting allows of the plan: drops only with archive-and-drop. */
async function act(ctx: JobContext, dropsAllowed: boolean): Promise<number> {
  const coder = await coderSource({}, { env: ctx.env }, ctx.db);
  try {
    return await withCleanupLock(ctx.db, { wait: false, what: 'policy job' }, async () => {
      const deleted = await POLICY_WIRING.deletedWorkspaces(ctx.db, coder);
      ctx.log.info(`Coder: ${deleted.note}`);
      const plan = await planCleanup(ctx.db, {
        deletedWorkspaces: deleted.attachments,
        coder: deleted.note,
      });
      const held = dropsAllowed ? [] : plan.actions.filter((a) => a.kind === 'drop');
      if (held.length) {
        ctx.log.info(
          `${held.length} archive(s) past their retention left for \`devdb cleanup\` (policy_auto_action = archive)`,
          { databases: held.map((a) => a.database).join(',') },
        );
      }
      const actions = plan.actions.filter((a) => !held.includes(a));
      const results = await executeCleanupPlan(
        ctx.db,
        { ...plan, actions },
        {
          dropDatabase: POLICY_WIRING.dropDatabase({
            db: ctx.db,
            adminUrl: ctx.adminUrl,
            env: { ...ctx.env },
          }),
          actor: ACTOR,
          onProgress: ({ action, result }) => {
            if (!result) return ctx.signal.throwIfAborted();
            const what = `${action.kind} ${action.database}${action.workspaceId ? ` (${action.workspaceId})` : ''}`;
            const line = `${what}: ${result.outcome}${result.detail ? `: ${result.detail}` : ''}`;
            if (result.outcome === 'failed') ctx.log.error(line, { database: action.database });
            else ctx.log.info(line, { database: action.database });
          },
        },
      );
      const failed = results.filter((r) => r.outcome === 'failed');
      if (failed.length) {
        throw new Error(
          `${failed.length} action(s) failed: ${failed.map((r) => `${r.action.kind} ${r.action.database}`).join(', ')} (see above; retried at the next tick)`,
        );
      }
      return results.filter((r) => r.outcome === 'done').length;
    });
  } catch (error) {
    if (!(error instanceof RunLockBusyError)) throw error;
    ctx.log.warn(
      `another cleanup is running (${describeHolder(error.holder)}): this tick's actions are left to the next tick`,
    );
    return 0;
  } finally {
    await closeCoder(coder);
  }
}

export const policyJob: Job = {
  name: 'policy',
  defaultSchedule: '7 * * * *',
  async run(ctx) {
    const settings = await readPolicySettings(ctx.db);
    const evaluation = await evaluate(ctx);
    ctx.signal.throwIfAborted();
    if (settings.autoAction === 'notify') {
      const plan = await planCleanup(ctx.db);
      if (plan.actions.length) {
        ctx.log.info(
          `cleanup would archive ${count(plan, 'archive')} and drop ${count(plan, 'drop')} database(s): policy_auto_action = notify, so \`devdb cleanup\` does it`,
        );
      }
    } else if ((await act(ctx, settings.autoAction === 'archive-and-drop')) > 0) {
      // What the actions changed (archived, dropped) is notified in the same tick.
      await evaluate(ctx);
    }
    ctx.log.info(
      `policy: ${evaluation.changes.length} state change(s), ${evaluation.notified.length} notified, ${evaluation.failed.length} failed to notify`,
      { autoAction: settings.autoAction },
    );
    if (evaluation.failed.length) {
      throw new Error(
        `${evaluation.failed.length} notification(s) failed (retried at the next tick)`,
      );
    }
  },
};
