import { createHash, randomUUID } from 'node:crypto';
import {
  attribute,
  block,
  defineDataSource,
  defineProvider,
  defineResource,
  defineSchema,
  DiagnosticError,
  isUnknown,
  matches,
  oneOf,
  t,
  type Validator,
} from '../../provider/plugin/index.js';
import { checkCron } from './cron.js';
import { parameter } from './parameter.js';

// A stand-in for registry.terraform.io/coder/coder (v2.17) for tests: the schema subset
// DevDB's templates use (provider/constructs/schemas/coder.json, kept in step by
// schema.test.ts) and the environment contract Coder's
// provisioner drives the real provider with. Resources are state only, as in the real
// provider: create generates an ID (and the agent's token), read keeps the state,
// delete does nothing, and every argument forces replacement. Never shipped.
//
// Where the real provider takes a random UUID when CODER_WORKSPACE_ID or
// CODER_WORKSPACE_OWNER_ID is unset, the stand-in derives one from the owner and
// workspace names, so repeated builds of one test workspace agree (as Coder's real IDs do).

export const CODER_PROVIDER_VERSION = '2.17.0';
export const CODER_PROVIDER_SOURCE = 'registry.terraform.io/coder/coder';

interface Client {
  /** The access URL: `url`, else CODER_AGENT_URL, else the real provider's placeholder. */
  url: string;
}

/** An environment variable's value; unset and empty both mean `fallback`, as in the real provider. */
function env(name: string, fallback = ''): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

/** Set during a real build only; the template variables are required then. */
function requiredDuringBuild(name: string, what: string): string {
  const value = env(name);
  if (value === '' && env('CODER_WORKSPACE_BUILD_ID') !== '') {
    throw new DiagnosticError(`${what} is missing: ${name} is required`);
  }
  return value;
}

/** A name-based (version 5) UUID: the same name always gives the same ID. */
export function nameUuid(name: string): string {
  // The RFC 4122 URL namespace.
  const namespace = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
  const hash = createHash('sha1').update(namespace).update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const ownerName = () => env('CODER_WORKSPACE_OWNER', 'default');

const ICON =
  'A URL to an icon that will display in the dashboard. Use a built-in icon with ' +
  '`"${data.coder_workspace.me.access_url}/icon/<path>"`.';
const AGENT_ID = 'The `id` property of a `coder_agent` resource to associate with.';

const atLeast =
  (min: number): Validator<number> =>
  (value) =>
    value >= min ? undefined : `Must be at least ${min}.`;

const maxLength =
  (max: number): Validator<string> =>
  (value) =>
    value.length <= max ? undefined : `Must be at most ${max} characters long.`;

/** State-only resources: nothing outside Terraform's state to read or delete. */
const stateOnly = {
  version: 1,
  read: async () => ({}),
  delete: async () => {},
};

function duplicateKeys(items: unknown, what: string, path: string): void {
  const seen = new Set<string>();
  for (const item of Array.isArray(items) ? items : []) {
    if (isUnknown(item) || item === null) continue;
    const key = (item as { key: unknown }).key;
    if (typeof key !== 'string') continue;
    if (seen.has(key)) {
      throw new DiagnosticError(`duplicate ${what} key "${key}"`, { path: [path] });
    }
    seen.add(key);
  }
}

// ---------------------------------------------------------------- coder_agent

const agentSchema = defineSchema({
  description: 'Use this resource to associate an agent.',
  attributes: {
    arch: attribute.string({
      required: true,
      requiresReplace: true,
      description:
        'The architecture the agent will run on. Must be one of: `"amd64"`, `"armv7"`, `"arm64"`.',
      validators: [oneOf('amd64', 'armv7', 'arm64')],
    }),
    os: attribute.string({
      required: true,
      requiresReplace: true,
      description:
        'The operating system the agent will run on. Must be one of: `"linux"`, `"darwin"`, or `"windows"`.',
      validators: [oneOf('linux', 'darwin', 'windows')],
    }),
    auth: attribute.string({
      default: 'token',
      requiresReplace: true,
      description:
        'The authentication type the agent will use. Must be one of: `"token"`, `"google-instance-identity"`, `"aws-instance-identity"`, `"azure-instance-identity"`.',
      validators: [
        oneOf(
          'token',
          'google-instance-identity',
          'aws-instance-identity',
          'azure-instance-identity',
        ),
      ],
    }),
    dir: attribute.string({
      optional: true,
      requiresReplace: true,
      deprecated: 'dir has been deprecated and will be removed in a future release.',
      description:
        'The starting directory when a user creates a shell session. Defaults to `"$HOME"`.',
    }),
    env: attribute.map(t.string, {
      optional: true,
      requiresReplace: true,
      description: 'A mapping of environment variables to set inside the workspace.',
    }),
    startup_script: attribute.string({
      optional: true,
      requiresReplace: true,
      description:
        'A script to run after the agent starts. The script should exit when it is done to signal that the agent is ready.',
    }),
    startup_script_behavior: attribute.string({
      default: 'non-blocking',
      requiresReplace: true,
      description:
        'This option sets the behavior of the `startup_script`: `"blocking"` or `"non-blocking"` (default).',
      validators: [oneOf('blocking', 'non-blocking')],
    }),
    shutdown_script: attribute.string({
      optional: true,
      requiresReplace: true,
      description:
        'A script to run before the agent is stopped. The script should exit when it is done to signal that the workspace can be stopped.',
    }),
    connection_timeout: attribute.number({
      default: 120,
      requiresReplace: true,
      description:
        'Time in seconds until the agent is marked as timed out when a connection with the server cannot be established. A value of zero never marks the agent as timed out.',
      validators: [atLeast(0)],
    }),
    motd_file: attribute.string({
      optional: true,
      requiresReplace: true,
      description:
        'The path to a file within the workspace containing a message to display to users when they login via SSH.',
    }),
    troubleshooting_url: attribute.string({
      optional: true,
      requiresReplace: true,
      description:
        'A URL to a document with instructions for troubleshooting problems with the agent.',
    }),
    order: attribute.number({
      optional: true,
      requiresReplace: true,
      description:
        'The order determines the position of agents in the UI presentation. The lowest order is shown first and agents with equal order are sorted by name (ascending order).',
    }),
    id: attribute.string({ computed: true, description: 'A generated ID.' }),
    init_script: attribute.string({
      computed: true,
      description: 'Run this script on startup of an instance to initialize the agent.',
    }),
    token: attribute.string({
      computed: true,
      sensitive: true,
      description:
        'Set the environment variable `CODER_AGENT_TOKEN` with this token to authenticate an agent.',
    }),
  },
  blocks: {
    display_apps: block.set(
      {
        attributes: {
          vscode: attribute.bool({
            default: true,
            description: 'Display the VSCode Desktop app in the agent bar.',
          }),
          vscode_insiders: attribute.bool({
            default: false,
            description: 'Display the VSCode Insiders app in the agent bar.',
          }),
          web_terminal: attribute.bool({
            default: true,
            description: 'Display the web terminal app in the agent bar.',
          }),
          ssh_helper: attribute.bool({
            default: true,
            description: 'Display the SSH helper button in the agent bar.',
          }),
          port_forwarding_helper: attribute.bool({
            default: true,
            description: 'Display the port-forwarding helper button in the agent bar.',
          }),
        },
      },
      {
        description: 'The list of built-in apps to display in the agent bar.',
        maxItems: 1,
        requiresReplace: true,
      },
    ),
    metadata: block.list(
      {
        attributes: {
          key: attribute.string({ required: true, description: 'The key of this metadata item.' }),
          display_name: attribute.string({
            optional: true,
            description: 'The user-facing name of this value.',
          }),
          script: attribute.string({
            required: true,
            description: 'The script that retrieves the value of this metadata item.',
          }),
          interval: attribute.number({
            required: true,
            description: 'The interval in seconds at which to refresh this metadata item.',
          }),
          timeout: attribute.number({
            optional: true,
            description: 'The maximum time the command is allowed to run in seconds.',
          }),
          order: attribute.number({
            optional: true,
            description:
              'The order determines the position of agent metadata in the UI presentation.',
          }),
        },
      },
      {
        description:
          'Each `metadata` block defines a single item consisting of a key/value pair, shown for the agent.',
        requiresReplace: true,
      },
    ),
  },
});

/** The environment variable a claimed prebuild passes its running agent's token in. */
export const RUNNING_AGENT_TOKEN_VARIABLE = `CODER_RUNNING_WORKSPACE_AGENT_TOKEN_${createHash('sha256').update('').digest('hex')}`;

const agent = defineResource<typeof agentSchema, Client>({
  schema: agentSchema,
  ...stateOnly,
  validate({ config, warn }) {
    duplicateKeys(config.metadata, 'agent metadata', 'metadata');
    const dir = config.dir;
    if (typeof dir === 'string' && dir !== '' && dir !== '$HOME' && dir !== '~') {
      warn(
        'Setting "dir" to a value other than $HOME will break Coder Desktop file sync.',
        undefined,
        ['dir'],
      );
    }
  },
  async create({ plan, provider }) {
    // The agent's init script comes from Coder (per OS and architecture) with the
    // access URL and auth type filled in; outside a build it is empty.
    const script = env(`CODER_AGENT_SCRIPT_${String(plan.os)}_${String(plan.arch)}`)
      .replaceAll('${ACCESS_URL}', new URL('/', provider.url).toString())
      .replaceAll('${AUTH_TYPE}', String(plan.auth));
    return {
      id: randomUUID(),
      token: env(RUNNING_AGENT_TOKEN_VARIABLE) || randomUUID(),
      init_script: script,
    };
  },
});

// ---------------------------------------------------------------- coder_env

const envSchema = defineSchema({
  description:
    'Use this resource to set an environment variable in a workspace. Note that this resource cannot be used to overwrite existing environment variables set on the `coder_agent` resource.',
  attributes: {
    agent_id: attribute.string({ required: true, requiresReplace: true, description: AGENT_ID }),
    name: attribute.string({
      required: true,
      requiresReplace: true,
      description: 'The name of the environment variable.',
      validators: [matches(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a valid environment variable name')],
    }),
    value: attribute.string({
      optional: true,
      requiresReplace: true,
      description: 'The value of the environment variable.',
    }),
    merge_strategy: attribute.string({
      default: 'replace',
      requiresReplace: true,
      description:
        'Controls how this environment variable is merged when multiple coder_env resources define the same name: `replace` (default, last value wins), `append` / `prepend` (joined with `:`), `error` (fail the build).',
      validators: [oneOf('replace', 'append', 'prepend', 'error')],
    }),
    id: attribute.string({ computed: true, description: 'A generated ID.' }),
  },
});

const envResource = defineResource<typeof envSchema, Client>({
  schema: envSchema,
  ...stateOnly,
  create: async () => ({ id: randomUUID() }),
});

// ---------------------------------------------------------------- coder_script

const scriptSchema = defineSchema({
  description:
    'Use this resource to run a script from an agent. When multiple scripts are assigned to the same agent, they are executed in parallel.',
  attributes: {
    agent_id: attribute.string({ required: true, requiresReplace: true, description: AGENT_ID }),
    display_name: attribute.string({
      required: true,
      requiresReplace: true,
      description: 'The display name of the script to display logs in the dashboard.',
    }),
    script: attribute.string({
      required: true,
      requiresReplace: true,
      description: 'The content of the script that will be run.',
    }),
    run_on_start: attribute.bool({
      default: false,
      requiresReplace: true,
      description: 'Whether the script runs when the agent starts.',
    }),
    run_on_stop: attribute.bool({
      default: false,
      requiresReplace: true,
      description: 'Whether the script runs when the agent stops.',
    }),
    cron: attribute.string({
      optional: true,
      requiresReplace: true,
      description:
        'The cron schedule to run the script on, in the 6-field format `seconds minutes hours day-of-month month day-of-week`, e.g. `"0 */5 * * * *"` (every 5 minutes).',
    }),
    start_blocks_login: attribute.bool({
      default: false,
      requiresReplace: true,
      description:
        'Whether users must wait for this script to finish on startup before logging in.',
    }),
    timeout: attribute.number({
      default: 0,
      requiresReplace: true,
      description:
        'Time in seconds that the script is allowed to run. A value of zero (default) means no timeout.',
      validators: [atLeast(1)],
    }),
    log_path: attribute.string({
      optional: true,
      requiresReplace: true,
      description:
        'The path of a file to write the logs to. If relative, it will be appended to tmp.',
    }),
    icon: attribute.string({ optional: true, requiresReplace: true, description: ICON }),
    id: attribute.string({ computed: true, description: 'A generated ID.' }),
  },
});

const script = defineResource<typeof scriptSchema, Client>({
  schema: scriptSchema,
  ...stateOnly,
  validate({ config, warn }) {
    const { cron, run_on_start: onStart, run_on_stop: onStop } = config;
    if (typeof cron === 'string') {
      const { error, warning } = checkCron(cron);
      if (error) {
        throw new DiagnosticError('Invalid cron', {
          detail: `${cron} is not a valid cron expression: ${error}`,
          path: ['cron'],
        });
      }
      if (warning) warn('Unix cron format', warning, ['cron']);
    }
    if (isUnknown(onStart) || isUnknown(onStop) || isUnknown(cron)) return;
    if (onStart !== true && onStop !== true && (cron === null || cron === '')) {
      throw new DiagnosticError(
        'at least one of "run_on_start", "run_on_stop", or "cron" must be set',
      );
    }
    if (config.start_blocks_login === true && onStart !== true) {
      throw new DiagnosticError(
        '"start_blocks_login" can only be set if "run_on_start" is "true"',
        {
          path: ['start_blocks_login'],
        },
      );
    }
  },
  create: async () => ({ id: randomUUID() }),
});

// ---------------------------------------------------------------- coder_metadata

const metadataSchema = defineSchema({
  description:
    'Use this resource to attach metadata to a resource. They will be displayed in the Coder dashboard alongside the resource.',
  attributes: {
    resource_id: attribute.string({
      required: true,
      requiresReplace: true,
      description: 'The `id` property of another resource that metadata should be attached to.',
    }),
    hide: attribute.bool({
      optional: true,
      requiresReplace: true,
      description: 'Hide the resource from the UI.',
    }),
    icon: attribute.string({ optional: true, requiresReplace: true, description: ICON }),
    daily_cost: attribute.number({
      optional: true,
      requiresReplace: true,
      description:
        '(Enterprise) The cost of this resource every 24 hours, in the smallest denomination of your currency.',
    }),
    id: attribute.string({ computed: true, description: 'A generated ID.' }),
  },
  blocks: {
    item: block.list(
      {
        attributes: {
          key: attribute.string({ required: true, description: 'The key of this metadata item.' }),
          value: attribute.string({
            optional: true,
            description: 'The value of this metadata item. Supports basic Markdown.',
          }),
          sensitive: attribute.bool({
            default: false,
            description:
              'Set to `true` for items whose values should be hidden from view by default (they can still be retrieved through the API).',
          }),
          is_null: attribute.bool({
            computed: true,
            description: 'Whether the item has no value (set when the resource is created).',
          }),
        },
      },
      {
        description:
          'Each `item` block defines a single metadata item consisting of a key/value pair.',
        requiresReplace: true,
      },
    ),
  },
});

const metadata = defineResource<typeof metadataSchema, Client>({
  schema: metadataSchema,
  ...stateOnly,
  validate({ config }) {
    duplicateKeys(config.item, 'resource metadata', 'item');
  },
  // Coder shows a null value differently from an empty one: the real provider records which.
  create: async ({ plan }) => ({
    id: randomUUID(),
    ...(isUnknown(plan.item)
      ? {}
      : { item: plan.item.map((item) => ({ ...item, is_null: item.value === null })) }),
  }),
});

// ---------------------------------------------------------------- coder_app

const appSchema = defineSchema({
  description: 'Use this resource to define shortcuts to access applications in a workspace.',
  attributes: {
    agent_id: attribute.string({ required: true, requiresReplace: true, description: AGENT_ID }),
    slug: attribute.string({
      required: true,
      requiresReplace: true,
      description:
        'A hostname-friendly name for the app, used in URLs. May contain alphanumerics and hyphens; cannot start/end with a hyphen or contain two consecutive hyphens.',
      validators: [
        matches(/^[a-z0-9](-?[a-z0-9])*$/, 'a valid hostname label without consecutive hyphens'),
      ],
    }),
    display_name: attribute.string({
      optional: true,
      requiresReplace: true,
      description: 'A display name to identify the app. Defaults to the slug.',
      validators: [maxLength(64)],
    }),
    url: attribute.string({
      optional: true,
      requiresReplace: true,
      description:
        'A URL to be proxied to from inside the workspace, e.g. `http://localhost:PORT[/SUBPATH]`. Either `command` or `url` may be specified, but not both.',
    }),
    command: attribute.string({
      optional: true,
      requiresReplace: true,
      description:
        'A command to run in a terminal opening this app. Either `command` or `url` may be specified, but not both. Conflicts with `subdomain`.',
    }),
    icon: attribute.string({ optional: true, requiresReplace: true, description: ICON }),
    share: attribute.string({
      default: 'owner',
      requiresReplace: true,
      description:
        'The level the application is shared at: `"owner"` (default), `"authenticated"` or `"public"`.',
      validators: [oneOf('owner', 'authenticated', 'public')],
    }),
    subdomain: attribute.bool({
      optional: true,
      requiresReplace: true,
      description:
        'Whether the app is accessed via its own subdomain rather than a path on Coder. Defaults to `false`.',
    }),
    open_in: attribute.string({
      default: 'slim-window',
      requiresReplace: true,
      description:
        'Where the app will be opened: `"tab"` or `"slim-window"` (default, a browser window without navigation controls).',
      validators: [oneOf('tab', 'slim-window')],
    }),
    order: attribute.number({
      optional: true,
      requiresReplace: true,
      description:
        'The order determines the position of app in the UI presentation. The lowest order is shown first and apps with equal order are sorted by name (ascending order).',
    }),
    id: attribute.string({ computed: true, description: 'A generated ID.' }),
  },
  blocks: {
    healthcheck: block.set(
      {
        attributes: {
          url: attribute.string({
            required: true,
            description:
              'HTTP address used determine the application readiness (a response code below 500 within `interval` seconds).',
          }),
          interval: attribute.number({
            required: true,
            description: 'Duration in seconds to wait between healthcheck requests.',
          }),
          threshold: attribute.number({
            required: true,
            description:
              'Number of consecutive heathcheck failures before returning an unhealthy status.',
          }),
        },
      },
      {
        description: 'HTTP health checking to determine the application readiness.',
        maxItems: 1,
        requiresReplace: true,
      },
    ),
  },
});

const app = defineResource<typeof appSchema, Client>({
  schema: appSchema,
  ...stateOnly,
  validate({ config }) {
    const set = (value: unknown) => value !== null && value !== undefined;
    const conflicts: [string, boolean][] = [
      ['url', set(config.url)],
      ['subdomain', set(config.subdomain)],
      ['healthcheck', Array.isArray(config.healthcheck) && config.healthcheck.length > 0],
    ];
    if (!set(config.command)) return;
    for (const [name, present] of conflicts) {
      if (present) {
        throw new DiagnosticError('Conflicting configuration arguments', {
          detail: `"command": conflicts with ${name}`,
          path: ['command'],
        });
      }
    }
  },
  create: async () => ({ id: randomUUID() }),
});

// ---------------------------------------------------------------- data sources

const workspaceSchema = defineSchema({
  description: 'Use this data source to get information for the active workspace build.',
  attributes: {
    id: attribute.string({ computed: true, description: 'UUID of the workspace.' }),
    name: attribute.string({ computed: true, description: 'Name of the workspace.' }),
    start_count: attribute.number({
      computed: true,
      description: 'A computed count based on `transition` state. If `start`, count will equal 1.',
    }),
    transition: attribute.string({
      computed: true,
      description: 'Either `start` or `stop`. Use this to start/stop resources with `count`.',
    }),
    template_id: attribute.string({
      computed: true,
      description: "ID of the workspace's template.",
    }),
    template_name: attribute.string({
      computed: true,
      description: "Name of the workspace's template.",
    }),
    template_version: attribute.string({
      computed: true,
      description: "Version of the workspace's template.",
    }),
    access_url: attribute.string({
      computed: true,
      description: 'The access URL of the Coder deployment provisioning this workspace.',
    }),
    access_port: attribute.number({
      computed: true,
      description: 'The access port of the Coder deployment provisioning this workspace.',
    }),
    is_prebuild: attribute.bool({
      computed: true,
      description: 'True while the workspace is a prebuild not yet claimed by a user.',
    }),
    prebuild_count: attribute.number({
      computed: true,
      description: '1 while the workspace is an unclaimed prebuild, else 0.',
    }),
  },
});

const workspace = defineDataSource<typeof workspaceSchema, Client>({
  schema: workspaceSchema,
  async read({ provider }) {
    const transition = env('CODER_WORKSPACE_TRANSITION', 'start');
    const isPrebuild = env('CODER_WORKSPACE_IS_PREBUILD').toLowerCase() === 'true';
    const name = env('CODER_WORKSPACE_NAME', 'default');
    const url = new URL(provider.url);
    return {
      id: env('CODER_WORKSPACE_ID', nameUuid(`coder-stand-in:workspace:${ownerName()}/${name}`)),
      name,
      transition,
      start_count: transition === 'start' ? 1 : 0,
      is_prebuild: isPrebuild,
      prebuild_count: isPrebuild ? 1 : 0,
      template_id: requiredDuringBuild('CODER_WORKSPACE_TEMPLATE_ID', 'template ID'),
      template_name: requiredDuringBuild('CODER_WORKSPACE_TEMPLATE_NAME', 'template name'),
      template_version: requiredDuringBuild('CODER_WORKSPACE_TEMPLATE_VERSION', 'template version'),
      access_url: provider.url,
      access_port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    };
  },
});

const ownerSchema = defineSchema({
  description: 'Use this data source to fetch information about the workspace owner.',
  attributes: {
    id: attribute.string({ computed: true, description: 'The UUID of the workspace owner.' }),
    name: attribute.string({ computed: true, description: 'The username of the user.' }),
    full_name: attribute.string({ computed: true, description: 'The full name of the user.' }),
    email: attribute.string({ computed: true, description: 'The email address of the user.' }),
    groups: attribute.list(t.string, {
      computed: true,
      description: 'The groups of which the user is a member.',
    }),
    login_type: attribute.string({
      computed: true,
      description: 'The type of login the user has.',
    }),
    ssh_public_key: attribute.string({
      computed: true,
      description: "The user's generated SSH public key.",
    }),
    ssh_private_key: attribute.string({
      computed: true,
      sensitive: true,
      description: "The user's generated SSH private key.",
    }),
    session_token: attribute.string({
      computed: true,
      sensitive: true,
      description:
        'Session token for authenticating with a Coder deployment. It is regenerated every time a workspace is started.',
    }),
    oidc_access_token: attribute.string({
      computed: true,
      sensitive: true,
      description:
        'A valid OpenID Connect access token of the workspace owner, or an empty string.',
    }),
  },
});

const owner = defineDataSource<typeof ownerSchema, Client>({
  schema: ownerSchema,
  async read() {
    let groups: string[] = [];
    const rawGroups = process.env.CODER_WORKSPACE_OWNER_GROUPS;
    if (rawGroups !== undefined) {
      try {
        const parsed: unknown = JSON.parse(rawGroups);
        if (
          parsed !== null &&
          !(Array.isArray(parsed) && parsed.every((g) => typeof g === 'string'))
        ) {
          throw new Error('not a JSON array of strings');
        }
        groups = (parsed as string[] | null) ?? [];
      } catch (error) {
        throw new DiagnosticError(`invalid user groups: ${(error as Error).message}`);
      }
    }
    return {
      id: env('CODER_WORKSPACE_OWNER_ID', nameUuid(`coder-stand-in:owner:${ownerName()}`)),
      name: ownerName(),
      full_name: env('CODER_WORKSPACE_OWNER_NAME', 'default'),
      email: env('CODER_WORKSPACE_OWNER_EMAIL', 'default@example.com'),
      groups,
      login_type: env('CODER_WORKSPACE_OWNER_LOGIN_TYPE'),
      ssh_public_key: env('CODER_WORKSPACE_OWNER_SSH_PUBLIC_KEY'),
      ssh_private_key: env('CODER_WORKSPACE_OWNER_SSH_PRIVATE_KEY'),
      session_token: env('CODER_WORKSPACE_OWNER_SESSION_TOKEN'),
      oidc_access_token: env('CODER_WORKSPACE_OWNER_OIDC_ACCESS_TOKEN'),
    };
  },
});

// ---------------------------------------------------------------- provider

export const coderProvider = defineProvider({
  name: 'coder',
  schema: defineSchema({
    attributes: {
      url: attribute.string({
        optional: true,
        description:
          'The URL to access Coder. Default: the `CODER_AGENT_URL` environment variable, else `https://mydeployment.coder.com`.',
      }),
    },
  }),
  configure: ({ config }): Client => {
    const url = config.url ?? env('CODER_AGENT_URL', 'https://mydeployment.coder.com');
    if (url === '') throw new DiagnosticError('CODER_AGENT_URL must not be empty; got ""');
    if (!URL.canParse(url)) throw new DiagnosticError('Invalid url', { path: ['url'] });
    return { url };
  },
  resources: { agent, env: envResource, script, metadata, app },
  dataSources: { parameter, workspace, workspace_owner: owner },
});
