/**
 * Snapshots of a database (docs/snapshots.md): the admin side of snapshots.sql
 * (list, take, restore, delete, and the team setting that lets a team's
 * workspaces use them). Workspaces go through their own entry point,
 * provisioning.workspace_snapshots, from devdb-agent.
 */
import { query, queryOne, type Queryable } from '../schema/index.js';

export interface Snapshot {
  database: string;
  name: string;
  createdAt: Date;
  sizeBytes: number;
  createdBy: string;
}

/** A session a copy ended (or would end). */
export interface SnapshotSession {
  pid: number;
  user: string;
  application: string;
}

export interface SnapshotTaken {
  database: string;
  snapshot: string;
  created_at: string;
  size_bytes: number;
  /** `file_copy`, or `file_copy clone` on PostgreSQL 18. */
  method: string;
  sessions_ended: SnapshotSession[];
  /** Older snapshots of this database dropped to stay within the limits. */
  pruned: string[];
}

export interface SnapshotRestored {
  database: string;
  /** `snapshot NAME`, `seed DB` or `empty`. */
  restored_from: string;
  snapshot: string | null;
  sessions_ended: SnapshotSession[];
  at: string;
}

/** Every snapshot on this server, or one database's, oldest first. */
export async function listSnapshots(db: Queryable, database?: string): Promise<Snapshot[]> {
  const rows = await query<{
    db_name: string;
    name: string;
    created_at: Date;
    size_bytes: string;
    created_by: string;
  }>(db, 'SELECT * FROM provisioning.list_snapshots($1)', [database ?? null]);
  return rows.map((r) => ({
    database: r.db_name,
    name: r.name,
    createdAt: r.created_at,
    sizeBytes: Number(r.size_bytes),
    createdBy: r.created_by,
  }));
}

/** Takes a snapshot as an admin: every session in the database that is not a superuser's is ended. */
export async function takeSnapshot(
  db: Queryable,
  input: { database: string; name?: string; actor?: string },
): Promise<SnapshotTaken> {
  const row = await queryOne<{ result: SnapshotTaken }>(
    db,
    'SELECT provisioning.take_snapshot($1, $2, $3) AS result',
    [input.database, input.name ?? null, input.actor ?? null],
  );
  return row.result;
}

/** Puts a database back to one of its snapshots, under the same name, owner, grants and attachments. */
export async function restoreSnapshot(
  db: Queryable,
  input: { database: string; name: string; actor?: string },
): Promise<SnapshotRestored> {
  const row = await queryOne<{ result: SnapshotRestored }>(
    db,
    'SELECT provisioning.restore_snapshot($1, $2, $3) AS result',
    [input.database, input.name, input.actor ?? null],
  );
  return row.result;
}

/** Deletes one snapshot (its copy is dropped). */
export async function deleteSnapshot(
  db: Queryable,
  input: { database: string; name: string; actor?: string },
): Promise<void> {
  await query(db, 'SELECT provisioning.delete_snapshot($1, $2, $3)', [
    input.database,
    input.name,
    input.actor ?? null,
  ]);
}

/** Lets a team database's workspaces snapshot, restore and reset it (off by default). */
export async function setTeamSnapshots(
  db: Queryable,
  input: { database: string; allowed: boolean; actor?: string },
): Promise<void> {
  await query(db, 'SELECT provisioning.set_team_snapshots($1, $2, $3)', [
    input.database,
    input.allowed,
    input.actor ?? null,
  ]);
}
