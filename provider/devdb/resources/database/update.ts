import { renameOwner, updateAttachment } from '../../../../provisioning/maintenance.js';
import type { CallContext, Planned } from '../../../plugin/index.js';
import type { DevDbClient } from '../../client.js';
import { stored } from '../../stored.js';
import type { DatabaseModel } from './schema.js';
import { CLEAN_POSTURE } from '../posture.js';
import { addressing, attachInput } from './state.js';

/**
 * In place: an owner's rename (modifyPlan allows it only with the same
 * owner_id), the recorded workspace/template names, the connection limit, the
 * addressing, and repairs (the access posture restored). The login role and
 * password are kept: a running workspace keeps working.
 */
export async function updateDatabase(
  ctx: CallContext<DevDbClient> & {
    plan: Planned<DatabaseModel>;
    prior: DatabaseModel;
    config: DatabaseModel;
  },
): Promise<Partial<DatabaseModel>> {
  const { provider, prior, config } = ctx;
  const name = stored(prior.name, 'name');
  await provider.use(async (pool) => {
    if (config.owner !== prior.owner) {
      await renameOwner(pool, {
        database: name,
        workspaceId: config.workspace_id,
        owner: config.owner,
        ownerId: stored(config.owner_id, 'owner_id'),
        actor: 'terraform',
      });
    }
    await updateAttachment(pool, { ...attachInput(config), database: name });
  });
  return { ...addressing(provider.endpoint, name, stored(prior.user, 'user')), ...CLEAN_POSTURE };
}
