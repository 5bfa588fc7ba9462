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
import {
  POLICY_AUTO_ACTIONS,
  POLICY_DAYS_RULE,
  validatePolicyAutoAction,
  validatePolicyDays,
  validateWebhookUrl,
  validateWholeNumberSetting,
} from '../contract/index.js';
import { Cron } from 'croner';

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

/** What a setting governs: the dashboard's Settings page shows one group a card. */
export const SETTING_GROUPS = [
  'connections',
  'backups',
  'snapshots',
  'policy',
  'webhook',
  'coder',
  'schedules',
  'monitoring',
] as const;
export type SettingGroup = (typeof SETTING_GROUPS)[number];

/**
 * How a value reads: `days`, `seconds` and `count` are whole numbers (seconds
 * may have a fraction), `bytes` a byte count (shown in IEC units), `duration` a
 * PostgreSQL duration (`10s`), `cron` a job's schedule, `choice` one of `choices`.
 */
export const SETTING_UNITS = [
  'days',
  'seconds',
  'count',
  'bytes',
  'duration',
  'cron',
  'url',
  'path',
  'text',
  'choice',
] as const;
export type SettingUnit = (typeof SETTING_UNITS)[number];

export interface SettingSpec {
  key: string;
  group: SettingGroup;
  /** A human name for it ("Daily backups kept"). */
  label: string;
  unit: SettingUnit;
  /** What a value may be, as the refusal says it ("a whole number from 0 to 999999999"). */
  allowed: string;
  /** The values a `choice` takes. */
  choices?: readonly string[];
  /** Read back masked (a webhook URL carries its secret). */
  secret?: boolean;
  /**
   * Of the policy (provisioning/policy): written with the other policy
   * settings, which are checked together (idle < stale < eligible), under this
   * name of `PATCH /api/v1/policy/settings`; updateSettings refuses it.
   */
  policyField?: string;
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

type Declared = Omit<SettingSpec, 'validate' | 'allowed'> & Partial<Pick<SettingSpec, 'allowed'>>;

/** A whole number from `min` (days, a count, bytes, seconds). */
const whole = (spec: Declared, min = 0): SettingSpec => ({
  allowed: `a whole number from ${min} to 999999999`,
  ...spec,
  validate: (value) => validateWholeNumberSetting(spec.key, value, min),
});

/** Text that matches `pattern`, else refused saying `allowed`. */
const text = (spec: Declared & { allowed: string }, pattern: RegExp): SettingSpec => ({
  ...spec,
  validate(value) {
    if (typeof value !== 'string' || !pattern.test(value))
      throw invalid(spec.key, value, spec.allowed);
    return value;
  },
});

/** A positive number of seconds, fractions allowed (how often, how long). */
const seconds = (spec: Declared): SettingSpec => {
  const allowed = 'a number of seconds above 0 (fractions allowed, e.g. 0.5), at most 86400';
  return {
    ...spec,
    allowed,
    validate(value) {
      const number = Number(value);
      const ok = /^\d{1,5}(\.\d{1,3})?$/.test(String(value)) && number > 0 && number <= 86400;
      if (!ok) throw invalid(spec.key, value, allowed);
      return String(number);
    },
  };
};

function port(value: unknown): string {
  const number = validateWholeNumberSetting('public_port', value, 1);
  if (Number(number) > 65535) throw invalid('public_port', value, 'a port from 1 to 65535');
  return number;
}

const RECIPIENTS_RULE = 'age X25519 recipients (age1…), comma-separated';

function recipients(value: unknown): string {
  const list = typeof value === 'string' ? splitRecipients(value) : null;
  if (!list || list.some((r) => !/^age1[0-9a-z]{58}$/.test(r))) {
    throw invalid(BACKUP_SETTING_KEYS.recipients, value, RECIPIENTS_RULE);
  }
  return list.join(',');
}

const SNAPSHOT_LIMIT_ACTIONS = ['prune', 'refuse'] as const;
const DURATION_RULE = 'a PostgreSQL duration such as "500ms", "10s" or "2min"';
const DURATION = /^\d{1,6}(ms|s|min|h)$/;
const CRON_RULE =
  'a cron pattern of 5 fields (minute hour day month weekday, e.g. "30 3 * * *"), or 6 with seconds first, or "off"';

/** `schedule_<job>`: the job's cron pattern (as `devdb serve` reads it, with croner), or `off`. */
const schedule = (job: string, label: string, every: string): SettingSpec => ({
  key: `schedule_${job}`,
  group: 'schedules',
  label,
  unit: 'cron',
  allowed: CRON_RULE,
  description: `when devdb serve runs its ${job} job (default: ${every})`,
  default: SCHEDULE_DEFAULTS[job] ?? null,
  validate(value) {
    if (value === 'off') return value;
    try {
      if (typeof value !== 'string' || value.length > 200) throw new Error('not text');
      new Cron(value, { paused: true, mode: '5-or-6-parts' });
      return value;
    } catch {
      throw invalid(`schedule_${job}`, value, CRON_RULE);
    }
  },
});

/** Each job's schedule when its schedule_<job> is not set (server/serve/jobs: the same patterns). */
export const SCHEDULE_DEFAULTS: Readonly<Record<string, string>> = {
  sampler: '*/5 * * * *',
  policy: '7 * * * *',
  backups: '0 2 * * *',
  drops: '*/10 * * * *',
  servers: '17 * * * *',
  server_health: '* * * * *',
};

const policyDays = (
  key: string,
  policyField: string,
  label: string,
  days: number,
  description: string,
): SettingSpec => ({
  key,
  group: 'policy',
  label,
  unit: 'days',
  allowed: POLICY_DAYS_RULE,
  policyField,
  description,
  default: String(days),
  validate: (value) => String(validatePolicyDays(key, value)),
});

const keys = BACKUP_SETTING_KEYS;

/**
 * Every setting an admin may read and change through the control plane, once:
 * its key, what it governs (group), a human label, its unit, what is allowed,
 * its default, and the check of a value. The API lists them in this order and
 * the dashboard draws its Settings page from the list.
 */
export const KNOWN_SETTINGS: readonly SettingSpec[] = [
  text(
    {
      key: 'public_host',
      group: 'connections',
      label: 'Host workspaces connect to',
      unit: 'text',
      allowed: 'a host name or IP address',
      description: 'the host name in the connection info workspaces get',
      default: null,
    },
    /^[A-Za-z0-9.:[\]-]{1,253}$/,
  ),
  {
    key: 'public_port',
    group: 'connections',
    label: 'Port workspaces connect to',
    unit: 'count',
    allowed: 'a port from 1 to 65535',
    description: 'the port in the connection info workspaces get',
    default: null,
    validate: port,
  },
  text(
    {
      key: 'lock_timeout',
      group: 'connections',
      label: 'Lock wait',
      unit: 'duration',
      allowed: DURATION_RULE,
      description: 'how long an operation waits for a lock on a database',
      default: '10s',
    },
    DURATION,
  ),
  text(
    {
      key: 'statement_timeout',
      group: 'connections',
      label: 'Step time limit',
      unit: 'duration',
      allowed: DURATION_RULE,
      description: 'how long one step of an operation may run',
      default: '120s',
    },
    DURATION,
  ),
  whole({
    key: 'seed_file_copy_min_bytes',
    group: 'connections',
    label: 'Seeds copied file by file from',
    unit: 'bytes',
    description:
      'seeds of this many bytes or more are copied file by file (FILE_COPY; PostgreSQL 18 clones), smaller ones through the WAL',
    default: String(64 * 1024 * 1024),
  }),
  text(
    {
      key: keys.dir,
      group: 'backups',
      label: 'Backup directory',
      unit: 'path',
      allowed: 'an absolute path',
      description: 'where backups are written on the DevDB host (BACKUP_DIR)',
      default: null,
    },
    /^\/[^\0]{0,4095}$/,
  ),
  {
    key: keys.recipients,
    group: 'backups',
    label: 'Encrypt backups to',
    unit: 'text',
    allowed: RECIPIENTS_RULE,
    description: 'age recipients backups are encrypted to; empty: unencrypted',
    default: null,
    validate: recipients,
  },
  whole({
    key: keys.keepDaily,
    group: 'backups',
    label: 'Daily backups kept',
    unit: 'count',
    description: 'daily backups kept per database',
    default: String(DEFAULT_RETENTION.keepDaily),
  }),
  whole({
    key: keys.keepWeekly,
    group: 'backups',
    label: 'Weekly backups kept',
    unit: 'count',
    description: 'weekly backups kept per database',
    default: String(DEFAULT_RETENTION.keepWeekly),
  }),
  whole({
    key: keys.keepMonthly,
    group: 'backups',
    label: 'Monthly backups kept',
    unit: 'count',
    description: 'monthly backups kept per database',
    default: String(DEFAULT_RETENTION.keepMonthly),
  }),
  whole({
    key: keys.finalKeepDays,
    group: 'backups',
    label: 'Final backups kept for',
    unit: 'days',
    description: 'days a final backup (taken before a drop) is kept',
    default: String(DEFAULT_RETENTION.finalKeepDays),
  }),
  whole(
    {
      key: 'backup_concurrency',
      group: 'backups',
      label: 'Backups at a time',
      unit: 'count',
      description: 'databases the scheduled backups job backs up (and verifies) at the same time',
      default: '2',
    },
    1,
  ),
  whole(
    {
      key: 'backup_verify_days',
      group: 'backups',
      label: 'Verify the newest backup every',
      unit: 'days',
      description:
        "a database's newest backup is verified by a trial restore when none was verified within this",
      default: '7',
    },
    1,
  ),
  policyDays(
    SETTING_KEYS.policyIdleDays,
    'idleDays',
    'Idle after',
    SETTING_DEFAULTS.policyIdleDays,
    'days without access after which a database is idle (warn)',
  ),
  policyDays(
    'policy_stale_days',
    'staleDays',
    'Stale after',
    60,
    'days without access after which a database is stale (review); more than idle',
  ),
  policyDays(
    'policy_eligible_days',
    'eligibleDays',
    'Eligible for cleanup after',
    90,
    'days without access after which cleanup may archive a database; more than stale',
  ),
  policyDays(
    'policy_archive_retention_days',
    'archiveRetentionDays',
    'Archives kept for',
    30,
    'days an archived database is kept before it may be dropped (after a verified final backup)',
  ),
  {
    key: 'policy_auto_action',
    group: 'policy',
    label: 'What devdb serve does on its own',
    unit: 'choice',
    choices: POLICY_AUTO_ACTIONS,
    allowed: `one of ${POLICY_AUTO_ACTIONS.join(', ')}`,
    policyField: 'autoAction',
    description:
      'notify: events and the webhook only; archive: also archive eligible databases and detach deleted workspaces; archive-and-drop: also drop archives past retention after a verified final backup',
    default: 'notify',
    validate: (value) => validatePolicyAutoAction(value),
  },
  // Snapshots (docs/snapshots.md): this server's limits; snapshots.sql reads them.
  whole({
    key: 'snapshots_per_database',
    group: 'snapshots',
    label: 'Snapshots per database',
    unit: 'count',
    description: 'snapshots a database may have (0: workspaces take none)',
    default: '5',
  }),
  whole({
    key: 'snapshot_max_bytes',
    group: 'snapshots',
    label: 'Snapshots on this server, in all',
    unit: 'bytes',
    description: 'bytes all snapshots on this server may take together (0: no limit)',
    default: '0',
  }),
  {
    key: 'snapshot_limit_action',
    group: 'snapshots',
    label: 'At a limit',
    unit: 'choice',
    choices: SNAPSHOT_LIMIT_ACTIONS,
    allowed: `one of ${SNAPSHOT_LIMIT_ACTIONS.join(', ')}`,
    description: "prune: the database's own oldest snapshots go; refuse: the new one is refused",
    default: 'prune',
    validate(value) {
      if (!SNAPSHOT_LIMIT_ACTIONS.includes(value as never)) {
        throw invalid(
          'snapshot_limit_action',
          value,
          `one of ${SNAPSHOT_LIMIT_ACTIONS.join(', ')}`,
        );
      }
      return value as string;
    },
  },
  text(
    {
      key: 'snapshot_statement_timeout',
      group: 'snapshots',
      label: 'Longest copy',
      unit: 'duration',
      allowed: DURATION_RULE,
      description: 'how long one copy of a snapshot, restore or reset may run',
      default: '1h',
    },
    DURATION,
  ),
  {
    key: 'policy_webhook_url',
    group: 'webhook',
    label: 'Webhook URL',
    unit: 'url',
    allowed: 'an http:// or https:// URL (e.g. a Slack incoming webhook)',
    secret: true,
    policyField: 'webhookUrl',
    description: 'every policy state change is POSTed here once; none: events only',
    default: null,
    validate: (value) => validateWebhookUrl(value),
  },
  text(
    {
      key: SETTING_KEYS.coderUrl,
      group: 'coder',
      label: 'Coder URL',
      unit: 'url',
      allowed: 'an http:// or https:// URL',
      description: "Coder's URL, for the orphan check (the token stays in CODER_SESSION_TOKEN)",
      default: null,
    },
    /^https?:\/\/[^\s]{1,2000}$/,
  ),
  whole(
    {
      key: SETTING_KEYS.coderTimeoutSeconds,
      group: 'coder',
      label: 'Coder answer timeout',
      unit: 'seconds',
      description: "seconds to wait for one answer from Coder's REST API",
      default: String(SETTING_DEFAULTS.coderTimeoutSeconds),
    },
    1,
  ),
  schedule('sampler', 'Sampler', 'every 5 minutes'),
  schedule('policy', 'Policy evaluation', 'hourly'),
  schedule('backups', 'Scheduled backups', 'daily at 02:00'),
  schedule('drops', 'Pending drops', 'every 10 minutes'),
  schedule('servers', 'Server measuring', 'hourly'),
  schedule('server_health', 'Server health probe', 'every minute'),
  {
    key: 'schedule_timezone',
    group: 'schedules',
    label: 'Time zone of the schedules',
    unit: 'text',
    allowed: 'an IANA time zone such as "UTC" or "Europe/Berlin"',
    description: 'the zone the cron patterns are read in (the same in every serve process)',
    default: 'UTC',
    validate(value) {
      const ok =
        typeof value === 'string' &&
        /^[A-Za-z0-9_+\-/]{1,64}$/.test(value) &&
        (() => {
          try {
            new Intl.DateTimeFormat('en', { timeZone: value });
            return true;
          } catch {
            return false;
          }
        })();
      if (!ok)
        throw invalid(
          'schedule_timezone',
          value,
          'an IANA time zone such as "UTC" or "Europe/Berlin"',
        );
      return value as string;
    },
  },
  seconds({
    key: 'schedule_poll_seconds',
    group: 'schedules',
    label: 'Look for due jobs every',
    unit: 'seconds',
    description: 'how often each serve process looks for due ticks',
    default: '5',
  }),
  seconds({
    key: 'schedule_lease_seconds',
    group: 'schedules',
    label: 'Job lease',
    unit: 'seconds',
    description: "a running tick's lease: a dead holder's tick is taken over once it expires",
    default: '60',
  }),
  whole(
    {
      key: 'sample_retention_days',
      group: 'monitoring',
      label: 'Samples kept for',
      unit: 'days',
      description: "the sampler's samples (size, sessions) are kept this long, for the charts",
      default: '30',
    },
    1,
  ),
  whole({
    key: 'sampler_size_budget',
    group: 'monitoring',
    label: 'Idle sizes measured per pass',
    unit: 'count',
    description:
      'idle databases whose size one sampler pass re-measures at most (used ones always)',
    default: '250',
  }),
  whole({
    key: METRICS_MAX_DATABASE_LABELS,
    group: 'monitoring',
    label: 'Per-database metrics up to',
    unit: 'count',
    description: 'databases above which /metrics has no per-database series, only totals',
    default: String(METRICS_MAX_DATABASE_LABELS_DEFAULT),
  }),
];

export interface SettingValue extends Pick<
  SettingSpec,
  'group' | 'label' | 'unit' | 'allowed' | 'choices' | 'secret' | 'policyField'
> {
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
  return KNOWN_SETTINGS.map(({ validate: _, ...spec }) => ({
    ...spec,
    value: stored.get(spec.key) ?? spec.default,
    set: stored.has(spec.key),
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
  const entries = Object.entries(changes).map(([key, value]) => {
    const spec = specFor(key);
    if (spec.policyField) {
      throw new ProvisioningError(
        `${key} is a policy setting, checked with the others (idle < stale < eligible): change it with \`devdb policy settings\` or PATCH /api/v1/policy/settings (${spec.policyField})`,
        '22023',
      );
    }
    return { key, value: value === null ? null : spec.validate(value) };
  });
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
