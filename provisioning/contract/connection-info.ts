/** Where workspaces reach the DevDB server (may differ from the admin URL's host). */
export interface ServerEndpoint {
  host: string;
  port: number;
  /** libpq sslmode to put in URLs; omitted when undefined. */
  sslmode?: string;
  /** The CA certificate (PEM) clients verify the server's TLS with; none without TLS. */
  caCert?: string;
}

/** The env variable that hands workspaces the CA (devdb-agent writes it where libpq looks). */
export const CA_CERT_ENV = 'DEVDB_CA_CERT';

/**
 * `"true"` in a workspace whose build could not reach DevDB (the provider's
 * `on_unavailable = "skip"`): every other DEVDB_* is empty, and the next start
 * that reaches DevDB creates the database.
 */
export const UNAVAILABLE_ENV = 'DEVDB_UNAVAILABLE';

export interface ConnectionInfo {
  name: string;
  user: string;
  password: string;
  host: string;
  port: number;
  /** postgresql:// URL without the password (it comes from PGPASSWORD/.pgpass). */
  url: string;
  /** The CA certificate (PEM) to verify the server with; "" without TLS. */
  caCert: string;
  /** DEVDB_*, and DEVDB_CA_CERT only when the server serves TLS. */
  env: Record<DevDbEnvName, string> & { [CA_CERT_ENV]?: string };
}

export type DevDbEnvName = 'DEVDB_HOST' | 'DEVDB_PORT' | 'DEVDB_NAME' | 'DEVDB_USER' | 'DEVDB_URL';

export function connectionUrl(endpoint: ServerEndpoint, database: string, user: string): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  const query = endpoint.sslmode ? `?sslmode=${encodeURIComponent(endpoint.sslmode)}` : '';
  // No user: a database's address alone (credentials are per workspace).
  const auth = user ? `${encodeURIComponent(user)}@` : '';
  return `postgresql://${auth}${host}:${endpoint.port}/${encodeURIComponent(database)}${query}`;
}

export function connectionInfo(
  endpoint: ServerEndpoint,
  database: string,
  user: string,
  password: string,
): ConnectionInfo {
  const url = connectionUrl(endpoint, database, user);
  return {
    name: database,
    user,
    password,
    host: endpoint.host,
    port: endpoint.port,
    url,
    caCert: endpoint.caCert ?? '',
    env: {
      DEVDB_HOST: endpoint.host,
      DEVDB_PORT: String(endpoint.port),
      DEVDB_NAME: database,
      DEVDB_USER: user,
      DEVDB_URL: url,
      ...(endpoint.caCert ? { [CA_CERT_ENV]: endpoint.caCert } : {}),
    },
  };
}
