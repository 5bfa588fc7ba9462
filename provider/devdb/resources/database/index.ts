/** `devdb_database`: a workspace's attachment to its database (docs/resources/database.md). */
import {
  DiagnosticError,
  defineResource,
  isUnknown,
  type UnknownValue,
} from '../../../plugin/index.js';
import type { DevDbClient } from '../../client.js';
import { stored } from '../../stored.js';
import { isTeamName } from '../../validators.js';
import { createDatabase } from './create.js';
import { deleteDatabase } from './delete.js';
import { importDatabase } from './import.js';
import { isPending, planPending } from './outage.js';
import { readDatabase } from './read.js';
import { databaseSchema, type DatabaseModel } from './schema.js';
import type { ServerEndpoint } from '../../../../provisioning/contract/index.js';
import { CLEAN_POSTURE } from '../posture.js';
import { planCredentials } from './credentials.js';
import { addressing } from './state.js';
import { updateDatabase } from './update.js';

/** The same Coder user under a new name: both ids known, set and equal. */
function isRename(priorId: string | null | undefined, configId: unknown): boolean {
  return typeof configId === 'string' && configId !== '' && configId === priorId;
}

export const database = defineResource<typeof databaseSchema, DevDbClient>({
  schema: databaseSchema,
  // 1: ca_cert. Older states get "" (no TLS then), so upgrading the provider plans no change.
  version: 1,
  upgradeState: ({ state }) => ({ ...state, ca_cert: state.ca_cert ?? '' }),
  create: createDatabase,
  read: readDatabase,
  update: updateDatabase,
  delete: deleteDatabase,
  importState: importDatabase,

  validate({ config, warn }) {
    const { type, team } = config;
    if (type === 'team' && !isUnknown(team)) {
      const problem = team ? isTeamName(team) : 'Required when type is "team".';
      if (problem) throw new DiagnosticError('Invalid team', { detail: problem, path: ['team'] });
    }
    if (type === 'individual' && typeof team === 'string' && team !== '') {
      warn(
        'team is ignored',
        'An individual database belongs to its owner; team only applies when type = "team".',
        ['team'],
      );
    }
  },

  /**
   * Existing attachments (pending ones: ./outage.ts): the access posture should
   * be clean (so drift shows as a change) and the address follows the provider's
   * host/port, both known at plan time; with enrollment the token should be
   * usable (else a new one is planned: ./credentials.ts). A new owner name is a
   * rename only with the same known owner_id.
   */
  async modifyPlan({ prior, config, plan, provider, requireReplace }) {
    if (!prior) return;
    if (isPending(prior)) return planPending(prior, plan, requireReplace);
    const team = config.team as string | null | UnknownValue;
    if (config.type === 'team' && (isUnknown(team) || (team ?? '') !== (prior.team ?? ''))) {
      requireReplace(['team']);
    }
    if (config.owner !== prior.owner && !isRename(prior.owner_id, config.owner_id)) {
      requireReplace(['owner']);
    }
    const name = stored(prior.name, 'name');
    const address = addressing(await endpointOf(provider, prior), name, stored(prior.user, 'user'));
    return {
      ...plan,
      ...address,
      ...planCredentials(prior, plan.credentials, address.env),
      ...CLEAN_POSTURE,
    };
  },
});

/**
 * Where an attachment's workspace connects: its database's server
 * (docs/servers.md); while DevDB cannot be asked, where it connected so far.
 */
function endpointOf(provider: DevDbClient, prior: DatabaseModel): Promise<ServerEndpoint> {
  return provider
    .onServerOf(stored(prior.name, 'name'), async ({ endpoint }) => endpoint)
    .catch(() => ({
      ...provider.endpoint,
      host: prior.host ?? provider.endpoint.host,
      port: prior.port ?? provider.endpoint.port,
    }));
}
