/** In-place changes to an attachment (docs/resources/database.md): Terraform's Update, not a re-attach. */
import { queryOne, type Queryable } from './db.js';
import { normalizeUsername, validateWorkspaceId } from './validation.js';

export interface AttachmentUpdate {
  database: string;
  workspaceId: string;
  ownerId?: string;
  workspaceName?: string;
  template?: string;
  connectionLimit?: number;
  actor?: string;
}

/** Updates an attachment in place (credentials unchanged) and repairs its database. */
export async function updateAttachment(
  db: Queryable,
  input: AttachmentUpdate,
): Promise<{ name: string; user: string; repaired: string[] }> {
  validateWorkspaceId(input.workspaceId);
  return queryOne<{ name: string; user: string; repaired: string[] }>(
    db,
    `SELECT db_name AS name, login_role AS user, repaired
       FROM provisioning.update_attachment($1, $2, $3, $4, $5, $6, $7)`,
    [
      input.database,
      input.workspaceId,
      input.ownerId ?? null,
      input.workspaceName ?? null,
      input.template ?? null,
      input.connectionLimit ?? -1,
      input.actor ?? null,
    ],
  );
}

export interface OwnerRename {
  database: string;
  /** The attached workspace whose owner was renamed. */
  workspaceId: string;
  /** The owner's new Coder username. */
  owner: string;
  /** The owner's Coder user id: required, and for an individual database the recorded one. */
  ownerId: string;
  actor?: string;
}

/**
 * A Coder user renamed themselves: the registry (and in a team database their
 * personal schema) follows the new name in place. The database and the login
 * roles keep their names and passwords; no last-detach policy runs.
 */
export async function renameOwner(
  db: Queryable,
  input: OwnerRename,
): Promise<{ name: string; previousOwner: string; owner: string; renamed: boolean }> {
  validateWorkspaceId(input.workspaceId);
  return queryOne(
    db,
    `SELECT db_name AS name, previous_owner AS "previousOwner", owner, renamed
       FROM provisioning.rename_owner($1, $2, $3, $4, $5)`,
    [
      input.database,
      input.workspaceId,
      normalizeUsername(input.owner),
      input.ownerId,
      input.actor ?? null,
    ],
  );
}
