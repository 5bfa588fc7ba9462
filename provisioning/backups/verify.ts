/**
 * Verifying a backup (docs/backups.md): its file is intact (size, sha256), and a
 * trial restore into a scratch database gives back the row counts recorded when it
 * was taken. Also the pieces a restore shares: the dump's plain bytes and pg_restore.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { ProvisioningError } from '../contract/index.js';
import { query } from '../schema/index.js';
import { BackupKeyError, decryptStream } from './crypto.js';
import { type PgClientTools } from './pg-tools.js';
import { recordVerification, type BackupRecord } from './registry.js';

import {
  type BackupContext,
  type RowCounts,
  countRows,
  hashingTap,
  spawnTool,
  toolEnv,
  toolFailure,
  toolsFor,
  withClient,
} from './context.js';
import { successfulBackup } from './registry.js';

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

/** Refuses an encrypted backup when no identity is at hand (before anything is read or recorded). */
export function requireIdentities(
  record: Pick<BackupRecord, 'id' | 'encrypted'>,
  identities: string[],
): void {
  if (record.encrypted && identities.length === 0) {
    throw new BackupKeyError(
      `backup ${record.id} is encrypted; pass --identity FILE or set backup_identity_file`,
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
    toolEnv(ctx, database),
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

export function compareCounts(recorded: RowCounts, restored: RowCounts): string | null {
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
    const restored = await withClient(ctx, scratch, countRows);
    const mismatch = compareCounts(record.rowCounts ?? {}, restored);
    if (mismatch) throw new ProvisioningError(mismatch);
  });
}

/**
 * Checksum, `pg_restore --list`, then a trial restore into a scratch database
 * on the same server whose row counts must equal the recorded ones; the
 * scratch database is dropped whatever happens. The outcome is recorded.
 * Without an identity that opens an encrypted backup it refuses (BackupKeyError)
 * and records nothing: a missing or wrong key says nothing about the backup, and
 * its verification state (which retention relies on) stays as it was.
 */
export async function verifyBackup(
  ctx: BackupContext,
  id: number,
  identities: string[],
): Promise<VerifyResult> {
  const record = await successfulBackup(ctx, id);
  requireIdentities(record, identities);
  let error: string | null = null;
  try {
    await trialRestore(ctx, record, identities);
  } catch (failure) {
    if (!(failure instanceof ProvisioningError) || failure instanceof BackupKeyError) {
      throw failure;
    }
    error = failure.message;
  }
  await recordVerification(ctx.db, id, { error });
  const tables = Object.keys(record.rowCounts ?? {}).length;
  return { id, database: record.database, ok: error === null, error, tables };
}
