/**
 * The workspace database as seen from the central connection (pg_database and
 * pg_stat_database are readable there), so checking it is not access to it.
 */
import type pg from 'pg';
import { formatBytes } from '../../provisioning/contract/index.js';
import type { Config } from '../config.js';
import { AgentError, EXIT } from '../errors.js';

export interface DatabaseState {
  exists: boolean;
  allowsConnections: boolean;
  /** Whether this login role holds CONNECT (through the database's owner role). */
  canConnect: boolean;
  /** pg_database_size in bytes, when it may be read (formatBytes for people). */
  sizeBytes?: number;
  connections: number;
}

const QUERY = `
SELECT d.datallowconn AS allow,
       has_database_privilege(d.oid, 'CONNECT') AS can_connect,
       CASE WHEN has_database_privilege(d.oid, 'CONNECT')
            THEN pg_database_size(d.oid)::float8 END AS size_bytes,
       coalesce(s.numbackends, 0) AS connections
  FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid
 WHERE d.datname = $1`;

export async function databaseState(client: pg.Client, name: string): Promise<DatabaseState> {
  const { rows } = await client.query<{
    allow: boolean;
    can_connect: boolean;
    size_bytes: number | null;
    connections: number;
  }>(QUERY, [name]);
  const row = rows[0];
  if (!row) return { exists: false, allowsConnections: false, canConnect: false, connections: 0 };
  return {
    exists: true,
    allowsConnections: row.allow,
    canConnect: row.can_connect,
    ...(row.size_bytes !== null ? { sizeBytes: row.size_bytes } : {}),
    connections: Number(row.connections),
  };
}

/** The size for people: `7.4 MiB`, the one format DevDB prints sizes in. */
export function sizeText(state: DatabaseState): string {
  return state.sizeBytes === undefined ? 'size unknown' : formatBytes(state.sizeBytes);
}

/** Throws what the user has to do when the workspace database is not usable. */
export function requireUsable(state: DatabaseState, config: Config): void {
  if (!state.exists) {
    throw new AgentError(
      `database ${config.name} does not exist on DevDB (it was dropped, or archived under another name)`,
      `restart the workspace to attach it again, or ask an admin (\`devdb inspect ${config.name}\`)`,
      EXIT.rejected,
    );
  }
  if (!state.allowsConnections) {
    throw new AgentError(
      `database ${config.name} does not accept connections (archived or being removed)`,
      `ask an admin to restore it (\`devdb inspect ${config.name}\`)`,
      EXIT.rejected,
    );
  }
  if (!state.canConnect) {
    throw new AgentError(
      `${config.user} has no CONNECT privilege on ${config.name}`,
      'restart the workspace so DevDB repairs its grants, or ask an admin',
      EXIT.rejected,
    );
  }
}
