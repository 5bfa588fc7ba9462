/** `devdb create-team NAME`: a team database, placed on a server of the pool. */
import { ensureTeamDatabase, teamDatabaseName } from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withServerOf } from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { fields } from '../../render.js';
import type { Connection } from './shared.js';

export const createTeamCommand: CommandSpec<
  Connection & { name: string; seedFrom?: string; json?: boolean }
> = {
  name: 'create-team',
  description: 'create a team database team_NAME (nothing happens when it exists)',
  arguments: [{ name: 'name', description: 'team name, e.g. frontend-project' }],
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--seed-from <db>', description: 'copy this database when creating it' },
    JSON_OPTION,
  ],
  async run(options, io) {
    const { name, seedFrom } = options;
    const result = await withServerOf(
      { ...options, env: io.env },
      teamDatabaseName(name),
      (pool) => ensureTeamDatabase(pool, { team: name, seedFrom, actor: 'cli' }),
      { place: true, seed: seedFrom },
    );
    // ensure_database lists what it did: on a new database that is its making, not a repair.
    const repaired = result.created ? [] : result.repaired;
    const seeded = result.repaired.find((step) => step.startsWith('seeded from '));
    return {
      json: { name: result.name, created: result.created, repaired, done: result.repaired },
      blocks: [
        fields([
          { label: 'database', value: result.name },
          {
            label: 'created',
            value: result.created ? `yes${seeded ? ` (${seeded})` : ''}` : 'no (it existed)',
          },
          ...(repaired.length ? [{ label: 'repaired', value: repaired.join(', ') }] : []),
        ]),
      ],
    };
  },
};
