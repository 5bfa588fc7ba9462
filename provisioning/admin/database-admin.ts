/**
 * What the control plane (docs/api.md) asks about databases beyond the CLI's
 * list: a filtered, sorted page of them with the total, one database's live
 * statistics, and opening or closing a database to connections.
 */
import { query, queryOne, type Queryable } from '../schema/index.js';
import type { DatabaseStatus, DatabaseType } from '../contract/index.js';
import type { DatabaseRow } from '../databases/index.js';

export const DATABASE_SORT_KEYS = ['name', 'size', 'lastAccessed', 'createdAt'] as const;
export type DatabaseSortKey = (typeof DATABASE_SORT_KEYS)[number];

export interface DatabaseSearch {
  type?: DatabaseType;
  owner?: string;
  team?: string;
  status?: DatabaseStatus;
  /** Part of the database name. */
  search?: string;
  sort?: DatabaseSortKey;
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export interface DatabasePage {
  items: (DatabaseRow & { connectionsAllowed: boolean | null })[];
  /** Databases matching the filters, over all pages. */
  total: number;
}

// Whitelisted ORDER BY terms (never text from a request); the name breaks ties.
const ORDER_BY: Record<DatabaseSortKey, string> = {
  name: 'db_name',
  size: 'size_bytes',
  lastAccessed: 'last_accessed',
  createdAt: 'created_at',
};

// The sampler's latest size, else measured (provisioning/access/sampler.sql).
const SIZE = `provisioning.recorded_size(db_name, pg_oid)`;

/**
 * One page of DevDB's databases. Sizes (the sampler's latest, else measured:
 * recorded_size) are read for the page only, unless the page is sorted by size
 * (then for every match).
 */
export async function searchDatabases(
  db: Queryable,
  search: DatabaseSearch,
): Promise<DatabasePage> {
  const sort = ORDER_BY[search.sort ?? 'name'];
  const direction = search.order === 'desc' ? 'DESC NULLS LAST' : 'ASC NULLS FIRST';
  const order = `${sort} ${direction}, db_name`;
  const sizeBeforePaging = search.sort === 'size';
  const rows = await query<DatabasePage['items'][number] & { total: number }>(
    db,
    `WITH matching AS (
       SELECT d.*, pg.oid AS pg_oid, pg.datallowconn
         FROM provisioning.databases d LEFT JOIN pg_database pg ON pg.datname = d.db_name
        WHERE ($1::text IS NULL OR d.db_type = $1) AND ($2::text IS NULL OR d.owner_username = $2)
          AND ($3::text IS NULL OR d.team_name = $3) AND ($4::text IS NULL OR d.status = $4)
          AND ($5::text IS NULL OR strpos(d.db_name, lower($5)) > 0)
     ), page AS (
       SELECT m.*, count(*) OVER () AS total,
              ${sizeBeforePaging ? SIZE : 'NULL::bigint'} AS size_bytes
         FROM matching m ORDER BY ${order} LIMIT $6 OFFSET $7
     )
     SELECT db_name AS name, db_type AS type, owner_username AS owner, owner_id AS "ownerId",
            team_name AS team, status, created_at AS "createdAt", last_accessed AS "lastAccessed",
            (SELECT count(*) FROM provisioning.db_users u WHERE u.db_name = p.db_name)::int AS users,
            (SELECT count(*) FROM provisioning.attachments a
              WHERE a.db_name = p.db_name AND a.detached_at IS NULL)::int AS "activeAttachments",
            ${sizeBeforePaging ? 'size_bytes' : SIZE}::float8 AS "sizeBytes",
            CASE WHEN last_accessed IS NOT NULL
                 THEN floor(extract(epoch FROM now() - last_accessed) / 86400)::int END AS "idleDays",
            datallowconn AS "connectionsAllowed", total::int
       FROM page p ORDER BY ${order}`,
    [
      search.type ?? null,
      search.owner ?? null,
      search.team ?? null,
      search.status ?? null,
      search.search || null,
      search.limit,
      search.offset,
    ],
  );
  if (rows.length === 0) {
    // Past the last page (or nothing matches): the window had no row to carry the total.
    const { total } = await queryOne<{ total: number }>(
      db,
      `SELECT count(*)::int AS total FROM provisioning.databases d
        WHERE ($1::text IS NULL OR d.db_type = $1) AND ($2::text IS NULL OR d.owner_username = $2)
          AND ($3::text IS NULL OR d.team_name = $3) AND ($4::text IS NULL OR d.status = $4)
          AND ($5::text IS NULL OR strpos(d.db_name, lower($5)) > 0)`,
      [
        search.type ?? null,
        search.owner ?? null,
        search.team ?? null,
        search.status ?? null,
        search.search || null,
      ],
    );
    return { items: [], total };
  }
  return {
    total: rows[0]!.total,
    items: rows.map(({ total: _total, ...item }) => item),
  };
}

export interface DatabaseStats {
  name: string;
  status: DatabaseStatus;
  /** Present on the server under its name (archived databases are renamed). */
  exists: boolean;
  sizeBytes: number | null;
  /** Client sessions connected now. */
  connections: number;
  /** Sessions established since the statistics were reset. */
  sessions: number | null;
  transactionsCommitted: number | null;
  statsReset: Date | null;
  lastAccessed: Date | null;
  /** false once an admin closed it (or it is archived); null when it is not on the server. */
  connectionsAllowed: boolean | null;
}

/** One database's live numbers from PostgreSQL's catalogs and statistics; null when DevDB does not know it. */
export async function databaseStats(db: Queryable, name: string): Promise<DatabaseStats | null> {
  const [row] = await query<DatabaseStats>(
    db,
    `SELECT d.db_name AS name, d.status, pg.oid IS NOT NULL AS exists,
            CASE WHEN pg.oid IS NOT NULL THEN pg_database_size(pg.oid)::float8 END AS "sizeBytes",
            (SELECT count(*) FROM pg_stat_activity a
              WHERE a.datname = d.db_name AND a.backend_type = 'client backend')::int AS connections,
            s.sessions::float8 AS sessions, s.xact_commit::float8 AS "transactionsCommitted",
            s.stats_reset AS "statsReset", d.last_accessed AS "lastAccessed",
            pg.datallowconn AS "connectionsAllowed"
       FROM provisioning.databases d
       LEFT JOIN pg_database pg ON pg.datname = d.db_name
       LEFT JOIN pg_stat_database s ON s.datid = pg.oid
      WHERE d.db_name = $1`,
    [name],
  );
  return row ?? null;
}

export interface ConnectionsChange {
  name: string;
  connectionsAllowed: boolean;
  /** false when the database was already open (or closed). */
  changed: boolean;
  sessionsTerminated: number;
}

/**
 * Opens or closes an active database to new connections (ALTER DATABASE …
 * ALLOW_CONNECTIONS, kept as DevDB's posture so repairs leave it closed);
 * closing with `terminate` ends the sessions in it too.
 */
export function setDatabaseConnections(
  db: Queryable,
  input: { database: string; allow: boolean; terminate?: boolean; actor?: string },
): Promise<ConnectionsChange> {
  return queryOne<ConnectionsChange>(
    db,
    `SELECT db_name AS name, connections_allowed AS "connectionsAllowed", changed,
            sessions_terminated AS "sessionsTerminated"
       FROM provisioning.set_database_connections($1, $2, $3, $4)`,
    [input.database, input.allow, input.terminate ?? false, input.actor ?? null],
  );
}
