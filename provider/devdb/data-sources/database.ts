/** Data source `devdb_database`: a database's connection facts, without attaching. */
import { connectionUrl } from '../../../provisioning/contract/index.js';
import { databaseState } from '../../../provisioning/index.js';
import { attribute, defineDataSource, defineSchema, DiagnosticError } from '../../plugin/index.js';
import type { DevDbClient } from '../client.js';

const schema = defineSchema({
  description:
    'Looks up a DevDB database by name: where it is and what it is, without attaching a workspace or minting credentials.',
  attributes: {
    name: attribute.string({
      required: true,
      description: 'Database name, e.g. `dev_alice` or `team_frontend_project`.',
    }),
    type: attribute.string({ computed: true, description: '`individual` or `team`.' }),
    owner: attribute.string({
      computed: true,
      description: 'Owner username (individual databases).',
    }),
    team: attribute.string({ computed: true, description: 'Team name (team databases).' }),
    status: attribute.string({ computed: true, description: '`active`, `archived` or `dropped`.' }),
    host: attribute.string({ computed: true, description: 'Host workspaces connect to.' }),
    port: attribute.number({ computed: true, description: 'Port workspaces connect to.' }),
    url: attribute.string({
      computed: true,
      description: '`postgresql://host:port/name` (no user: credentials are per workspace).',
    }),
    ca_cert: attribute.string({
      computed: true,
      description: 'The CA certificate (PEM) workspaces verify the server with; `""` without TLS.',
    }),
    attached_workspaces: attribute.number({
      computed: true,
      description: 'Workspaces attached now.',
    }),
  },
});

export const databaseDataSource = defineDataSource<typeof schema, DevDbClient>({
  schema,
  async read({ provider, config }) {
    const [live, endpoint] = await provider.onServerOf(
      config.name,
      async ({ db, endpoint }) => [await databaseState(db, config.name), endpoint] as const,
    );
    if (!live.known) {
      throw new DiagnosticError('No such DevDB database', {
        detail: `DevDB has no database named ${JSON.stringify(config.name)}; \`devdb list\` shows them.`,
        path: ['name'],
      });
    }
    const { host, port } = endpoint;
    return {
      type: live.type,
      owner: live.owner,
      team: live.team,
      status: live.status,
      host,
      port,
      url: connectionUrl(endpoint, config.name, ''),
      ca_cert: endpoint.caCert ?? '',
      attached_workspaces: live.liveAttachments,
    };
  },
});
