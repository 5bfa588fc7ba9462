import { setAttachmentAccess } from '../../../../provisioning/attachments.js';
import { updateAttachment } from '../../../../provisioning/maintenance.js';
import type { CallContext, Planned } from '../../../plugin/index.js';
import type { DevDbClient } from '../../client.js';
import { stored } from '../../stored.js';
import type { DatabaseModel } from './schema.js';
import { addressing, attachInput } from './state.js';

/**
 * In place: the recorded workspace/template names, the connection limit, the
 * access level, the addressing, and repairs (PUBLIC's privileges revoked again,
 * the access level's grants). The password is kept: a running workspace keeps
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
  await provider.use(async (pool) => {
    await updateAttachment(pool, input);
    await setAttachmentAccess(pool, input);
  });
  return {
    ...addressing(provider.endpoint, name, stored(prior.user, 'user')),
    public_privileges: [],
  };
}
