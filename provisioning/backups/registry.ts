/**
 * The backup registry and its settings (docs/backups.md): one row of
 * provisioning.backups per dump, and where backups go, whom they are encrypted
 * to and how long they are kept, in provisioning.settings. The dumping itself
 * is in take.ts.
 */
import { query, queryOne, type Queryable } from '../schema/index.js';
import { DEFAULT_RETENTION, type RetentionPolicy } from './retention.js';
import { ProvisioningError, type BackupKind, type BackupStatus } from '../contract/index.js';

export interface BackupRecord {
  id: number;
  database: string;
  kind: BackupKind;
  status: BackupStatus;
  file: string;
  encrypted: boolean;
  bytes: number | null;
  sha256: string | null;
  /** `schema.table` → rows, counted in the dump's snapshot. */
  rowCounts: Record<string, number> | null;
  serverVersion: string;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
  verifiedAt: Date | null;
  verifyError: string | null;
}

const RECORD_COLUMNS = `id::int, db_name AS database, kind, status, file, encrypted, bytes::float8 AS bytes,
  sha256, row_counts AS "rowCounts", server_version AS "serverVersion", started_at AS "startedAt",
  finished_at AS "finishedAt", error, verified_at AS "verifiedAt", verify_error AS "verifyError"`;

export async function recordBackupStarted(
  db: Queryable,
  input: {
    database: string;
    kind: BackupKind;
    file: string;
    encrypted: boolean;
    serverVersion: string;
    startedAt: Date;
  },
): Promise<number> {
  const row = await queryOne<{ id: number }>(
    db,
    `INSERT INTO provisioning.backups (db_name, kind, file, encrypted, server_version, started_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::int`,
    [input.database, input.kind, input.file, input.encrypted, input.serverVersion, input.startedAt],
  );
  return row.id;
}

/** Marks a running backup ok; false when it is no longer running (cleanUpStaleRuns took it). */
export async function recordBackupFinished(
  db: Queryable,
  id: number,
  result: { bytes: number; sha256: string; rowCounts: Record<string, number> },
): Promise<boolean> {
  const updated = await query(
    db,
    `UPDATE provisioning.backups
        SET status = 'ok', bytes = $2, sha256 = $3, row_counts = $4, finished_at = provisioning._now()
      WHERE id = $1 AND status = 'running' RETURNING id`,
    [id, result.bytes, result.sha256, JSON.stringify(result.rowCounts)],
  );
  return updated.length === 1;
}

export async function recordBackupFailed(db: Queryable, id: number, error: string): Promise<void> {
  await query(
    db,
    `UPDATE provisioning.backups SET status = 'failed', error = $2, finished_at = provisioning._now()
      WHERE id = $1`,
    [id, error],
  );
}

/**
 * The session advisory lock a backup run holds on (BACKUP_RUN_LOCK, its id)
 * while it runs ('devb'; database locks use 'devd'). PostgreSQL releases it
 * when the session ends, so a `running` row whose lock nobody holds belongs to
 * a process that died: the run never finishes.
 */
export const BACKUP_RUN_LOCK = 1684371042;

/**
 * Marks failed every `running` backup whose run lock is no longer held, and
 * returns them. A finished run records its outcome before it lets go of the
 * lock, so a run that is ending is not caught here.
 */
export async function markStaleBackups(db: Queryable): Promise<BackupRecord[]> {
  return query<BackupRecord>(
    db,
    `UPDATE provisioning.backups b
        SET status = 'failed', finished_at = provisioning._now(),
            error = 'the process taking it ended before it finished (its session lock was released)'
      WHERE b.status = 'running'
        AND NOT EXISTS (SELECT FROM pg_locks l
                         WHERE l.locktype = 'advisory' AND l.classid = $1::oid
                           AND l.objid = b.id::oid AND l.objsubid = 2)
      RETURNING ${RECORD_COLUMNS}`,
    [BACKUP_RUN_LOCK],
  );
}

/**
 * A verification's outcome, now by the server's clock: verified_at on success,
 * verify_error (and no verified_at) otherwise.
 */
export async function recordVerification(
  db: Queryable,
  id: number,
  outcome: { error: string | null },
): Promise<void> {
  await query(
    db,
    `UPDATE provisioning.backups
        SET verified_at = CASE WHEN $2::text IS NULL THEN provisioning._now() END, verify_error = $2
      WHERE id = $1`,
    [id, outcome.error],
  );
}

/** Backups newest first; of one database when `database` is given. */
export async function listBackups(db: Queryable, database?: string): Promise<BackupRecord[]> {
  return query<BackupRecord>(
    db,
    `SELECT ${RECORD_COLUMNS} FROM provisioning.backups
      WHERE $1::text IS NULL OR db_name = $1 ORDER BY started_at DESC, id DESC`,
    [database ?? null],
  );
}

export async function getBackup(db: Queryable, id: number): Promise<BackupRecord | null> {
  const [row] = await query<BackupRecord>(
    db,
    `SELECT ${RECORD_COLUMNS} FROM provisioning.backups WHERE id = $1`,
    [id],
  );
  return row ?? null;
}

/** The newest successful backup of `database`. */
export async function latestBackup(db: Queryable, database: string): Promise<BackupRecord | null> {
  const [row] = await query<BackupRecord>(
    db,
    `SELECT ${RECORD_COLUMNS} FROM provisioning.backups
      WHERE db_name = $1 AND status = 'ok' ORDER BY started_at DESC, id DESC LIMIT 1`,
    [database],
  );
  return row ?? null;
}

export async function deleteBackupRecord(db: Queryable, id: number): Promise<void> {
  await query(db, `DELETE FROM provisioning.backups WHERE id = $1`, [id]);
}

/** What provisioning.settings says about backups; unset keys are null / defaults. */
/** Active databases without a successful scheduled backup started at or after `since`, by name. */
export async function databasesDueForBackup(db: Queryable, since: Date): Promise<string[]> {
  const rows = await query<{ name: string }>(
    db,
    `SELECT d.db_name AS name FROM provisioning.databases d
      WHERE d.status = 'active'
        AND NOT EXISTS (SELECT FROM provisioning.backups b
                         WHERE b.db_name = d.db_name AND b.kind = 'scheduled' AND b.status = 'ok'
                           AND b.started_at >= $1)
      ORDER BY 1`,
    [since],
  );
  return rows.map((row) => row.name);
}

/**
 * Per active database with no backup verified within `days` (by the server's
 * clock, provisioning._now()): its newest successful backup not verified yet.
 */
export function backupsDueForVerification(
  db: Queryable,
  days: number,
): Promise<{ id: number; database: string; encrypted: boolean }[]> {
  return query<{ id: number; database: string; encrypted: boolean }>(
    db,
    `SELECT DISTINCT ON (b.db_name) b.id::int, b.db_name AS database, b.encrypted
       FROM provisioning.backups b
       JOIN provisioning.databases d ON d.db_name = b.db_name AND d.status = 'active'
      WHERE b.status = 'ok' AND b.verified_at IS NULL
        AND NOT EXISTS (SELECT FROM provisioning.backups v
                         WHERE v.db_name = b.db_name
                           AND v.verified_at > provisioning._now() - make_interval(days => $1))
      ORDER BY b.db_name, b.started_at DESC, b.id DESC`,
    [days],
  );
}

export interface BackupSettings {
  dir: string | null;
  /** age X25519 recipients (`age1…`); none: backups are stored unencrypted. */
  recipients: string[];
  /**
   * An age identity file readable by the DevDB process: how it verifies the
   * encrypted final backups it takes before a drop (and the default identity
   * of `devdb backup verify` / `devdb restore`).
   */
  identityFile: string | null;
  retention: RetentionPolicy;
}

/** provisioning.settings keys (values are text). */
export const BACKUP_SETTING_KEYS = {
  dir: 'backup_dir',
  recipients: 'backup_recipients',
  identityFile: 'backup_identity_file',
  keepDaily: 'backup_keep_daily',
  keepWeekly: 'backup_keep_weekly',
  keepMonthly: 'backup_keep_monthly',
  finalKeepDays: 'backup_final_keep_days',
} as const;

export const splitRecipients = (value: string | undefined): string[] =>
  (value ?? '').split(/[\s,]+/).filter(Boolean);

export async function readBackupSettings(db: Queryable): Promise<BackupSettings> {
  const rows = await query<{ key: string; value: string }>(
    db,
    `SELECT key, value FROM provisioning.settings WHERE key LIKE 'backup\\_%'`,
  );
  const value = (key: string) => rows.find((row) => row.key === key)?.value;
  const count = (key: string, fallback: number) => {
    const raw = value(key);
    return raw === undefined ? fallback : Number(raw);
  };
  const keys = BACKUP_SETTING_KEYS;
  return {
    dir: value(keys.dir) ?? null,
    recipients: splitRecipients(value(keys.recipients)),
    identityFile: value(keys.identityFile) ?? null,
    retention: {
      keepDaily: count(keys.keepDaily, DEFAULT_RETENTION.keepDaily),
      keepWeekly: count(keys.keepWeekly, DEFAULT_RETENTION.keepWeekly),
      keepMonthly: count(keys.keepMonthly, DEFAULT_RETENTION.keepMonthly),
      finalKeepDays: count(keys.finalKeepDays, DEFAULT_RETENTION.finalKeepDays),
    },
  };
}

/** Sets (or with null, removes) one backup setting. */
export async function writeBackupSetting(
  db: Queryable,
  key: (typeof BACKUP_SETTING_KEYS)[keyof typeof BACKUP_SETTING_KEYS],
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

/** A backup that can be restored: it exists and was taken successfully. */
export async function successfulBackup(ctx: { db: Queryable }, id: number): Promise<BackupRecord> {
  const record = await getBackup(ctx.db, id);
  if (!record || record.status !== 'ok') {
    throw new ProvisioningError(`no successful backup with id ${id}; \`devdb backups\` lists them`);
  }
  return record;
}
