/**
 * Riding out a DevDB outage (docs/resources/database.md, "When DevDB is down"):
 * Coder refreshes every resource on each start and stop, so an unreachable server
 * must not fail those builds. What can be done without the server is done; what
 * cannot (minting or revoking a credential) fails or, with `on_unavailable =
 * "skip"`, leaves a not-yet-provisioned attachment the next plan creates.
 */
import {
  connectionInfo,
  UNAVAILABLE_ENV,
  type ServerEndpoint,
} from '../../../../provisioning/contract/index.js';
import {
  DiagnosticError,
  UNKNOWN,
  type AttributePath,
  type CallContext,
  type Planned,
} from '../../../plugin/index.js';
import type { DevDbClient, DevDbUnreachableError } from '../../client.js';
import { databaseSchema, type DatabaseModel } from './schema.js';
import { envWith } from './credentials.js';
import { storedTeam } from './state.js';
import { CLEAN_POSTURE } from '../posture.js';

/** False only for an attachment stored by `on_unavailable = "skip"`; states older than it are null. */
export const isPending = (state: DatabaseModel) => state.provisioned === false;

/** The state of an attachment that could not be made: every value known, none usable. */
export function pendingState(
  endpoint: ServerEndpoint,
  config: DatabaseModel,
): Partial<DatabaseModel> {
  // The same DEVDB_* keys as a real attachment, so templates that index env keep working.
  const mode = config.credentials ?? 'password';
  const keys = Object.keys(envWith(connectionInfo(endpoint, '', '', '').env, mode, ''));
  return {
    id: `pending/${config.workspace_id}`,
    provisioned: false,
    team: storedTeam(config.team),
    name: '',
    user: '',
    password: '',
    credentials: mode,
    enrollment_token: '',
    enrollment_status: '',
    host: endpoint.host,
    port: endpoint.port,
    url: '',
    ca_cert: endpoint.caCert ?? '',
    env: { ...Object.fromEntries(keys.map((key) => [key, ''])), [UNAVAILABLE_ENV]: 'true' },
    ...CLEAN_POSTURE,
  };
}

type Ctx = CallContext<DevDbClient>;

/** Refresh of a not-yet-provisioned attachment: gone from the state once DevDB answers, so Terraform plans its creation. */
export async function readPending(ctx: Ctx): Promise<Partial<DatabaseModel> | null> {
  if (await ctx.provider.reachable()) {
    ctx.log.info('DevDB is reachable again: the pending attachment will be created');
    return null;
  }
  ctx.warn(
    'DevDB still not reachable: the database is not provisioned yet',
    'This workspace has no DevDB database yet (on_unavailable = "skip"); the next start or stop that reaches DevDB creates it.',
  );
  return {};
}

/** Create while DevDB is down: a pending attachment with `skip`, else a clear error. */
export function createWhileUnreachable(
  ctx: Ctx & { config: DatabaseModel },
  error: DevDbUnreachableError,
): Partial<DatabaseModel> {
  const { provider, config } = ctx;
  if (provider.onUnavailable !== 'skip') {
    throw new DiagnosticError(error.message, {
      detail: `${error.detail ?? ''} No database was created. To let workspaces start without one while DevDB is down, set on_unavailable = "skip" in the provider "devdb" block.`,
    });
  }
  ctx.warn(
    'DevDB not reachable: continuing without a database',
    `${error.detail ?? error.message} The workspace starts without a DevDB database (DEVDB_* are empty and ${UNAVAILABLE_ENV} is "true"); the next start or stop that reaches DevDB creates it (on_unavailable = "skip").`,
  );
  return pendingState(provider.endpoint, config);
}

/** Destroy while DevDB is down: the credential cannot be revoked, so say how to proceed. */
export function deleteWhileUnreachable(state: DatabaseModel, error: DevDbUnreachableError): never {
  throw new DiagnosticError(error.message, {
    detail: `${error.detail ?? ''} The workspace's login role could not be dropped, so its credential still works: nothing was changed. Retry once DevDB is back. To delete the workspace now, \`coder delete --orphan\` skips Terraform; an admin then detaches it with \`devdb release --workspace-id ${state.workspace_id}\`.`,
  });
}

/**
 * Plan over a pending attachment. Unchanged: nothing to do (no perpetual diff while
 * DevDB stays down). Changed: replace it, so apply creates instead of updating an
 * attachment that does not exist.
 */
export function planPending(
  prior: DatabaseModel,
  plan: Planned<DatabaseModel>,
  requireReplace: (path: AttributePath) => void,
): Planned<DatabaseModel> | void {
  const configurable = Object.entries(databaseSchema.attributes)
    .filter(([, a]) => a.required || a.optional || a.default !== undefined)
    .map(([name]) => name as keyof DatabaseModel);
  const changed = configurable.some(
    (name) => JSON.stringify(plan[name] ?? null) !== JSON.stringify(prior[name] ?? null),
  );
  if (!changed) return;
  requireReplace(['provisioned']);
  return { ...plan, provisioned: UNKNOWN };
}
