/**
 * provisioning.settings keys that more than one part reads (`devdb orphans`, the
 * policy, `devdb serve`), each named once here with its default. Values are text
 * in the table; the readers turn them into what they stand for. Backup keys live
 * with the backups (backups.ts, BACKUP_SETTING_KEYS).
 */
import { query, type Queryable } from './db.js';
import { ProvisioningError } from './errors.js';

export const SETTING_KEYS = {
  /** Days without access after which a database counts as idle (the policy's first step). */
  policyIdleDays: 'policy_idle_days',
  /** Coder's URL for the admin side's REST API calls (the token never goes in settings). */
  coderUrl: 'coder_url',
  /** Seconds to wait for one answer from Coder's REST API. */
  coderTimeoutSeconds: 'coder_timeout_seconds',
} as const;

export type SettingKey = (typeof SETTING_KEYS)[keyof typeof SETTING_KEYS];

export const SETTING_DEFAULTS = {
  policyIdleDays: 30,
  coderTimeoutSeconds: 10,
} as const;

/** One setting's value, or null when it is not set. */
export async function readSetting(db: Queryable, key: SettingKey): Promise<string | null> {
  const [row] = await query<{ value: string }>(
    db,
    `SELECT value FROM provisioning.settings WHERE key = $1`,
    [key],
  );
  return row?.value ?? null;
}

/** Sets one provisioning.settings key (this module's or another part's), or removes it with null. */
export async function writeSetting(
  db: Queryable,
  key: string,
  value: string | null,
): Promise<void> {
  if (value === null) {
    await query(db, `DELETE FROM provisioning.settings WHERE key = $1`, [key]);
    return;
  }
  await query(
    db,
    `INSERT INTO provisioning.settings (key, value) VALUES ($1, $2)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [key, value],
  );
}

/** A whole number of at least 1, or a message naming the setting and what it allows. */
export function parsePositiveInteger(value: string, what: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new ProvisioningError(
      `${what} is ${JSON.stringify(value)}: it must be a whole number of at least 1`,
    );
  }
  return number;
}

async function readPositiveInteger(db: Queryable, key: SettingKey, fallback: number) {
  const value = await readSetting(db, key);
  return value === null ? fallback : parsePositiveInteger(value, `setting ${key}`);
}

/** policy_idle_days (default 30): when a database counts as idle. */
export function readPolicyIdleDays(db: Queryable): Promise<number> {
  return readPositiveInteger(db, SETTING_KEYS.policyIdleDays, SETTING_DEFAULTS.policyIdleDays);
}

/** coder_timeout_seconds (default 10). */
export function readCoderTimeoutSeconds(db: Queryable): Promise<number> {
  return readPositiveInteger(
    db,
    SETTING_KEYS.coderTimeoutSeconds,
    SETTING_DEFAULTS.coderTimeoutSeconds,
  );
}
