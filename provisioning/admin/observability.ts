/**
 * The numbers behind the control plane's /metrics (docs/api.md, "Metrics"):
 * read in one pass over the registry and PostgreSQL's statistics, so a scrape
 * costs a few queries whatever the number of databases.
 */
import { query, queryOne, type Queryable } from '../schema/index.js';
import { DATABASE_STATUSES, type DatabaseStatus } from '../contract/index.js';

export interface DatabaseMetrics {
  name: string;
  sizeBytes: number | null;
  connections: number;
  createdAt: Date;
  lastAccessed: Date | null;
  lastBackupAt: Date | null;
  lastVerifiedAt: Date | null;
  /** The newest verification of its backups failed. */
  verificationFailing: boolean;
}

export interface MetricsSnapshot {
  databasesByStatus: Record<DatabaseStatus, number>;
  /** Active databases. */
  databases: DatabaseMetrics[];
  /** Events by action: operations ("database.ensure") and failures ("backup.run.failed"); an event with a numeric `detail.refusals` counts that many. */
  eventsByAction: { action: string; count: number }[];
  server: { connections: number; maxConnections: number };
}

/** Event actions ending in this record a failed operation (the control plane writes them). */
export const FAILED_ACTION_SUFFIX = '.failed';

export async function metricsSnapshot(db: Queryable): Promise<MetricsSnapshot> {
  const [statuses, databases, eventsByAction, server] = await Promise.all([
    query<{ status: DatabaseStatus; n: number }>(
      db,
      `SELECT status, count(*)::int AS n FROM provisioning.databases GROUP BY status`,
    ),
    query<DatabaseMetrics>(
      db,
      `WITH b AS (
         SELECT db_name,
                max(started_at) FILTER (WHERE status = 'ok') AS last_ok,
                max(verified_at) AS last_verified,
                max(id) FILTER (WHERE verified_at IS NOT NULL) AS last_verified_id,
                max(id) FILTER (WHERE verify_error IS NOT NULL) AS last_failed_id
           FROM provisioning.backups GROUP BY db_name
       ), c AS (
         SELECT datname, count(*)::int AS n FROM pg_stat_activity
          WHERE backend_type = 'client backend' GROUP BY datname
       )
       SELECT d.db_name AS name,
              provisioning.recorded_size(d.db_name, pg.oid)::float8 AS "sizeBytes",
              coalesce(c.n, 0) AS connections, d.created_at AS "createdAt",
              d.last_accessed AS "lastAccessed", b.last_ok AS "lastBackupAt",
              b.last_verified AS "lastVerifiedAt",
              coalesce(b.last_failed_id > coalesce(b.last_verified_id, 0), false) AS "verificationFailing"
         FROM provisioning.databases d
         LEFT JOIN pg_database pg ON pg.datname = d.db_name
         LEFT JOIN b ON b.db_name = d.db_name
         LEFT JOIN c ON c.datname = d.db_name
        WHERE d.status = 'active'
        ORDER BY d.db_name`,
    ),
    query<{ action: string; count: number }>(
      db,
      // An event summing up refused requests stands for `detail.refusals` of them (server/api/refusals.ts).
      `SELECT action, sum(CASE WHEN jsonb_typeof(detail->'refusals') = 'number'
                               THEN (detail->>'refusals')::float8 ELSE 1 END) AS count
         FROM provisioning.events GROUP BY action ORDER BY action`,
    ),
    queryOne<MetricsSnapshot['server']>(
      db,
      `SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS connections,
              current_setting('max_connections')::int AS "maxConnections"`,
    ),
  ]);
  const databasesByStatus = Object.fromEntries(
    DATABASE_STATUSES.map((s) => [s, statuses.find((row) => row.status === s)?.n ?? 0]),
  ) as Record<DatabaseStatus, number>;
  return { databasesByStatus, databases, eventsByAction, server };
}

/** What `devdb status` tells of a server: its PostgreSQL version, its databases not dropped. */
export interface ServerFacts {
  postgresVersion: string;
  databases: number;
}

export function readServerFacts(db: Queryable): Promise<ServerFacts> {
  return queryOne<ServerFacts>(
    db,
    `SELECT current_setting('server_version') AS "postgresVersion",
            (SELECT count(*)::int FROM provisioning.databases WHERE status <> 'dropped') AS databases`,
  );
}
