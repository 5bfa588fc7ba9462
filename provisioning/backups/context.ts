/**
 * What every backup operation shares (docs/backups.md): the context (the `devdb`
 * database and how to reach the server), sessions and libpq's environment from it, the
 * client tools that match the server, the child processes and their failures, and
 * row counts, which describe a dump and prove a restore.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import pg from 'pg';
import { ProvisioningError } from '../contract/index.js';
import { query, queryOne, serverAccess, type Queryable } from '../schema/index.js';
import { findPgClientTools, majorOf, type PgClientTools } from './pg-tools.js';

/** What every backup operation needs: the `devdb` database and how to reach the server. */
export interface BackupContext {
  /** Connected to `devdb` as the provisioner. */
  db: Queryable;
  /**
   * The provisioner's URL, with its TLS (a RoutedServer's adminUrl names its CA's
   * file): sessions and pg_dump/pg_restore reach the server through it (schema/reach.ts).
   */
  adminUrl: string;
  /** Where DEVDB_PG_BIN_DIR and PATH are read (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Where Debian's versioned client tools live (default /usr/lib/postgresql; tests point elsewhere). */
  pgVersionedRoot?: string;
}

export type RowCounts = Record<string, number>;

/** libpq's environment for pg_dump/pg_restore on `database` (schema/reach.ts: the CA too). */
export function toolEnv(ctx: BackupContext, database: string): NodeJS.ProcessEnv {
  return serverAccess(ctx.adminUrl).libpqEnv(database, { applicationName: 'devdb-backup' });
}

/** A session of its own on `database`, as the provisioner, reached as ctx.adminUrl says. */
export async function withClient<T>(
  ctx: BackupContext,
  database: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client(serverAccess(ctx.adminUrl).pgConfig(database));
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

interface ServerVersion {
  text: string;
  major: number;
}

export async function serverVersion(db: Queryable): Promise<ServerVersion> {
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
export function hashingTap(): { tap: Transform; result(): { bytes: number; sha256: string } } {
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

export function spawnTool(file: string, args: string[], env: NodeJS.ProcessEnv, stdin: boolean) {
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

/** What an errno code means, in the words of strerror(3). */
const IO_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'file exists',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in system',
};

/** An error of the file system (it has an errno code such as ENOSPC), as opposed to a bug. */
export const isIoError = (error: unknown): error is NodeJS.ErrnoException =>
  error instanceof Error &&
  typeof (error as NodeJS.ErrnoException).code === 'string' &&
  typeof (error as NodeJS.ErrnoException).syscall === 'string';

/**
 * A file system error as one line naming the file and the error: `no space left
 * on device writing /backups/dev_alice/….partial (ENOSPC)`. Anything that is
 * not one is returned as is.
 */
export function ioFailure(error: unknown, doing: string, file: string): unknown {
  if (!isIoError(error)) return error;
  const code = error.code!;
  const what = IO_ERRORS[code] ?? error.message.replace(/^\w+: /, '').split(',')[0];
  return new ProvisioningError(`${what} ${doing} ${file} (${code})`, code);
}

export function toolFailure(tool: string, result: ProcessResult): ProvisioningError {
  const how = result.signal ? `was killed (${result.signal})` : `exited with ${result.code}`;
  const detail = result.stderr ? `: ${result.stderr.split('\n').slice(-3).join(' / ')}` : '';
  return new ProvisioningError(`${tool} ${how}${detail}`);
}
