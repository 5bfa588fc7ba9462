/**
 * Talking about the DevDB server in messages: which server (host:port/database,
 * never the password) and, when it cannot be reached, what to check. Shared by
 * the CLI and the Terraform provider so both say the same thing. How to reach
 * a server is schema/reach.ts.
 */

/** host:port/database of a postgresql:// URL. */
export function describeServer(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
}

const CONNECT_HINTS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: is `devdb up` (or the PostgreSQL server) running?',
  ENOTFOUND: 'host not found: check the host name in the admin URL',
  EAI_AGAIN: 'host name lookup failed: check the host name in the admin URL and DNS',
  ETIMEDOUT: 'timed out: check the host, port and firewalls',
  EHOSTUNREACH: 'host unreachable: check the network',
  '28P01': 'password authentication failed: check the credentials in the admin URL',
  '28000': 'the server refused this role or address: check pg_hba.conf and the admin URL',
  '3D000': 'the database does not exist: the admin URL should name the `devdb` database',
  '57P03': 'the server is starting up or shutting down: try again in a moment',
};

const CONNECTION_FAILURE = /^(E[A-Z]+|28...|3D000|57P03|08...)$/;

/** True when the error means "could not talk to the server" rather than "the server said no". */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return (
    CONNECTION_FAILURE.test(code) || /timeout expired|Connection terminated/i.test(String(error))
  );
}

/**
 * Why a connection failed, in a few words (the hint's first part: `connection
 * refused`, `host not found`, `timed out`…); the driver's message otherwise.
 */
export function connectionFailure(error: unknown): string {
  const code = (error as { code?: string })?.code ?? '';
  const hint = CONNECT_HINTS[code];
  if (hint) return hint.slice(0, hint.indexOf(': '));
  const message = (error as Error)?.message ?? String(error);
  if (/timeout expired/i.test(message)) return 'timed out';
  if (/Connection terminated|encountered a connection error/i.test(message))
    return 'connection lost';
  return message;
}

/** host:port of a postgresql:// URL (no database, never the password). */
export function hostPortOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}`;
}

/** One line naming the server and what to check; never includes the password. */
export function explainConnectionError(error: unknown, url: string): string {
  const code = (error as { code?: string })?.code ?? '';
  const why = CONNECT_HINTS[code] ?? (error as Error)?.message ?? String(error);
  return `cannot reach the DevDB server at ${describeServer(url)}: ${why}`;
}
