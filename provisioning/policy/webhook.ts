/**
 * Policy notifications over a webhook (docs/operations.md, "Notifications"):
 * one POST per state change, a JSON body with a Slack-compatible `text` and the
 * change's fields. Webhook URLs carry their secret in the path, so errors name
 * the host only.
 */
import type { PolicyChange } from './types.js';

/** How long one delivery may take before it counts as failed (retried next evaluation). */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** The JSON body POSTed for a change. */
export interface WebhookPayload {
  /** One line for people (Slack shows it as the message). */
  text: string;
  event: 'policy.state';
  database: string;
  from: string;
  to: string;
  /** ISO 8601. */
  at: string;
  idleDays: number | null;
  lastAccess: string | null;
  protected: boolean;
  /** When cleanup may drop an archived database; null otherwise. */
  dropDueAt: string | null;
}

const day = (date: Date | null | undefined) => (date ? date.toISOString().slice(0, 10) : null);

/** The `text` of a change: what happened and what comes next. */
export function changeText(change: PolicyChange): string {
  const { database, to, detail, settings } = change;
  const idle = detail ? `no access for ${detail.idleDays} days` : 'no recent access';
  const restore = `\`devdb restore ${database}\``;
  switch (to) {
    case 'idle':
      return `DevDB: ${database} is idle (${idle}). It becomes stale at ${settings.staleDays} days and eligible for cleanup at ${settings.eligibleDays}.`;
    case 'stale':
      return `DevDB: ${database} is stale (${idle}): review it. Cleanup may archive it from ${settings.eligibleDays} days; \`devdb protect ${database}\` keeps it.`;
    case 'eligible':
      return `DevDB: ${database} is eligible for cleanup (${idle}). The next \`devdb cleanup\` archives it, restorable for ${settings.archiveRetentionDays} days.`;
    case 'protected': {
      const until = detail?.protectedUntil ? ` until ${day(detail.protectedUntil)}` : '';
      return `DevDB: ${database} is protected${until}: cleanup does not touch it.`;
    }
    case 'archived': {
      const due = detail?.dropDueAt ? ` until ${day(detail.dropDueAt)}` : '';
      return `DevDB: ${database} was archived; ${restore} brings it back${due}.`;
    }
    case 'dropped':
      return `DevDB: ${database} was dropped.`;
    case 'active':
      return `DevDB: ${database} is active again.`;
  }
}

export function webhookPayload(change: PolicyChange): WebhookPayload {
  const { detail } = change;
  return {
    text: changeText(change),
    event: 'policy.state',
    database: change.database,
    from: change.from,
    to: change.to,
    at: change.at.toISOString(),
    idleDays: detail?.idleDays ?? null,
    lastAccess: detail?.lastAccess.toISOString() ?? null,
    protected: detail?.protected ?? false,
    dropDueAt: detail?.dropDueAt?.toISOString() ?? null,
  };
}

/** Why a delivery failed, naming the host and never the URL's path or query. */
function deliveryError(url: URL, error: unknown): Error {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason =
    (error as Error).name === 'TimeoutError'
      ? 'no answer in time'
      : (cause?.code ?? cause?.message ?? (error as Error).message);
  return new Error(`webhook at ${url.host} unreachable: ${reason}`);
}

/** POSTs one change to `url`; throws (without the URL's secret) unless it answers 2xx. */
export async function postWebhook(
  url: string,
  change: PolicyChange,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const target = new URL(url);
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'devdb' },
      body: JSON.stringify(webhookPayload(change)),
      signal: AbortSignal.timeout(options.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
    });
  } catch (error) {
    throw deliveryError(target, error);
  }
  await response.body?.cancel();
  if (!response.ok) throw new Error(`webhook at ${target.host} answered ${response.status}`);
}

/** The notifier for a configured webhook URL; null when there is none. */
export function webhookNotifier(
  url: string | null,
  options: { timeoutMs?: number } = {},
): ((change: PolicyChange) => Promise<void>) | null {
  return url ? (change) => postWebhook(url, change, options) : null;
}
