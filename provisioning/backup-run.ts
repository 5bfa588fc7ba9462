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
 * (cleanUpStaleRuns) and remove its `.partial` file.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { decryptStream, encryptStream } from './backup-crypto.js';
import { planRetention } from './backup-retention.js';
import {
  BACKUP_RUN_LOCK,
  deleteBackupRecord,
  getBackup,
  listBackups,
  markStaleBackups,
  readBackupSettings,
  recordBackupFailed,
  recordBackupFinished,
  recordBackupStarted,
  recordVerification,
  type BackupRecord,
} from './backups.js';
import { query, queryOne, type Queryable } from './db.js';
import { ensureIndividualDatabase, ensureTeamDatabase } from './databases.js';
import type { BackupKind } from './domain.js';
import { ProvisioningError } from './errors.js';
import { findPgClientTools, majorOf, type PgClientTools } from './pg-tools.js';
import { withoutCountingAsAccess } from './sampler.js';

/** What every backup operation needs: the `devdb` database and how to reach the server. */
export interface BackupContext {
  /** Connected to `devdb` as the provisioner. */
  db: Queryable;
  /** The provisioner's URL; pg_dump/pg_restore get its parts through libpq's environment. */
  adminUrl: string;
  /** Where DEVDB_PG_BIN_DIR and PATH are read (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Injectable clock. */
  now?: () => Date;
  /** Where Debian's versioned client tools live (default /usr/lib/postgresql; tests point elsewhere). */
  pgVersionedRoot?: string;
}

export type RowCounts = Record<string, number>;

const clock = (ctx: BackupContext) => (ctx.now ?? (() => new Date()))();

function urlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** libpq's variables for the admin URL: the password never appears on a command line. */
function libpqEnv(adminUrl: string, database: string): NodeJS.ProcessEnv {
  const url = new URL(adminUrl);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: url.searchParams.get('host') ?? url.hostname.replace(/^\[|\]$/g, ''),
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: decodeURIComponent(url.password),
    PGDATABASE: database,
    PGAPPNAME: 'devdb-backup',
  };
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}

export async function withClient<T>(
  adminUrl: string,
  database: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: urlFor(adminUrl, database) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Exact rows of every ordinary table (not an extension's) in the current
 * snapshot, keyed `schema.table` with identifiers quoted as needed.
 */
export async function countRows(db: Queryable): Promise<RowCounts> {
  const rows = await query<{ name: string; rows: string }>(
    db,
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
            (xpath('/row/c/text()', query_to_xml(
               format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text AS rows
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname !~ '^pg_(toast|temp_)'
        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((row) => [row.name, Number(row.rows)]));
}

/** `dev_alice-20250131T091500.123Z.dump` (milliseconds: two backups in one second differ). */
export function backupFileName(database: string, at: Date, encrypted: boolean): string {
  const stamp = at.toISOString().replace(/[-:]/g, '');
  return `${database}-${stamp}.dump${encrypted ? '.age' : ''}`;
}

interface ServerVersion {
  text: string;
  major: number;
}

async function serverVersion(db: Queryable): Promise<ServerVersion> {
  const row = await queryOne<{ text: string; num: string }>(
    db,
    `SELECT current_setting('server_version') AS text, current_setting('server_version_num') AS num`,
  );
  return { text: row.text, major: majorOf(Number(row.num)) };
}

export async function toolsFor(
  ctx: BackupContext,
): Promise<{ tools: PgClientTools; version: ServerVersion }> {
  const version = await serverVersion(ctx.db);
  const options = { env: ctx.env, versionedRoot: ctx.pgVersionedRoot };
  return { version, tools: await findPgClientTools(version.major, options) };
}

/** Counts bytes and hashes them as they pass. */
function hashingTap(): { tap: Transform; result(): { bytes: number; sha256: string } } {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { tap, result: () => ({ bytes, sha256: hash.digest('hex') }) };
}

interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function spawnTool(file: string, args: string[], env: NodeJS.ProcessEnv, stdin: boolean) {
  const child = spawn(file, args, { env, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const stdout = child.stdout!;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 8192) stderr += chunk.toString();
  });
  const exited = new Promise<ProcessResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr: stderr.trim() }));
  });
  return { child, stdout, exited };
}

function toolFailure(tool: string, result: ProcessResult): ProvisioningError {
  const how = result.signal ? `was killed (${result.signal})` : `exited with ${result.code}`;
  const detail = result.stderr ? `: ${result.stderr.split('\n').slice(-3).join(' / ')}` : '';
  return new ProvisioningError(`${tool} ${how}${detail}`);
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

/** The run's own session: it records the run and holds its lock until `end`. */
interface BackupRun {
  id: number;
  end(): Promise<void>;
}

/**
 * Records the run and takes its lock in one transaction on a session of its
 * own, so no other session ever sees the `running` row without the lock held.
 */
async function startRun(
  ctx: BackupContext,
  input: Parameters<typeof recordBackupStarted>[1],
): Promise<BackupRun> {
  const { db } = await queryOne<{ db: string }>(ctx.db, `SELECT current_database() AS db`);
  const client = new pg.Client({ connectionString: urlFor(ctx.adminUrl, db) });
  client.on('error', () => undefined); // a lost session shows as a lost lock, handled there
  await client.connect();
  try {
    // The session idles while the backup runs; a timeout would release the lock.
    await client.query(`SET application_name = 'devdb-backup-run'; SET idle_session_timeout = 0`);
    await client.query('BEGIN');
    const id = await recordBackupStarted(client, input);
    await client.query('SELECT pg_advisory_lock($1, $2)', [BACKUP_RUN_LOCK, id]);
    await client.query('COMMIT');
    return { id, end: () => client.end().catch(() => undefined) };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/**
 * Marks failed the `running` backups whose process died (their run lock is
 * gone: kill -9, a crash, a lost machine) and removes their `.partial` files;
 * an archived database such a run had opened is closed again. Returns them.
 * takeBackup and pruneBackups run it first.
 */
export async function cleanUpStaleRuns(ctx: BackupContext): Promise<BackupRecord[]> {
  const stale = await markStaleBackups(ctx.db, clock(ctx));
  if (stale.length === 0) return stale;
  await Promise.all(stale.map((backup) => rm(`${backup.file}.partial`, { force: true })));
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
    libpqEnv(ctx.adminUrl, options.physical),
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
  if (exit.status === 'rejected') throw exit.reason;
  if (exit.value.code !== 0) throw toolFailure('pg_dump', exit.value);
  if (write.status === 'rejected') throw write.reason;
  const file = await open(partial, 'r+');
  try {
    await file.sync();
  } finally {
    await file.close();
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
  const startedAt = clock(ctx);
  const encrypted = options.recipients.length > 0;
  const folder = path.join(options.dir, options.database);
  const file = path.join(folder, backupFileName(options.database, startedAt, encrypted));
  const partial = `${file}.partial`;
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const run = await startRun(ctx, {
    database: options.database,
    kind: options.kind,
    file,
    encrypted,
    serverVersion: version.text,
    startedAt,
  });
  try {
    const { rowCounts, stored } = await dumpSnapshot(
      ctx,
      tools,
      { ...options, ...source },
      partial,
    );
    await rename(partial, file);
    const finished = { ...stored, rowCounts, finishedAt: clock(ctx) };
    if (!(await recordBackupFinished(ctx.db, run.id, finished))) {
      await rm(file, { force: true });
      throw new ProvisioningError(
        `backup ${run.id} was marked failed while it ran (its run lock was lost)`,
      );
    }
  } catch (error) {
    await rm(partial, { force: true });
    await recordBackupFailed(ctx.db, run.id, (error as Error).message, clock(ctx));
    throw error;
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
    return await withClient(ctx.adminUrl, options.physical, async (c) => {
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

/** sha256 and size of a stored file. */
export async function checksumFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const { tap, result } = hashingTap();
  await pipeline(createReadStream(file), tap, new PassThrough().resume());
  return result();
}

export async function assertIntact(record: BackupRecord): Promise<void> {
  const actual = await checksumFile(record.file).catch((error: NodeJS.ErrnoException) => {
    throw new ProvisioningError(`cannot read ${record.file}: ${error.code ?? error.message}`);
  });
  if (actual.sha256 !== record.sha256 || actual.bytes !== record.bytes) {
    throw new ProvisioningError(
      `backup ${record.id}: checksum mismatch (${record.file} is not the file that was stored)`,
    );
  }
}

/** The dump's plain bytes: the file, decrypted when it is encrypted. */
export async function openDump(record: BackupRecord, identities: string[]): Promise<Readable> {
  const file = createReadStream(record.file);
  return record.encrypted ? decryptStream(file, identities) : file;
}

/** Runs pg_restore with the dump on its stdin. */
const STOPPED_READING = new Set(['EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

export async function pgRestore(
  ctx: BackupContext,
  tools: PgClientTools,
  database: string,
  args: string[],
  dump: Readable,
): Promise<void> {
  const { child, stdout, exited } = spawnTool(
    tools.pgRestore,
    [...args, '--no-password'],
    libpqEnv(ctx.adminUrl, database),
    true,
  );
  stdout.resume();
  const fed = pipeline(dump, child.stdin!);
  const [exit, feed] = await Promise.allSettled([exited, fed]);
  // A decrypt failure explains pg_restore's failure (it saw a cut-off stream).
  // pg_restore closing its stdin before the end (`--list` reads only the TOC)
  // shows as EPIPE or, when no write was pending, as a premature close: its
  // exit code says whether it got what it needed.
  if (feed.status === 'rejected' && !STOPPED_READING.has(feed.reason?.code)) {
    throw new ProvisioningError(`reading the backup failed: ${(feed.reason as Error).message}`);
  }
  if (exit.status === 'rejected') throw exit.reason;
  if (exit.value.code !== 0) throw toolFailure('pg_restore', exit.value);
}

function compareCounts(recorded: RowCounts, restored: RowCounts): string | null {
  const tables = [...new Set([...Object.keys(recorded), ...Object.keys(restored)])].sort();
  const differences = tables
    .filter((table) => recorded[table] !== restored[table])
    .map((t) => `${t}: recorded ${recorded[t] ?? 'none'}, restored ${restored[t] ?? 'none'}`);
  return differences.length ? `row counts differ (${differences.join('; ')})` : null;
}

export interface VerifyResult {
  id: number;
  database: string;
  ok: boolean;
  error: string | null;
  tables: number;
}

async function withScratchDatabase<T>(
  ctx: BackupContext,
  id: number,
  fn: (name: string) => Promise<T>,
): Promise<T> {
  const name = `devdb_verify_${id}_${randomBytes(4).toString('hex')}`;
  const quoted = pg.escapeIdentifier(name);
  await query(ctx.db, `CREATE DATABASE ${quoted}`);
  try {
    // Only its creator reaches it while it holds a copy of someone's data.
    await query(ctx.db, `REVOKE ALL ON DATABASE ${quoted} FROM PUBLIC`);
    return await fn(name);
  } finally {
    await query(ctx.db, `DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
  }
}

async function trialRestore(
  ctx: BackupContext,
  record: BackupRecord,
  identities: string[],
): Promise<void> {
  await assertIntact(record);
  const { tools } = await toolsFor(ctx);
  await pgRestore(ctx, tools, 'postgres', ['--list'], await openDump(record, identities));
  await withScratchDatabase(ctx, record.id, async (scratch) => {
    const args = ['--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${scratch}`];
    await pgRestore(ctx, tools, scratch, args, await openDump(record, identities));
    const restored = await withClient(ctx.adminUrl, scratch, countRows);
    const mismatch = compareCounts(record.rowCounts ?? {}, restored);
    if (mismatch) throw new ProvisioningError(mismatch);
  });
}

/**
 * Checksum, `pg_restore --list`, then a trial restore into a scratch database
 * on the same server whose row counts must equal the recorded ones; the
 * scratch database is dropped whatever happens. The outcome is recorded.
 */
export async function verifyBackup(
  ctx: BackupContext,
  id: number,
  identities: string[],
): Promise<VerifyResult> {
  const record = await successfulBackup(ctx, id);
  let error: string | null = null;
  try {
    await trialRestore(ctx, record, identities);
  } catch (failure) {
    if (!(failure instanceof ProvisioningError)) throw failure;
    error = failure.message;
  }
  await recordVerification(ctx.db, id, { at: clock(ctx), error });
  const tables = Object.keys(record.rowCounts ?? {}).length;
  return { id, database: record.database, ok: error === null, error, tables };
}

/** Whose database it is, as the registry that recorded it says. */
export interface DatabaseIdentity {
  owner: string | null;
  team: string | null;
}

/**
 * Who a database name belongs to: as `known` says (a move brings the source's
 * registry row), else this registry, else the name itself: `dev_x` → user x,
 * `team_x` → team x (`_` ↔ `-`).
 */
async function ensureTarget(
  ctx: BackupContext,
  name: string,
  actor: string,
  known?: DatabaseIdentity,
): Promise<void> {
  const [recorded] = known
    ? [known]
    : await query<DatabaseIdentity>(
        ctx.db,
        `SELECT owner_username AS owner, team_name AS team FROM provisioning.databases WHERE db_name = $1`,
        [name],
      );
  const match = /^(dev|team)_(.+)$/.exec(name);
  const fromName = (kind: string) => (match?.[1] === kind ? match[2]!.replaceAll('_', '-') : null);
  const team = recorded ? recorded.team : fromName('team');
  const owner = recorded ? recorded.owner : fromName('dev');
  const ensured = team
    ? await ensureTeamDatabase(ctx.db, { team, actor })
    : owner
      ? await ensureIndividualDatabase(ctx.db, { owner, actor })
      : null;
  if (!ensured || ensured.name !== name) {
    throw new ProvisioningError(
      `${JSON.stringify(name)} is not a DevDB database name (dev_<user> or team_<team>)`,
      '22023',
    );
  }
}

export interface RestoreOptions {
  id: number;
  /** The database to create; default: the backup's own (which must not exist). */
  as?: string;
  identities: string[];
  actor?: string;
}

/**
 * Restores a backup into a database that does not exist yet, created the way
 * every DevDB database is (its owner role, PUBLIC revoked), with every
 * restored object owned by that role; the row counts must match the backup's.
 */
export async function restoreBackup(
  ctx: BackupContext,
  options: RestoreOptions,
): Promise<{ id: number; database: string; tables: number }> {
  const record = await successfulBackup(ctx, options.id);
  const target = options.as ?? record.database;
  const [exists] = await query(ctx.db, `SELECT FROM pg_database WHERE datname = $1`, [target]);
  if (exists) {
    throw new ProvisioningError(
      `database ${target} exists: restore under another name with --as NEW`,
      'duplicate_database',
    );
  }
  const tables = await restoreRecord(ctx, record, { ...options, target });
  return { id: record.id, database: target, tables };
}

/**
 * Restores the dump `record` describes (taken on this server or, for a move,
 * on another) into `target` on ctx's server: created when missing, replaced
 * object by object when a crashed run left it half made (--clean, and one
 * transaction, so pg_restore leaves all or nothing). Returns the tables.
 */
export async function restoreRecord(
  ctx: BackupContext,
  record: BackupRecord,
  options: { target: string; identities: string[]; actor?: string; known?: DatabaseIdentity },
): Promise<number> {
  const { target } = options;
  await assertIntact(record);
  const { tools } = await toolsFor(ctx);
  const dump = await openDump(record, options.identities);
  await ensureTarget(ctx, target, options.actor ?? 'cli', options.known);
  // --clean: what ensure created (a team's `shared` schema) is replaced by the backup's.
  const args = ['--no-owner', '--no-privileges', `--role=${target}`, '--clean', '--if-exists'];
  args.push('--exit-on-error', '--single-transaction', `--dbname=${target}`);
  await pgRestore(ctx, tools, target, args, dump);
  const tables = await assertRestoredCounts(ctx, target, record);
  await reapplyAfterRestore(ctx, target);
  await logRestore(ctx, target, options.actor, {
    backup_id: record.id,
    from_database: record.database,
  });
  return tables;
}

/** A backup that can be restored: it exists and was taken successfully. */
export async function successfulBackup(ctx: BackupContext, id: number): Promise<BackupRecord> {
  const record = await getBackup(ctx.db, id);
  if (!record || record.status !== 'ok') {
    throw new ProvisioningError(`no successful backup with id ${id}; \`devdb backups\` lists them`);
  }
  return record;
}

/** The restored database's row counts, as its owner role, must be the backup's; returns the tables. */
export async function assertRestoredCounts(
  ctx: BackupContext,
  target: string,
  record: BackupRecord,
): Promise<number> {
  const restored = await withClient(ctx.adminUrl, target, async (c) => {
    await c.query(`SET ROLE ${pg.escapeIdentifier(target)}`);
    return countRows(c);
  });
  const mismatch = compareCounts(record.rowCounts ?? {}, restored);
  if (mismatch) throw new ProvisioningError(`restored ${target}, but ${mismatch}`);
  return Object.keys(restored).length;
}

/**
 * The live attachments' per-database settings and the read role's grants,
 * applied again after a restore (provisioning._reapply_after_restore).
 */
export async function reapplyAfterRestore(ctx: BackupContext, database: string): Promise<void> {
  await query(ctx.db, `SELECT provisioning._reapply_after_restore($1)`, [database]);
}

/** The `database.restore_backup` event. */
export async function logRestore(
  ctx: BackupContext,
  target: string,
  actor: string | undefined,
  detail: Record<string, unknown>,
): Promise<void> {
  await query(ctx.db, `SELECT provisioning._log($1, 'database.restore_backup', $2, NULL, $3)`, [
    actor ?? 'cli',
    target,
    JSON.stringify(detail),
  ]);
}

export interface PruneResult {
  /** Backups deleted (or, with dryRun, that would be). */
  pruned: BackupRecord[];
  kept: number;
}

/**
 * Applies the retention policy in provisioning.settings (backup-retention.ts)
 * to the successful backups: deletes the file, then the row. Failed attempts
 * left no file and are not touched.
 */
export async function pruneBackups(
  ctx: BackupContext,
  options: { dryRun: boolean },
): Promise<PruneResult> {
  if (!options.dryRun) await cleanUpStaleRuns(ctx);
  const [settings, all] = await Promise.all([readBackupSettings(ctx.db), listBackups(ctx.db)]);
  const successful = all.filter((b) => b.status === 'ok');
  const plan = planRetention(successful, settings.retention, clock(ctx));
  const byId = new Map(successful.map((b) => [b.id, b]));
  const pruned = plan.prune.map((id) => byId.get(id)!);
  if (!options.dryRun) {
    for (const backup of pruned) {
      await rm(backup.file, { force: true });
      await deleteBackupRecord(ctx.db, backup.id);
    }
  }
  return { pruned, kept: plan.keep.size };
}
