import { Construct } from 'constructs';
import { TerraformCount } from 'cdktn';
import { Env } from './.gen/providers/coder/env/index.js';
import type { Agent } from './.gen/providers/coder/agent/index.js';
import type { DevDatabase } from './database.js';

export const DEVDB_ENV_NAMES = [
  'DEVDB_HOST',
  'DEVDB_PORT',
  'DEVDB_NAME',
  'DEVDB_USER',
  'DEVDB_URL',
] as const;

export interface DevDbEnvProps {
  readonly agent: Agent;
  readonly database: DevDatabase;
}

/**
 * One `coder_env` per DEVDB_* variable, DEVDB_PASSWORD included, so processes
 * the Coder agent starts see them. One resource per variable (not for_each over
 * a map): the password is sensitive, and Terraform refuses sensitive for_each keys.
 */
export class DevDbEnv extends Construct {
  readonly variables: Record<string, Env>;

  constructor(scope: Construct, id: string, props: DevDbEnvProps) {
    super(scope, id);
    const count = TerraformCount.of(props.database.count);
    const values: Record<string, string> = Object.fromEntries(
      DEVDB_ENV_NAMES.map((name) => [name, props.database.envValue(name)]),
    );
    values.DEVDB_PASSWORD = props.database.attribute('password');
    this.variables = Object.fromEntries(
      Object.entries(values).map(([name, value]) => [
        name,
        new Env(this, name.toLowerCase(), { count, agentId: props.agent.id, name, value }),
      ]),
    );
  }
}
