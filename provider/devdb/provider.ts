/** The `devdb` Terraform provider (docs/resources/database.md), declared once: protocol, docs and bindings derive from it. */
import { defineProvider } from '../plugin/index.js';
import type { DevDbClient } from './client.js';
import { configure, providerSchema } from './config.js';
import { databaseDataSource } from './data-sources/database.js';
import { teamsDataSource } from './data-sources/teams.js';
import { database } from './resources/database/index.js';
import { team } from './resources/team/index.js';

export const devdbProvider = defineProvider<typeof providerSchema, DevDbClient>({
  name: 'devdb',
  schema: providerSchema,
  configure,
  resources: { database, team },
  dataSources: { database: databaseDataSource, teams: teamsDataSource },
});
