/** Turning what provisioning returns into resource state. */
import { connectionInfo, type ServerEndpoint } from '../../../../provisioning/contract/index.js';
import { type Attachment } from '../../../../provisioning/index.js';
import { CLEAN_POSTURE } from '../posture.js';
import { envWith } from './credentials.js';
import type { DatabaseModel } from './schema.js';

export const attachmentId = (database: string, workspaceId: string) => `${database}/${workspaceId}`;

/** Splits an import ID `{database}/{workspace_id}`. */
export function parseAttachmentId(id: string): { database: string; workspaceId: string } | null {
  const slash = id.indexOf('/');
  if (slash <= 0 || slash === id.length - 1) return null;
  return { database: id.slice(0, slash), workspaceId: id.slice(slash + 1) };
}

export function stateFromAttachment(
  attachment: Attachment,
  workspaceId: string,
): Partial<DatabaseModel> {
  const token = attachment.enrollmentToken ?? '';
  return {
    id: attachmentId(attachment.name, workspaceId),
    name: attachment.name,
    user: attachment.user,
    password: attachment.password,
    credentials: attachment.credentials,
    enrollment_token: token,
    enrollment_status: attachment.credentials === 'enrollment' ? 'usable' : '',
    host: attachment.host,
    port: attachment.port,
    url: attachment.url,
    ca_cert: attachment.caCert,
    env: envWith(attachment.env, attachment.credentials, token),
    ...CLEAN_POSTURE,
    provisioned: true,
  };
}

/** `team` as stored: "" for an individual attachment configured without one (see the schema). */
export const storedTeam = (team: string | null | undefined): string => team ?? '';

/** Where the workspace connects: follows the provider's host/port/sslmode/CA (env without a token). */
export function addressing(endpoint: ServerEndpoint, name: string, user: string) {
  const info = connectionInfo(endpoint, name, user, '');
  return {
    host: info.host,
    port: info.port,
    url: info.url,
    ca_cert: info.caCert,
    env: info.env as Record<string, string>,
  };
}

/** The attach input for a planned/stored model; `team` is ignored for individual databases. */
export function attachInput(model: DatabaseModel) {
  return {
    type: model.type,
    owner: model.owner,
    ownerId: model.owner_id ?? undefined,
    team: model.type === 'team' ? (model.team ?? undefined) : undefined,
    workspaceId: model.workspace_id,
    workspaceName: model.workspace_name ?? undefined,
    template: model.template ?? undefined,
    connectionLimit: model.connection_limit ?? -1,
    seedFrom: model.seed_from ?? undefined,
    access: model.access ?? 'write',
    credentials: model.credentials ?? 'password',
    // Recorded with the attachment: what cleanup applies if Coder deletes the
    // workspace without this provider's destroy (`coder delete --orphan`).
    onLastDetach: model.on_last_detach ?? 'keep',
    finalBackup: model.final_backup ?? true,
    actor: 'terraform',
  };
}
