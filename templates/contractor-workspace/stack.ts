/**
 * The guide's contractor-workspace template as a CDK Terrain app: a Docker
 * workspace container, the Coder agent, and DevDB (parameters, database,
 * DEVDB_* and devdb-agent) in a few lines. It imports DevDB by its package name,
 * as a template author's project does (README "Using the constructs in your project").
 */
import { Fn, Op, TerraformStack, TerraformVariable, Token } from 'cdktn';
import type { Construct } from 'constructs';
import { Agent } from 'devdb/bindings/coder/agent';
import { DataCoderWorkspace } from 'devdb/bindings/coder/data-coder-workspace';
import { DataCoderWorkspaceOwner } from 'devdb/bindings/coder/data-coder-workspace-owner';
import { CoderProvider } from 'devdb/bindings/coder/provider';
import { DevdbProvider } from 'devdb/bindings/devdb/provider';
import { CoderDevDb, type TeamOptions } from 'devdb/constructs';
// The docker bindings are a subset generated for this template, not part of the package.
import { Container } from '../../provider/constructs/.gen/providers/docker/container/index.js';
import { Image } from '../../provider/constructs/.gen/providers/docker/image/index.js';
import { DockerProvider } from '../../provider/constructs/.gen/providers/docker/provider/index.js';
import { Volume } from '../../provider/constructs/.gen/providers/docker/volume/index.js';

export interface ContractorWorkspaceOptions {
  /** The workspace container on Docker. Off for tests on machines without a Docker engine. */
  readonly docker?: boolean;
  /** How the team is chosen: a team name typed in (default) or one of the existing teams. */
  readonly teamOptions?: TeamOptions;
}

export class ContractorWorkspace extends TerraformStack {
  constructor(scope: Construct, id: string, options: ContractorWorkspaceOptions = {}) {
    super(scope, id);
    const variables = this.variables();
    new CoderProvider(this, 'coder_provider', {});
    // Empty means "the admin URL's host": the `x != ""` test CDKTF's last release broke.
    new DevdbProvider(this, 'devdb_provider', {
      host: Token.asString(
        Fn.conditional(
          Op.neq(variables.devdbHost.stringValue, ''),
          variables.devdbHost.stringValue,
          null,
        ),
      ),
    });

    // Coder's conventional names: data.coder_workspace.me, data.coder_workspace_owner.me.
    const workspace = new DataCoderWorkspace(this, 'workspace_me', {});
    workspace.overrideLogicalId('me');
    const owner = new DataCoderWorkspaceOwner(this, 'owner_me', {});
    owner.overrideLogicalId('me');
    const agent = new Agent(this, 'main', {
      arch: 'amd64',
      os: 'linux',
      dir: '/home/coder',
      startupScript: '#!/bin/sh\nset -e\necho "workspace ready"\n',
      env: {
        GIT_AUTHOR_NAME: Fn.coalesce([owner.fullName, owner.name]),
        GIT_AUTHOR_EMAIL: owner.email,
      },
    });
    const devdb = new CoderDevDb(this, 'devdb', {
      agent,
      workspace,
      owner,
      parameters: { teamOptions: options.teamOptions },
      // The default, said out loud: no password in the workspace's Terraform state;
      // devdb-agent enrolls one with DEVDB_ENROLL_TOKEN.
      credentials: 'enrollment',
      agentOptions: {
        // `$${` is Terraform's escape for a literal `${` (the shell's, not an interpolation).
        // With node in the image: the bundle, fetched at every start when DEVDB_AGENT_URL is
        // set. Without: the single executable, fetched once into the home volume (again
        // only when DEVDB_AGENT_SEA_URL changes, e.g. to a new version's URL).
        install: [
          'if command -v node >/dev/null 2>&1; then',
          '  if [ -n "$${DEVDB_AGENT_URL:-}" ]; then',
          '    mkdir -p "$HOME/.local/bin" && curl -fsSL "$DEVDB_AGENT_URL" -o "$HOME/.local/bin/devdb-agent"',
          '    chmod +x "$HOME/.local/bin/devdb-agent"',
          '  fi',
          'elif [ -n "$${DEVDB_AGENT_SEA_URL:-}" ] && [ "$(cat "$HOME/.local/bin/.devdb-agent-sea-url" 2>/dev/null)" != "$DEVDB_AGENT_SEA_URL" ]; then',
          '  mkdir -p "$HOME/.local/bin" && curl -fsSL "$DEVDB_AGENT_SEA_URL" -o "$HOME/.local/bin/devdb-agent.part"',
          '  chmod +x "$HOME/.local/bin/devdb-agent.part" && mv "$HOME/.local/bin/devdb-agent.part" "$HOME/.local/bin/devdb-agent"',
          '  printf \'%s\\n\' "$DEVDB_AGENT_SEA_URL" > "$HOME/.local/bin/.devdb-agent-sea-url"',
          'fi',
        ].join('\n'),
      },
    });
    agent.putMetadata([devdb.agent.metadataItem]);
    agent.addOverride('env.DEVDB_AGENT_URL', variables.agentUrl.stringValue);
    agent.addOverride('env.DEVDB_AGENT_SEA_URL', variables.agentSeaUrl.stringValue);

    if (options.docker ?? true)
      this.workspaceContainer(agent, workspace, owner, variables.image.stringValue);
  }

  private variables() {
    return {
      devdbHost: new TerraformVariable(this, 'devdb_host', {
        type: 'string',
        default: '',
        description:
          'Host name workspaces use to reach DevDB (e.g. host.docker.internal). Empty: the admin URL host.',
      }),
      agentUrl: new TerraformVariable(this, 'devdb_agent_url', {
        type: 'string',
        default: '',
        description:
          'Where workspaces whose image has node download devdb-agent (the bundle, dist/agent-bundle/devdb-agent) from, at every start. Empty: the image ships it.',
      }),
      agentSeaUrl: new TerraformVariable(this, 'devdb_agent_sea_url', {
        type: 'string',
        default: '',
        description:
          'Where workspaces whose image has no node download the single-executable devdb-agent (linux-x64, `npm run build:agent-sea`: dist/agent-sea/devdb-agent, ~83 MiB) from, once, into the home volume (~/.local/bin); again only when this URL changes. Empty: such images must ship devdb-agent.',
      }),
      image: new TerraformVariable(this, 'image', {
        type: 'string',
        default: 'codercom/enterprise-node:ubuntu',
        description:
          "Workspace image. It needs node >= 18 for the devdb-agent bundle (or set devdb_agent_sea_url), and postgresql-client of the DevDB server's major or newer: pg_dump refuses a newer server (Ubuntu/Debian ship 14-16; PGDG has every major).",
      }),
    };
  }

  /** As in Coder's Docker template: a home volume that outlives the container, which exists only while started. */
  private workspaceContainer(
    agent: Agent,
    workspace: DataCoderWorkspace,
    owner: DataCoderWorkspaceOwner,
    image: string,
  ) {
    new DockerProvider(this, 'docker_provider', {});
    const home = new Volume(this, 'home_volume', { name: `coder-${workspace.id}-home` });
    home.addOverride('lifecycle.ignore_changes', 'all');
    const main = new Image(this, 'workspace_image', { name: image });
    main.overrideLogicalId('main');
    new Container(this, 'workspace', {
      count: Token.asNumber(workspace.startCount),
      image: main.name,
      name: `coder-${owner.name}-${Fn.lower(workspace.name)}`,
      hostname: workspace.name,
      entrypoint: [
        'sh',
        '-c',
        Fn.replace(agent.initScript, '/localhost|127\\.0\\.0\\.1/', 'host.docker.internal'),
      ],
      env: [`CODER_AGENT_TOKEN=${agent.token}`],
      host: [{ host: 'host.docker.internal', ip: 'host-gateway' }],
      volumes: [{ containerPath: '/home/coder', volumeName: home.name, readOnly: false }],
    });
  }
}
