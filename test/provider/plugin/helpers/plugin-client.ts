import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { descriptor } from '../../../../provider/plugin/proto/descriptor.js';
import { createServerCertificate } from '../../../../provider/plugin/transport/certificate.js';

// Plays Terraform's part without Terraform: starts a plugin executable with the
// go-plugin environment, reads its handshake line and speaks gRPC (over mutual TLS
// unless tls is false) using the project's own protocol description.

export const MAGIC_COOKIE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';

export interface Handshake {
  core: string;
  protocol: string;
  network: string;
  address: string;
  transport: string;
  certificate: string;
}

export interface PluginConnection {
  child: ChildProcess;
  handshake: Handshake;
  stderr: () => string;
  call<T = Record<string, unknown>>(method: string, request?: object): Promise<T>;
  controller: grpc.Client;
  broker: grpc.Client;
  stdio: grpc.Client;
  exited: Promise<number | null>;
  close(): Promise<void>;
}

export function parseHandshake(line: string): Handshake {
  const [core = '', protocol = '', network = '', address = '', transport = '', certificate = ''] =
    line.trim().split('|');
  return { core, protocol, network, address, transport, certificate };
}

const packageDefinition = protoLoader.fromJSON(
  descriptor as Parameters<typeof protoLoader.fromJSON>[0],
  { keepCase: true, enums: String, longs: Number, defaults: true, oneofs: true },
);
const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as {
  tfplugin6: { Provider: grpc.ServiceClientConstructor };
  plugin: Record<'GRPCBroker' | 'GRPCStdio' | 'GRPCController', grpc.ServiceClientConstructor>;
};

export async function startPlugin(
  executable: string,
  options: { tls?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<PluginConnection> {
  const tls = options.tls ?? true;
  const client = tls ? createServerCertificate() : undefined;
  const child = spawn(executable, [], {
    env: {
      ...process.env,
      TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE,
      PLUGIN_PROTOCOL_VERSIONS: '5,6',
      ...(client ? { PLUGIN_CLIENT_CERT: client.certPem } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const line = await firstLine(child, exited);
  const handshake = parseHandshake(line);
  const credentials = client
    ? grpc.credentials.createSsl(
        Buffer.from(toPem(handshake.certificate)),
        Buffer.from(client.keyPem),
        Buffer.from(client.certPem),
      )
    : grpc.credentials.createInsecure();
  const target = `unix://${handshake.address}`;
  const channelOptions = {
    'grpc.ssl_target_name_override': 'localhost',
    'grpc.default_authority': 'localhost',
  };
  const provider = new loaded.tfplugin6.Provider(target, credentials, channelOptions);
  const controller = new loaded.plugin.GRPCController(target, credentials, channelOptions);
  const broker = new loaded.plugin.GRPCBroker(target, credentials, channelOptions);
  const stdio = new loaded.plugin.GRPCStdio(target, credentials, channelOptions);
  const call = <T>(method: string, request: object = {}) => unary<T>(provider, method, request);
  const close = async () => {
    for (const c of [provider, controller, broker, stdio]) c.close();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return { child, handshake, stderr: () => stderr, call, controller, broker, stdio, exited, close };
}

/** The handshake's certificate is base64 DER without padding. */
export function toPem(unpadded: string): string {
  const padded = unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4);
  const lines = padded.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function firstLine(child: ChildProcess, exited: Promise<number | null>): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(line));
    void exited.then((code) => reject(new Error(`plugin exited (${code}) before its handshake`)));
  });
}

type UnaryMethod = (
  request: object,
  callback: (error: Error | null, response: unknown) => void,
) => void;

export function unary<T>(client: grpc.Client, method: string, request: object = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, UnaryMethod | undefined>)[method];
    if (!fn) return reject(new Error(`no method ${method}`));
    fn.call(client, request, (error, response) => (error ? reject(error) : resolve(response as T)));
  });
}
