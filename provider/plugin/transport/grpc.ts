import type {
  Http2SecureServer,
  Http2Server,
  IncomingHttpHeaders,
  SecureServerOptions,
  ServerHttp2Stream,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { MethodDefinition } from './services.js';

// The part of gRPC the plugin serves, on Node's own HTTP/2 (no gRPC library to load at
// every launch): unary calls, and streams that stay open and silent until the plugin
// ends them (go-plugin's broker and stdio). A message on the wire is a 1-byte
// compressed flag, a 4-byte big-endian length and the protobuf bytes; a call ends with
// trailers carrying grpc-status (and grpc-message). Terraform compresses nothing
// (identity), so a compressed message is refused as UNIMPLEMENTED.

export const STATUS = { OK: 0, INTERNAL: 13, UNIMPLEMENTED: 12 } as const;

/** A unary method's implementation: request message in, response message out. */
export type UnaryImplementation = (request: object) => Promise<object>;

/** A streaming method's implementation: gets the open stream (nothing is sent on it). */
export type StreamImplementation = (call: OpenStream) => void;

export interface OpenStream {
  /** Ends the call with status OK (once; later calls do nothing). */
  end(): void;
  /** Runs when the client ends its side or goes away. */
  onClosed(listener: () => void): void;
}

export interface Route {
  method: MethodDefinition;
  unary?: UnaryImplementation;
  stream?: StreamImplementation;
}

export interface GrpcServer {
  /** Hands an accepted (paused) connection to the server. */
  accept(socket: Socket): void;
  /** Stops serving: closes every session at once. */
  close(): void;
}

export interface TlsOptions {
  keyPem: string;
  certPem: string;
  /** The one client certificate trusted (AutoMTLS): a client must present it. */
  clientCertPem: string;
}

export function createGrpcServer(
  http2: typeof import('node:http2'),
  routes: ReadonlyMap<string, Route>,
  tls: TlsOptions | undefined,
): GrpcServer {
  let server: Http2Server | Http2SecureServer;
  if (tls) {
    const options: SecureServerOptions = {
      key: tls.keyPem,
      cert: tls.certPem,
      ca: tls.clientCertPem,
      requestCert: true,
      rejectUnauthorized: true,
      // grpc-go refuses a TLS connection without ALPN h2.
      ALPNProtocols: ['h2'],
    };
    server = http2.createSecureServer(options);
  } else {
    server = http2.createServer();
  }
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    // A client that goes away mid-call is no error of the plugin's.
    session.on('error', () => undefined);
  });
  server.on('stream', (stream, headers) => handle(stream, headers, routes));
  return {
    accept(socket) {
      // A TLS server takes over the paused socket's handle; plain HTTP/2 reads the stream.
      if (!tls) socket.resume();
      server.emit('connection', socket);
    },
    close() {
      for (const session of sessions) session.destroy();
      server.close();
    },
  };
}

function handle(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  routes: ReadonlyMap<string, Route>,
): void {
  stream.on('error', () => undefined);
  const route = routes.get(String(headers[':path']));
  if (!route || (!route.unary && !route.stream)) {
    trailersOnly(stream, STATUS.UNIMPLEMENTED, `unknown method ${String(headers[':path'])}`);
    return;
  }
  if (route.stream) {
    serveStream(stream, route.stream);
    return;
  }
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => {
    let request: object;
    try {
      request = route.method.requestDeserialize(unframe(Buffer.concat(chunks)));
    } catch (error) {
      trailersOnly(stream, errorStatus(error), messageOf(error));
      return;
    }
    route.unary!(request).then(
      (response) => {
        if (stream.destroyed) return;
        const body = frame(route.method.responseSerialize(response));
        stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
        stream.once('wantTrailers', () =>
          stream.sendTrailers({ 'grpc-status': String(STATUS.OK) }),
        );
        stream.end(body);
      },
      (error: unknown) => trailersOnly(stream, STATUS.INTERNAL, messageOf(error)),
    );
  });
}

const RESPONSE_HEADERS = {
  ':status': 200,
  'content-type': 'application/grpc+proto',
  'grpc-accept-encoding': 'identity',
};

function serveStream(stream: ServerHttp2Stream, implementation: StreamImplementation): void {
  stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(STATUS.OK) }));
  // Messages from the client (the broker's) are read and dropped.
  stream.on('data', () => undefined);
  let ended = false;
  const closed: (() => void)[] = [];
  const onClosed = () => closed.splice(0).forEach((listener) => listener());
  stream.once('end', onClosed);
  stream.once('close', onClosed);
  implementation({
    end() {
      if (ended || stream.destroyed) return;
      ended = true;
      stream.end();
    },
    onClosed(listener) {
      closed.push(listener);
    },
  });
}

/** A call answered with its status only (no message): headers and trailers in one frame. */
function trailersOnly(stream: ServerHttp2Stream, status: number, message: string): void {
  if (stream.destroyed || stream.headersSent) {
    if (!stream.destroyed) stream.close();
    return;
  }
  stream.respond(
    {
      ...RESPONSE_HEADERS,
      'grpc-status': String(status),
      'grpc-message': encodeURIComponent(message),
    },
    { endStream: true },
  );
}

class UnimplementedError extends Error {}

function errorStatus(error: unknown): number {
  return error instanceof UnimplementedError ? STATUS.UNIMPLEMENTED : STATUS.INTERNAL;
}

function messageOf(error: unknown): string {
  return String((error as Error)?.message ?? error);
}

/** The one message of a unary request. */
export function unframe(body: Buffer): Buffer {
  if (body.length < 5) {
    // No message at all: protobuf's empty message.
    if (body.length === 0) return Buffer.alloc(0);
    throw new Error('truncated gRPC message');
  }
  if (body[0] !== 0) throw new UnimplementedError('compressed gRPC messages are not supported');
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) throw new Error('not exactly one gRPC message in the request');
  return body.subarray(5);
}

export function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}
