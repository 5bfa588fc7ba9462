// What goes wrong, and what the agent says about it: missing settings,
// rejected credentials, a broken setup for `doctor`, and a server that is
// down — `start` waits with back-off, then fails with what to check.
import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { outputs, runAgent, tempHome, workspaceEnv, workspaceSuite, type Env } from './agent.js';

const ws = workspaceSuite('erin');

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const env = (): Env => workspaceEnv(ws.creds, ws.home);

describe('settings and credentials', () => {
  test('missing variables: exit 2 naming them and where they come from', async () => {
    const run = await runAgent(['start'], { HOME: ws.home, DEVDB_HOST: ws.creds.host });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DEVDB_PORT, DEVDB_NAME, DEVDB_USER not set');
    expect(run.stderr).toContain(
      'what to do: the workspace gets DEVDB_* from the devdb_database resource',
    );

    const noPassword = await runAgent(['start'], { ...env(), DEVDB_PASSWORD: undefined });
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('neither DEVDB_ENROLL_TOKEN nor DEVDB_PASSWORD is set');
  });

  test('DEVDB_UNAVAILABLE: the workspace was built while DevDB was down, and says so', async () => {
    // What the provider's on_unavailable = "skip" puts in the workspace: every DEVDB_* empty.
    const pending: Env = {
      HOME: ws.home,
      DEVDB_HOST: '',
      DEVDB_PORT: '',
      DEVDB_NAME: '',
      DEVDB_USER: '',
      DEVDB_URL: '',
      DEVDB_ENROLL_TOKEN: '',
      DEVDB_UNAVAILABLE: 'true',
    };
    const run = await runAgent(['start'], pending);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      'DevDB was unavailable when this workspace was built, so it has no database yet',
    );
    expect(run.stderr).toContain('restart the workspace once DevDB is back');
    expect(run.stderr).not.toMatch(/not set|did not answer|retrying/);
    const status = await runAgent(['status'], pending);
    expect(status.stdout).toBe('DevDB unavailable at build\n');
  });

  test('DEVDB_URL alone is enough for the address', async () => {
    const run = await runAgent(['env', '--json'], { HOME: ws.home, DEVDB_URL: ws.creds.url });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      PGHOST: ws.creds.host,
      PGUSER: ws.creds.user,
      PGDATABASE: ws.creds.name,
    });
  });

  test('rejected credentials: exit 4 at once, no waiting, nothing written', async () => {
    const run = await runAgent(['start'], { ...env(), DEVDB_PASSWORD: 'not-the-password-at-all' });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`DevDB rejected the credentials of ${ws.creds.user}`);
    expect(run.stderr).toContain('restart the workspace');
    expect(run.stderr).not.toContain('retrying');
    expect(run.stderr).not.toContain('not-the-password-at-all');
    const bad = await runAgent(['start', '--timeout', 'soon'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--timeout needs a number of seconds');
  });
});

describe('doctor on a broken setup says what to fix', () => {
  beforeAll(async () => {
    const run = await runAgent(['start'], env());
    expect(run.code, run.stderr).toBe(0);
  });

  test('a world-readable ~/.pgpass', async () => {
    await chmod(path.join(ws.home, '.pgpass'), 0o644);
    try {
      const run = await runAgent(['doctor'], env());
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^FAIL\s+pgpass\s+~\/\.pgpass is mode 644/m);
      expect(run.stdout).toContain('fix: chmod 600 ~/.pgpass');
    } finally {
      await chmod(path.join(ws.home, '.pgpass'), 0o600);
    }
  });

  test('a wrong port, a wrong password, a missing profile block', async () => {
    const port = await closedPort();
    const tcp = await runAgent(['doctor'], {
      ...env(),
      DEVDB_PORT: String(port),
      DEVDB_URL: undefined,
    });
    expect(tcp.stdout).toMatch(
      new RegExp(
        `^FAIL\\s+tcp\\s+cannot connect to ${ws.creds.host}:${port} \\(ECONNREFUSED\\)`,
        'm',
      ),
    );
    expect(tcp.stdout).toContain('fix: nothing listens there');
    expect(tcp.stdout).toMatch(/^skip\s+login/m);

    const login = await runAgent(['doctor'], { ...env(), DEVDB_PASSWORD: 'wrong-password-123' });
    expect(login.stdout).toMatch(/^FAIL\s+login\s+DevDB rejected the credentials/m);
    expect(login.stdout).toMatch(/^FAIL\s+pgpass\s+the entry's password differs/m);

    await rm(path.join(ws.home, '.profile'));
    const profile = await runAgent(['doctor'], env());
    expect(profile.stdout).toMatch(/^FAIL\s+profile\s+no shell profile loads ~\/\.devdb\/env/m);
    expect(profile.stdout).toContain('fix: run `devdb-agent start`');
    expect(profile.stdout).toMatch(/problem\(s\) found/);
  });

  test('no settings at all', async () => {
    const { home: empty, cleanup: done } = await tempHome();
    try {
      const run = await runAgent(['doctor'], { HOME: empty });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /^FAIL\s+env\s+DEVDB_HOST, DEVDB_PORT, DEVDB_NAME, DEVDB_USER not set/m,
      );
    } finally {
      await done();
    }
  });
});

describe('the server down', () => {
  beforeAll(async () => {
    await ws.devdb.cluster.stop();
  });

  test('start waits with back-off, then fails with what to check', async () => {
    const { home: fresh, cleanup: done } = await tempHome();
    try {
      const run = await runAgent(['start', '--timeout', '3'], workspaceEnv(ws.creds, fresh));
      expect(run.code).toBe(3);
      const where = `${ws.creds.host}:${ws.creds.port}`;
      expect(run.stderr).toContain(
        `DevDB not available at ${where} (connection refused) — retrying in 1s`,
      );
      // Then 2 s, cut short by what is left of the 3 s.
      expect(run.stderr).toMatch(/— retrying in (2|1\.\d)s\n/);
      expect(run.stderr).toContain(`DevDB did not answer at ${where} within 3s`);
      expect(run.stderr).toContain('what to do: check that the DevDB server is running');
      expect(run.ms).toBeGreaterThan(2900);
      expect(run.ms).toBeLessThan(15_000);
      // Nothing was written before the server answered.
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(fresh)).toEqual([]);

      const viaEnv = await runAgent(['start'], {
        ...workspaceEnv(ws.creds, fresh),
        DEVDB_AGENT_TIMEOUT: '1',
      });
      expect(viaEnv.code).toBe(3);
      expect(viaEnv.stderr).toContain('within 1s');
    } finally {
      await done();
    }
  });

  test('status says "unreachable" at once; heartbeat exits 3 saying the next one retries', async () => {
    const status = await runAgent(['status'], { HOME: ws.home });
    expect(status.code).toBe(0);
    expect(status.stdout).toBe('unreachable\n');
    expect(status.ms).toBeLessThan(2000);

    const heartbeat = await runAgent(['heartbeat'], { HOME: ws.home });
    expect(heartbeat.code).toBe(3);
    expect(heartbeat.stderr).toContain(`DevDB not available at ${ws.creds.host}:${ws.creds.port}`);
  });

  test('status gives up within its deadline when nothing answers at all', async () => {
    // A listener that accepts and never speaks: the connect hangs until status's deadline.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const run = await runAgent(['status'], {
        ...env(),
        DEVDB_PORT: String(port),
        DEVDB_URL: undefined,
      });
      expect(run.stdout).toBe('unreachable\n');
      expect(run.ms).toBeLessThan(2000);
    } finally {
      silent.close();
    }
  });
});

test('the password appears in no output of any command in this file', () => {
  for (const out of outputs) expect(out).not.toContain(ws.creds.password);
});
