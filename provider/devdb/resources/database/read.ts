import { attachmentState } from '../../../../provisioning/lifecycle.js';
import type { CallContext } from '../../../plugin/index.js';
import type { DevDbClient } from '../../client.js';
import { stored } from '../../stored.js';
import type { DatabaseModel } from './schema.js';

/**
 * Drift detection (known-failures #7): a dropped database, a dropped or disabled
 * login role, or a workspace detached out of band make the attachment gone, so
 * the next plan re-creates it; privileges granted to PUBLIC and any other
 * difference from the access posture (docs/security.md T13) show as a change.
 */
export async function readDatabase(
  ctx: CallContext<DevDbClient> & { state: DatabaseModel },
): Promise<Partial<DatabaseModel> | null> {
  const { provider, state } = ctx;
  const live = await provider.use((pool) =>
    attachmentState(pool, {
      database: stored(state.name, 'name'),
      workspaceId: state.workspace_id,
    }),
  );
  const usable =
    live.attached && live.databaseExists && live.status === 'active' && live.loginRoleCanLogin;
  if (!usable) {
    ctx.log.info('attachment gone or unusable; it will be re-created', {
      database: state.name ?? '',
    });
    return null;
  }
  return {
    public_privileges: live.publicPrivileges,
    access_drift: live.accessDrift,
    user: live.loginRole ?? state.user,
  };
}
