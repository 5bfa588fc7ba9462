import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as GrpcModule from '@grpc/grpc-js';
import { createServerCertificate } from './certificate.js';
import { handshakeLine, readPluginEnvironment, NotUnderTerraformError } from './handshake.js';
import type { Logger } from './log.js';
import { loadServiceDefinitions, type Grpc } from './services.js';

// The plugin process: listen on a Unix socket, print the handshake line, serve gRPC.
//
// Start-up time is paid on every Terraform command several times over, so the socket
// is bound and the handshake printed first (needing only Node's own modules), and
// gRPC is loaded while Terraform connects: connections wait, paused, in a queue and
// are handed to gRPC once it is ready.

export type UnaryHandler = (request: Record<string, unknown>) => Promise<object>;

export interface PluginServerOptions {
  programName: string;
  /** tfplugin6.Provider method name → handler. */
  handlers: Record<string, UnaryHandler>;
  log: Logger;
}

export async function runPluginServer(options: PluginServerOptions): Promise<void> {
  const { log } = options;
  let environment;
  try {
    environment = readPluginEnvironment(options.programName);
  } catch (error) {
    if (!(error instanceof NotUnderTerraformError)) throw error;
    process.stderr.write(error.message + '\n');
    process.exit(1);
  }
  const certificate = environment.clientCertPem ? createServerCertificate() : undefined;
  const socketDir = mkdtempSync(join(environment.socketParentDir ?? tmpdir(), 'plugin'));
  const socketPath = join(socketDir, 'grpc.sock');
  const removeSocket = () => rmSync(socketDir, { recursive: true, force: true });
  process.on('exit', removeSocket);

  // Ctrl-C reaches the whole process group; Terraform follows up with StopProvider and
  // waits for calls in flight, so the plugin must not die on SIGINT.
  process.on('SIGINT', () => log.info('SIGINT ignored; waiting for StopProvider from Terraform'));
  let shutdown: (reason: string) => void = () => process.exit(0);
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const pending: Socket[] = [];
  let accept = (socket: Socket): void => {
    pending.push(socket);
  };
  const listener = createServer({ pauseOnConnect: true }, (socket) => accept(socket));
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(socketPath, resolve);
  });
  process.stdout.write(handshakeLine(socketPath, certificate?.der) + '\n');
  const handshakeAt = process.uptime() * 1000;

  const grpc: Grpc = await import('@grpc/grpc-js');
  const grpcLoadedAt = process.uptime() * 1000;
  const server = new grpc.Server();
  shutdown = exitOnce(server, listener, log);
  await addServices(grpc, server, options, (reason) => shutdown(reason));
  const credentials = certificate
    ? grpc.ServerCredentials.createSsl(
        Buffer.from(environment.clientCertPem ?? ''),
        [
          {
            private_key: Buffer.from(certificate.keyPem),
            cert_chain: Buffer.from(certificate.certPem),
          },
        ],
        true,
      )
    : grpc.ServerCredentials.createInsecure();
  const injector = server.createConnectionInjector(credentials);
  accept = (socket) => {
    // A TLS server takes over the paused socket's handle; plain HTTP/2 reads the stream.
    if (!certificate) socket.resume();
    injector.injectConnection(socket);
  };
  pending.splice(0).forEach(accept);

  log.debug('plugin serving', {
    socket: socketPath,
    tls: certificate !== undefined,
    handshake_ms: Math.round(handshakeAt),
    grpc_loaded_ms: Math.round(grpcLoadedAt),
    ready_ms: Math.round(process.uptime() * 1000),
  });
}

async function addServices(
  grpc: Grpc,
  server: GrpcModule.Server,
  options: PluginServerOptions,
  shutdown: (reason: string) => void,
): Promise<void> {
  const services = await loadServiceDefinitions();
  const openStreams = new Set<GrpcModule.ServerWritableStream<unknown, unknown>>();
  server.addService(services.provider, unaryImplementations(grpc, options.handlers));
  server.addService(services.broker, {
    // Terraform opens the broker stream on every launch; this plugin offers no extra
    // services through it, so hold it open and stay silent.
    StartStream: (call: GrpcModule.ServerDuplexStream<unknown, unknown>) => {
      call.on('data', () => undefined);
      call.on('end', () => call.end());
    },
  });
  server.addService(services.stdio, {
    // Logs go to stderr directly; the stream stays open and silent.
    StreamStdio: (call: GrpcModule.ServerWritableStream<unknown, unknown>) => {
      openStreams.add(call);
      call.on('cancelled', () => openStreams.delete(call));
    },
  });
  server.addService(services.controller, {
    // Terraform ends every launch with Shutdown and waits up to 2 s for the process to
    // exit: answer, then exit straight away.
    Shutdown: (_call: unknown, callback: GrpcModule.sendUnaryData<object>) => {
      callback(null, {});
      openStreams.forEach((call) => call.end());
      setTimeout(() => shutdown('Shutdown'), 5);
    },
  });
}

function unaryImplementations(
  grpc: Grpc,
  handlers: Record<string, UnaryHandler>,
): GrpcModule.UntypedServiceImplementation {
  const implementations: GrpcModule.UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(handlers)) {
    implementations[name] = (
      call: GrpcModule.ServerUnaryCall<Record<string, unknown>, object>,
      callback: GrpcModule.sendUnaryData<object>,
    ) => {
      handler(call.request).then(
        (response) => callback(null, response),
        (error: unknown) =>
          callback({
            code: grpc.status.INTERNAL,
            details: String((error as Error)?.message ?? error),
          }),
      );
    };
  }
  return implementations;
}

function exitOnce(server: GrpcModule.Server, listener: NetServer, log: Logger) {
  let exiting = false;
  return (reason: string) => {
    if (exiting) return;
    exiting = true;
    log.debug('plugin exiting', { reason });
    listener.close();
    server.forceShutdown();
    process.exit(0);
  };
}
