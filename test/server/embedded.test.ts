import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findFreePort,
  initCluster,
  isInitialised,
  listenAddresses,
  startCluster,
  type RunningCluster,
} from '../../server/embedded/index.js';
import { startTempCluster, type TempCluster } from '../helpers/cluster.js';

const isRoot = process.getuid?.() === 0;
const tempDirs: string[] = [];
const servers: Array<{ stop(): Promise<void> }> = [];

afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.stop()));
  await Promise.allSettled(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempRoot(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'devdb-embedded-test-'));
  await chmod(dir, 0o755); // the unprivileged server user must be able to enter it
  tempDirs.push(dir);
  return dir;
}

function track<T extends { stop(): Promise<void> }>(s: T): T {
  servers.push(s);
  return s;
}

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function show(url: string, setting: string): Promise<string> {
  return (await query(url, `SHOW ${setting}`)).rows[0][setting];
}

function tcpConnects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    sock.setTimeout(2000, () => (sock.destroy(), resolve(false)));
    sock.once('connect', () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
}

describe('embedded PostgreSQL cluster', () => {
  let cluster: TempCluster;

  it('initialises and starts a SCRAM-only server', async () => {
    cluster = track(await startTempCluster());
    expect(await isInitialised(cluster.dataDir)).toBe(true);
    const url = cluster.url();
    expect(await show(url, 'password_encryption')).toBe('scram-sha-256');
    expect(await show(url, 'server_encoding')).toBe('UTF8');
    expect(await show(url, 'server_version')).toMatch(/^17\./);
    const hba = await readFile(path.join(cluster.dataDir, 'pg_hba.conf'), 'utf8');
    const rules = hba.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule).toMatch(/scram-sha-256\s*$/);
    // The superuser's stored verifier is SCRAM, not md5.
    const verifier = await query(
      url,
      `SELECT rolpassword FROM pg_authid WHERE rolname = current_user`,
    );
    expect(verifier.rows[0].rolpassword).toMatch(/^SCRAM-SHA-256\$/);
  });

  it('rejects a wrong password', async () => {
    await expect(
      query(cluster.url(cluster.superuser, 'not-the-password'), 'SELECT 1'),
    ).rejects.toMatchObject({
      code: '28P01',
    });
  });

  it('listens on 127.0.0.1 only by default, TCP only', async () => {
    expect(await show(cluster.url(), 'listen_addresses')).toBe('127.0.0.1');
    expect(await show(cluster.url(), 'unix_socket_directories')).toBe('');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (external) expect(await tcpConnects(external.address, cluster.port)).toBe(false);
    expect(await tcpConnects('127.0.0.1', cluster.port)).toBe(true);
  });

  it('refuses to start a second server on a running data dir', async () => {
    const pidFile = await readFile(path.join(cluster.dataDir, 'postmaster.pid'), 'utf8');
    const pid = pidFile.split('\n')[0];
    await expect(startCluster({ dataDir: cluster.dataDir, port: 0 })).rejects.toThrow(
      `a DevDB server is already running on this data dir (pid ${pid})`,
    );
  });

  it('refuses to initialise over an existing cluster', async () => {
    await expect(
      initCluster({ dataDir: cluster.dataDir, superuser: 'x', superuserPassword: 'y' }),
    ).rejects.toThrow(/already holds a PostgreSQL cluster/);
  });
});

describe('stop and restart', () => {
  it('keeps data across a restart on the same data dir', async () => {
    const root = await tempRoot();
    const dataDir = path.join(root, 'data');
    const password = 'restart-pw';
    await initCluster({ dataDir, superuser: 'admin', superuserPassword: password });
    const url = (s: RunningCluster): string =>
      `postgres://admin:${password}@${s.host}:${s.port}/postgres`;

    const first = track(await startCluster({ dataDir, port: 0 }));
    await query(url(first), `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')`);
    await first.stop();
    await first.stop(); // idempotent
    expect(await first.exited).toBe(0);
    expect(await tcpConnects('127.0.0.1', first.port)).toBe(false);

    const port = await findFreePort();
    const second = track(await startCluster({ dataDir, port }));
    expect(second.port).toBe(port);
    expect((await query(url(second), 'SELECT v FROM kept')).rows).toEqual([{ v: 'survives' }]);
    await second.stop();

    // A postmaster.pid left by a process that no longer exists does not block a start.
    const gone = spawnSync('true').pid;
    await writeFile(path.join(dataDir, 'postmaster.pid'), `${gone}\n${dataDir}\n`);
    const third = track(await startCluster({ dataDir, port: 0 }));
    expect((await query(url(third), 'SELECT count(*)::int AS n FROM kept')).rows).toEqual([
      { n: 1 },
    ]);
    await third.stop();
  });
});

describe('failures are explained', () => {
  it('reports the server log when postgres exits early (port in use)', async () => {
    const root = await tempRoot();
    const dataDir = path.join(root, 'data');
    await initCluster({ dataDir, superuser: 'admin', superuserPassword: 'pw' });
    const blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    try {
      const err = await startCluster({ dataDir, port }).then(
        (s) => (track(s), undefined),
        (e: Error) => e,
      );
      expect(err?.message).toMatch(/PostgreSQL exited during startup/);
      expect(err?.message).toMatch(/Address already in use/);
    } finally {
      blocker.close();
    }
  });

  it('cleans up the password file even when initdb fails', async () => {
    const root = await tempRoot();
    const before = new Set(await readdir(tmpdir()));
    const err = await initCluster({
      dataDir: path.join(root, 'data'),
      superuser: 'pg_reserved', // initdb rejects role names starting with pg_
      superuserPassword: 'secret-value-xyz',
    }).catch((e: Error) => e);
    expect(err?.message).toMatch(/initdb failed/);
    expect(err?.message).not.toContain('secret-value-xyz');
    const leftovers = (await readdir(tmpdir())).filter(
      (f) => f.startsWith('devdb-initdb-') && !before.has(f),
    );
    expect(leftovers).toEqual([]);
  });

  it('rejects a non-empty data dir and a multi-line password', async () => {
    const root = await tempRoot();
    await mkdir(path.join(root, 'full'));
    await writeFile(path.join(root, 'full', 'junk'), 'x');
    await expect(
      initCluster({ dataDir: path.join(root, 'full'), superuser: 'a', superuserPassword: 'pw' }),
    ).rejects.toThrow(/not empty/);
    await expect(
      initCluster({ dataDir: path.join(root, 'new'), superuser: 'a', superuserPassword: 'a\nb' }),
    ).rejects.toThrow(/line breaks/);
  });

  it.skipIf(!isRoot)(
    'as root, explains an unreachable data dir (e.g. under a 0700 parent)',
    async () => {
      const root = await tempRoot();
      const locked = path.join(root, 'locked');
      await mkdir(locked, { mode: 0o700 });
      await expect(
        initCluster({
          dataDir: path.join(locked, 'data'),
          superuser: 'a',
          superuserPassword: 'pw',
        }),
      ).rejects.toThrow(/cannot enter .*locked.*\/var\/lib\/devdb/s);
    },
  );

  it('starting an uninitialised dir says so', async () => {
    const root = await tempRoot();
    await expect(startCluster({ dataDir: root, port: 0 })).rejects.toThrow(/not an initialised/);
  });
});

describe('listenAddresses', () => {
  it('always includes loopback', () => {
    expect(listenAddresses()).toBe('127.0.0.1');
    expect(listenAddresses('10.1.2.3')).toBe('10.1.2.3,127.0.0.1');
    expect(listenAddresses('*')).toBe('*');
    expect(listenAddresses('0.0.0.0, localhost')).toBe('0.0.0.0,localhost');
  });
});
