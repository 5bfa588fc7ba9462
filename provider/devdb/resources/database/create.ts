import { attachPlaced } from '../../../../provisioning/index.js';
import type { CallContext, Planned } from '../../../plugin/index.js';
import type { DevDbClient } from '../../client.js';
import type { DatabaseModel } from './schema.js';
import { whenReachable } from '../../unreachable.js';
import { createWhileUnreachable } from './outage.js';
import { attachInput, stateFromAttachment, storedTeam } from './state.js';

/**
 * Ensures the database and attaches the workspace with fresh credentials. Safe to
 * re-run after a crash: the workspace's login role is adopted and re-keyed.
 * DevDB down: an error, or a pending attachment (see ./outage.ts).
 */
export async function createDatabase(
  ctx: CallContext<DevDbClient> & { plan: Planned<DatabaseModel>; config: DatabaseModel },
): Promise<Partial<DatabaseModel>> {
  const { provider, config } = ctx;
  return whenReachable(
    async () => {
      const attachment = await provider.withRouter((router) =>
        attachPlaced(router, attachInput(config)),
      );
      ctx.log.info('attached workspace', {
        database: attachment.name,
        created: attachment.createdDatabase,
      });
      return {
        ...stateFromAttachment(attachment, config.workspace_id),
        team: storedTeam(config.team),
      };
    },
    (error) => createWhileUnreachable(ctx, error),
  );
}
