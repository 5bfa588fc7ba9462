import { updateAttachment } from '../../../../provisioning/maintenance.js';
import type { CallContext, Planned } from '../../../plugin/index.js';
import type { DevDbClient } from '../../client.js';
import { stored } from '../../stored.js';
import type { DatabaseModel } from './schema.js';
import { addressing, attachInput } from './state.js';

/**
 * In place: the recorded workspace/template names, the connection limit, the
 * addressing, and repairs (PUBLIC's privileges revoked again). The password is
 * kept: a running workspace keeps working.
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
  await provider.use((pool) => updateAttachment(pool, { ...attachInput(config), database: name }));
  return {
    ...addressing(provider.endpoint, name, stored(prior.user, 'user')),
    public_privileges: [],
  };
}
