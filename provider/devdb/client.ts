/**
 * The provider's one connection pool (at most 4 connections per plugin process,
 * whatever the number of resources: known-failures #6) and the translation of
 * every failure into a diagnostic a template author can act on.
 */
import pg from 'pg';
import { type ServerEndpoint } from '../../provisioning/connection-info.js';
import { ProvisioningError } from '../../provisioning/errors.js';
import { InvalidNameError } from '../../provisioning/validation.js';
import { explainConnectionError, isConnectionError } from '../../provisioning/server-address.js';
import { DiagnosticError, type AttributePath } from '../plugin/index.js';

export const POOL_MAX = 4;

/** Which attribute a rejected name came from, so Terraform points at the right line. */
const NAME_FIELDS: Record<string, AttributePath> = {
  username: ['owner'],
  'team name': ['team'],
  'workspace id': ['workspace_id'],
  'database type': ['type'],
};

export class DevDbClient {
  private pool: pg.Pool | undefined;

  constructor(
    private readonly adminUrl: string,
    readonly endpoint: ServerEndpoint,
  ) {}

  /** Runs work on the pool; every failure comes back as a DiagnosticError. */
  async use<T>(
    work: (pool: pg.Pool) => Promise<T>,
    paths: Record<string, AttributePath> = {},
  ): Promise<T> {
    try {
      return await work(this.connect());
    } catch (error) {
      throw this.diagnose(error, paths);
    }
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }

  private connect(): pg.Pool {
    if (!this.pool) {
      this.pool = new pg.Pool({
        connectionString: this.adminUrl,
        max: POOL_MAX,
        connectionTimeoutMillis: 15_000,
        application_name: 'terraform-provider-devdb',
      });
      this.pool.on('error', () => undefined); // an idle client's failure shows on the next query
    }
    return this.pool;
  }

  private diagnose(error: unknown, paths: Record<string, AttributePath>): Error {
    if (error instanceof DiagnosticError) return error;
    if (error instanceof InvalidNameError) {
      return new DiagnosticError(`Invalid ${error.field}`, {
        detail: error.message,
        path: paths[error.field] ?? NAME_FIELDS[error.field],
      });
    }
    if (isConnectionError(error)) {
      // The explanation may end in a question ("… running?"): no "?." after it.
      const why = explainConnectionError(error, this.adminUrl).replace(/[.?!]?$/, (end) =>
        end === '' ? '.' : end,
      );
      return new DiagnosticError('Cannot reach the DevDB server', {
        detail: `${why} Check admin_url (or DEVDB_ADMIN_URL) and that the server is running.`,
      });
    }
    if (error instanceof ProvisioningError) {
      return new DiagnosticError('DevDB refused the operation', { detail: error.message });
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}
