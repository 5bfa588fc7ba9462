/** `devdb_team`: an explicitly managed team database. */
import { ensureTeamDatabase } from '../../../../provisioning/index.js';
import { databaseState, retireDatabase } from '../../../../provisioning/index.js';
import { teamDatabaseName } from '../../../../provisioning/contract/index.js';
import { DiagnosticError, defineResource } from '../../../plugin/index.js';
import type { DevDbClient } from '../../client.js';
import { stored } from '../../stored.js';
import { keepLastKnownState, whenReachable } from '../../unreachable.js';
import { CLEAN_POSTURE } from '../posture.js';
import { teamSchema, type TeamModel } from './schema.js';

async function ensure(provider: DevDbClient, model: TeamModel): Promise<Partial<TeamModel>> {
  const result = await provider.withRouter(
    async (router) => {
      const seed = model.seed_from ?? null;
      // A placement the server then does not create goes again (docs/servers.md).
      return router.withPlaced(teamDatabaseName(model.name), { seed }, ({ db }) =>
        ensureTeamDatabase(db, {
          team: model.name,
          seedFrom: seed ?? undefined,
          actor: 'terraform',
        }),
      );
    },
    { 'team name': ['name'] },
  );
  return { id: result.name, database: result.name, ...CLEAN_POSTURE };
}

export const team = defineResource<typeof teamSchema, DevDbClient>({
  schema: teamSchema,
  create: ({ provider, config }) => ensure(provider, config),
  update: ({ provider, config }) => ensure(provider, config),

  async read(ctx) {
    const { provider, state } = ctx;
    const read = async (): Promise<Partial<TeamModel> | null> => {
      const database = stored(state.database, 'database');
      const live = await provider.onServerOf(database, ({ db }) => databaseState(db, database));
      if (!live.exists || live.status !== 'active') return null;
      return { public_privileges: live.publicPrivileges, access_drift: live.accessDrift };
    };
    return whenReachable(read, (error) =>
      keepLastKnownState<TeamModel>(ctx, error, 'the team database is unchanged.'),
    );
  },

  async delete({ provider, state }) {
    const policy = state.on_destroy;
    if (policy === 'keep') return;
    const database = stored(state.database, 'database');
    const finalBackup = state.final_backup ?? true; // null in states older than the attribute
    await provider.onServerOf(database, ({ db }) =>
      retireDatabase(db, { database, policy, finalBackup, actor: 'terraform' }),
    );
  },

  async importState({ id }) {
    const name = id.startsWith('team_') ? id.slice(5).replaceAll('_', '-') : id;
    try {
      const database = teamDatabaseName(name);
      return {
        name,
        id: database,
        database,
        on_destroy: 'keep',
        final_backup: true,
        seed_from: null,
      };
    } catch (error) {
      throw new DiagnosticError('Invalid import ID', {
        detail: `Expected a team name (frontend-project) or its database (team_frontend_project): ${(error as Error).message}`,
      });
    }
  },

  async modifyPlan({ prior, plan }) {
    if (prior) return { ...plan, ...CLEAN_POSTURE };
  },
});
