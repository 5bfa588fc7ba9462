/** In-place changes to an attachment (DESIGN.md §6): Terraform's Update, not a re-attach. */
import { queryOne, type Queryable } from './db.js';
import { validateWorkspaceId } from './validation.js';

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
