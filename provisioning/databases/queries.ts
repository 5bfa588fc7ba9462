/** Read-side queries for admins (the CLI's list, summary, inspect, users; docs/architecture-sql.md). */
import { query, type Queryable } from '../schema/index.js';
import {
  DATABASE_STATUSES,
  DATABASE_TYPES,
  type AccessLevel,
  type DatabaseStatus,
  type DatabaseType,
  type PolicyState,
} from '../contract/index.js';

export interface DatabaseRow {
  name: string;
  type: DatabaseType;
  owner: string | null;
  ownerId: string | null;
  team: string | null;
  status: DatabaseStatus;
  createdAt: Date;
  lastAccessed: Date | null;
  users: number;
  activeAttachments: number;
  sizeBytes: number | null;
  /** Whole days since the last access; null when never accessed. */
  idleDays: number | null;
  /** Where the 30/60/90 policy puts it now (provisioning/policy/policy.ts). */
  policyState: PolicyState;
  /** An admin exempted it from the policy (`devdb protect`). */
  protected: boolean;
}

const DATABASE_COLUMNS = `db_name AS name, db_type AS type, owner_username AS owner, owner_id AS "ownerId",
  team_name AS team, status, created_at AS "createdAt", last_accessed AS "lastAccessed",
  user_count::int AS users, active_attachments::int AS "activeAttachments",
  size_bytes::float8 AS "sizeBytes",
  CASE WHEN last_accessed IS NOT NULL THEN idle_days END AS "idleDays",
  policy_state AS "policyState", protected`;

export function listDatabases(db: Queryable): Promise<DatabaseRow[]> {
  return query<DatabaseRow>(
    db,
    `SELECT ${DATABASE_COLUMNS} FROM provisioning.database_summary ORDER BY db_name`,
  );
}

/** The names of the active databases (not archived, not dropped), in order. */
export async function activeDatabaseNames(db: Queryable): Promise<string[]> {
  const rows = await query<{ name: string }>(
    db,
    `SELECT db_name AS name FROM provisioning.databases WHERE status = 'active' ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

/**
 * A database never accessed counts as such (`neverAccessed`: the summary, the
 * dashboard's notice) only once it is this old: a database made a moment ago
 * has not been used *yet*. Its first use counts from its creation (the
 * baseline ensure_database takes), whenever the sampler sees it.
 */
export const NEVER_ACCESSED_GRACE_HOURS = 24;

export interface Summary {
  databases: number;
  /** Every type and status, zeros included: each breakdown adds up to `databases`. */
  byType: Record<DatabaseType, number>;
  byStatus: Record<DatabaseStatus, number>;
  activeAttachments: number;
  users: number;
  totalSizeBytes: number;
  /** Snapshots on the server (docs/snapshots.md), and their bytes (not in totalSizeBytes). */
  snapshots: number;
  snapshotBytes: number;
  /** No access recorded since it was created, over NEVER_ACCESSED_GRACE_HOURS ago (server's clock). */
  neverAccessed: number;
  /** Accessed before, but not in the last 30 days (never-accessed ones are neverAccessed). */
  idleOver30Days: number;
}

export async function summarize(db: Queryable): Promise<Summary> {
  const all = await listDatabases(db);
  const [users] = await query<{ n: number }>(
    db,
    `SELECT count(DISTINCT username)::int AS n FROM provisioning.db_users`,
  );
  const [never] = await query<{ n: number }>(
    db,
    `SELECT count(*)::int AS n FROM provisioning.databases
      WHERE last_accessed IS NULL AND created_at <= provisioning._now() - make_interval(hours => $1)`,
    [NEVER_ACCESSED_GRACE_HOURS],
  );
  const [snapshots] = await query<{ n: number; bytes: number }>(
    db,
    `SELECT count(*)::int AS n, coalesce(sum(size_bytes), 0)::float8 AS bytes FROM provisioning.snapshots`,
  );
  const tally = <K extends string>(values: readonly K[], of: (d: DatabaseRow) => K) =>
    Object.fromEntries(
      values.map((value) => [value, all.filter((d) => of(d) === value).length]),
    ) as Record<K, number>;
  return {
    databases: all.length,
    byType: tally(DATABASE_TYPES, (d) => d.type),
    byStatus: tally(DATABASE_STATUSES, (d) => d.status),
    activeAttachments: all.reduce((n, d) => n + d.activeAttachments, 0),
    users: users?.n ?? 0,
    totalSizeBytes: all.reduce((n, d) => n + (d.sizeBytes ?? 0), 0),
    snapshots: snapshots?.n ?? 0,
    snapshotBytes: snapshots?.bytes ?? 0,
    neverAccessed: never?.n ?? 0,
    idleOver30Days: all.filter((d) => d.idleDays !== null && d.idleDays >= 30).length,
  };
}

export interface AttachmentRow {
  workspaceId: string;
  workspaceName: string | null;
  owner: string;
  user: string;
  template: string | null;
  attachedAt: Date;
  detachedAt: Date | null;
  lastSeenAt: Date | null;
}

/** A database's attachments, live and detached, oldest first. */
export function listAttachments(db: Queryable, database: string): Promise<AttachmentRow[]> {
  return query<AttachmentRow>(
    db,
    `SELECT workspace_id AS "workspaceId", workspace_name AS "workspaceName", owner_username AS owner,
            login_role AS user, template_name AS template, attached_at AS "attachedAt",
            detached_at AS "detachedAt", last_seen_at AS "lastSeenAt"
       FROM provisioning.attachments WHERE db_name = $1 ORDER BY attached_at, id`,
    [database],
  );
}

export interface EventRow {
  at: Date;
  actor: string;
  action: string;
  workspaceId: string | null;
  detail: Record<string, unknown>;
}

export interface DatabaseDetail {
  database: DatabaseRow;
  users: { username: string; accessLevel: AccessLevel; grantedAt: Date }[];
  attachments: AttachmentRow[];
  recentEvents: EventRow[];
}

export async function inspectDatabase(db: Queryable, name: string): Promise<DatabaseDetail | null> {
  const [database] = await query<DatabaseRow>(
    db,
    `SELECT ${DATABASE_COLUMNS} FROM provisioning.database_summary WHERE db_name = $1`,
    [name],
  );
  if (!database) return null;
  const users = await query<DatabaseDetail['users'][number]>(
    db,
    `SELECT username, access_level AS "accessLevel", granted_at AS "grantedAt"
       FROM provisioning.db_users WHERE db_name = $1 ORDER BY username`,
    [name],
  );
  const attachments = await listAttachments(db, name);
  const recentEvents = await query<EventRow>(
    db,
    `SELECT at, actor, action, workspace_id AS "workspaceId", detail
       FROM provisioning.events WHERE db_name = $1 ORDER BY id DESC LIMIT 20`,
    [name],
  );
  return { database, users, attachments, recentEvents };
}

export interface UserRow {
  username: string;
  databases: string[];
  owned: number;
  teams: number;
  activeAttachments: number;
}

export function listUsers(db: Queryable): Promise<UserRow[]> {
  return query<UserRow>(
    db,
    `SELECT u.username,
            array_agg(u.db_name ORDER BY u.db_name) AS databases,
            count(*) FILTER (WHERE u.access_level = 'owner')::int AS owned,
            count(*) FILTER (WHERE d.db_type = 'team')::int AS teams,
            (SELECT count(*) FROM provisioning.attachments a
              WHERE a.owner_username = u.username AND a.detached_at IS NULL)::int AS "activeAttachments"
       FROM provisioning.db_users u JOIN provisioning.databases d USING (db_name)
      GROUP BY u.username ORDER BY u.username`,
  );
}

export interface TeamRow {
  team: string;
  database: string;
  status: DatabaseStatus;
  /** pg_database_size; null when the database is not there under its name (archived, dropped). */
  sizeBytes: number | null;
  /** Usernames with access (everyone whose workspace ever attached), sorted. */
  members: string[];
}

/** DevDB's team databases by team name; only active ones unless `includeInactive`. */
export function listTeams(
  db: Queryable,
  options: { includeInactive?: boolean } = {},
): Promise<TeamRow[]> {
  return query<TeamRow>(
    db,
    `SELECT s.team_name AS team, s.db_name AS database, s.status, s.size_bytes::float8 AS "sizeBytes",
            array(SELECT u.username FROM provisioning.db_users u
                   WHERE u.db_name = s.db_name ORDER BY u.username) AS members
       FROM provisioning.database_summary s
      WHERE s.db_type = 'team' AND ($1 OR s.status = 'active')
      ORDER BY s.team_name`,
    [options.includeInactive ?? false],
  );
}

export interface DatabaseSize {
  name: string;
  status: DatabaseStatus;
  /** On disk, under its archived name for an archived database; null when missing from the server. */
  sizeBytes: number | null;
  /** Its snapshots' bytes (docs/snapshots.md), 0 without any. */
  snapshotBytes: number;
}

/** DevDB's databases not dropped, largest first (what `devdb size` prints). */
export function databaseSizes(db: Queryable): Promise<DatabaseSize[]> {
  return query<DatabaseSize>(
    db,
    `SELECT d.db_name AS name, d.status, pg_database_size(pg.oid)::float8 AS "sizeBytes",
            (SELECT coalesce(sum(s.size_bytes), 0) FROM provisioning.snapshots s
              WHERE s.db_name = d.db_name)::float8 AS "snapshotBytes"
       FROM provisioning.databases d
       LEFT JOIN pg_database pg ON pg.datname = CASE WHEN d.status = 'archived'
         THEN coalesce(d.metadata #>> '{archived,physical_name}', provisioning._archived_name(d.db_name)) ELSE d.db_name END
      WHERE d.status <> 'dropped'
      ORDER BY 3 DESC NULLS LAST, 1`,
  );
}
