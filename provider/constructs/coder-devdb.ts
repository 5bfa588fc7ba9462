import { Construct } from 'constructs';
import type { Agent } from './.gen/providers/coder/agent/index.js';
import type { DataCoderWorkspace } from './.gen/providers/coder/data-coder-workspace/index.js';
import type { DataCoderWorkspaceOwner } from './.gen/providers/coder/data-coder-workspace-owner/index.js';
import { DevDbAgent, type DevDbAgentProps } from './agent.js';
import { DevDatabase, type CredentialMode, type OnLastDetach } from './database.js';
import { DevDbEnv } from './env.js';
import { DevDbMetadata } from './metadata.js';
import { DevDbParameters, type DevDbParametersProps } from './parameters.js';

export interface CoderDevDbProps {
  readonly agent: Agent;
  readonly workspace: DataCoderWorkspace;
  readonly owner: DataCoderWorkspaceOwner;
  readonly parameters?: DevDbParametersProps;
  readonly onLastDetach?: OnLastDetach;
  readonly connectionLimit?: number;
  /** `enrollment` (default: no password in Terraform state) or `password`; see DevDatabaseProps. */
  readonly credentials?: CredentialMode;
  /** How `devdb-agent` gets into the workspace, and how it runs. */
  readonly agentOptions?: Omit<DevDbAgentProps, 'agent' | 'database'>;
}

/**
 * DevDB for a Coder template in one construct: the parameters, the database
 * and its coder_metadata, DEVDB_* in the agent's environment, and the
 * in-workspace agent. Add `devdb.agent.metadataItem` to your coder_agent's
 * `metadata` to show the database's status in the dashboard.
 */
export class CoderDevDb extends Construct {
  readonly parameters: DevDbParameters;
  readonly database: DevDatabase;
  readonly env: DevDbEnv;
  readonly agent: DevDbAgent;
  readonly metadata: DevDbMetadata;

  constructor(scope: Construct, id: string, props: CoderDevDbProps) {
    super(scope, id);
    this.parameters = new DevDbParameters(this, 'parameters', props.parameters);
    this.database = new DevDatabase(this, 'database', {
      parameters: this.parameters,
      workspace: props.workspace,
      owner: props.owner,
      onLastDetach: props.onLastDetach,
      connectionLimit: props.connectionLimit,
      credentials: props.credentials,
    });
    this.metadata = new DevDbMetadata(this, 'metadata', { database: this.database });
    this.env = new DevDbEnv(this, 'env', { agent: props.agent, database: this.database });
    this.agent = new DevDbAgent(this, 'agent', {
      ...props.agentOptions,
      agent: props.agent,
      database: this.database,
    });
  }
}
