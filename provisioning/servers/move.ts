/**
 * `devdb move NAME --to SERVER` (docs/servers.md, "Moving a database"): a
 * database goes to another server of the pool with the backup machinery.
 *
 * 1. The central registry records the move (`moving_to`): every later run,
 *    after a crash or kill -9 at any step, finishes this same move.
 * 2. On the old server its workspaces are detached (their login roles and
 *    sessions go) and it is archived: nothing writes to it any more.
 * 3. A final backup of it is taken there (a real pg_dump, recorded, checksummed).
 * 4. That backup is restored on the new server, into a database made the way
 *    DevDB makes every one; the row counts must match the backup's, which
 *    makes it a verified backup (a later drop of the old copy can rely on it).
 * 5. The switch: the placement names the new server. Workspaces get credentials
 *    there at their next start (the provider finds no attachment there and
 *    attaches again); the archived copy stays on the old server until the
 *    policy or an admin drops it.
 */
import { query, queryOne, type Queryable } from '../schema/index.js';
import { detachWorkspace } from '../databases/index.js';
import { retireDatabase } from '../databases/index.js';
import { listAttachments } from '../databases/index.js';
import {
  restoreRecord,
  takeBackup,
  type BackupContext,
  type DatabaseIdentity,
} from '../backups/index.js';
import { recordVerification } from '../backups/index.js';
import { ProvisioningError } from '../contract/index.js';
import type { RoutedServer, ServerRouter } from './router.js';

export interface MoveOptions {
  database: string;
  to: string;
  /** Where the final backup goes (BACKUP_DIR). */
  backupDir: string;
  /** age recipients of the final backup; none: unencrypted. */
  recipients: string[];
  /** Identities to read it back when encrypted. */
  identities: string[];
  actor?: string;
  /** Each step as it starts, for progress lines. */
  onStep?: (step: MoveStep, detail: string) => void;
  env?: Record<string, string | undefined>;
}

export const MOVE_STEPS = ['record', 'detach', 'archive', 'backup', 'restore', 'switch'] as const;
export type MoveStep = (typeof MOVE_STEPS)[number];

export interface MoveResult {
  database: string;
  from: string;
  to: string;
  /** Workspaces detached on the old server (they attach again on the new one). */
  detached: number;
  /** The final backup, in the old server's registry. */
  backupId: number;
  tables: number;
}

type SourceRow = DatabaseIdentity & { status: string; lastAccessed: Date | null };

export async function moveDatabase(
  router: ServerRouter,
  options: MoveOptions,
): Promise<MoveResult> {
  const { database, to } = options;
  const step = options.onStep ?? (() => undefined);
  const actor = options.actor ?? 'cli';
  // Both servers answer before anything is recorded: no move starts from or to a server that
  // is down (ServerUnreachableError names it). An unknown `to` is start_move's to refuse.
  await router.forDatabase(database);
  const named = (await router.all()).find((routed) => routed.server.name === to);
  if (named) await router.probe(named);
  step('record', `moving ${database} to ${to}`);
  const { from } = await queryOne<{ from: string }>(
    router.central.db,
    `SELECT provisioning.start_move($1, $2) AS from`,
    [database, to],
  );
  const source = await router.forServer(from);
  const target = await router.forServer(to);
  const row = await sourceRow(source.db, database, from);
  const detached = row.status === 'active' ? await detachAll(source.db, database, step) : 0;
  if (row.status === 'active') {
    step('archive', `archiving ${database} on ${from}`);
    await retireDatabase(source.db, { database, policy: 'archive', actor });
  }
  step('backup', `final backup of ${database} on ${from}`);
  const sourceCtx = backupContext(source, options);
  const backup = await takeBackup(sourceCtx, {
    database,
    kind: 'final',
    dir: options.backupDir,
    recipients: options.recipients,
  });
  await dropStaleCopy(target, database, { to, actor, step });
  step('restore', `restoring backup ${backup.id} on ${to}`);
  const tables = await restoreRecord(backupContext(target, options), backup, {
    target: database,
    identities: options.identities,
    actor,
    known: { owner: row.owner, team: row.team },
  });
  // A real restore whose row counts matched: the final backup is verified.
  await recordVerification(source.db, backup.id, { error: null });
  await carryOver(target.db, database, row);
  step('switch', `${database} is now on ${to}`);
  await query(router.central.db, `SELECT provisioning.finish_move($1)`, [database]);
  await logMove(source.db, target.db, { database, from: from, to, actor, backupId: backup.id });
  return { database, from: from, to, detached, backupId: backup.id, tables };
}

async function sourceRow(db: Queryable, database: string, server: string): Promise<SourceRow> {
  const [row] = await query<SourceRow>(
    db,
    `SELECT status, owner_username AS owner, team_name AS team, last_accessed AS "lastAccessed"
       FROM provisioning.databases WHERE db_name = $1`,
    [database],
  );
  if (!row || row.status === 'dropped') {
    throw new ProvisioningError(
      `server ${server} holds no database named ${JSON.stringify(database)}`,
      'undefined_object',
      '`devdb list` shows the databases and their servers',
    );
  }
  return row;
}

/** Detaches every live attachment: its login role and sessions go. */
async function detachAll(
  db: Queryable,
  database: string,
  step: NonNullable<MoveOptions['onStep']>,
): Promise<number> {
  const live = (await listAttachments(db, database)).filter((a) => !a.detachedAt);
  step('detach', `detaching ${live.length} workspace(s) from ${database}`);
  for (const attachment of live) {
    await detachWorkspace(db, { workspaceId: attachment.workspaceId, database, actor: 'move' });
  }
  return live.length;
}

/**
 * A database moved back to a server it once left finds its old copy there,
 * archived by that earlier move: that copy is dropped (its final backup, taken
 * when it left, stays listed) so the restore starts from nothing.
 */
async function dropStaleCopy(
  target: RoutedServer,
  database: string,
  how: { to: string; actor: string; step: NonNullable<MoveOptions['onStep']> },
): Promise<void> {
  const [stale] = await query<{ finalBackup: number | null }>(
    target.db,
    `SELECT (SELECT b.id FROM provisioning.backups b
              WHERE b.db_name = d.db_name AND b.kind = 'final' AND b.status = 'ok'
              ORDER BY b.id DESC LIMIT 1) AS "finalBackup"
       FROM provisioning.databases d WHERE d.db_name = $1 AND d.status = 'archived'`,
    [database],
  );
  if (!stale) return;
  if (stale.finalBackup === null) {
    throw new ProvisioningError(
      `server ${how.to} holds an archived ${database} with no final backup`,
      'object_in_use',
      `restore it there (devdb restore ${database}) or drop it with its own backup before moving ${database} there`,
    );
  }
  how.step(
    'restore',
    `dropping the copy of ${database} an earlier move left archived on ${how.to}`,
  );
  await query(target.db, `SELECT provisioning.drop_database($1, $2, $3)`, [
    database,
    how.actor,
    stale.finalBackup,
  ]);
}

function backupContext(server: RoutedServer, options: MoveOptions): BackupContext {
  return { db: server.db, adminUrl: server.adminUrl, env: options.env };
}

/** What the policy reads: the new copy was last used when the old one was. */
async function carryOver(db: Queryable, database: string, row: SourceRow): Promise<void> {
  await query(
    db,
    `UPDATE provisioning.databases SET last_accessed = greatest(last_accessed, $2) WHERE db_name = $1`,
    [database, row.lastAccessed],
  );
}

async function logMove(
  source: Queryable,
  target: Queryable,
  move: { database: string; from: string; to: string; actor: string; backupId: number },
): Promise<void> {
  const detail = JSON.stringify({ from: move.from, to: move.to, backup_id: move.backupId });
  for (const db of [source, target]) {
    await query(db, `SELECT provisioning._log($1, 'database.move', $2, NULL, $3)`, [
      move.actor,
      move.database,
      detail,
    ]);
  }
}
