import { attachmentState } from '../../../../provisioning/index.js';
import type { CallContext } from '../../../plugin/index.js';
import type { DevDbClient } from '../../client.js';
import { stored } from '../../stored.js';
import { keepLastKnownState, whenReachable } from '../../unreachable.js';
import { readCredentials } from './credentials.js';
import { isPending, readPending } from './outage.js';
import type { DatabaseModel } from './schema.js';

const CREDENTIALS_KEPT =
  "the workspace's credentials are still valid on the server and keep working once DevDB is back.";

type ReadContext = CallContext<DevDbClient> & { state: DatabaseModel };

/** Refresh; while DevDB is down the stored state stands, with a warning (./outage.ts). */
export async function readDatabase(ctx: ReadContext): Promise<Partial<DatabaseModel> | null> {
  if (isPending(ctx.state)) return readPending(ctx);
  return whenReachable(
    () => readAttachment(ctx),
    (error) => keepLastKnownState(ctx, error, CREDENTIALS_KEPT),
  );
}

/**
 * Drift detection (docs/security.md T8): a dropped database, a dropped or disabled
 * login role, or a workspace detached out of band make the attachment gone, so
 * the next plan re-creates it; privileges granted to PUBLIC and any other
 * difference from the access posture (docs/security.md T14) show as a change.
 */
async function readAttachment(ctx: ReadContext): Promise<Partial<DatabaseModel> | null> {
  const { provider, state } = ctx;
  const database = stored(state.name, 'name');
  const [live, credentials] = await provider.onServerOf(database, ({ db }) =>
    Promise.all([
      attachmentState(db, { database, workspaceId: state.workspace_id }),
      readCredentials(db, state, database),
    ]),
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
    provisioned: true,
    ...credentials,
  };
}
