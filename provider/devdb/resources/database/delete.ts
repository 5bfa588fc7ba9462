import { detachWorkspace } from '../../../../provisioning/attachments.js';
import type { CallContext } from '../../../plugin/index.js';
import type { DevDbClient } from '../../client.js';
import { stored } from '../../stored.js';
import type { DatabaseModel } from './schema.js';

/** Detaches the workspace: its login role and sessions go; the database follows on_last_detach. */
export async function deleteDatabase(
  ctx: CallContext<DevDbClient> & { state: DatabaseModel },
): Promise<void> {
  const { provider, state } = ctx;
  await provider.use((pool) =>
    detachWorkspace(pool, {
      workspaceId: state.workspace_id,
      database: stored(state.name, 'name'),
      onLastDetach: state.on_last_detach,
      actor: 'terraform',
    }),
  );
}
