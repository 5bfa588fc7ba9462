/**
 * Around an attachment's life (DESIGN.md §6, §7; migrations/005_lifecycle.sql):
 * what happens to a database when its last workspace detaches, restoring an
 * archived one, seeding a new one, and the drift state the provider's Read
 * compares with its Terraform state.
 */
import { ProvisioningError, translatePgError } from './errors.js';
import { validateWorkspaceId } from './naming.js';
import type { Queryable } from './operations.js';

/** What a detach does when it removes a database's last live attachment. */
export type OnLastDetach = 'keep' | 'archive' | 'drop';
export const ON_LAST_DETACH: readonly OnLastDetach[] = ['keep', 'archive', 'drop'];

export function validateOnLastDetach(value: unknown): OnLastDetach {
  if (ON_LAST_DETACH.includes(value as OnLastDetach)) return value as OnLastDetach;
  throw new ProvisioningError(
    `invalid on_last_detach ${JSON.stringify(value) ?? '(undefined)'}: must be one of "keep", "archive", "drop"`,
    '22023',
  );
}

/**
 * A seed is named as a PostgreSQL database: 1–63 bytes, no NUL. The server
 * decides whether it may be copied; it is always quoted as an identifier there.
 */
export function validateSeedName(value: unknown): string {
  if (
    typeof value === 'string' &&
    value.length > 0 &&
    Buffer.byteLength(value) <= 63 &&
    !value.includes('\0')
  ) {
    return value;
  }
  throw new ProvisioningError(
    `invalid seed_from ${JSON.stringify(value) ?? '(undefined)'}: must be the name of a database on the DevDB server (1–63 bytes)`,
    '22023',
  );
}

async function rows<R extends object>(db: Queryable, sql: string, params: unknown[]) {
  try {
    return (await db.query<R & Record<string, unknown>>(sql, params)).rows as R[];
  } catch (error) {
    return translatePgError(error);
  }
}

/**
 * Brings an archived database back under its own name and opens it to its
 * roles again. `restored` is false when it was not archived (nothing to do).
 */
export async function restoreDatabase(
  db: Queryable,
  name: string,
  options: { actor?: string } = {},
): Promise<{ name: string; restored: boolean }> {
  const [row] = await rows<{ name: string; restored: boolean }>(
    db,
    `SELECT db_name AS name, restored FROM provisioning.restore_database($1, $2)`,
    [name, options.actor ?? null],
  );
  return row!;
}

/** What the server says about one attachment, for drift detection. */
export interface AttachmentState {
  /** The database exists in pg_database under its name (false once archived or dropped). */
  databaseExists: boolean;
  /** provisioning.databases.status, or null when DevDB does not know the database. */
  status: 'active' | 'archived' | 'dropped' | null;
  /** PUBLIC's privileges on the database, e.g. ['CONNECT']: anything but [] is drift. */
  publicPrivileges: string[];
  /** The workspace has a live attachment to the database. */
  attached: boolean;
  /** The login role recorded for the live attachment. */
  loginRole: string | null;
  loginRoleExists: boolean;
  loginRoleCanLogin: boolean;
  /** The login role's connection limit (-1: none), null when it does not exist. */
  connectionLimit: number | null;
}

export async function attachmentState(
  db: Queryable,
  input: { database: string; workspaceId: string },
): Promise<AttachmentState> {
  validateWorkspaceId(input.workspaceId);
  const [row] = await rows<AttachmentState>(
    db,
    `SELECT database_exists AS "databaseExists", status, public_privileges AS "publicPrivileges",
            attached, login_role AS "loginRole", login_role_exists AS "loginRoleExists",
            login_role_can_login AS "loginRoleCanLogin", connection_limit AS "connectionLimit"
       FROM provisioning.attachment_state($1, $2)`,
    [input.database, input.workspaceId],
  );
  return row!;
}
