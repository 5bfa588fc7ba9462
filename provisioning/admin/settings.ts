/**
 * provisioning.settings, one place: the keys more than one part reads (`devdb
 * orphans`, the policy, `devdb serve`), each named once with its default, and
 * the settings an admin may read and change through the control plane
 * (docs/api.md): each known key once, with its default, what it means and how
 * its value is checked. Keys not in KNOWN_SETTINGS (the loopback's own, the
 * policy's, which `devdb policy` checks together) are neither shown nor
 * writable there. Backup keys live with the backups (backups.ts,
 * BACKUP_SETTING_KEYS).
 */
import { BACKUP_SETTING_KEYS, splitRecipients } from '../backups/index.js';
import { DEFAULT_RETENTION } from '../backups/index.js';
import { query, type Queryable } from '../schema/index.js';
import { ProvisioningError } from '../contract/index.js';
import { recordEvent } from './events.js';
import { validateWholeNumberSetting } from '../contract/index.js';

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

/** Every key stored in provisioning.settings (known or not) with its value, as text. */
export async function storedSettings(db: Queryable): Promise<Map<string, string>> {
  const rows = await query<{ key: string; value: string }>(
    db,
    'SELECT key, value FROM provisioning.settings',
  );
  return new Map(rows.map((row) => [row.key, row.value]));
}

/** Where workspaces connect (public_host, public_port: connection info), in one statement. */
export async function writePublicAddress(
  db: Queryable,
  address: { host: string; port: number },
): Promise<void> {
  await query(
    db,
    `INSERT INTO provisioning.settings (key, value) VALUES ('public_host', $1), ('public_port', $2)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [address.host, String(address.port)],
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

export interface SettingSpec {
  key: string;
  description: string;
  /** What applies while the key is not set; null: nothing (the feature is off or asks elsewhere). */
  default: string | null;
  /** Returns the value to store (text), or throws a ProvisioningError that says what is allowed. */
  validate(value: unknown): string;
}

/** Per-database series in /metrics stop above this many databases (aggregates stay). */
export const METRICS_MAX_DATABASE_LABELS = 'metrics_max_database_labels';
export const METRICS_MAX_DATABASE_LABELS_DEFAULT = 500;

const invalid = (key: string, value: unknown, rule: string) =>
  new ProvisioningError(
    `invalid ${key} ${JSON.stringify(value) ?? '(undefined)'}: must be ${rule}`,
    '22023',
  );

const whole =
  (key: string, min = 0) =>
  (value: unknown) =>
    validateWholeNumberSetting(key, value, min);

const text =
  (key: string, pattern: RegExp, rule: string) =>
  (value: unknown): string => {
    if (typeof value !== 'string' || !pattern.test(value)) throw invalid(key, value, rule);
    return value;
  };

function port(value: unknown): string {
  const number = validateWholeNumberSetting('public_port', value, 1);
  if (Number(number) > 65535) throw invalid('public_port', value, 'a port from 1 to 65535');
  return number;
}

function recipients(value: unknown): string {
  const list = typeof value === 'string' ? splitRecipients(value) : null;
  if (!list || list.some((r) => !/^age1[0-9a-z]{58}$/.test(r))) {
    throw invalid(
      BACKUP_SETTING_KEYS.recipients,
      value,
      'age X25519 recipients (age1…), comma-separated',
    );
  }
  return list.join(',');
}

const DURATION_RULE = 'a PostgreSQL duration such as "500ms", "10s" or "2min"';
const DURATION = /^\d{1,6}(ms|s|min|h)$/;
const keys = BACKUP_SETTING_KEYS;

export const KNOWN_SETTINGS: readonly SettingSpec[] = [
  {
    key: 'public_host',
    description: 'host name workspaces connect to (connection info)',
    default: null,
    validate: text('public_host', /^[A-Za-z0-9.:[\]-]{1,253}$/, 'a host name or IP address'),
  },
  {
    key: 'public_port',
    description: 'port workspaces connect to (connection info)',
    default: null,
    validate: port,
  },
  {
    key: 'lock_timeout',
    description: 'how long an operation waits for a lock on a database',
    default: '10s',
    validate: text('lock_timeout', DURATION, DURATION_RULE),
  },
  {
    key: 'statement_timeout',
    description: 'how long one step of an operation may run',
    default: '120s',
    validate: text('statement_timeout', DURATION, DURATION_RULE),
  },
  {
    key: keys.dir,
    description: 'BACKUP_DIR: where backups are written (an absolute path on the DevDB host)',
    default: null,
    validate: text(keys.dir, /^\/[^\0]{0,4095}$/, 'an absolute path'),
  },
  {
    key: keys.recipients,
    description: 'age recipients backups are encrypted to; empty: unencrypted',
    default: null,
    validate: recipients,
  },
  {
    key: keys.keepDaily,
    description: 'daily backups kept per database',
    default: String(DEFAULT_RETENTION.keepDaily),
    validate: whole(keys.keepDaily),
  },
  {
    key: keys.keepWeekly,
    description: 'weekly backups kept per database',
    default: String(DEFAULT_RETENTION.keepWeekly),
    validate: whole(keys.keepWeekly),
  },
  {
    key: keys.keepMonthly,
    description: 'monthly backups kept per database',
    default: String(DEFAULT_RETENTION.keepMonthly),
    validate: whole(keys.keepMonthly),
  },
  {
    key: keys.finalKeepDays,
    description: 'days a final backup (taken before a drop) is kept',
    default: String(DEFAULT_RETENTION.finalKeepDays),
    validate: whole(keys.finalKeepDays),
  },
  {
    key: SETTING_KEYS.coderUrl,
    description: "Coder's URL, for the orphan check (the token stays in CODER_SESSION_TOKEN)",
    default: null,
    validate: text(
      SETTING_KEYS.coderUrl,
      /^https?:\/\/[^\s]{1,2000}$/,
      'an http:// or https:// URL',
    ),
  },
  {
    key: SETTING_KEYS.coderTimeoutSeconds,
    description: "seconds to wait for one answer from Coder's REST API",
    default: String(SETTING_DEFAULTS.coderTimeoutSeconds),
    validate: whole(SETTING_KEYS.coderTimeoutSeconds, 1),
  },
  {
    key: 'seed_file_copy_min_bytes',
    description:
      'seeds of this many bytes or more are copied file by file (FILE_COPY; PostgreSQL 18 clones), smaller ones through the WAL',
    default: String(64 * 1024 * 1024),
    validate: whole('seed_file_copy_min_bytes'),
  },
  // Snapshots (docs/snapshots.md): this server's limits; snapshots.sql reads them.
  {
    key: 'snapshots_per_database',
    description: 'snapshots a database may have (0: workspaces take none)',
    default: '5',
    validate: whole('snapshots_per_database'),
  },
  {
    key: 'snapshot_max_bytes',
    description: 'bytes all snapshots on this server may take together (0: no limit)',
    default: '0',
    validate: whole('snapshot_max_bytes'),
  },
  {
    key: 'snapshot_limit_action',
    description: "at a limit: 'prune' the database's own oldest snapshots, or 'refuse'",
    default: 'prune',
    validate: text('snapshot_limit_action', /^(prune|refuse)$/, '"prune" or "refuse"'),
  },
  {
    key: 'snapshot_statement_timeout',
    description: 'how long one copy of a snapshot, restore or reset may run',
    default: '1h',
    validate: text('snapshot_statement_timeout', DURATION, DURATION_RULE),
  },
  {
    key: METRICS_MAX_DATABASE_LABELS,
    description: 'databases above which /metrics has no per-database series, only totals',
    default: String(METRICS_MAX_DATABASE_LABELS_DEFAULT),
    validate: whole(METRICS_MAX_DATABASE_LABELS),
  },
];

export interface SettingValue {
  key: string;
  /** The stored value, else the default. */
  value: string | null;
  /** Whether the value is stored (false: the default applies). */
  set: boolean;
  default: string | null;
  description: string;
}

function specFor(key: string): SettingSpec {
  const spec = KNOWN_SETTINGS.find((s) => s.key === key);
  if (!spec) {
    throw new ProvisioningError(
      `unknown setting ${JSON.stringify(key)}: the settings are ${KNOWN_SETTINGS.map((s) => s.key).join(', ')}`,
      '22023',
    );
  }
  return spec;
}

/** Every known setting with its value, in KNOWN_SETTINGS order. */
export async function readSettings(db: Queryable): Promise<SettingValue[]> {
  const rows = await query<{ key: string; value: string }>(
    db,
    `SELECT key, value FROM provisioning.settings WHERE key = ANY ($1)`,
    [KNOWN_SETTINGS.map((s) => s.key)],
  );
  const stored = new Map(rows.map((row) => [row.key, row.value]));
  return KNOWN_SETTINGS.map((spec) => ({
    key: spec.key,
    value: stored.get(spec.key) ?? spec.default,
    set: stored.has(spec.key),
    default: spec.default,
    description: spec.description,
  }));
}

/** One setting's value as a whole number (its default when unset or unreadable). */
export async function readNumberSetting(db: Queryable, key: string): Promise<number> {
  const spec = specFor(key);
  const [row] = await query<{ value: string }>(
    db,
    `SELECT value FROM provisioning.settings WHERE key = $1`,
    [key],
  );
  const value = Number(row?.value ?? spec.default);
  return Number.isFinite(value) ? value : Number(spec.default);
}

/**
 * Changes settings: every value is checked before any is written (all or
 * nothing); null removes a key, so its default applies again. Records one
 * `settings.update` event naming the keys.
 */
export async function updateSettings(
  db: Queryable,
  changes: Record<string, string | number | null>,
  options: { actor?: string } = {},
): Promise<SettingValue[]> {
  const entries = Object.entries(changes).map(([key, value]) => ({
    key,
    value: value === null ? null : specFor(key).validate(value),
  }));
  if (entries.length > 0) {
    await query(
      db,
      `WITH changes AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(key text, value text)),
       removed AS (DELETE FROM provisioning.settings s USING changes c
                    WHERE s.key = c.key AND c.value IS NULL)
       INSERT INTO provisioning.settings (key, value)
       SELECT key, value FROM changes WHERE value IS NOT NULL
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [JSON.stringify(entries)],
    );
    await recordEvent(db, {
      actor: options.actor ?? 'cli',
      action: 'settings.update',
      detail: { changes: Object.fromEntries(entries.map((e) => [e.key, e.value])) },
    });
  }
  return readSettings(db);
}
