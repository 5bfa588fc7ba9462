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
import { AGENT_INSTALL_TERRAFORM } from './agent-install.js';

/**
 * DevDB's control plane as the Docker workspaces on DevDB's host reach it
 * (host.docker.internal is the host; `devdb up --api-listen 0.0.0.0:7432`).
 */
const DEFAULT_CONTROL_PLANE = 'http://host.docker.internal:7432';

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
        // devdb-agent from DevDB's control plane, checked against its sha256 (agent-install.ts):
        // with node in the image the bundle (DEVDB_AGENT_URL), without it the single
        // executable (DEVDB_AGENT_SEA_URL); each fetched again only when the server's differs.
        install: AGENT_INSTALL_TERRAFORM,
      },
    });
    agent.putMetadata([devdb.agent.metadataItem]);
    agent.addOverride('env.DEVDB_AGENT_URL', variables.agentUrl.stringValue);
    agent.addOverride('env.DEVDB_AGENT_SEA_URL', variables.agentSeaUrl.stringValue);
    agent.addOverride('env.DEVDB_AGENT_SHA256', variables.agentSha256.stringValue);
    agent.addOverride('env.DEVDB_AGENT_SEA_SHA256', variables.agentSeaSha256.stringValue);

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
        default: `${DEFAULT_CONTROL_PLANE}/api/v1/agent/current/node`,
        description:
          "Where workspaces whose image has node download devdb-agent (the bundle) from: by default DevDB's control plane (devdb up --api-listen 0.0.0.0:7432), which serves the agent of its own version. Checked against URL/sha256 (or devdb_agent_sha256) at every start; downloaded again only when it differs. Empty: the image ships it.",
      }),
      agentSeaUrl: new TerraformVariable(this, 'devdb_agent_sea_url', {
        type: 'string',
        default: `${DEFAULT_CONTROL_PLANE}/api/v1/agent/current/linux-x64`,
        description:
          'Where workspaces whose image has no node download the single-executable devdb-agent (linux-x64, ~83 MiB; the control plane serves it once built with `npm run build:agent-sea`) into the home volume (~/.local/bin). Checked against URL/sha256 (or devdb_agent_sea_sha256) at every start; downloaded again only when it differs. Empty: such images must ship devdb-agent.',
      }),
      agentSha256: new TerraformVariable(this, 'devdb_agent_sha256', {
        type: 'string',
        default: '',
        description:
          "The bundle's sha256, pinned (e.g. when devdb_agent_url is not DevDB's control plane). Empty: the one the server publishes at devdb_agent_url/sha256.",
      }),
      agentSeaSha256: new TerraformVariable(this, 'devdb_agent_sea_sha256', {
        type: 'string',
        default: '',
        description:
          "The single executable's sha256, pinned. Empty: the one the server publishes at devdb_agent_sea_url/sha256.",
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
