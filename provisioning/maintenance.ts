/** Changes to what exists, beyond attach/detach: in-place updates and retiring a database. */
import { translatePgError } from './errors.js';
import { validateOnLastDetach, type OnLastDetach } from './lifecycle.js';
import { validateWorkspaceId } from './naming.js';
import type { Queryable } from './operations.js';

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
  try {
    const { rows } = await db.query<{ db_name: string; login_role: string; repaired: string[] }>(
      `SELECT * FROM provisioning.update_attachment($1, $2, $3, $4, $5, $6, $7)`,
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
    const row = rows[0]!;
    return { name: row.db_name, user: row.login_role, repaired: row.repaired };
  } catch (error) {
    return translatePgError(error);
  }
}

/** Archives or drops a database that has no attached workspace; 'keep' does nothing. */
export async function retireDatabase(
  db: Queryable,
  input: { database: string; policy: OnLastDetach; actor?: string },
): Promise<'kept' | 'archived' | 'dropped'> {
  const policy = validateOnLastDetach(input.policy);
  try {
    const { rows } = await db.query<{ action: 'kept' | 'archived' | 'dropped' }>(
      `SELECT provisioning.retire_database($1, $2, $3) AS action`,
      [input.database, policy, input.actor ?? null],
    );
    return rows[0]!.action;
  } catch (error) {
    return translatePgError(error);
  }
}
