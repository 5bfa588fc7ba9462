/**
 * The server pool (docs/servers.md): the PostgreSQL servers that hold developer
 * databases, recorded on the central server (provisioning.servers), and which
 * one holds each database (provisioning.placements, placed by
 * provisioning/servers/servers.sql). Every member is a DevDB server of its own: the
 * same schema, its own registry of the databases it holds, its own loopback.
 */
import pg from 'pg';
import { BACKUP_SETTING_KEYS } from '../backups/index.js';
import { ensureLoopback } from '../schema/index.js';
import { POLICY_SETTING_KEYS } from '../policy/index.js';
import { query, queryOne, serverAccess, type Queryable } from '../schema/index.js';
import type { ServerState } from '../contract/index.js';
import { ProvisioningError } from '../contract/index.js';
import { migrate } from '../schema/index.js';
import { majorOf } from '../backups/index.js';
import { describeServer, explainConnectionError } from './address.js';
import { validateServerName, validateServerState } from '../contract/index.js';

/** A server of the pool as the central registry records it, with its load. */
export interface PoolServer {
  name: string;
  /** The central server: reached through the caller's own connection. */
  central: boolean;
  /** The member's provisioner URL (with its password): never print it; null for the central server. */
  adminUrl: string | null;
  /** Where workspaces connect; null: the admin URL's (or, centrally, the configured) address. */
  publicHost: string | null;
  publicPort: number | null;
  /** The CA (PEM) its TLS certificate is signed by; null: none known. */
  caCert: string | null;
  majorVersion: number;
  maxDatabases: number;
  maxBytes: number | null;
  usedBytes: number;
  measuredAt: Date | null;
  state: ServerState;
  /** Databases placed on it (on the central server also those made before the pool). */
  databases: number;
  addedAt: Date;
  /** The last probe that reached it (null: none yet). */
  lastReachedAt: Date | null;
  /** Since when probes fail (null: the last one reached it); it takes no new database meanwhile. */
  unreachableSince: Date | null;
  /** Why the last probe failed (null when it reached it). */
  lastError: string | null;
}

const SELECT_SERVERS = `
  SELECT s.name, s.admin_url IS NULL AS central, s.admin_url AS "adminUrl",
         s.public_host AS "publicHost", s.public_port AS "publicPort", s.ca_cert AS "caCert",
         s.major_version AS "majorVersion", s.max_databases AS "maxDatabases",
         s.max_bytes::float8 AS "maxBytes", s.used_bytes::float8 AS "usedBytes",
         s.measured_at AS "measuredAt", s.state, l.databases::int AS databases,
         s.added_at AS "addedAt", s.last_reached_at AS "lastReachedAt",
         s.unreachable_since AS "unreachableSince", s.last_error AS "lastError"
    FROM provisioning.servers s JOIN provisioning.server_load l ON l.name = s.name`;

/** Every server, the central one first, then by name. */
export function listServers(central: Queryable): Promise<PoolServer[]> {
  return query<PoolServer>(central, `${SELECT_SERVERS} ORDER BY central DESC, s.name`);
}

export async function getServer(central: Queryable, name: string): Promise<PoolServer> {
  const [server] = await query<PoolServer>(central, `${SELECT_SERVERS} WHERE s.name = $1`, [name]);
  if (!server) {
    const known = (await listServers(central)).map((s) => s.name).join(', ');
    throw new ProvisioningError(
      `no DevDB server named ${JSON.stringify(name)} (the pool has: ${known})`,
      'undefined_object',
      '`devdb servers list` shows them',
    );
  }
  return server;
}

export interface AddServerInput {
  name: string;
  /** The member's provisioner URL (`devdb admin-url` on it, or bootstrap's role). */
  adminUrl: string;
  publicHost?: string;
  publicPort?: number;
  /** The CA (PEM) of its TLS; default: the file the URL's `sslrootcert` names, if any. */
  caCert?: string;
  maxDatabases?: number;
  maxBytes?: number;
  state?: ServerState;
}

/**
 * Adds a member: migrates its schema (and its loopback, when the URL is the
 * provisioner's), then records it. Refuses the central server itself and a
 * server already in the pool under any name.
 */
export async function addServer(central: Queryable, input: AddServerInput): Promise<PoolServer> {
  const name = validateServerName(input.name);
  const state = validateServerState(input.state ?? 'active');
  const sharedSettings = await query<{ key: string; value: string }>(
    central,
    `SELECT key, value FROM provisioning.settings WHERE key = ANY ($1)`,
    [[...Object.values(BACKUP_SETTING_KEYS), ...Object.values(POLICY_SETTING_KEYS)]],
  );
  const access = serverAccess(input.adminUrl, input.caCert);
  const caCert = access.caCert ?? null;
  const { serverId, majorVersion } = await prepareMember(
    access.pgConfig(),
    input.adminUrl,
    sharedSettings,
  );
  const [same] = await query<{ name: string }>(
    central,
    `SELECT name FROM provisioning.servers WHERE server_id = $1`,
    [serverId],
  );
  if (same) {
    throw new ProvisioningError(
      `${describeServer(input.adminUrl)} is already in the pool as ${JSON.stringify(same.name)}`,
      'duplicate_object',
    );
  }
  await query(
    central,
    `INSERT INTO provisioning.servers
       (name, server_id, admin_url, public_host, public_port, major_version, max_databases, max_bytes, state, ca_cert)
     VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, 1000), $8, $9, $10)`,
    [
      name,
      serverId,
      input.adminUrl,
      input.publicHost ?? null,
      input.publicPort ?? null,
      majorVersion,
      input.maxDatabases ?? null,
      input.maxBytes ?? null,
      state,
      caCert,
    ],
  );
  return getServer(central, name);
}

/**
 * Connects to a would-be member, brings its schema up to date, gives it the
 * central server's backup and policy settings where it has none (each server
 * backs up and applies the policy alike: docs/servers.md) and reads who it is.
 */
async function prepareMember(
  connection: pg.ClientConfig,
  adminUrl: string,
  sharedSettings: { key: string; value: string }[],
): Promise<{ serverId: string; majorVersion: number }> {
  const client = new pg.Client({ ...connection, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new ProvisioningError(explainConnectionError(error, adminUrl));
  }
  try {
    const { rows } = await client.query<{ num: string }>(
      `SELECT current_setting('server_version_num') AS num`,
    );
    const majorVersion = majorOf(Number(rows[0]!.num));
    if (majorVersion < 15 || majorVersion > 18) {
      throw new ProvisioningError(
        `${describeServer(adminUrl)} runs PostgreSQL ${majorVersion}: DevDB supports 15 to 18`,
      );
    }
    await migrate(client);
    await ensureLoopback(client, adminUrl);
    for (const { key, value } of sharedSettings) {
      await client.query(
        `INSERT INTO provisioning.settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
        [key, value],
      );
    }
    const id = await queryOne<{ value: string }>(
      client,
      `SELECT value FROM provisioning.settings WHERE key = 'server_id'`,
    );
    return { serverId: id.value, majorVersion };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** active | paused | draining; returns the server as it is now. */
export async function setServerState(
  central: Queryable,
  name: string,
  state: ServerState,
): Promise<PoolServer> {
  validateServerState(state);
  await getServer(central, name);
  await query(central, `UPDATE provisioning.servers SET state = $2 WHERE name = $1`, [name, state]);
  return getServer(central, name);
}

/** Removes a member that holds no database; the central server stays. */
export async function removeServer(central: Queryable, name: string): Promise<void> {
  const server = await getServer(central, name);
  if (server.central) {
    throw new ProvisioningError('the central server cannot be removed from the pool', '22023');
  }
  if (server.databases > 0) {
    throw new ProvisioningError(
      `server ${name} still holds ${server.databases} database(s)`,
      'object_in_use',
      `move them away first: devdb servers drain ${name}`,
    );
  }
  await query(central, `DELETE FROM provisioning.servers WHERE name = $1`, [name]);
}

/** The server holding `database`, placing it first when it is new (next to its seed, if any). */
export async function placeDatabase(
  central: Queryable,
  database: string,
  seed?: string | null,
): Promise<string> {
  const row = await queryOne<{ server: string }>(
    central,
    `SELECT provisioning.place_database($1, $2) AS server`,
    [database, seed ?? null],
  );
  return row.server;
}

/**
 * placeDatabase, saying whether this call made the placement (`placed`): the
 * router lets a new one go again when its server then cannot create the database.
 */
export function claimPlacement(
  central: Queryable,
  database: string,
  seed?: string | null,
): Promise<{ server: string; placed: boolean }> {
  return queryOne<{ server: string; placed: boolean }>(
    central,
    `SELECT server, placed FROM provisioning.claim_placement($1, $2)`,
    [database, seed ?? null],
  );
}

/** Lets go of `database`'s placement on `server` (not one being moved); true when there was one. */
export async function releasePlacement(
  central: Queryable,
  database: string,
  server: string,
): Promise<boolean> {
  const row = await queryOne<{ released: boolean }>(
    central,
    `SELECT provisioning.release_placement($1, $2) AS released`,
    [database, server],
  );
  return row.released;
}

/** On a pool server: whether it holds `database` (its catalog or its registry). */
export async function holdsDatabase(server: Queryable, database: string): Promise<boolean> {
  const row = await queryOne<{ holds: boolean }>(
    server,
    `SELECT provisioning.holds_database($1) AS holds`,
    [database],
  );
  return row.holds;
}

/** A probe's outcome: `error` null, the server answered; else why it did not. */
export async function recordServerHealth(
  central: Queryable,
  name: string,
  error: string | null,
): Promise<void> {
  await query(central, `SELECT provisioning.record_server_health($1, $2)`, [name, error]);
}

/**
 * Claims `database` for `server` (a backup restored under a new name goes to the
 * backup's server): placed there unless the pool has it elsewhere already.
 * Returns the server holding it, which the caller compares with `server`.
 */
export async function claimDatabase(
  central: Queryable,
  database: string,
  server: string,
): Promise<string> {
  const row = await queryOne<{ server: string }>(
    central,
    `SELECT provisioning.claim_database($1, $2) AS server`,
    [database, server],
  );
  return row.server;
}

/** Of `databases`, those the pool places on `server` (server_of), by name. */
export async function placedOn(
  central: Queryable,
  databases: string[],
  server: string,
): Promise<string[]> {
  const rows = await query<{ name: string }>(
    central,
    `SELECT n AS name FROM unnest($1::text[]) n WHERE provisioning.server_of(n) = $2 ORDER BY n`,
    [databases, server],
  );
  return rows.map((row) => row.name);
}

/** Where a new database would go (least_loaded_server, provisioning/servers/servers.sql); null: nowhere. */
export async function leastLoadedServer(central: Queryable): Promise<string | null> {
  const row = await queryOne<{ name: string | null }>(
    central,
    'SELECT provisioning.least_loaded_server() AS name',
  );
  return row.name;
}

/** The server holding `database` (the central server when it was never placed). */
export async function serverOf(central: Queryable, database: string): Promise<string> {
  const row = await queryOne<{ server: string }>(
    central,
    `SELECT provisioning.server_of($1) AS server`,
    [database],
  );
  return row.server;
}

/** Records what a server measured: its bytes, and the placements of databases it no longer holds. */
export async function recordServerUsage(
  central: Queryable,
  name: string,
  usage: { bytes: number; gone: string[] },
): Promise<void> {
  await query(
    central,
    `UPDATE provisioning.servers SET used_bytes = $2, measured_at = now() WHERE name = $1`,
    [name, usage.bytes],
  );
  await query(
    central,
    `DELETE FROM provisioning.placements
      WHERE server_name = $1 AND moving_to IS NULL AND db_name = ANY ($2)`,
    [name, usage.gone],
  );
}
