/**
 * The plugin's gRPC server on node:http2 (transport/grpc.ts), at the wire: what a
 * client sees for a unary call, an unknown method, a compressed message, a failing
 * handler, and a held-open stream the server ends. (protocol.test.ts and
 * terraform.test.ts drive the same server through grpc-js and the real terraform CLI.)
 */
import * as http2 from 'node:http2';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createGrpcServer,
  frame,
  unframe,
  type OpenStream,
  type Route,
} from '../../../provider/plugin/transport/grpc.js';
import type { MethodDefinition } from '../../../provider/plugin/transport/services.js';

// Messages as UTF-8 JSON: the server only frames what the method's codec gives it.
const json: MethodDefinition = {
  path: '',
  requestStream: false,
  responseStream: false,
  requestSerialize: (value) => Buffer.from(JSON.stringify(value)),
  requestDeserialize: (bytes) => JSON.parse(bytes.toString() || '{}') as object,
  responseSerialize: (value) => Buffer.from(JSON.stringify(value)),
  responseDeserialize: (bytes) => JSON.parse(bytes.toString()) as object,
};

interface Reply {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  body: Buffer;
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

async function serve(routes: Map<string, Route>): Promise<http2.ClientHttp2Session> {
  const grpc = createGrpcServer(http2, routes, undefined);
  const listener: Server = createServer({ pauseOnConnect: true }, (socket) => grpc.accept(socket));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as { port: number };
  const client = http2.connect(`http://127.0.0.1:${port}`);
  cleanups.push(() => {
    client.destroy();
    grpc.close();
    listener.close();
  });
  return client;
}

function call(client: http2.ClientHttp2Session, path: string, body: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const stream = client.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (headers = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ headers, trailers, body: Buffer.concat(chunks) }));
    stream.on('error', reject);
    stream.end(body);
  });
}

describe('transport/grpc.ts', () => {
  it('answers a unary call with one framed message and grpc-status 0 in the trailers', async () => {
    const routes = new Map<string, Route>([
      ['/t.S/Echo', { method: json, unary: async (request) => ({ echoed: request }) }],
    ]);
    const client = await serve(routes);
    const reply = await call(client, '/t.S/Echo', frame(Buffer.from('{"a":1}')));
    expect(reply.headers[':status']).toBe(200);
    expect(String(reply.headers['content-type'])).toMatch(/^application\/grpc/);
    expect(JSON.parse(unframe(reply.body).toString())).toEqual({ echoed: { a: 1 } });
    expect(reply.trailers['grpc-status']).toBe('0');
  });

  it('refuses an unknown method and a compressed message as UNIMPLEMENTED', async () => {
    const routes = new Map<string, Route>([
      ['/t.S/Echo', { method: json, unary: async () => ({}) }],
    ]);
    const client = await serve(routes);
    const unknown = await call(client, '/t.S/Nope', frame(Buffer.from('{}')));
    expect(unknown.headers['grpc-status']).toBe('12');
    expect(decodeURIComponent(String(unknown.headers['grpc-message']))).toBe(
      'unknown method /t.S/Nope',
    );
    expect(unknown.body.length).toBe(0);
    const compressed = frame(Buffer.from('{}'));
    compressed[0] = 1;
    const refused = await call(client, '/t.S/Echo', compressed);
    expect(refused.headers['grpc-status']).toBe('12');
  });

  it("reports a handler's failure as INTERNAL with its message, and a malformed request", async () => {
    const routes = new Map<string, Route>([
      [
        '/t.S/Fail',
        {
          method: json,
          unary: async () => {
            throw new Error('no: 100% broken');
          },
        },
      ],
    ]);
    const client = await serve(routes);
    const failed = await call(client, '/t.S/Fail', frame(Buffer.from('{}')));
    expect(failed.headers['grpc-status']).toBe('13');
    expect(decodeURIComponent(String(failed.headers['grpc-message']))).toBe('no: 100% broken');
    const truncated = await call(client, '/t.S/Fail', Buffer.from([0, 0, 0]));
    expect(truncated.headers['grpc-status']).toBe('13');
  });

  it('holds a stream open until the server ends it, then ends it with status 0', async () => {
    let open: OpenStream | undefined;
    const routes = new Map<string, Route>([
      ['/t.S/Hold', { method: json, stream: (call) => (open = call) }],
    ]);
    const client = await serve(routes);
    const reply = call(client, '/t.S/Hold', Buffer.alloc(0));
    await expect.poll(() => open).toBeDefined();
    const settled = await Promise.race([reply.then(() => 'ended'), delay(100, 'open')]);
    expect(settled).toBe('open');
    open!.end();
    open!.end();
    const ended = await reply;
    expect(ended.body.length).toBe(0);
    expect(ended.trailers['grpc-status']).toBe('0');
  });
});

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}
