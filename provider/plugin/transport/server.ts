import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerCertificate } from './certificate.js';
import { createGrpcServer, type GrpcServer, type OpenStream, type Route } from './grpc.js';
import { handshakeLine, readPluginEnvironment, NotUnderTerraformError } from './handshake.js';
import type { Logger } from './log.js';
import { loadServiceDefinitions, type ServiceDefinition } from './services.js';

// The plugin process: listen on a Unix socket, print the handshake line, serve gRPC.
//
// Start-up time is paid on every Terraform command several times over, so the socket
// is bound and the handshake printed first (needing only Node's own modules), and
// HTTP/2 and the protocol's messages are loaded while Terraform connects: connections
// wait, paused, in a queue and are handed to the gRPC server (./grpc.ts) once it is ready.

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

  // Loaded here, after the handshake line (process.getBuiltinModule: a dynamic import()
  // of a built-in stays one in the bundle, which the code-caching loader cannot run).
  const http2 = process.getBuiltinModule('node:http2');
  const routes = await serviceRoutes(options, (reason) => shutdown(reason));
  const server = createGrpcServer(
    http2,
    routes,
    certificate && environment.clientCertPem
      ? {
          keyPem: certificate.keyPem,
          certPem: certificate.certPem,
          clientCertPem: environment.clientCertPem,
        }
      : undefined,
  );
  shutdown = exitOnce(server, listener, log);
  accept = (socket) => server.accept(socket);
  pending.splice(0).forEach(accept);

  log.debug('plugin serving', {
    socket: socketPath,
    tls: certificate !== undefined,
    handshake_ms: Math.round(handshakeAt),
    ready_ms: Math.round(process.uptime() * 1000),
  });
}

async function serviceRoutes(
  options: PluginServerOptions,
  shutdown: (reason: string) => void,
): Promise<Map<string, Route>> {
  const services = await loadServiceDefinitions();
  const routes = new Map<string, Route>();
  const add = (service: ServiceDefinition, name: string, implementation: Omit<Route, 'method'>) => {
    const method = service[name];
    if (!method) throw new Error(`no method ${name} in the protocol description`);
    routes.set(method.path, { method, ...implementation });
  };
  for (const [name, handler] of Object.entries(options.handlers)) {
    add(services.provider, name, {
      unary: (request) => handler(request as Record<string, unknown>),
    });
  }
  const openStreams = new Set<OpenStream>();
  // Terraform opens the broker stream on every launch; this plugin offers no extra
  // services through it, so hold it open and stay silent (ended when Terraform ends it).
  add(services.broker, 'StartStream', {
    stream: (call) => call.onClosed(() => call.end()),
  });
  // Logs go to stderr directly; the stream stays open and silent.
  add(services.stdio, 'StreamStdio', {
    stream: (call) => {
      openStreams.add(call);
      call.onClosed(() => openStreams.delete(call));
    },
  });
  // Terraform ends every launch with Shutdown and waits up to 2 s for the process to
  // exit: answer, then exit straight away.
  add(services.controller, 'Shutdown', {
    unary: async () => {
      setTimeout(() => {
        openStreams.forEach((call) => call.end());
        setTimeout(() => shutdown('Shutdown'), 5);
      }, 0);
      return {};
    },
  });
  return routes;
}

function exitOnce(server: GrpcServer, listener: NetServer, log: Logger) {
  let exiting = false;
  return (reason: string) => {
    if (exiting) return;
    exiting = true;
    log.debug('plugin exiting', { reason });
    listener.close();
    server.close();
    process.exit(0);
  };
}
