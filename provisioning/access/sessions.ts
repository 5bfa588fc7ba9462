/**
 * Who is connected to DevDB's databases, and ending their sessions
 * (`devdb connections [NAME] [--terminate]`; provisioning/access/sessions.sql).
 */
import { query, queryOne, type Queryable } from '../schema/index.js';

export interface ConnectionRow {
  database: string;
  /** The login role. */
  user: string;
  /** Whose workspace the role is, from its live attachment; null for a role no workspace has (an admin's). */
  owner: string | null;
  workspaceName: string | null;
  workspaceId: string | null;
  /** Client sessions of this user in this database. */
  sessions: number;
  /** … running a statement now. */
  active: number;
  idle: number;
  idleInTransaction: number;
  /** When the oldest of them connected. */
  oldestSince: Date | null;
}

/** Client sessions in DevDB's databases (or one), per database and user, with the workspace the user is. */
export function listConnections(
  db: Queryable,
  options: { database?: string } = {},
): Promise<ConnectionRow[]> {
  return query<ConnectionRow>(
    db,
    `SELECT a.datname AS database, a.usename AS user, w.owner_username AS owner,
            w.workspace_name AS "workspaceName", w.workspace_id AS "workspaceId",
            count(*)::int AS sessions,
            count(*) FILTER (WHERE a.state = 'active')::int AS active,
            count(*) FILTER (WHERE a.state = 'idle')::int AS idle,
            count(*) FILTER (WHERE a.state LIKE 'idle in transaction%')::int AS "idleInTransaction",
            min(a.backend_start) AS "oldestSince"
       FROM pg_stat_activity a
       JOIN provisioning.databases d ON d.db_name = a.datname
       LEFT JOIN provisioning.attachments w ON w.login_role = a.usename AND w.detached_at IS NULL
      WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
        AND ($1::text IS NULL OR a.datname = $1)
      GROUP BY a.datname, a.usename, w.owner_username, w.workspace_name, w.workspace_id
      ORDER BY a.datname, w.owner_username NULLS LAST, a.usename`,
    [options.database ?? null],
  );
}

/** Client sessions per database, any database of the server's (none: not in the map). */
export async function sessionCounts(db: Queryable): Promise<Map<string, number>> {
  const rows = await query<{ name: string; n: number }>(
    db,
    `SELECT datname AS name, count(*)::int AS n FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND datname IS NOT NULL GROUP BY datname`,
  );
  return new Map(rows.map((row) => [row.name, row.n]));
}

/** Ends the client sessions in a DevDB database (one user's, with `user`); recorded as an event. */
export function terminateSessions(
  db: Queryable,
  input: { database: string; user?: string; actor?: string },
): Promise<{ terminated: number; leftRunning: number }> {
  return queryOne<{ terminated: number; leftRunning: number }>(
    db,
    `SELECT terminated, left_running AS "leftRunning"
       FROM provisioning.terminate_sessions($1, $2, $3)`,
    [input.database, input.user ?? null, input.actor ?? null],
  );
}
