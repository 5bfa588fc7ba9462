import pg from 'pg';
import { scramVerifier } from '../contract/index.js';
import { serverAccess } from './reach.js';

export const PROVISIONER_ROLE = 'devdb_provisioner';
export const CENTRAL_DATABASE = 'devdb';

/**
 * The one-time setup that needs a superuser (or a managed service's admin):
 * the provisioner role, the central database, and dblink in a schema nobody
 * else can use. Idempotent, and it resets the role's attributes and password
 * each time, so drift (a granted SUPERUSER, a changed password) is undone.
 * Everything after this runs as the NOSUPERUSER provisioner.
 */
export async function bootstrap(
  superuserUrl: string,
  options: { provisionerPassword: string },
): Promise<void> {
  const access = serverAccess(superuserUrl);
  const admin = new pg.Client(access.pgConfig('postgres'));
  await admin.connect();
  try {
    const verifier = scramVerifier(options.provisionerPassword);
    const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [
      PROVISIONER_ROLE,
    ]);
    const verb = exists.rowCount ? 'ALTER' : 'CREATE';
    await admin.query(
      `${verb} ROLE ${PROVISIONER_ROLE} LOGIN NOSUPERUSER CREATEDB CREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${admin.escapeLiteral(verifier)}`,
    );
    // Terminate a detached workspace's sessions; read database sizes.
    await admin.query(`GRANT pg_signal_backend, pg_read_all_stats TO ${PROVISIONER_ROLE}`);
    // PUBLIC may CONNECT to (and create TEMP tables in) the maintenance databases by
    // default, so every workspace credential could log in there (docs/security.md: login
    // roles reach their own database and devdb only). New databases do not copy
    // template1's ACL, so this changes nothing for them. On a shared server, roles
    // that need `postgres` must now be granted CONNECT explicitly.
    await admin.query(`
      REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC;
      REVOKE CONNECT, TEMPORARY ON DATABASE template1 FROM PUBLIC;
      GRANT CONNECT ON DATABASE postgres TO ${PROVISIONER_ROLE};
    `);
    const db = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      CENTRAL_DATABASE,
    ]);
    if (!db.rowCount) {
      await admin.query(`CREATE DATABASE ${CENTRAL_DATABASE} OWNER ${PROVISIONER_ROLE}`);
    }
  } finally {
    await admin.end();
  }

  const central = new pg.Client(access.pgConfig(CENTRAL_DATABASE));
  await central.connect();
  try {
    await central.query(`
      REVOKE ALL ON DATABASE ${CENTRAL_DATABASE} FROM PUBLIC;
      REVOKE ALL ON SCHEMA public FROM PUBLIC;
      CREATE SCHEMA IF NOT EXISTS devdb_ext;
      REVOKE ALL ON SCHEMA devdb_ext FROM PUBLIC;
      GRANT USAGE ON SCHEMA devdb_ext TO ${PROVISIONER_ROLE};
      CREATE EXTENSION IF NOT EXISTS dblink WITH SCHEMA devdb_ext;
      GRANT USAGE ON FOREIGN DATA WRAPPER dblink_fdw TO ${PROVISIONER_ROLE};
      CREATE SCHEMA IF NOT EXISTS provisioning AUTHORIZATION ${PROVISIONER_ROLE};
    `);
    // Slow queries (docs/api.md) where the server preloads pg_stat_statements
    // (`devdb up` does); its view then lives beside dblink, out of PUBLIC's reach.
    await central.query(`
      DO $$ BEGIN
        IF 'pg_stat_statements' = ANY (string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ','))
           AND EXISTS (SELECT FROM pg_available_extensions WHERE name = 'pg_stat_statements') THEN
          CREATE EXTENSION IF NOT EXISTS pg_stat_statements WITH SCHEMA devdb_ext;
        END IF;
      END $$;
    `);
  } finally {
    await central.end();
  }
}

/** Points the provisioner's loopback connection (used for CREATE DATABASE & co.) at the server. */
export async function configureLoopback(
  provisioner: pg.ClientBase,
  target: { host: string; port: number; password: string },
): Promise<void> {
  await provisioner.query('SELECT provisioning.configure_loopback($1, $2, $3)', [
    target.host,
    target.port,
    target.password,
  ]);
}

/**
 * DevDB's loopback connection (CREATE DATABASE runs over it) for a server that
 * `devdb up` did not start: when reached with the provisioner's URL and none is
 * configured yet, it points at the server as that URL reaches it. An admin's
 * own configuration (provisioning.configure_loopback) is left as it is. Returns
 * `host:port` when it configured one.
 */
export async function ensureLoopback(
  client: pg.ClientBase,
  adminUrl: string,
): Promise<string | null> {
  const url = new URL(adminUrl);
  if (!url.password || decodeURIComponent(url.username) !== PROVISIONER_ROLE) return null;
  const { rows } = await client.query<{ configured: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_user_mappings
                     WHERE srvname = 'devdb_loopback' AND usename = current_user) AS configured`,
  );
  if (rows[0]?.configured) return null;
  const target = { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || 5432) };
  await configureLoopback(client, { ...target, password: decodeURIComponent(url.password) });
  return `${target.host}:${target.port}`;
}
