/** Data source `devdb_teams`: the team databases, e.g. for a template's team dropdown. */
import { listTeams } from '../../../provisioning/index.js';
import { attribute, defineDataSource, defineSchema, t } from '../../plugin/index.js';
import type { DevDbClient } from '../client.js';

const team = t.object({
  name: t.string,
  database: t.string,
  status: t.string,
  size_bytes: t.number,
  members: t.list(t.string),
});

const schema = defineSchema({
  description:
    "Lists DevDB's team databases: each team's name, database, status, size and members. Templates build the options of their team parameter from it (see the contractor-workspace template).",
  attributes: {
    include_inactive: attribute.bool({
      default: false,
      description: 'Also list archived and dropped team databases.',
    }),
    teams: attribute.list(team, {
      computed: true,
      description: [
        'The team databases, by team name. Each has `name` (the team name, e.g. `frontend-project`),',
        '`database` (`team_frontend_project`), `status` (`active`, `archived` or `dropped`),',
        '`size_bytes` (null when the database is not there under its name: archived or dropped)',
        'and `members` (the usernames whose workspaces attached to it, sorted).',
      ].join(' '),
    }),
  },
});

export const teamsDataSource = defineDataSource<typeof schema, DevDbClient>({
  schema,
  async read({ provider, config }) {
    // Team databases may be on any server of the pool (docs/servers.md).
    const rows = await provider.withRouter(async (router) => {
      const servers = await router.all();
      const lists = await Promise.all(
        servers.map(({ db }) => listTeams(db, { includeInactive: config.include_inactive })),
      );
      return lists.flat().sort((a, b) => a.team.localeCompare(b.team));
    });
    return {
      teams: rows.map((row) => ({
        name: row.team,
        database: row.database,
        status: row.status,
        size_bytes: row.sizeBytes,
        members: row.members,
      })),
    };
  },
});
