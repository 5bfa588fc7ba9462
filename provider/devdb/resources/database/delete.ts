import { detachWorkspace } from '../../../../provisioning/index.js';
import type { CallContext } from '../../../plugin/index.js';
import type { DevDbClient } from '../../client.js';
import { stored } from '../../stored.js';
import { whenReachable } from '../../unreachable.js';
import { deleteWhileUnreachable, isPending } from './outage.js';
import type { DatabaseModel } from './schema.js';

/**
 * Detaches the workspace: its login role and sessions go; the database follows
 * on_last_detach (a drop waits for a verified final backup unless final_backup
 * is false). A pending attachment has nothing on the server to detach.
 */
export async function deleteDatabase(
  ctx: CallContext<DevDbClient> & { state: DatabaseModel },
): Promise<void> {
  const { provider, state } = ctx;
  if (isPending(state)) return;
  await whenReachable(
    () =>
      provider.onServerOf(stored(state.name, 'name'), ({ db }) =>
        detachWorkspace(db, {
          workspaceId: state.workspace_id,
          database: stored(state.name, 'name'),
          onLastDetach: state.on_last_detach,
          // States written before final_backup existed hold null: the default.
          finalBackup: state.final_backup ?? true,
          actor: 'terraform',
        }),
      ),
    (error) => deleteWhileUnreachable(state, error),
  );
}
