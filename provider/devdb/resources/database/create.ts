import { attachWorkspace } from '../../../../provisioning/attachments.js';
import type { CallContext, Planned } from '../../../plugin/index.js';
import type { DevDbClient } from '../../client.js';
import type { DatabaseModel } from './schema.js';
import { attachInput, stateFromAttachment } from './state.js';

/**
 * Ensures the database and attaches the workspace with fresh credentials. Safe to
 * re-run after a crash: the workspace's login role is adopted and re-keyed.
 */
export async function createDatabase(
  ctx: CallContext<DevDbClient> & { plan: Planned<DatabaseModel>; config: DatabaseModel },
): Promise<Partial<DatabaseModel>> {
  const { provider, config } = ctx;
  const attachment = await provider.use((pool) =>
    attachWorkspace(pool, provider.endpoint, attachInput(config)),
  );
  ctx.log.info('attached workspace', {
    database: attachment.name,
    created: attachment.createdDatabase,
  });
  return stateFromAttachment(attachment, config.workspace_id);
}
