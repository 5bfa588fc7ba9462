import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApiListen, parseTrustedProxies } from '../../server/serve/control-plane.js';
import { runDevdb } from '../helpers/cli-io.js';
import { startUpInTempDir, untilOutput, type TempUp } from '../helpers/up-process.js';

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
