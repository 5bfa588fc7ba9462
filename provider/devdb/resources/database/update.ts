import { setAttachmentAccess } from '../../../../provisioning/index.js';
import { renameOwner, updateAttachment } from '../../../../provisioning/index.js';
import type { CallContext, Planned } from '../../../plugin/index.js';
import type { DevDbClient } from '../../client.js';
import { stored } from '../../stored.js';
import type { DatabaseModel } from './schema.js';
import { CLEAN_POSTURE } from '../posture.js';
import { applyCredentials } from './credentials.js';
import { addressing, attachInput } from './state.js';

/**
 * In place: an owner's rename (modifyPlan allows it only with the same
 * owner_id), the recorded workspace/template names, the connection limit, the
 * access level, the addressing, the credentials (a new enrollment token, or a
 * switch between enrollment and password: ./credentials.ts), and repairs (the
 * access posture restored, the access level's grants). The login role is kept,
 * and its password unless the credentials switch: a running workspace keeps
 * working (unless write access is taken away: then its sessions end).
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
  const input = { ...attachInput(config), database: name };
  const user = stored(prior.user, 'user');
  return provider.onServerOf(name, async ({ db: pool, endpoint }) => {
    const address = addressing(endpoint, name, user);
    if (config.owner !== prior.owner) {
      await renameOwner(pool, {
        database: name,
        workspaceId: config.workspace_id,
        owner: config.owner,
        ownerId: stored(config.owner_id, 'owner_id'),
        actor: 'terraform',
      });
    }
    await updateAttachment(pool, input);
    await setAttachmentAccess(pool, input);
    const credentials = await applyCredentials(pool, {
      prior,
      plan: ctx.plan,
      mode: input.credentials, // the default applied: config holds null when unset
      database: name,
      address: address.env,
    });
    return { ...address, ...credentials, ...CLEAN_POSTURE };
  });
}
