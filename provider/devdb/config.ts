/**
 * The provider block: where the DevDB server is (admin_url) and what address
 * workspaces use to reach it (host, port, sslmode, and the CA that verifies it).
 */
import { attribute, between, defineSchema, DiagnosticError } from '../plugin/index.js';
import type { Model } from '../plugin/index.js';
import { CA_CERT_ENV } from '../../provisioning/contract/index.js';
import { workspaceEndpoint } from '../../provisioning/index.js';
import { DevDbClient, ON_UNAVAILABLE, type OnUnavailable } from './client.js';

export const ADMIN_URL_ENV = 'DEVDB_ADMIN_URL';
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export const providerSchema = defineSchema({
  description:
    'DevDB gives every Coder workspace a PostgreSQL database on one central server: a personal `dev_{username}` or a shared `team_{name}`, with credentials minted per workspace.',
  attributes: {
    admin_url: attribute.string({
      optional: true,
      sensitive: true,
      description: `postgresql:// URL of the DevDB provisioner (\`devdb_provisioner\` on the \`devdb\` database; \`devdb admin-url\` prints it). Default: the \`${ADMIN_URL_ENV}\` environment variable. Never taken from a \`CODER_*\` variable: Coder's provisioner removes those before running Terraform.`,
    }),
    host: attribute.string({
      optional: true,
      description: "Host name workspaces use to reach the server. Default: admin_url's host.",
    }),
    port: attribute.number({
      optional: true,
      validators: [between(1, 65535)],
      description: "Port workspaces use to reach the server. Default: admin_url's port.",
    }),
    sslmode: attribute.enum(SSL_MODES, {
      optional: true,
      description:
        "libpq `sslmode` put in the workspaces' connection URLs. Default: admin_url's; else `verify-full` when a CA is known (`ca_cert`); else none.",
    }),
    ca_cert: attribute.string({
      optional: true,
      description: `The CA certificate (PEM text, e.g. \`file("ca.crt")\`) workspaces verify the server's TLS with: handed to them as \`ca_cert\` and \`env["${CA_CERT_ENV}"]\`, which \`devdb-agent start\` writes where libpq finds it. Default: the \`${CA_CERT_ENV}\` environment variable, else the file admin_url's \`sslrootcert\` names (what \`devdb admin-url\` prints for \`devdb up\`, whose TLS is on by default).`,
    }),
    on_unavailable: attribute.enum(ON_UNAVAILABLE, {
      optional: true,
      description:
        'What creating a `devdb_database` does while the DevDB server cannot be reached (connection refused, timeout, unknown host): `fail` (default) fails the build; `skip` succeeds with a warning and stores the attachment as not provisioned (`provisioned = false`), so the workspace starts without a database, and the next plan that reaches DevDB creates it. Refreshing an existing attachment rides out an outage either way. Details: "When DevDB is down" on the `devdb_database` resource page.',
    }),
  },
});

type ProviderConfig = Model<typeof providerSchema>;

function adminUrlFrom(config: ProviderConfig): string {
  const url = config.admin_url ?? process.env[ADMIN_URL_ENV];
  if (!url) {
    throw new DiagnosticError('DevDB admin URL is not set', {
      detail: `Set admin_url in the provider "devdb" block, or ${ADMIN_URL_ENV} in the environment Terraform runs in (for Coder: the provisioner's environment). \`devdb admin-url\` prints it.`,
      path: ['admin_url'],
    });
  }
  try {
    const parsed = new URL(url);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error('scheme');
    return url;
  } catch {
    throw new DiagnosticError('DevDB admin URL is not a postgresql:// URL', {
      detail: 'Expected postgresql://devdb_provisioner:PASSWORD@HOST:PORT/devdb.',
      path: ['admin_url'],
    });
  }
}

function caCertFrom(config: ProviderConfig): string | undefined {
  const pem = config.ca_cert || process.env[CA_CERT_ENV] || undefined;
  if (pem !== undefined && !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new DiagnosticError('ca_cert is not a PEM certificate', {
      detail: `Expected the CA certificate's PEM text (-----BEGIN CERTIFICATE-----…), from ca_cert or ${CA_CERT_ENV}; in HCL, file("ca.crt") reads a file.`,
      path: ['ca_cert'],
    });
  }
  return pem;
}

function endpointFrom(adminUrl: string, config: ProviderConfig) {
  try {
    return workspaceEndpoint(adminUrl, { ...config, caCert: caCertFrom(config) });
  } catch (error) {
    if (error instanceof DiagnosticError) throw error;
    throw new DiagnosticError('DevDB CA certificate not readable', {
      detail: `${(error as Error).message}. Fix the path in admin_url, or give the CA with ca_cert or ${CA_CERT_ENV}.`,
      path: ['admin_url'],
    });
  }
}

/** Nothing connects here: a server that is down fails the first operation, with its name. */
export function configure({ config }: { config: ProviderConfig }): DevDbClient {
  const adminUrl = adminUrlFrom(config);
  const onUnavailable: OnUnavailable = config.on_unavailable ?? 'fail';
  return new DevDbClient(adminUrl, endpointFrom(adminUrl, config), onUnavailable);
}
