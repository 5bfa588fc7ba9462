/**
 * `devdb policy` (states, `settings`, `evaluate`): the 30/60/90 policy from the
 * shell (docs/operations.md, "The policy").
 */
import type pg from 'pg';
import {
  evaluatePolicy,
  POLICY_AUTO_ACTIONS,
  policyStates,
  readPolicySettings,
  writePolicySettings,
  type PolicyAutoAction,
  type PolicySettings,
  type PolicySettingsChange,
  type PolicyStateRow,
} from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withAdminPool, withEachServer } from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import type { CliIO } from '../../io.js';
import { fields, table, type Block } from '../../render.js';
import { positiveCount } from '../../values.js';
import { protectionText, type Connection } from './shared.js';

const fromServer = <T>(options: Connection, io: CliIO, fn: (pool: pg.Pool) => Promise<T>) =>
  withAdminPool({ ...options, env: io.env }, fn);

/** A webhook URL's secret is its path: shown as its origin only. */
export function maskedWebhook(url: string | null): string | null {
  if (!url) return null;
  return URL.canParse(url) ? `${new URL(url).origin}/…` : '(set)';
}

/** What `devdb serve`'s policy job does on its own, in words. */
export const AUTO_ACTION_TEXT: Record<PolicyAutoAction, string> = {
  notify: 'notify: events and the webhook only (`devdb cleanup` acts)',
  archive: 'archive: also detach workspaces Coder deleted and archive eligible databases',
  'archive-and-drop':
    'archive-and-drop: also drop archives past retention (after a verified final backup)',
};

function settingsBlock(settings: PolicySettings): Block {
  return fields(
    [
      {
        label: 'idle / stale / eligible after',
        value: `${settings.idleDays} / ${settings.staleDays} / ${settings.eligibleDays} days without access`,
      },
      { label: 'archives kept', value: `${settings.archiveRetentionDays} days, then dropped` },
      { label: 'webhook', value: maskedWebhook(settings.webhookUrl), whenEmpty: 'none' },
      { label: 'devdb serve on its own', value: AUTO_ACTION_TEXT[settings.autoAction] },
    ],
    'Policy',
  );
}

const publicSettings = (settings: PolicySettings) => ({
  ...settings,
  webhookUrl: maskedWebhook(settings.webhookUrl),
});

function statesTable(rows: PolicyStateRow[]): Block {
  return table(
    rows,
    [
      { header: 'database', value: (r) => r.database },
      { header: 'state', value: (r) => r.state },
      { header: 'by the clock', value: (r) => (r.state === 'protected' ? r.timeState : null) },
      { header: 'idle days', value: (r) => (r.status === 'active' ? r.idleDays : null) },
      // The access recorded, as `devdb list` and the dashboard show it; idle days count from
      // the creation when there is none.
      { header: 'last access', value: (r) => r.lastAccessed, whenEmpty: 'never' },
      { header: 'protected', value: protectionText },
      { header: 'drop due', value: (r) => r.dropDueAt },
    ],
    { title: 'Databases', whenNone: 'no databases' },
  );
}

const settingsCommand: CommandSpec<
  Connection & {
    idleDays?: number;
    staleDays?: number;
    eligibleDays?: number;
    archiveRetentionDays?: number;
    webhookUrl?: string;
    autoAction?: PolicyAutoAction;
    json?: boolean;
  }
> = {
  name: 'settings',
  description:
    'show or change the thresholds, the archive retention, the webhook and what `devdb serve` does on its own',
  options: [
    ...CONNECTION_OPTIONS,
    {
      flags: '--idle-days <n>',
      description: 'days without access before idle',
      parse: positiveCount,
    },
    { flags: '--stale-days <n>', description: '… before stale', parse: positiveCount },
    {
      flags: '--eligible-days <n>',
      description: '… before eligible for cleanup',
      parse: positiveCount,
    },
    {
      flags: '--archive-retention-days <n>',
      description: 'days an archive is kept before cleanup drops it',
      parse: positiveCount,
    },
    {
      flags: '--webhook-url <url>',
      description: 'where state changes are POSTed (Slack-compatible); "" for none',
    },
    {
      flags: '--auto-action <what>',
      description:
        "what devdb serve's policy job does on its own: notify (events and the webhook only, the default), archive (also detach workspaces Coder deleted, archive eligible databases) or archive-and-drop (also drop archives past retention)",
      choices: POLICY_AUTO_ACTIONS,
    },
    JSON_OPTION,
  ],
  async run(options, io) {
    const change: PolicySettingsChange = {
      idleDays: options.idleDays,
      staleDays: options.staleDays,
      eligibleDays: options.eligibleDays,
      archiveRetentionDays: options.archiveRetentionDays,
      webhookUrl: options.webhookUrl,
      autoAction: options.autoAction,
    };
    const changing = Object.values(change).some((v) => v !== undefined);
    // A change is written on every server of the pool: each applies the policy
    // to the databases it holds (docs/servers.md).
    const written = changing
      ? await withEachServer({ ...options, env: io.env }, (pool) =>
          writePolicySettings(pool, change),
        )
      : undefined;
    const settings = written
      ? written.results[0]!.result
      : await fromServer(options, io, readPolicySettings);
    return {
      json: publicSettings(settings),
      blocks: [settingsBlock(settings)],
      unreachable: written?.unreachable,
      leftOut: 'the change is not written there: run this again once it is back',
    };
  },
};

const evaluateCommand: CommandSpec<Connection & { json?: boolean }> = {
  name: 'evaluate',
  description: 'record state changes now (an event each) and send pending notifications',
  options: [...CONNECTION_OPTIONS, JSON_OPTION],
  async run(options, io) {
    // Each server of the pool evaluates the databases it holds (docs/servers.md),
    // by its own clock.
    const { results: perServer, unreachable } = await withEachServer(
      { ...options, env: io.env },
      (pool) => evaluatePolicy(pool, { actor: 'cli' }),
    );
    const evaluation = {
      changes: perServer.flatMap((p) => p.result.changes),
      notified: perServer.flatMap((p) => p.result.notified),
      failed: perServer.flatMap((p) => p.result.failed),
    };
    const blocks: Block[] = [
      table(
        evaluation.changes,
        [
          { header: 'database', value: (c) => c.database },
          { header: 'from', value: (c) => c.from },
          { header: 'to', value: (c) => c.to },
        ],
        { title: 'Changes', whenNone: 'no state changed' },
      ),
      fields([
        { label: 'notified', value: evaluation.notified.length },
        { label: 'failed (retried next time)', value: evaluation.failed.length },
      ]),
      ...(evaluation.failed.length
        ? [
            table(
              evaluation.failed,
              [
                { header: 'database', value: (f) => f.database },
                { header: 'to', value: (f) => f.to },
                { header: 'error', value: (f) => f.error },
              ],
              { title: 'Failed notifications' },
            ),
          ]
        : []),
    ];
    const json = {
      changes: evaluation.changes,
      notified: evaluation.notified.map(({ database, from, to, at }) => ({
        database,
        from,
        to,
        at,
      })),
      failed: evaluation.failed,
    };
    return { json, blocks, exitCode: evaluation.failed.length ? 1 : 0, unreachable };
  },
};

export const policyCommand: CommandSpec<Connection & { json?: boolean }> = {
  name: 'policy',
  description: 'each database in the 30/60/90 policy: state, idle days, protection, drop due',
  options: [...CONNECTION_OPTIONS, JSON_OPTION],
  subcommands: [settingsCommand, evaluateCommand] as CommandSpec[],
  async run(options, io) {
    const { results: perServer, unreachable } = await withEachServer(
      { ...options, env: io.env },
      (pool) => Promise.all([readPolicySettings(pool), policyStates(pool)]),
    );
    const [settings] = perServer[0]!.result;
    const shown = perServer.flatMap((p) => p.result[1]).filter((s) => s.status !== 'dropped');
    return {
      json: { settings: publicSettings(settings), databases: shown },
      blocks: [settingsBlock(settings), statesTable(shown)],
      unreachable,
    };
  },
};
