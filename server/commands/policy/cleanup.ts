/**
 * `devdb cleanup [--dry-run] [--yes]` (docs/operations.md, "Cleanup"): the plan
 * of provisioning/policy/cleanup.ts printed, or executed — the dry run and the real
 * run make the same plan; the real run executes exactly its actions.
 */
import {
  executeCleanupPlan,
  planCleanup,
  type CleanupAction,
  type CleanupPlan,
  type CleanupResult,
  type RoutedServer,
} from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withRouter, type ConnectionOptions } from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { confirmOrRefuse } from '../../confirm.js';
import type { CliIO } from '../../io.js';
import { POLICY_WIRING } from '../../policy-wiring.js';
import { table, text, type Block, type Column } from '../../render.js';

type Options = Omit<ConnectionOptions, 'env'> & { dryRun?: boolean; yes?: boolean; json?: boolean };

const ACTION_COLUMNS: Column<CleanupAction>[] = [
  { header: 'action', value: (a) => a.kind },
  { header: 'database', value: (a) => a.database },
  { header: 'workspace', value: (a) => a.workspaceId, whenEmpty: '' },
  { header: 'reason', value: (a) => a.reason },
];

function planBlocks(plan: CleanupPlan, results: CleanupResult[] | null): Block[] {
  const title = results ? 'Cleanup' : 'Cleanup plan (dry run: nothing was changed)';
  const actions = results
    ? table(
        results,
        [
          ...ACTION_COLUMNS.map((c) => ({ ...c, value: (r: CleanupResult) => c.value(r.action) })),
          {
            header: 'result',
            value: (r) => (r.detail ? `${r.outcome}: ${r.detail}` : r.outcome),
          },
        ],
        { title, whenNone: 'nothing to do' },
      )
    : table(plan.actions, ACTION_COLUMNS, { title, whenNone: 'nothing to do' });
  const skipped = table(
    plan.skipped,
    [
      { header: 'database', value: (s) => s.database },
      { header: 'workspace', value: (s) => s.workspaceId, whenEmpty: '' },
      { header: 'reason', value: (s) => s.reason },
    ],
    { title: 'Left alone' },
  );
  return plan.skipped.length ? [actions, skipped] : [actions];
}

function summary(plan: CleanupPlan): string {
  const count = (kind: CleanupAction['kind']) => plan.actions.filter((a) => a.kind === kind).length;
  return `detach ${count('detach')} workspace(s), archive ${count('archive')} and drop ${count('drop')} database(s) (each drop after its final backup)`;
}

/** On a terminal: the plan first, then one line per action as it runs. */
function progress(io: CliIO) {
  if (!io.isTTY) return undefined;
  return ({
    index,
    total,
    action,
    result,
  }: {
    index: number;
    total: number;
    action: CleanupAction;
    result?: CleanupResult;
  }) => {
    if (!result) return;
    const what = `${action.kind} ${action.database}${action.workspaceId ? ` (${action.workspaceId})` : ''}`;
    io.stderr.write(`[${index + 1}/${total}] ${what}: ${result.outcome}\n`);
  };
}

export const cleanupCommand: CommandSpec<Options> = {
  name: 'cleanup',
  description:
    'archive eligible databases, detach deleted workspaces, drop archives past retention (asks, or --yes)',
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--dry-run', description: 'print the plan only: nothing changes' },
    { flags: '--yes', description: 'do it without asking (needed without a terminal)' },
    JSON_OPTION,
  ],
  async run(options, io) {
    const dryRun = options.dryRun === true;
    // Every server of the pool applies the policy to the databases it holds
    // (docs/servers.md): one plan per server, shown and confirmed as one.
    const { plan, results } = await withRouter({ ...options, env: io.env }, async (router) => {
      const plans: { server: RoutedServer; plan: CleanupPlan }[] = [];
      for (const server of await router.all()) {
        const deletedWorkspaces = await POLICY_WIRING.deletedWorkspaces(server.db, io);
        plans.push({ server, plan: await planCleanup(server.db, { deletedWorkspaces }) });
      }
      const plan: CleanupPlan = {
        now: plans[0]!.plan.now,
        actions: plans.flatMap((p) => p.plan.actions),
        skipped: plans.flatMap((p) => p.plan.skipped),
      };
      if (dryRun) return { plan, results: null };
      if (plan.actions.length === 0) return { plan, results: [] };
      await confirmOrRefuse(io, {
        yes: options.yes,
        what: `devdb cleanup (${summary(plan)})`,
        question: `${planText(plan)}Cleanup will ${summary(plan)}. Go ahead?`,
      });
      const env = { ...process.env, ...io.env };
      const results: CleanupResult[] = [];
      for (const { server, plan: own } of plans) {
        const { db, adminUrl } = server;
        results.push(
          ...(await executeCleanupPlan(db, own, {
            dropDatabase: POLICY_WIRING.dropDatabase({ db, adminUrl, env }),
            actor: 'cli',
            onProgress: progress(io),
          })),
        );
      }
      return { plan, results };
    });
    const failed = results?.some((r) => r.outcome === 'failed') ?? false;
    return {
      json: { dryRun, ...plan, results: results ?? [] },
      blocks: [
        ...planBlocks(plan, results),
        ...(dryRun && plan.actions.length ? [text(`\nCleanup would ${summary(plan)}.\n`)] : []),
      ],
      exitCode: failed ? 1 : 0,
    };
  },
};

/** The plan as the question shows it: one line per action. */
function planText(plan: CleanupPlan): string {
  return plan.actions
    .map(
      (a) =>
        `  ${a.kind} ${a.database}${a.workspaceId ? ` (${a.workspaceId})` : ''}: ${a.reason}\n`,
    )
    .join('');
}
