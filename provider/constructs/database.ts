import { Construct } from 'constructs';
import { Fn, Op, TerraformCount, Token } from 'cdktn';
import { Database } from './.gen/providers/devdb/database/index.js';
import type { DataCoderWorkspace } from './.gen/providers/coder/data-coder-workspace/index.js';
import type { DataCoderWorkspaceOwner } from './.gen/providers/coder/data-coder-workspace-owner/index.js';
import type { CredentialMode, OnLastDetach } from '../../provisioning/contract/index.js';
import type { DevDbParameters } from './parameters.js';

export type { CredentialMode, OnLastDetach };

export interface DevDatabaseProps {
  readonly parameters: DevDbParameters;
  readonly workspace: DataCoderWorkspace;
  readonly owner: DataCoderWorkspaceOwner;
  /** What happens to the database when its last workspace goes. Default: `keep`. */
  readonly onLastDetach?: OnLastDetach;
  /** Connections allowed to this workspace's credentials; -1 (default) for no limit. */
  readonly connectionLimit?: number;
  /**
   * `enrollment` (default): no password in Terraform state; devdb-agent enrolls
   * one with the single-use DEVDB_ENROLL_TOKEN. `password`: DevDB generates one
   * into the state and DEVDB_PASSWORD.
   */
  readonly credentials?: CredentialMode;
}

/**
 * The workspace's `devdb_database` attachment. None for `database_type = none`
 * and for prebuilt workspaces (owned by `prebuilds` until someone claims them).
 * It does not depend on start_count: stopping a workspace keeps its database
 * and credentials.
 */
export class DevDatabase extends Construct {
  readonly resource: Database;
  /** 1 when this workspace has a database, else 0 (for resources that follow it). */
  readonly count: number;
  readonly credentials: CredentialMode;

  constructor(scope: Construct, id: string, props: DevDatabaseProps) {
    super(scope, id);
    const type = props.parameters.databaseType.value;
    const skip = Op.or(Op.eq(type, 'none'), props.workspace.isPrebuild);
    this.count = Token.asNumber(Fn.conditional(skip, 0, 1));
    this.credentials = props.credentials ?? 'enrollment';
    this.resource = new Database(this, 'database', {
      count: TerraformCount.of(this.count),
      type,
      owner: props.owner.name,
      ownerId: props.owner.id,
      team: Fn.conditional(Op.eq(type, 'team'), props.parameters.teamDatabaseName.value, ''),
      workspaceId: props.workspace.id,
      workspaceName: props.workspace.name,
      template: props.workspace.templateName,
      onLastDetach: props.onLastDetach ?? 'keep',
      connectionLimit: props.connectionLimit ?? -1,
      credentials: this.credentials,
    });
  }

  /** An attribute of the (single) instance, e.g. `attribute('name')`. */
  attribute(
    name:
      | 'id'
      | 'name'
      | 'user'
      | 'password'
      | 'enrollment_token'
      | 'host'
      | 'port'
      | 'url'
      | 'ca_cert'
      | 'access',
  ): string {
    return Token.asString(Fn.lookupNested(this.resource, ['0', name]));
  }

  /** One DEVDB_* value from the instance's `env`. */
  envValue(name: string): string {
    return Token.asString(Fn.lookupNested(this.resource, ['0', 'env', name]));
  }
}
