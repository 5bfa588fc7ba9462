import { ON_LAST_DETACH } from '../../../../provisioning/contract/index.js';
import { attribute, defineSchema, t } from '../../../plugin/index.js';
import { accessDriftAttribute } from '../posture.js';
import type { Model } from '../../../plugin/index.js';
import { isTeamName } from '../../validators.js';

export const teamSchema = defineSchema({
  description:
    'A team database (`team_{name}`) managed explicitly, for admins who pre-create teams or seed them. Workspaces still attach with `devdb_database` (`type = "team"`); this resource never drops a database that workspaces are attached to.',
  attributes: {
    name: attribute.string({
      required: true,
      requiresReplace: true,
      validators: [isTeamName],
      description: 'Team name: 1–40 lowercase letters, digits and hyphens, starting with a letter.',
    }),
    seed_from: attribute.string({
      optional: true,
      description: 'A template database to copy when the team database is first created.',
    }),
    on_destroy: attribute.enum(ON_LAST_DETACH, {
      default: 'keep',
      description:
        'What destroying this resource does to the database: `keep` it (DevDB keeps managing it), `archive` it, or `drop` it (after a verified final backup: see `final_backup`). archive and drop refuse while workspaces are attached.',
    }),
    final_backup: attribute.bool({
      default: true,
      description:
        'With `on_destroy = "drop"`: `true` archives the database at destroy (renamed, connections disallowed) and leaves the drop pending; DevDB\'s own process then takes a final backup, verifies it by a trial restore and only then drops it (`devdb backup drain-drops`, or the long-running `devdb` process). `false` drops it at once, without a backup, recorded as the event `database.drop_without_backup`.',
    }),
    id: attribute.string({
      computed: true,
      useStateForUnknown: true,
      description: 'The database name.',
    }),
    database: attribute.string({
      computed: true,
      useStateForUnknown: true,
      description: 'The database name, e.g. `team_frontend_project`.',
    }),
    public_privileges: attribute.list(t.string, {
      computed: true,
      description:
        'Privileges PUBLIC holds on the database: planned empty, so drift shows and apply repairs it.',
    }),
    access_drift: accessDriftAttribute(),
  },
});

export type TeamModel = Model<typeof teamSchema>;
