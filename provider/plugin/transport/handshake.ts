// go-plugin's contract between Terraform and a plugin process: Terraform sets a magic
// cookie and the protocol versions it speaks; the plugin answers with one line on
// stdout: CORE-VERSION|APP-VERSION|NETWORK|ADDRESS|PROTOCOL|SERVER-CERT.

const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
const CORE_PROTOCOL_VERSION = 1;
export const APP_PROTOCOL_VERSION = 6;

export interface PluginEnvironment {
  /** Terraform's client certificate (PEM) for AutoMTLS; absent when TLS is disabled. */
  clientCertPem: string | undefined;
  /** Where to create the socket's directory. */
  socketParentDir: string | undefined;
}

export class NotUnderTerraformError extends Error {}

export function readPluginEnvironment(
  programName: string,
  env: NodeJS.ProcessEnv = process.env,
): PluginEnvironment {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    throw new NotUnderTerraformError(
      `${programName} is a Terraform plugin: Terraform starts it itself.\n` +
        'Install it where Terraform looks for providers (for example a filesystem mirror)\n' +
        'and run `terraform init`; there is no need to run it directly.',
    );
  }
  const offered = (env.PLUGIN_PROTOCOL_VERSIONS ?? String(APP_PROTOCOL_VERSION)).split(',');
  if (!offered.map((v) => v.trim()).includes(String(APP_PROTOCOL_VERSION))) {
    throw new NotUnderTerraformError(
      `${programName} speaks plugin protocol ${APP_PROTOCOL_VERSION}, but this Terraform ` +
        `offers only ${offered.join(', ')}. Use Terraform 1.0 or newer.`,
    );
  }
  return {
    clientCertPem: env.PLUGIN_CLIENT_CERT || undefined,
    socketParentDir: env.PLUGIN_UNIX_SOCKET_DIR || undefined,
  };
}

/** Go decodes the certificate with RawStdEncoding: base64 without `=` padding. */
export function handshakeLine(socketPath: string, certificateDer: Buffer | undefined): string {
  const cert = certificateDer ? certificateDer.toString('base64').replace(/=+$/, '') : '';
  return [CORE_PROTOCOL_VERSION, APP_PROTOCOL_VERSION, 'unix', socketPath, 'grpc', cert].join('|');
}
