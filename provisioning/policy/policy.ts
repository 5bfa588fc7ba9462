/**
 * The 30/60/90 policy (docs/operations.md, "The policy"): each database's state,
 * computed by one SQL function (provisioning/policy/policy.sql, `policy_states`),
 * its settings, protection, and the evaluation that records every state change
 * as an event and notifies (the webhook by default, provisioning/policy/webhook.ts),
 * each change once. The time is the server's (provisioning._now()): nothing here
 * takes it from the caller, so a client's wrong clock moves no database.
 */
import { inTransaction, query, queryOne, type Queryable } from '../schema/index.js';
import type { PolicyAutoAction, PolicyState } from '../contract/index.js';
import { ProvisioningError } from '../contract/index.js';
import { SETTING_KEYS, writeSetting } from '../admin/index.js';
import {
  validatePolicyAutoAction,
  validatePolicyDays,
  validatePolicyThresholds,
  validateWebhookUrl,
} from '../contract/index.js';
import type { Notify, PolicyChange, PolicySettings, PolicyStateRow } from './types.js';
import { webhookNotifier } from './webhook.js';

export type { Notify, PolicyChange, PolicySettings, PolicyStateRow } from './types.js';

/** provisioning.settings keys of the policy (values are text); the idle threshold is shared (settings.ts). */
export const POLICY_SETTING_KEYS = {
  idleDays: SETTING_KEYS.policyIdleDays,
  staleDays: 'policy_stale_days',
  eligibleDays: 'policy_eligible_days',
  archiveRetentionDays: 'policy_archive_retention_days',
  webhookUrl: 'policy_webhook_url',
  autoAction: 'policy_auto_action',
} as const;

const SETTINGS_COLUMNS = `idle_days AS "idleDays", stale_days AS "staleDays",
  eligible_days AS "eligibleDays", archive_retention_days AS "archiveRetentionDays",
  webhook_url AS "webhookUrl", auto_action AS "autoAction"`;

/** The settings with their defaults applied (the defaults live in SQL, `policy_settings_from`). */
export function readPolicySettings(db: Queryable): Promise<PolicySettings> {
  return queryOne<PolicySettings>(
    db,
    `SELECT ${SETTINGS_COLUMNS} FROM provisioning.policy_settings()`,
  );
}

/** A change to the settings: a value sets it, null goes back to the default (no webhook). */
export type PolicySettingsChange = {
  [K in keyof PolicySettings]?: K extends 'webhookUrl'
    ? string | null
    : K extends 'autoAction'
      ? PolicyAutoAction | null
      : number | null;
};

const DAY_SETTINGS = ['idleDays', 'staleDays', 'eligibleDays', 'archiveRetentionDays'] as const;

/** The stored policy settings with a change applied, validated value by value. */
async function changedValues(
  db: Queryable,
  change: PolicySettingsChange,
): Promise<Record<string, string | null>> {
  const stored = await query<{ key: string; value: string }>(
    db,
    `SELECT key, value FROM provisioning.settings WHERE key = ANY ($1)`,
    [Object.values(POLICY_SETTING_KEYS)],
  );
  const values: Record<string, string | null> = Object.fromEntries(
    stored.map((row) => [row.key, row.value]),
  );
  for (const key of DAY_SETTINGS) {
    const value = change[key];
    if (value === undefined) continue;
    const setting = POLICY_SETTING_KEYS[key];
    values[setting] = value === null ? null : String(validatePolicyDays(setting, value));
  }
  if (change.webhookUrl !== undefined) {
    const url = change.webhookUrl || null;
    values[POLICY_SETTING_KEYS.webhookUrl] = url === null ? null : validateWebhookUrl(url);
  }
  if (change.autoAction !== undefined) {
    values[POLICY_SETTING_KEYS.autoAction] =
      change.autoAction === null ? null : validatePolicyAutoAction(change.autoAction);
  }
  return values;
}

/**
 * Validates and writes a change to the settings, after checking that the
 * thresholds it leaves still go idle < stale < eligible. Returns the settings
 * now in force.
 */
export async function writePolicySettings(
  db: Queryable,
  change: PolicySettingsChange,
): Promise<PolicySettings> {
  const values = await changedValues(db, change);
  const present = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null));
  validatePolicyThresholds(
    await queryOne<PolicySettings>(
      db,
      `SELECT ${SETTINGS_COLUMNS} FROM provisioning.policy_settings_from($1)`,
      [JSON.stringify(present)],
    ),
  );
  for (const [key, value] of Object.entries(values)) await writeSetting(db, key, value);
  return readPolicySettings(db);
}

const STATE_COLUMNS = `db_name AS database, status, state, time_state AS "timeState",
  protected, protected_until AS "protectedUntil", protect_reason AS "protectReason",
  last_access AS "lastAccess", last_accessed AS "lastAccessed", idle_days AS "idleDays",
  live_attachments AS "liveAttachments", archived_at AS "archivedAt", drop_due_at AS "dropDueAt",
  drop_due AS "dropDue"`;

/** Every database's policy state now, by the server's clock, or one database's. */
export function policyStates(
  db: Queryable,
  options: { database?: string } = {},
): Promise<PolicyStateRow[]> {
  return query<PolicyStateRow>(
    db,
    `SELECT ${STATE_COLUMNS} FROM provisioning.policy_states($1) ORDER BY db_name`,
    [options.database ?? null],
  );
}

export interface EvaluateOptions {
  /**
   * How changes are delivered: by default the webhook in `policy_webhook_url`
   * (none configured: recorded as events only); null: not at all.
   */
  notify?: Notify | null;
  /** Actor of the 'policy.state' events (default 'policy'). */
  actor?: string;
  /** Hears of each failed delivery (the URL is never in the message). */
  log?: (line: string) => void;
}

export interface Evaluation {
  /** States that changed at this evaluation (each recorded as an event). */
  changes: { database: string; from: PolicyState; to: PolicyState }[];
  /** Notifications delivered now, older ones that had failed before included. */
  notified: PolicyChange[];
  /** Deliveries that failed: retried at the next evaluation. */
  failed: { database: string; to: PolicyState; error: string }[];
}

/**
 * Records every state change since the last evaluation (an event each), then
 * delivers each notification still pending: this evaluation's and those whose
 * delivery failed before. Each change is delivered once, however many
 * evaluations run at the same time in however many processes: a delivery holds
 * its change's row (claim_policy_notification) until it is marked delivered in
 * the same transaction, and the others skip it. A failing delivery never stops
 * the others or the policy; it stays pending. With no way to deliver (no
 * webhook configured, `notify: null`), pending notifications are marked done:
 * the events are the record.
 */
export async function evaluatePolicy(
  db: Queryable,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const changes = await query<{ database: string; from: PolicyState; to: PolicyState }>(
    db,
    `SELECT db_name AS database, from_state AS from, to_state AS to
       FROM provisioning.record_policy_states($1)`,
    [options.actor ?? null],
  );
  const settings = await readPolicySettings(db);
  const notify =
    options.notify === undefined ? webhookNotifier(settings.webhookUrl) : options.notify;
  const pending = await query<{ database: string; from: PolicyState; to: PolicyState; at: Date }>(
    db,
    `SELECT db_name AS database, from_state AS from, to_state AS to, changed_at AS at
       FROM provisioning.pending_policy_notifications()`,
  );
  const states = pending.length ? await policyStates(db) : [];
  const evaluation: Evaluation = { changes, notified: [], failed: [] };
  for (const each of pending) {
    const change = {
      ...each,
      detail: states.find((s) => s.database === each.database) ?? null,
      settings,
    };
    try {
      const delivered = await deliverOnce(db, change, notify);
      if (delivered && notify) evaluation.notified.push(change);
    } catch (error) {
      const message = (error as Error).message;
      evaluation.failed.push({ database: each.database, to: each.to, error: message });
      options.log?.(`policy: notifying ${each.database} → ${each.to} failed: ${message}`);
    }
  }
  return evaluation;
}

/**
 * Delivers one pending change in a transaction that holds its row: false when
 * another evaluation delivers (or delivered) it. Throwing rolls back: still pending.
 */
function deliverOnce(db: Queryable, change: PolicyChange, notify: Notify | null): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const claim = await queryOne<{ mine: boolean }>(
      tx,
      `SELECT provisioning.claim_policy_notification($1, $2) AS mine`,
      [change.database, change.to],
    );
    if (!claim.mine) return false;
    if (notify) await notify(change);
    await query(tx, `SELECT provisioning.mark_policy_notified($1, $2)`, [
      change.database,
      change.to,
    ]);
    return true;
  });
}

export interface Protection {
  database: string;
  /** null: until unprotected. */
  until?: Date | null;
  reason?: string | null;
  actor?: string;
}

/** Exempts a database from the policy: cleanup never touches it while protected. */
export async function protectDatabase(db: Queryable, input: Protection): Promise<void> {
  if (input.reason !== undefined && input.reason !== null && input.reason.length > 500) {
    throw new ProvisioningError('a protection reason is at most 500 characters', '22023');
  }
  await query(db, `SELECT provisioning.protect_database($1, $2, $3, $4)`, [
    input.database,
    input.until ?? null,
    input.reason ?? null,
    input.actor ?? null,
  ]);
}

/** Ends a protection; false when the database was not protected. */
export async function unprotectDatabase(
  db: Queryable,
  input: { database: string; actor?: string },
): Promise<boolean> {
  const row = await queryOne<{ removed: boolean }>(
    db,
    `SELECT provisioning.unprotect_database($1, $2) AS removed`,
    [input.database, input.actor ?? null],
  );
  return row.removed;
}
