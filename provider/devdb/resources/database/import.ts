import { attachWorkspace, findAttachment } from '../../../../provisioning/index.js';
import { DiagnosticError, type CallContext } from '../../../plugin/index.js';
import type { DevDbClient } from '../../client.js';
import type { DatabaseModel } from './schema.js';
import { parseAttachmentId, stateFromAttachment, storedTeam } from './state.js';

/**
 * `terraform import devdb_database.db {database}/{workspace_id}`. Passwords are
 * stored nowhere, so importing re-keys the workspace's login role: the state
 * then holds a password that works.
 */
export async function importDatabase(
  ctx: CallContext<DevDbClient> & { id: string },
): Promise<Partial<DatabaseModel>> {
  const { provider, id } = ctx;
  const parsed = parseAttachmentId(id);
  if (!parsed) {
    throw new DiagnosticError('Invalid import ID', {
      detail: `Expected {database}/{workspace_id}, e.g. dev_alice/6f1c…; got ${JSON.stringify(id)}.`,
    });
  }
  return provider.onServerOf(parsed.database, async ({ db: pool, endpoint }) => {
    const found = await findAttachment(pool, parsed);
    if (!found) {
      throw new DiagnosticError('No such DevDB attachment', {
        detail: `Workspace ${parsed.workspaceId} is not attached to ${parsed.database}; \`devdb inspect ${parsed.database}\` lists its workspaces.`,
      });
    }
    const attachment = await attachWorkspace(pool, endpoint, {
      ...found,
      workspaceId: parsed.workspaceId,
      actor: 'terraform import',
    });
    return {
      ...stateFromAttachment(attachment, parsed.workspaceId),
      type: found.type,
      owner: found.owner,
      owner_id: found.ownerId ?? null,
      team: storedTeam(found.team),
      workspace_id: parsed.workspaceId,
      workspace_name: found.workspaceName ?? null,
      template: found.template ?? null,
      on_last_detach: 'keep',
      final_backup: true,
      connection_limit: -1,
      access: found.access,
      seed_from: null,
    };
  });
}
