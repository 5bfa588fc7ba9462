import { Construct } from 'constructs';
import { TerraformCount } from 'cdktn';
import { Script } from './.gen/providers/coder/script/index.js';
import type { Agent, AgentMetadata } from './.gen/providers/coder/agent/index.js';
import type { DevDatabase } from './database.js';

/**
 * Puts ~/.local/bin — where templates download devdb-agent to, and not on the
 * PATH Coder runs scripts with — first on the PATH. The start script, the
 * heartbeat and the metadata item each run it first, so all three find the same
 * binary however it was installed (an image's copy elsewhere on the PATH still works).
 */
export const AGENT_PATH_SETUP = 'export PATH="$HOME/.local/bin:$PATH"';

export interface DevDbAgentProps {
  readonly agent: Agent;
  readonly database: DevDatabase;
  /**
   * Shell commands that install `devdb-agent` in the workspace, run before it
   * starts (e.g. download it from your DevDB server to ~/.local/bin, which every
   * script puts on the PATH). Default: none, the image is expected to ship it.
   */
  readonly install?: string;
  /** The agent command. Default: `devdb-agent`. */
  readonly command?: string;
  /** Heartbeat schedule, 6-field cron (seconds first). Default: every 5 minutes. */
  readonly heartbeatCron?: string;
}

/**
 * Runs `devdb-agent` in the workspace: `start` when the workspace starts (writes
 * ~/.pgpass, ~/.pg_service.conf, ~/.devdb/env and the shell block, so `psql`
 * just works), a cron heartbeat that reports real access, and a metadata item
 * (`metadataItem`) for the Coder agent running `devdb-agent status`.
 */
export class DevDbAgent extends Construct {
  readonly start: Script;
  readonly heartbeat: Script;
  readonly metadataItem: AgentMetadata;

  constructor(scope: Construct, id: string, props: DevDbAgentProps) {
    super(scope, id);
    const command = props.command ?? 'devdb-agent';
    const count = TerraformCount.of(props.database.count);
    const install = props.install ? `${props.install}\n` : '';
    this.start = new Script(this, 'start', {
      count,
      agentId: props.agent.id,
      displayName: 'DevDB',
      icon: '/icon/database.svg',
      runOnStart: true,
      // A DevDB outage must not lock people out of their workspace.
      startBlocksLogin: false,
      script: `#!/bin/sh\nset -eu\n${AGENT_PATH_SETUP}\n${install}${command} start\n`,
    });
    this.heartbeat = new Script(this, 'heartbeat', {
      count,
      agentId: props.agent.id,
      displayName: 'DevDB heartbeat',
      icon: '/icon/database.svg',
      cron: props.heartbeatCron ?? '0 */5 * * * *',
      script: `#!/bin/sh\n${AGENT_PATH_SETUP}\n${command} heartbeat\n`,
    });
    this.metadataItem = {
      key: 'devdb',
      displayName: 'Database',
      script: `${AGENT_PATH_SETUP}; ${command} status`,
      interval: 60,
      timeout: 5,
    };
  }
}
