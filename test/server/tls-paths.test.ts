/**
 * One server, the same answers however the CLI finds it (docs/security.md, "TLS
 * for database connections"): a real `devdb up` with TLS on (the default),
 * reached as an admin does, with `export DEVDB_ADMIN_URL=$(devdb admin-url)` or
 * with `--data-dir`. Backups, their verification and restores run pg_dump and
 * pg_restore with the server's CA; the URL and `psql` line `devdb provision`
 * prints work when pasted; workspaces get TLS either way; and the network
 * needs TLS (`hostssl`).
 *
 * Every `devdb` here is the built CLI in a process of its own, with HOME an
 * empty directory: no ~/.postgresql/root.crt can make a test pass that a
 * fresh machine would fail.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CA_CERT_ENV } from '../../provisioning/contract/index.js';
import { openDevDb } from '../../provisioning/index.js';
import { readCredentials, urlFor, withServerTls } from '../../provisioning/schema/index.js';
import { admitRemoteClients } from '../../server/commands/lifecycle/up.js';
import { tlsDir } from '../../server/embedded/tls.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import { CLI, startUpInTempDir, type TempUp } from '../helpers/up-process.js';

const run = promisify(execFile);

// pg_dump must fit the server: `devdb up` runs the server the installed pg_dump
// can dump (DEVDB_PG_BIN_DIR, inherited by the child; docs/backups.md, "Which pg_dump").
await selectBackupTestServer();

/** A loopback address that is not 127.0.0.1: pg_hba.conf's loopback lines do not cover it. */
const OTHER_ADDRESS = '127.0.0.2';
const CLIENT_ADDRESS = 'SELECT host(inet_client_addr()) AS addr';

let up: TempUp;
let home: string;
let backupDir: string;
let adminUrl: string;
let ca: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built `devdb`, as an admin's shell runs it: no DEVDB_ADMIN_URL unless given. */
async function devdb(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const { DEVDB_ADMIN_URL: _ignored, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], {
      env: { ...inherited, HOME: home, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `export DEVDB_ADMIN_URL=$(devdb admin-url)`, then `devdb …`. */
const viaUrl = (args: string[]) => devdb(args, { DEVDB_ADMIN_URL: adminUrl });
const viaDataDir = (args: string[]) => devdb([...args, '--data-dir', up.dataDir]);

/** A shell line run literally, as pasted. */
async function shell(line: string, env: Record<string, string> = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await run('sh', ['-c', line], {
      env: { PATH: process.env.PATH, HOME: home, PGCONNECT_TIMEOUT: '5', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function withClient<T>(config: pg.ClientConfig, fn: (c: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionTimeoutMillis: 5000, ...config });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

interface Provisioned {
  name: string;
  user: string;
  password: string;
  url: string;
  env: Record<string, string>;
}

async function provision(
  via: (args: string[]) => Promise<Result>,
  owner: string,
  json = true,
): Promise<Result & { info?: Provisioned }> {
  const args = ['provision', '--type', 'individual', '--owner', owner];
  const result = await via([...args, '--workspace-id', `ws-${owner}`, ...(json ? ['--json'] : [])]);
  return { ...result, ...(json && result.code === 0 ? { info: JSON.parse(result.stdout) } : {}) };
}

beforeAll(async () => {
  up = await startUpInTempDir('devdb-tls-paths-', [
    '--listen',
    `127.0.0.1,${OTHER_ADDRESS}`,
    '--public-host',
    '127.0.0.1',
  ]);
  home = await mkdtemp(path.join(tmpdir(), 'devdb-tls-home-'));
  backupDir = path.join(home, 'backups');
  adminUrl = (await devdb(['admin-url', '--data-dir', up.dataDir])).stdout.trim();
  ca = await readFile(path.join(tlsDir(up.dataDir), 'ca.crt'), 'utf8');
});

afterAll(async () => {
  await up?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('export DEVDB_ADMIN_URL=$(devdb admin-url) against devdb up (TLS on)', () => {
  it('the admin URL verifies the server with the CA of the data dir', () => {
    const url = new URL(adminUrl);
    expect(url.searchParams.get('sslmode')).toBe('verify-full');
    expect(url.searchParams.get('sslrootcert')).toBe(path.join(tlsDir(up.dataDir), 'ca.crt'));
  });

  it('backs up, lists, verifies and restores: pg_dump and pg_restore get the CA', async () => {
    const made = await provision(viaUrl, 'frank');
    expect(made.stderr).toBe('');
    const { user, password, name } = made.info!;
    const owner = { host: '127.0.0.1', port: up.port, user, password, database: name, ssl: { ca } };
    await withClient(owner, (c) =>
      c.query('CREATE TABLE notes (t text); INSERT INTO notes VALUES ($$one$$), ($$two$$)'),
    );

    const backup = await viaUrl(['backup', 'dev_frank', '--dir', backupDir, '--json']);
    expect(backup.stderr).not.toMatch(/root certificate|pg_dump/);
    expect(backup.code).toBe(0);
    const [taken] = JSON.parse(backup.stdout) as { id: number; status: string }[];
    expect(taken).toMatchObject({ status: 'ok' });

    const list = JSON.parse((await viaUrl(['backups', 'dev_frank', '--json'])).stdout);
    expect(list.map((b: { id: number }) => b.id)).toEqual([taken!.id]);

    const verify = await viaUrl(['backup', 'verify', String(taken!.id), '--json']);
    expect(verify.stderr).not.toMatch(/root certificate|pg_restore/);
    expect(JSON.parse(verify.stdout)).toMatchObject([{ id: taken!.id, ok: true, error: null }]);

    const restore = await viaUrl([
      'restore',
      'dev_frank',
      '--from',
      String(taken!.id),
      '--as',
      'team_frank_copy',
      '--json',
    ]);
    expect(restore.stderr).not.toMatch(/root certificate|pg_restore/);
    expect(restore.code).toBe(0);
    // The restore compares the restored row counts with the backup's (docs/backups.md).
    expect(JSON.parse(restore.stdout)).toMatchObject({ database: 'team_frank_copy', tables: 1 });
  });

  it("provision's psql line and URL work as printed, verifying the server with the CA", async () => {
    const made = await provision(viaUrl, 'grace', false);
    expect(made.code).toBe(0);
    const line = /^ {2}(psql "postgresql:\/\/[^"]+")$/m.exec(made.stdout)![1]!;
    expect(line).toContain('sslmode=verify-full');
    expect(line).toContain(`sslrootcert=${path.join(tlsDir(up.dataDir), 'ca.crt')}`);
    // psql's \conninfo names the TLS connection (sh keeps the backslash inside double quotes).
    const query = `-tA -c "SELECT current_user" -c "\\conninfo"`;
    const viaLine = await shell(`${line} ${query}`);
    expect(viaLine.stderr).toBe('');
    expect(viaLine.stdout).toMatch(/^dev_grace\n/);
    expect(viaLine.stdout).toContain('SSL connection');

    const password = /^password +(\S+)$/m.exec(made.stdout)![1]!;
    const url = /^url +(\S+)$/m.exec(made.stdout)![1]!;
    expect(url).not.toContain(password);
    const viaUrlLine = await shell(`psql "${url}" ${query}`, { PGPASSWORD: password });
    expect(viaUrlLine.stderr).toBe('');
    expect(viaUrlLine.stdout).toMatch(/^dev_grace\n/);
    expect(viaUrlLine.stdout).toContain('SSL connection');
  });
});

describe('--data-dir gives the answers DEVDB_ADMIN_URL gives', () => {
  it("openDevDb({ dataDir }): the library's pool and endpoint are the admin URL's", async () => {
    for (const options of [{ dataDir: up.dataDir }, { adminUrl }]) {
      const lib = await openDevDb(options);
      try {
        expect(lib.endpoint).toEqual({
          host: '127.0.0.1',
          port: up.port,
          sslmode: 'verify-full',
          caCert: ca,
        });
        expect((await lib.health()).migrations.current).toBe(true);
      } finally {
        await lib.close();
      }
    }
  });

  it('devdb servers list: tls verify-full both ways', async () => {
    const central = async (via: (args: string[]) => Promise<Result>) => {
      const result = await via(['servers', 'list', '--json']);
      expect(result.stderr).toBe('');
      const [server] = JSON.parse(result.stdout) as {
        name: string;
        tls: string;
        address: string;
      }[];
      return { name: server!.name, tls: server!.tls, address: server!.address };
    };
    const byUrl = await central(viaUrl);
    expect(byUrl).toMatchObject({ name: 'central', tls: 'verify-full (its CA)' });
    expect(await central(viaDataDir)).toEqual(byUrl);
    const table = (await viaDataDir(['servers', 'list'])).stdout;
    expect(table).toMatch(/│ verify-full/);
  });

  it('devdb provision: the same sslmode and CA for workspaces, the CA file for the admin', async () => {
    const byDir = (await provision(viaDataDir, 'heidi')).info!;
    const byUrl = (await provision(viaUrl, 'ivan')).info!;
    for (const info of [byDir, byUrl]) {
      const workspaceUrl = new URL(info.env.DEVDB_URL!);
      expect(workspaceUrl.searchParams.get('sslmode')).toBe('verify-full');
      // Workspaces find the CA where the agent writes it, not at a path of the admin's.
      expect(workspaceUrl.searchParams.get('sslrootcert')).toBeNull();
      expect(info.env[CA_CERT_ENV]).toBe(ca);
      expect(new URL(info.url).searchParams.get('sslrootcert')).toBe(
        path.join(tlsDir(up.dataDir), 'ca.crt'),
      );
    }
    // The admin URL's host, whichever way the server was found.
    expect(new URL(byDir.url).host).toBe(new URL(byUrl.url).host);
  });
});

/** Connects from OTHER_ADDRESS, which pg_hba.conf treats as any other network client. */
class FromOtherAddress extends Socket {
  override connect(...args: unknown[]): this {
    const [port, host] = args as [number, string];
    return super.connect({ port, host, localAddress: OTHER_ADDRESS });
  }
}

describe('the network needs TLS (hostssl)', () => {
  // `devdb up --listen 127.0.0.1,127.0.0.2`: 127.0.0.2 is not one of the loopback
  // names devdb up knows (127.0.0.1, localhost, ::1), so it admits clients
  // from the network, and pg_hba.conf's loopback lines (127.0.0.1/32, ::1/128)
  // do not match a client whose address is 127.0.0.2. Clients here bind that
  // address, so the server sees them as network clients: the rule exercised is
  // the one a remote machine meets, though no packet leaves this machine.
  const connectFrom = (ssl: pg.ClientConfig['ssl'], host = OTHER_ADDRESS) =>
    withClient(
      {
        host,
        port: up.port,
        user: new URL(adminUrl).username,
        password: decodeURIComponent(new URL(adminUrl).password),
        database: 'devdb',
        ssl,
        stream: () => new FromOtherAddress(),
      },
      async (c) =>
        (
          await c.query<{ addr: string; ssl: boolean }>(
            `SELECT host(inet_client_addr()) AS addr, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`,
          )
        ).rows[0]!,
    );

  it('pg_hba.conf: hostssl for the network, loopback as it was', async () => {
    const credentials = (await readCredentials(up.dataDir))!;
    const superuser = withServerTls(urlFor(credentials, 'superuser', 'postgres'), credentials);
    const rules = await withClient({ connectionString: superuser }, async (c) => {
      const { rows } = await c.query<{ type: string; address: string | null }>(
        `SELECT type, address FROM pg_hba_file_rules ORDER BY line_number`,
      );
      return rows;
    });
    const network = rules.filter((r) => r.address === '0.0.0.0' || r.address === '::');
    expect(network.map((r) => r.type)).toEqual(['hostssl', 'hostssl']);
    const loopback = rules.filter((r) => r.address === '127.0.0.1' || r.address === '::1');
    expect(loopback.length).toBeGreaterThanOrEqual(2);
    expect(new Set(loopback.map((r) => r.type))).toEqual(new Set(['host']));
    expect(rules.some((r) => r.type === 'host' && r.address === '0.0.0.0')).toBe(false);
  });

  it('refuses a plain connection from the network and admits TLS from it', async () => {
    await expect(connectFrom(false)).rejects.toThrow(/no pg_hba\.conf entry .*no encryption/);
    expect(await connectFrom({ ca })).toEqual({ addr: OTHER_ADDRESS, ssl: true });
  });

  it('still admits a plain connection from 127.0.0.1', async () => {
    const plain = await withClient(
      {
        host: '127.0.0.1',
        port: up.port,
        user: new URL(adminUrl).username,
        password: decodeURIComponent(new URL(adminUrl).password),
        database: 'devdb',
        ssl: false,
      },
      async (c) =>
        (
          await c.query<{ ssl: boolean }>(
            'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
          )
        ).rows[0]!,
    );
    expect(plain).toEqual({ ssl: false });
  });
});

describe('devdb up: plain connections from the network only when asked for', () => {
  it('refuses --no-tls with a --listen beyond loopback, naming the flag to add', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'devdb-no-tls-'));
    try {
      const dataDir = path.join(root, 'data');
      const listen = ['--listen', `127.0.0.1,${OTHER_ADDRESS}`, '--port', '0'];
      const refused = await devdb(['up', '--data-dir', dataDir, '--no-tls', ...listen]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        `devdb: --no-tls with --listen 127.0.0.1,${OTHER_ADDRESS} would let clients on the network connect without TLS: add --allow-plain-network to allow that, or drop --no-tls\n`,
      );
      await expect(stat(dataDir)).rejects.toThrow(/ENOENT/); // refused before anything was made
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('devdb up --no-tls --allow-plain-network starts and admits plain clients from the network', async () => {
    const plain = await startUpInTempDir('devdb-plain-network-', [
      '--no-tls',
      '--allow-plain-network',
      '--listen',
      `127.0.0.1,${OTHER_ADDRESS}`,
    ]);
    try {
      expect(plain.output()).toContain('Network clients: TLS not required (--allow-plain-network)');
      const url = new URL((await devdb(['admin-url', '--data-dir', plain.dataDir])).stdout.trim());
      expect(url.search).toBe('');
      const session = await withClient(
        {
          host: OTHER_ADDRESS,
          port: plain.port,
          user: url.username,
          password: decodeURIComponent(url.password),
          database: 'devdb',
          stream: () => new FromOtherAddress(),
        },
        async (c) => (await c.query<{ addr: string }>(CLIENT_ADDRESS)).rows[0]!,
      );
      expect(session).toEqual({ addr: OTHER_ADDRESS });
    } finally {
      await plain.stop();
    }
  });

  it('rewrites its pg_hba.conf lines at each start: hostssl, host, or none', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'devdb-plain-hba-'));
    try {
      const pgdata = path.join(root, 'pgdata');
      await mkdir(pgdata);
      const hba = path.join(pgdata, 'pg_hba.conf');
      // What initdb wrote, then what an earlier devdb up --listen added.
      const initdb = 'local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n';
      const before =
        '# added by devdb up --listen\nhost all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n';
      await writeFile(hba, initdb + before);
      const network = async () =>
        (await readFile(hba, 'utf8')).split('\n').filter((l) => /\/0 /.test(l));
      const listen = '0.0.0.0';

      await admitRemoteClients(pgdata, { listen, tls: true });
      expect(await network()).toEqual([
        'hostssl all all 0.0.0.0/0 scram-sha-256',
        'hostssl all all ::/0 scram-sha-256',
      ]);
      await admitRemoteClients(pgdata, { listen, tls: true, allowPlainNetwork: true });
      expect(await network()).toEqual([
        'host all all 0.0.0.0/0 scram-sha-256',
        'host all all ::/0 scram-sha-256',
      ]);
      await admitRemoteClients(pgdata, { listen, tls: false, allowPlainNetwork: true });
      expect(await network()).toHaveLength(2);
      await admitRemoteClients(pgdata, { listen: '127.0.0.1', tls: true });
      expect(await readFile(hba, 'utf8')).toBe(initdb); // loopback only: none, the rest as it was
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
