import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real local HTTP server standing in for a webhook (Slack's, say): it keeps what it is sent. */
export interface WebhookServer {
  /** With a secret-looking path, as webhook URLs have. */
  url: string;
  received: Record<string, unknown>[];
  /** Answer the next `count` requests with `status` (500: a failing webhook). */
  failNext(count: number, status?: number): void;
  /** Answer every request only after `ms` (a slow webhook: deliveries overlap). */
  answerAfter(ms: number): void;
  close(): Promise<void>;
}

export async function startWebhookServer(): Promise<WebhookServer> {
  const received: Record<string, unknown>[] = [];
  let failures = 0;
  let failStatus = 500;
  let delayMs = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', async () => {
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (failures > 0) {
        failures--;
        response.writeHead(failStatus).end('failing on purpose');
        return;
      }
      received.push({
        ...(JSON.parse(body) as Record<string, unknown>),
        contentType: request.headers['content-type'],
      });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/secret-token`,
    received,
    failNext(count, status = 500) {
      failures = count;
      failStatus = status;
    },
    answerAfter(ms) {
      delayMs = ms;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
