/**
 * `devdb cleanup [--dry-run] [--yes] [--no-wait]` (docs/operations.md, "Cleanup"):
 * the plan of provisioning/policy/cleanup.ts printed, or executed — the dry run
 * and the real run make the same plan; the real run executes exactly its
 * actions. One real run at a time per registry, across processes and machines
 * (the cleanup run lock): a second waits for the first, saying so, then plans
 * what is left; --no-wait refuses instead.
 */
import {
  describeHolder,
  RunLockBusyError,
  type CleanupAction,
  type CleanupPlan,
  type CleanupResult,
  type RoutedServer,
} from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withRouter, type ConnectionOptions } from '../../admin-connection.js';
import { CODER_OPTIONS, type CoderOptions } from '../../coder/config.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { confirmOrRefuse } from '../../confirm.js';
import { UserError } from '../../errors.js';
import type { CliIO } from '../../io.js';
import { cleanUpPool, planAll, type PoolCleanupOptions } from '../../cleanup-pool.js';
import { closeCoder, coderSource, type CoderSource } from '../../policy-wiring.js';
import { table, text, type Block, type Column } from '../../render.js';

type Options = Omit<ConnectionOptions, 'env'> &
  CoderOptions & {
    dryRun?: boolean;
    yes?: boolean;
    /** false with --no-wait. */
    wait?: boolean;
    json?: boolean;
  };

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

/**
 * The real run: waits for another cleanup saying so (or refuses with
 * --no-wait), asks before it changes anything, one line per action on a terminal.
 */
async function realRun(servers: RoutedServer[], coder: CoderSource, options: Options, io: CliIO) {
  let waitingSince = 0;
  const run: PoolCleanupOptions = {
    wait: options.wait !== false,
    onWait(holder, server) {
      waitingSince = Date.now();
      const where = servers.length > 1 ? ` on server ${server.server.name}` : '';
      io.stderr.write(
        `devdb: another cleanup is running${where} (${describeHolder(holder)}); waiting — --no-wait to refuse\n`,
      );
    },
    onResume() {
      const seconds = ((Date.now() - waitingSince) / 1000).toFixed(1);
      io.stderr.write(`devdb: the other cleanup ended after ${seconds} s; going on\n`);
    },
    confirm: (plan) =>
      confirmOrRefuse(io, {
        yes: options.yes,
        what: `devdb cleanup (${summary(plan)})`,
        question: `${planText(plan)}Cleanup will ${summary(plan)}. Go ahead?`,
      }),
    actor: 'cli',
    env: { ...process.env, ...io.env },
    onProgress: progress(io),
  };
  try {
    return await cleanUpPool(servers, coder, run);
  } catch (error) {
    if (error instanceof RunLockBusyError) {
      throw new UserError(
        `another cleanup is running (${describeHolder(error.holder)}): not waiting (--no-wait); nothing was changed`,
      );
    }
    throw error;
  }
}

export const cleanupCommand: CommandSpec<Options> = {
  name: 'cleanup',
  description:
    'archive eligible databases, detach deleted workspaces, drop archives past retention (asks, or --yes)',
  options: [
    ...CONNECTION_OPTIONS,
    ...CODER_OPTIONS,
    { flags: '--dry-run', description: 'print the plan only: nothing changes' },
    { flags: '--yes', description: 'do it without asking (needed without a terminal)' },
    {
      flags: '--no-wait',
      description: 'refuse (exit 1) while another cleanup runs, instead of waiting for it',
    },
    JSON_OPTION,
  ],
  async run(options, io) {
    const dryRun = options.dryRun === true;
    // Every server of the pool applies the policy to the databases it holds
    // (docs/servers.md): one plan per server, shown and confirmed as one.
    // A server that cannot be reached is left out (one line, exit code 3).
    const { plan, results, unreachable } = await withRouter(
      { ...options, env: io.env },
      async (router) => {
        const reached = await router.each(async (server) => server);
        const servers = reached.results.map((r) => r.result);
        const { unreachable } = reached;
        const coder = await coderSource(options, io, router.central.db);
        try {
          if (dryRun) {
            return { plan: (await planAll(servers, coder)).plan, results: null, unreachable };
          }
          // Planned under the lock: after waiting for another cleanup, what it left.
          return { ...(await realRun(servers, coder, options, io)), unreachable };
        } finally {
          await closeCoder(coder);
        }
      },
    );

    const failed = results?.some((r) => r.outcome === 'failed') ?? false;
    return {
      json: { dryRun, ...plan, results: results ?? [] },
      blocks: [
        ...planBlocks(plan, results),
        ...(plan.coder ? [text(`\nCoder: ${plan.coder}\n`)] : []),
        ...(dryRun && plan.actions.length ? [text(`\nCleanup would ${summary(plan)}.\n`)] : []),
      ],
      exitCode: failed ? 1 : 0,
      unreachable,
      leftOut: 'its databases are left out of the cleanup',
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
