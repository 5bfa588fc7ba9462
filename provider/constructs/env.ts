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

/** The variable that carries the credential, by the database's `credentials`. */
export const DEVDB_CREDENTIAL_ENV = {
  enrollment: 'DEVDB_ENROLL_TOKEN',
  password: 'DEVDB_PASSWORD',
} as const;

/** The CA certificate (PEM) the agent writes where libpq finds it; "" while the server has no TLS. */
export const DEVDB_CA_CERT_ENV = 'DEVDB_CA_CERT';

/**
 * One `coder_env` per DEVDB_* variable, so processes the Coder agent starts see
 * them: the address, the server's CA (from `ca_cert`, which is always set, unlike
 * the `env` key that exists only with TLS), and the enrollment token (DEVDB_ENROLL_TOKEN, never a
 * password) or with `credentials = "password"` DEVDB_PASSWORD. One resource per
 * variable (not for_each over a map): `env` and the credential are sensitive,
 * and Terraform refuses sensitive for_each keys.
 */
export class DevDbEnv extends Construct {
  readonly variables: Record<string, Env>;

  constructor(scope: Construct, id: string, props: DevDbEnvProps) {
    super(scope, id);
    const count = TerraformCount.of(props.database.count);
    const values: Record<string, string> = Object.fromEntries(
      DEVDB_ENV_NAMES.map((name) => [name, props.database.envValue(name)]),
    );
    values[DEVDB_CA_CERT_ENV] = props.database.attribute('ca_cert');
    values[DEVDB_CREDENTIAL_ENV[props.database.credentials]] = props.database.attribute(
      props.database.credentials === 'enrollment' ? 'enrollment_token' : 'password',
    );
    this.variables = Object.fromEntries(
      Object.entries(values).map(([name, value]) => [
        name,
        new Env(this, name.toLowerCase(), { count, agentId: props.agent.id, name, value }),
      ]),
    );
  }
}
