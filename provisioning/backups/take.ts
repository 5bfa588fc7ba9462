/**
 * Taking, verifying and restoring per-database backups (docs/backups.md): the
 * pg_dump/pg_restore processes, the files and the age streams. No server
 * dependency, so the library can back up too.
 *
 * A backup: a REPEATABLE READ transaction in the database exports its snapshot,
 * counts every table's rows in it, and stays open while `pg_dump -Fc
 * --snapshot` runs, so the counts describe exactly the dump. The dump streams
 * through age (when recipients are configured) and a sha256 into
 * `<dir>/<db>/<db>-<UTC timestamp>.dump[.age].partial`, renamed to its final name
 * only once complete and flushed.
 *
 * A run holds a session advisory lock on its registry row while it runs, so a
 * later run can tell that a `running` row belongs to a process that died
 * (cleanUpStaleRuns) and remove its `.partial` file. One backup of a database
 * at a time, across processes (BACKUP_DATABASE_LOCK, on the same session): a
 * second waits for the first.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { withoutCountingAsAccess } from '../access/index.js';
import type { BackupKind } from '../contract/index.js';
import { ProvisioningError } from '../contract/index.js';
import { query, queryOne, serverAccess, type Queryable } from '../schema/index.js';
import { BACKUP_DATABASE_LOCK } from '../jobs/index.js';
import { encryptStream } from './crypto.js';
import { type PgClientTools } from './pg-tools.js';
import {
  BACKUP_RUN_LOCK,
  getBackup,
  markStaleBackups,
  recordBackupFailed,
  recordBackupFinished,
  recordBackupStarted,
  type BackupRecord,
} from './registry.js';

import {
  type BackupContext,
  type RowCounts,
  countRows,
  hashingTap,
  ioFailure,
  isIoError,
  spawnTool,
  toolFailure,
  toolEnv,
  toolsFor,
  withClient,
} from './context.js';

/** `dev_alice-20250131T091500.123Z.dump` (milliseconds: two backups in one second differ). */
export function backupFileName(database: string, at: Date, encrypted: boolean): string {
  const stamp = at.toISOString().replace(/[-:]/g, '');
  return `${database}-${stamp}.dump${encrypted ? '.age' : ''}`;
}

/**
 * takeBackup's failure once the run was recorded: `backup` is its registry row
 * (status `failed`, the same reason in `error`); the message is the cause's.
 */
export class BackupFailedError extends ProvisioningError {
  constructor(
    readonly backup: BackupRecord,
    cause: ProvisioningError,
  ) {
    super(cause.message, cause.code, undefined, cause.detail);
    this.name = 'BackupFailedError';
  }
}

export interface BackupOptions {
  database: string;
  kind: BackupKind;
  /** BACKUP_DIR: the file goes to `<dir>/<database>/`. */
  dir: string;
  /** age X25519 recipients; none: the dump is stored unencrypted. */
  recipients: string[];
  /** Called with pg_dump's process id once it runs (tests interrupt it). */
  onDumpStarted?: (pid: number) => void;
}

/** Where a backup of `database` connects: its own name, or its archived one. */
interface BackupSource {
  physical: string;
  /** Archived: it refuses connections, so it is opened for pg_dump while the backup runs. */
  archived: boolean;
}

async function backupSource(db: Queryable, database: string): Promise<BackupSource> {
  const [row] = await query<{ status: string; physical: string | null }>(
    db,
    `SELECT r.status, provisioning._physical_name(r.db_name) AS physical
       FROM provisioning.databases r WHERE r.db_name = $1`,
    [database],
  );
  if (!row || row.physical === null || row.status === 'dropped') {
    throw new ProvisioningError(
      `no active or archived DevDB database named ${JSON.stringify(database)} to back up`,
      'undefined_object',
      '`devdb list` shows them',
    );
  }
  return { physical: row.physical, archived: row.status === 'archived' };
}

/** Opens (or closes again) an archived database to connections, for its backup. */
async function allowArchivedConnections(ctx: BackupContext, database: string, allow: boolean) {
  await query(ctx.db, `SELECT provisioning._allow_archived_connections($1, $2)`, [database, allow]);
}

/** The run's own session: it records the run and holds its locks until `end`. */
interface BackupRun {
  id: number;
  /** The server's time the run started (after any wait for another backup of the database). */
  startedAt: Date;
  file: string;
  end(): Promise<void>;
}

type RunInput = Omit<Parameters<typeof recordBackupStarted>[1], 'startedAt' | 'file'>;

/**
 * On a session of its own: waits for any other backup of the database to end
 * (its database lock), then records the run and takes its row's lock in one
 * transaction, so no other session ever sees the `running` row without the
 * lock held. The file is named after the start, by the server's clock.
 */
async function startRun(
  ctx: BackupContext,
  input: RunInput,
  fileAt: (startedAt: Date) => string,
): Promise<BackupRun> {
  const { db } = await queryOne<{ db: string }>(ctx.db, `SELECT current_database() AS db`);
  const client = new pg.Client(serverAccess(ctx.adminUrl).pgConfig(db));
  client.on('error', () => undefined); // a lost session shows as a lost lock, handled there
  await client.connect();
  try {
    // The session idles while the backup runs; a timeout would release the lock.
    await client.query(`SET application_name = 'devdb-backup-run'; SET idle_session_timeout = 0`);
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [
      BACKUP_DATABASE_LOCK,
      input.database,
    ]);
    await client.query('BEGIN');
    const { rows } = await client.query<{ now: Date }>('SELECT provisioning._now() AS now');
    const startedAt = rows[0]!.now;
    const file = fileAt(startedAt);
    const id = await recordBackupStarted(client, { ...input, startedAt, file });
    await client.query('SELECT pg_advisory_lock($1, $2)', [BACKUP_RUN_LOCK, id]);
    await client.query('COMMIT');
    return { id, startedAt, file, end: () => client.end().catch(() => undefined) };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/** Removes a `.partial` file; under a path that is not a folder (ENOTDIR) there is none. */
async function removePartial(file: string): Promise<void> {
  await rm(file, { force: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOTDIR') throw error;
  });
}

/**
 * Marks failed the `running` backups whose process died (their run lock is
 * gone: kill -9, a crash, a lost machine) and removes their `.partial` files;
 * an archived database such a run had opened is closed again. Returns them.
 * takeBackup and pruneBackups run it first.
 */
export async function cleanUpStaleRuns(ctx: BackupContext): Promise<BackupRecord[]> {
  const stale = await markStaleBackups(ctx.db);
  if (stale.length === 0) return stale;
  await Promise.all(stale.map((backup) => removePartial(`${backup.file}.partial`)));
  await query(
    ctx.db,
    `SELECT provisioning._allow_archived_connections(r.db_name, false)
       FROM provisioning.databases r
      WHERE r.db_name = ANY ($1) AND r.status = 'archived'
        AND NOT EXISTS (SELECT FROM provisioning.backups b
                         WHERE b.db_name = r.db_name AND b.status = 'running')`,
    [[...new Set(stale.map((backup) => backup.database))]],
  );
  return stale;
}

/** Streams pg_dump's output through age and the hash into `partial`. */
async function dumpToFile(
  ctx: BackupContext,
  tools: PgClientTools,
  options: BackupOptions & { physical: string },
  snapshot: string,
  partial: string,
): Promise<{ bytes: number; sha256: string }> {
  const args = ['-Fc', `--snapshot=${snapshot}`, `--role=${options.database}`, '--no-password'];
  const { child, stdout, exited } = spawnTool(
    tools.pgDump,
    args,
    toolEnv(ctx, options.physical),
    false,
  );
  if (child.pid !== undefined) options.onDumpStarted?.(child.pid);
  const { tap, result } = hashingTap();
  const written = (async () => {
    const source = options.recipients.length
      ? await encryptStream(stdout, options.recipients)
      : stdout;
    await pipeline(source, tap, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
  })();
  written.catch(() => child.kill('SIGKILL'));
  const [exit, write] = await Promise.allSettled([exited, written]);
  // A failed write comes first: it is why pg_dump died (SIGPIPE, or our SIGKILL).
  if (write.status === 'rejected' && isIoError(write.reason)) {
    throw ioFailure(write.reason, 'writing', partial);
  }
  if (exit.status === 'rejected') throw exit.reason;
  if (exit.value.code !== 0) throw toolFailure('pg_dump', exit.value);
  if (write.status === 'rejected') throw write.reason;
  try {
    const file = await open(partial, 'r+');
    try {
      await file.sync();
    } finally {
      await file.close();
    }
  } catch (error) {
    throw ioFailure(error, 'writing', partial);
  }
  return result();
}

/**
 * Takes one backup and records it; a failure is recorded too, and leaves no
 * file. An archived database is backed up too (kind 'final' before its drop):
 * it is opened to connections while pg_dump runs and closed again. Its own
 * sessions in the database are not access (sampler.ts).
 */
export async function takeBackup(
  ctx: BackupContext,
  options: BackupOptions,
): Promise<BackupRecord> {
  return withoutCountingAsAccess(ctx.db, options.database, () => dumpAndRecord(ctx, options));
}

async function dumpAndRecord(ctx: BackupContext, options: BackupOptions): Promise<BackupRecord> {
  const source = await backupSource(ctx.db, options.database);
  const { tools, version } = await toolsFor(ctx);
  await cleanUpStaleRuns(ctx);
  const encrypted = options.recipients.length > 0;
  const folder = path.join(options.dir, options.database);
  const run = await startRun(
    ctx,
    { database: options.database, kind: options.kind, encrypted, serverVersion: version.text },
    (startedAt) => path.join(folder, backupFileName(options.database, startedAt, encrypted)),
  );
  const { file } = run;
  const partial = `${file}.partial`;
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      throw ioFailure(error, 'creating', folder);
    });
    const { rowCounts, stored } = await dumpSnapshot(
      ctx,
      tools,
      { ...options, ...source },
      partial,
    );
    await rename(partial, file).catch((error: unknown) => {
      throw ioFailure(error, 'renaming', partial);
    });
    const finished = { ...stored, rowCounts };
    if (!(await recordBackupFinished(ctx.db, run.id, finished))) {
      await rm(file, { force: true });
      throw new ProvisioningError(
        `backup ${run.id} was marked failed while it ran (its run lock was lost)`,
      );
    }
  } catch (error) {
    // Whatever happens here, the run's own failure is what gets recorded and reported.
    await removePartial(partial).catch(() => undefined);
    await recordBackupFailed(ctx.db, run.id, (error as Error).message);
    if (!(error instanceof ProvisioningError)) throw error;
    throw new BackupFailedError((await getBackup(ctx.db, run.id))!, error);
  } finally {
    await run.end();
  }
  return (await getBackup(ctx.db, run.id))!;
}

/** The snapshot, its row counts and the dump of it, with an archived database opened meanwhile. */
async function dumpSnapshot(
  ctx: BackupContext,
  tools: PgClientTools,
  options: BackupOptions & BackupSource,
  partial: string,
): Promise<{ rowCounts: RowCounts; stored: { bytes: number; sha256: string } }> {
  if (options.archived) await allowArchivedConnections(ctx, options.database, true);
  try {
    return await withClient(ctx, options.physical, async (c) => {
      await c.query(`SET ROLE ${pg.escapeIdentifier(options.database)}`);
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await c.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
      const rowCounts = await countRows(c);
      const stored = await dumpToFile(ctx, tools, options, rows[0]!.id, partial);
      await c.query('COMMIT');
      return { rowCounts, stored };
    });
  } finally {
    if (options.archived) await allowArchivedConnections(ctx, options.database, false);
  }
}
