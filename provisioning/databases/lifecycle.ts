/**
 * A database's life after creation (docs/resources/database.md; docs/architecture.md, "Last access and lifecycle"): retiring one (archive or
 * drop) once no workspace is attached, restoring an archived one, and the state
 * the provider's Read compares with its Terraform state to detect drift.
 */
import { queryOne, type Queryable } from '../schema/index.js';
import type {
  DatabaseAction,
  DatabaseStatus,
  DatabaseType,
  OnLastDetach,
} from '../contract/index.js';
import { validateOnLastDetach, validateWorkspaceId } from '../contract/index.js';

/**
 * Archives or drops a database that has no attached workspace; 'keep' does
 * nothing. A drop waits for a verified final backup (`drop_pending`: archived
 * now, dropped by completePendingDrops) unless `finalBackup` is false.
 */
export async function retireDatabase(
  db: Queryable,
  input: { database: string; policy: OnLastDetach; actor?: string; finalBackup?: boolean },
): Promise<DatabaseAction> {
  const policy = validateOnLastDetach(input.policy);
  const row = await queryOne<{ action: DatabaseAction }>(
    db,
    `SELECT provisioning.retire_database($1, $2, $3, $4) AS action`,
    [input.database, policy, input.actor ?? null, input.finalBackup ?? true],
  );
  return row.action;
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
  return queryOne<{ name: string; restored: boolean }>(
    db,
    `SELECT db_name AS name, restored FROM provisioning.restore_database($1, $2)`,
    [name, options.actor ?? null],
  );
}

/** What the server says about one attachment, for drift detection. */
export interface AttachmentState {
  /** The database exists in pg_database under its name (false once archived or dropped). */
  databaseExists: boolean;
  /** provisioning.databases.status, or null when DevDB does not know the database. */
  status: DatabaseStatus | null;
  /** PUBLIC's privileges on the database, e.g. ['CONNECT']: anything but [] is drift. */
  publicPrivileges: string[];
  /** How the database differs from DevDB's access posture, e.g. ['CONNECT granted to dev_bob']. */
  accessDrift: string[];
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
  return queryOne<AttachmentState>(
    db,
    `SELECT database_exists AS "databaseExists", status, public_privileges AS "publicPrivileges",
            attached, login_role AS "loginRole", login_role_exists AS "loginRoleExists",
            login_role_can_login AS "loginRoleCanLogin", connection_limit AS "connectionLimit",
            provisioning.access_drift($1) AS "accessDrift"
       FROM provisioning.attachment_state($1, $2)`,
    [input.database, input.workspaceId],
  );
}

/** What the server says about one database, for drift detection. */
export interface DatabaseState {
  /** DevDB has a record of it. */
  known: boolean;
  /** PostgreSQL has it (a dropped-out-of-band database is known but does not exist). */
  exists: boolean;
  status: DatabaseStatus | null;
  type: DatabaseType | null;
  owner: string | null;
  team: string | null;
  publicPrivileges: string[];
  /** How the database differs from DevDB's access posture (see AttachmentState). */
  accessDrift: string[];
  liveAttachments: number;
}

export async function databaseState(db: Queryable, name: string): Promise<DatabaseState> {
  return queryOne<DatabaseState>(
    db,
    `SELECT known, database_exists AS "exists", status, db_type AS type, owner_username AS owner,
            team_name AS team, public_privileges AS "publicPrivileges",
            live_attachments AS "liveAttachments", provisioning.access_drift($1) AS "accessDrift"
       FROM provisioning.database_state($1)`,
    [name],
  );
}
