import {
  CREDENTIAL_MODES,
  DATABASE_TYPES,
  ENROLLMENT_TOKEN_STATES,
  ON_LAST_DETACH,
  WORKSPACE_ACCESS,
} from '../../../../provisioning/contract/index.js';
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
    'Each workspace gets its own login role; destroying the resource detaches the workspace (its role and sessions are dropped) while the database stays for its other workspaces, unless `on_last_detach` says otherwise.',
    '**Credentials.** With `credentials = "enrollment"` (what the DevDB constructs and the `contractor-workspace` template use) no password is in the Terraform state at all: the login role starts without one, and the resource holds a single-use `enrollment_token` (also `env["DEVDB_ENROLL_TOKEN"]`, expiring after the DevDB setting `enrollment_token_ttl`, 15 minutes by default) with which `devdb-agent start` in the workspace enrolls a password it makes itself, sending DevDB only its SCRAM verifier. A refresh that finds the token used, expired, more than half expired, or gone plans an in-place update that issues a new one; the login role and an enrolled password keep working, and an agent whose `~/.pgpass` still works never uses the new token. With `credentials = "password"` (the default, for configurations written before enrollment) DevDB generates the password and `password` holds it (sensitive, but in the state). Changing `credentials` is an in-place update: to `enrollment` the password in the state stops working; to `password` unused tokens do.',
    '**When DevDB is down** (connection refused, timeout, unknown host; not a wrong password or a refused role, which still fail). Coder refreshes every resource on each workspace start and stop, so:',
    [
      '- *Refresh* keeps the last known state and warns "DevDB not reachable: kept the last known state": the plan shows no change for the attachment, so workspaces start and stop as usual, and the credentials they hold keep working once DevDB is back.',
      '- *Create* fails with "Cannot reach the DevDB server", unless the provider says `on_unavailable = "skip"`: then it succeeds with a warning and stores the attachment as not provisioned (`provisioned = false`; `name`, `user`, `password` and `url` are `""`; `env` has every `DEVDB_*` key empty plus `DEVDB_UNAVAILABLE = "true"`, so templates that index `env` keep working). The next plan that reaches DevDB (the workspace\'s next start or stop) finds it gone from the state and creates it.',
      "- *Destroy* fails, saying so, and nothing changes: the workspace's login role cannot be dropped, and dropping the attachment from the state anyway would leave a working credential that no workspace deletion explains (during a replacement the workspace still exists, so orphan detection would not catch it). Retry once DevDB is back; to delete the workspace now, `coder delete --orphan` skips Terraform, and an admin then detaches it with `devdb release --workspace-id ID`. A not-provisioned attachment is destroyed without contacting DevDB.",
      '- *Update* (a changed `workspace_name`, `template` or `connection_limit`) needs DevDB and fails while it is down; a not-provisioned attachment is replaced instead, which creates it or, still down, stores it as not provisioned again.',
    ].join('\n'),
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
    // Replaces the resource only for a team attachment (see modifyPlan). Computed so
    // that an individual attachment stores "" whether the configuration says
    // `team = ""` (Coder's parameter pattern) or nothing: Terraform plans a
    // non-computed attribute exactly as configured, so after an import null and ""
    // would otherwise differ in one of the two.
    team: attribute.string({
      optional: true,
      computed: true,
      useStateForUnknown: true,
      description:
        'Team name when `type = "team"`: 1–40 lowercase letters, digits and hyphens, starting with a letter; changing it replaces the resource. Ignored (may be empty) for `individual`; unset, it is stored as `""`.',
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
        'What happens to the database when its last workspace detaches: `keep` it, `archive` it (renamed, connections disallowed, restorable), or `drop` it (after a verified final backup: see `final_backup`).',
    }),
    final_backup: attribute.bool({
      default: true,
      description:
        'With `on_last_detach = "drop"`: `true` archives the database at the last detach (renamed, connections disallowed) and leaves the drop pending; DevDB\'s own process then takes a final backup, verifies it by a trial restore and only then drops it (`devdb backup drain-drops`, or the long-running `devdb` process). `false` drops it at once, without a backup, recorded as the event `database.drop_without_backup`.',
    }),
    access: attribute.enum(WORKSPACE_ACCESS, {
      default: 'write',
      description:
        "`write`: the workspace acts as the database's owner role. `read`: it may SELECT every table, view and sequence in every schema (including ones created later) and change nothing. Changing it switches the workspace's login role in place: the password stays; taking write access away ends its sessions.",
    }),
    seed_from: attribute.string({
      optional: true,
      description:
        'A template database to copy when the database is first created. Has no effect once the database exists.',
    }),
    credentials: attribute.enum(CREDENTIAL_MODES, {
      default: 'password',
      description:
        "`enrollment`: no password in the state; the workspace's agent enrolls one with `enrollment_token` (see **Credentials** above; the DevDB constructs' and templates' choice). `password`: DevDB generates one into `password`. Changing it is an in-place update. The default, `password`, keeps configurations written before enrollment as they were.",
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
    password: computed(
      'This workspace\'s password with `credentials = "password"` (sensitive; stored nowhere else); `""` with `enrollment`.',
      true,
    ),
    enrollment_token: computed(
      'With `credentials = "enrollment"`: the single-use token `devdb-agent start` enrolls a password with (sensitive; also `env["DEVDB_ENROLL_TOKEN"]`). DevDB keeps only its SHA-256. `""` with `password`.',
      true,
    ),
    enrollment_status: attribute.string({
      computed: true,
      useStateForUnknown: true,
      description: `With \`credentials = "enrollment"\`: what refresh found of \`enrollment_token\`, one of ${ENROLLMENT_TOKEN_STATES.map((s) => `\`${s}\``).join(', ')} (\`expiring\`: more than half its life gone). Always planned \`usable\`, so any other value shows in the plan as the in-place update that issues a new token. \`""\` with \`password\`.`,
    }),
    host: computed('Host the workspace connects to.'),
    port: attribute.number({
      computed: true,
      useStateForUnknown: true,
      description: 'Port the workspace connects to.',
    }),
    url: computed(
      '`postgresql://user@host:port/name`, without the password; with `?sslmode=` when the provider has one (`verify-full` when the server serves TLS).',
    ),
    ca_cert: computed(
      'The CA certificate (PEM) the workspace verifies the server\'s TLS with (the provider\'s `ca_cert`; not secret), also `env["DEVDB_CA_CERT"]`; `""` without TLS.',
    ),
    env: attribute.map(t.string, {
      computed: true,
      useStateForUnknown: true,
      sensitive: true,
      description:
        '`DEVDB_HOST`, `DEVDB_PORT`, `DEVDB_NAME`, `DEVDB_USER` and `DEVDB_URL` for the workspace, `DEVDB_CA_CERT` when the server serves TLS (`devdb-agent start` writes it to `~/.postgresql/root.crt` and `~/.devdb/ca.crt`), and with `credentials = "enrollment"` `DEVDB_ENROLL_TOKEN` (with `password`, the password is `password`). Sensitive because of the token: an `output` of it needs `sensitive = true`, and `for_each` cannot iterate it (index it by name, as the examples do). Not provisioned: see "When DevDB is down" above.',
    }),
    provisioned: attribute.bool({
      computed: true,
      useStateForUnknown: true,
      description:
        '`false` while the attachment is not provisioned (`on_unavailable = "skip"`, see "When DevDB is down" above), `true` otherwise.',
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
