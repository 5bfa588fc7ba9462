import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApiListen, parseTrustedProxies } from '../../server/serve/control-plane.js';
import { runDevdb } from '../helpers/cli-io.js';
import {
  startUp,
  startUpInTempDir,
  stopUp,
  tempDataDir,
  untilOutput,
  type TempDataDir,
  type TempUp,
} from '../helpers/up-process.js';

// `devdb up` (and so `devdb serve`) answers HTTP: the control plane as a user
// reaches it, over real HTTP, with a token made by the real CLI.

describe('DEVDB_API_LISTEN', () => {
  it('defaults to 127.0.0.1:7432, takes host:port or off, and says what is allowed', () => {
    expect(parseApiListen(undefined)).toEqual({ host: '127.0.0.1', port: 7432 });
    expect(parseApiListen('0.0.0.0:8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseApiListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseApiListen('off')).toBeNull();
    expect(() => parseApiListen('7432')).toThrow(/host:port .*or off/);
    expect(() => parseApiListen('localhost:70000')).toThrow(/host:port/);
  });
});

/** A port someone else holds on 127.0.0.1. */
async function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
  return { server, port };
}

describe('devdb up --api-listen', () => {
  let temp: TempDataDir;
  let dataDir: string;

  beforeAll(async () => {
    temp = await tempDataDir('devdb-api-listen-');
    dataDir = temp.dataDir;
  });

  afterAll(() => temp.remove());

  it('refuses an address that is not host:port or off, before anything starts', async () => {
    for (const command of ['up', 'serve']) {
      const result = await runDevdb([command, '--data-dir', dataDir, '--api-listen', '7432']);
      expect(result.code, command).toBe(2);
      expect(result.stderr).toMatch(
        /^devdb: option '--api-listen <addr>' argument '7432' is invalid\. must be host:port .* or off\n/,
      );
    }
  });

  it('on a busy port: one line naming the flag, PostgreSQL stopped, exit 1', async () => {
    const busy = await holdPort();
    try {
      // The flag wins over DEVDB_API_LISTEN (127.0.0.1:0 in vitest.config.ts, a free port).
      const args = ['up', '--data-dir', dataDir, '--port', '0'];
      const result = await runDevdb([...args, '--api-listen', `127.0.0.1:${busy.port}`]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n').filter((line) => line.startsWith('devdb: '))).toEqual([
        `devdb: the control plane cannot listen on 127.0.0.1:${busy.port}: address in use; ` +
          'choose another with --api-listen HOST:PORT (or DEVDB_API_LISTEN), or --api-listen off',
      ]);
    } finally {
      busy.server.close();
    }
    const status = JSON.parse((await runDevdb(['status', '--data-dir', dataDir, '--json'])).stdout);
    expect(status).toMatchObject({ running: false, pid: null });
    await expect(readFile(path.join(dataDir, 'pgdata', 'postmaster.pid'))).rejects.toThrow(
      /ENOENT/,
    );
  });

  it('listens where the flag says, and not at all with off', async () => {
    const free = await holdPort();
    free.server.close(); // a port that was free a moment ago
    let up = await startUp(dataDir, ['--api-listen', `127.0.0.1:${free.port}`]);
    try {
      await untilOutput(
        up,
        new RegExp(`Dashboard and REST API: http://127\\.0\\.0\\.1:${free.port}/`),
      );
      expect((await fetch(`http://127.0.0.1:${free.port}/healthz`)).status).toBe(200);
    } finally {
      await stopUp(up);
    }
    up = await startUp(dataDir, ['--api-listen', 'off']);
    try {
      expect(up.output()).not.toMatch(/Dashboard and REST API|control plane listening/);
    } finally {
      await stopUp(up);
    }
  });
});

describe('DEVDB_API_TRUSTED_PROXIES', () => {
  it('takes addresses and CIDR ranges, comma-separated, and says what is allowed', () => {
    expect(parseTrustedProxies(undefined)).toEqual([]);
    expect(parseTrustedProxies(' 10.0.0.5, 10.1.0.0/16,::1,fd00::/8 ,loopback')).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
    for (const bad of ['proxy.internal', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129']) {
      expect(() => parseTrustedProxies(bad), bad).toThrow(
        /DEVDB_API_TRUSTED_PROXIES has .*addresses or CIDR ranges/,
      );
    }
  });
});

describe('the control plane in devdb up', () => {
  let up: TempUp;
  let dataDir: string;
  let url: string;

  beforeAll(async () => {
    up = await startUpInTempDir('devdb-serve-api-'); // DEVDB_API_LISTEN=127.0.0.1:0 (vitest.config.ts)
    dataDir = up.dataDir;
    url = (await untilOutput(up, /control plane listening on (http:\/\/\S+)/))[1]!;
  });

  afterAll(async () => {
    await up?.stop();
  });

  it('is live and ready, refuses the API without a token, and serves it with one', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.stringify(await ready.json())).toContain('sampler');

    expect((await fetch(`${url}/api/v1/databases`)).status).toBe(401);

    const created = await runDevdb([
      'token',
      'create',
      '--name',
      'ops',
      '--role',
      'viewer',
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const listed = await fetch(`${url}/api/v1/databases`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(listed.status).toBe(200);
    expect(up.output()).not.toContain(token);
  });
});
