/** In-place changes to an attachment (docs/resources/database.md): Terraform's Update, not a re-attach. */
import {
  attachWorkspace,
  findAttachment,
  recordLastDetach,
  type Attachment,
} from './attachments.js';
import type { OnLastDetach, ServerEndpoint } from '../contract/index.js';
import { query, queryOne, type Queryable } from '../schema/index.js';
import { ProvisioningError } from '../contract/index.js';
import { attachmentState } from './lifecycle.js';
import { normalizeUsername, validateWorkspaceId } from '../contract/index.js';

export interface AttachmentUpdate {
  database: string;
  workspaceId: string;
  ownerId?: string;
  workspaceName?: string;
  template?: string;
  connectionLimit?: number;
  actor?: string;
  /** The last-detach policy recorded for cleanup's detach (AttachInput.onLastDetach). */
  onLastDetach?: OnLastDetach;
  finalBackup?: boolean;
}

/** Updates an attachment in place (credentials unchanged) and repairs its database. */
export async function updateAttachment(
  db: Queryable,
  input: AttachmentUpdate,
): Promise<{ name: string; user: string; repaired: string[] }> {
  validateWorkspaceId(input.workspaceId);
  const updated = await queryOne<{ name: string; user: string; repaired: string[] }>(
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
  await recordLastDetach(db, input);
  return updated;
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

/** The databases `workspaceId` is attached to on this server (only `database`, when given), by name. */
export async function workspaceDatabases(
  db: Queryable,
  workspaceId: string,
  database?: string,
): Promise<string[]> {
  validateWorkspaceId(workspaceId);
  const rows = await query<{ name: string }>(
    db,
    `SELECT db_name AS name FROM provisioning.attachments
      WHERE workspace_id = $1 AND detached_at IS NULL AND ($2::text IS NULL OR db_name = $2)
      ORDER BY db_name`,
    [workspaceId, database ?? null],
  );
  return rows.map((row) => row.name);
}

/**
 * A new password for a workspace's login role, the same way attaching it again
 * does (its access and connection limit kept): the old password stops working
 * at once, so the workspace needs the new one. `database` picks one when the
 * workspace is attached to several.
 */
export async function rotateWorkspacePassword(
  db: Queryable,
  endpoint: ServerEndpoint,
  input: { workspaceId: string; database?: string; actor?: string },
): Promise<Attachment> {
  const databases = await workspaceDatabases(db, input.workspaceId, input.database);
  const database = databases[0];
  if (database === undefined) {
    const where = input.database ? ` to ${input.database}` : '';
    throw new ProvisioningError(
      `workspace ${input.workspaceId} is not attached${where}`,
      '42704',
      'a detached workspace has no password to rotate: attaching it again gives it one',
    );
  }
  if (databases.length > 1) {
    throw new ProvisioningError(
      `workspace ${input.workspaceId} is attached to ${databases.join(', ')}: say which database`,
      '22023',
    );
  }
  const recorded = await findAttachment(db, { database, workspaceId: input.workspaceId });
  if (!recorded)
    throw new ProvisioningError(`workspace ${input.workspaceId} was just detached`, '42704');
  const { connectionLimit } = await attachmentState(db, {
    database,
    workspaceId: input.workspaceId,
  });
  return attachWorkspace(db, endpoint, {
    type: recorded.type,
    owner: recorded.owner,
    ownerId: recorded.ownerId,
    team: recorded.team,
    workspaceId: input.workspaceId,
    workspaceName: recorded.workspaceName,
    template: recorded.template,
    access: recorded.access,
    connectionLimit: connectionLimit ?? -1,
    actor: input.actor,
    ifAttached: 'rekey',
  });
}
