import { DATABASE_TYPES, ON_LAST_DETACH } from '../../../../provisioning/domain.js';
import { attribute, between, defineSchema, t } from '../../../plugin/index.js';
import type { Model } from '../../../plugin/index.js';
import { isUsername, isWorkspaceId } from '../../validators.js';
import { accessDriftAttribute } from '../posture.js';

const computed = (description: string, sensitive = false) =>
  attribute.string({
    computed: true,
    useStateForUnknown: true,
    sensitive: sensitive || undefined,
    description,
  });

export const databaseSchema = defineSchema({
  description: [
    "Attaches a Coder workspace to its PostgreSQL database on the DevDB server: the workspace owner's personal `dev_{username}` or the team's `team_{name}`, created on first use and shared by every workspace that attaches to it.",
    'Each workspace gets its own login role with a fresh password; destroying the resource detaches the workspace (its role and sessions are dropped) while the database stays for its other workspaces, unless `on_last_detach` says otherwise.',
  ].join('\n\n'),
  attributes: {
    type: attribute.enum(DATABASE_TYPES, {
      required: true,
      requiresReplace: true,
      description: "`individual` (the owner's `dev_{username}`) or `team` (`team_{team}`).",
    }),
    // Replaces the resource unless the owner's Coder id shows a rename (see modifyPlan).
    owner: attribute.string({
      required: true,
      validators: [isUsername],
      description:
        "The workspace owner's Coder username (`data.coder_workspace_owner.me.name`). A new username with the same `owner_id` is a rename, updated in place: the database keeps its name, data and workspaces, and the credentials keep working. Without `owner_id`, or with a different one, changing it replaces the resource.",
    }),
    owner_id: attribute.string({
      optional: true,
      description:
        "The owner's Coder user id (`data.coder_workspace_owner.me.id`): a renamed user keeps their database, attachments and credentials.",
    }),
    // Replaces the resource only for a team attachment (see modifyPlan): ignored for
    // an individual one, where null and "" (e.g. after import) must not re-key it.
    team: attribute.string({
      optional: true,
      description:
        'Team name when `type = "team"`: 1–40 lowercase letters, digits and hyphens, starting with a letter; changing it replaces the resource. Ignored (may be empty) for `individual`.',
    }),
    workspace_id: attribute.string({
      required: true,
      requiresReplace: true,
      validators: [isWorkspaceId],
      description: 'The Coder workspace id (`data.coder_workspace.me.id`).',
    }),
    workspace_name: attribute.string({
      optional: true,
      description: 'The Coder workspace name, recorded for admins.',
    }),
    template: attribute.string({
      optional: true,
      description: 'The Coder template name, recorded for admins.',
    }),
    on_last_detach: attribute.enum(ON_LAST_DETACH, {
      default: 'keep',
      description:
        'What happens to the database when its last workspace detaches: `keep` it, `archive` it (renamed, connections disallowed, restorable), or `drop` it.',
    }),
    seed_from: attribute.string({
      optional: true,
      description:
        'A template database to copy when the database is first created. Has no effect once the database exists.',
    }),
    connection_limit: attribute.number({
      default: -1,
      validators: [between(-1, 10_000)],
      description:
        "Maximum concurrent connections for this workspace's login role; -1 for no limit.",
    }),
    id: computed('`{database}/{workspace_id}`.'),
    name: computed('The database name, e.g. `dev_alice`.'),
    user: computed("This workspace's login role."),
    password: computed("This workspace's password (sensitive; stored nowhere else).", true),
    host: computed('Host the workspace connects to.'),
    port: attribute.number({
      computed: true,
      useStateForUnknown: true,
      description: 'Port the workspace connects to.',
    }),
    url: computed('`postgresql://user@host:port/name`, without the password.'),
    env: attribute.map(t.string, {
      computed: true,
      useStateForUnknown: true,
      description:
        '`DEVDB_HOST`, `DEVDB_PORT`, `DEVDB_NAME`, `DEVDB_USER` and `DEVDB_URL` for the workspace (the password is `password`).',
    }),
    public_privileges: attribute.list(t.string, {
      computed: true,
      description:
        'Privileges PUBLIC holds on the database: always planned empty, so access granted to PUBLIC out of band shows in the plan and apply revokes it.',
    }),
    access_drift: accessDriftAttribute(),
  },
});

export type DatabaseModel = Model<typeof databaseSchema>;
