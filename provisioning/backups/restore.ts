/**
 * Restoring a backup (docs/backups.md): into its own database (ensured as the
 * registry recorded it) or as a new one, checked against the backup's row counts,
 * with the database's access re-applied and an event recorded.
 */
import pg from 'pg';
import { ProvisioningError, teamDatabaseName } from '../contract/index.js';
import { ensureIndividualDatabase, ensureTeamDatabase } from '../databases/index.js';
import { query } from '../schema/index.js';
import { successfulBackup, type BackupRecord } from './registry.js';

import { type BackupContext, countRows, toolsFor, withClient } from './context.js';
import { assertIntact, compareCounts, openDump, pgRestore } from './verify.js';

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
  /** The database to create: a new team database (`team_<team>`); default: the backup's own (which must not exist). */
  as?: string;
  identities: string[];
  actor?: string;
}

/** Whether `name` is exactly the database name of a valid team name. */
function isTeamDatabaseName(name: string): boolean {
  const team = /^team_(.+)$/.exec(name)?.[1]?.replaceAll('_', '-');
  try {
    return team !== undefined && teamDatabaseName(team) === name;
  } catch {
    return false;
  }
}

/**
 * What a backup may be restored as (docs/backups.md, "Restore"): its own name,
 * or a new team database, which an admin then gives to whom they choose. Never
 * a `dev_<user>`: that name is a person's own database, so a copy there (of
 * alice's data as `dev_bob`, or as `dev_alice_copy`, user alice-copy's) would be
 * handed to that user, now or whenever they first start a workspace.
 */
function assertRestoreName(record: BackupRecord, target: string): void {
  if (target === record.database || isTeamDatabaseName(target)) return;
  const why = target.startsWith('dev_')
    ? `is the personal database of a user (dev_<user>): restoring ${record.database} there would give its data to that user`
    : 'is not a DevDB team database name';
  throw new ProvisioningError(
    `cannot restore backup ${record.id} as ${JSON.stringify(target)}: it ${why}; ` +
      `restore a copy as a new team database (--as team_<name>, e.g. team_restored), or ${record.database} under its own name`,
    '22023',
  );
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
  assertRestoreName(record, target);
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

/** The restored database's row counts, as its owner role, must be the backup's; returns the tables. */
export async function assertRestoredCounts(
  ctx: BackupContext,
  target: string,
  record: BackupRecord,
): Promise<number> {
  const restored = await withClient(ctx, target, async (c) => {
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
