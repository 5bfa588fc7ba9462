import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Credentials } from '../../provisioning/index.js';
import { readCredentials } from '../../provisioning/schema/index.js';
import { renewalReason } from '../../server/embedded/certificate-check.js';
import { createCa, createServerCert, SERVER_DAYS } from '../../server/embedded/certificates.js';
import { prepareTls, tlsDir } from '../../server/embedded/tls.js';
import { runDevdb } from '../helpers/cli-io.js';
import { startUpInTempDir, type TempUp } from '../helpers/up-process.js';

// `devdb up` serves TLS by default (docs/security.md, "TLS for database
// connections"): clients that verify it fully get in; a CA or a host name the
// certificate does not vouch for is refused, by node-postgres and by libpq.

const PSQL = '/usr/lib/postgresql/15/bin/psql';
const run = promisify(execFile);

let up: TempUp;
let dataDir: string;
let credentials: Credentials;
let caPem: string;

beforeAll(async () => {
  up = await startUpInTempDir('devdb-tls-', ['--tls-hosts', 'devdb.example.test,192.0.2.77']);
  dataDir = up.dataDir;
  credentials = (await readCredentials(dataDir))!;
  caPem = await readFile(path.join(tlsDir(dataDir), 'ca.crt'), 'utf8');
});

afterAll(() => up?.stop());

const config = (ssl: pg.ClientConfig['ssl'], host = '127.0.0.1'): pg.ClientConfig => ({
  host,
  port: up.port,
  user: credentials.provisioner.user,
  password: credentials.provisioner.password,
  database: 'devdb',
  ssl,
  connectionTimeoutMillis: 10_000,
});

/** Whether the session is encrypted, as the server sees it; throws when the connection is refused. */
async function sslInUse(clientConfig: pg.ClientConfig | string): Promise<boolean> {
  const client = new pg.Client(clientConfig);
  await client.connect();
  try {
    const { rows } = await client.query<{ ssl: boolean }>(
      'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    return rows[0]!.ssl;
  } finally {
    await client.end();
  }
}

describe('devdb up with TLS (the default)', () => {
  it('says so, and admin-url verifies the server fully with its CA', async () => {
    expect(up.output()).toContain(`TLS: on; clients verify it with the CA ${tlsDir(dataDir)}`);
    const { stdout } = await runDevdb(['admin-url', '--data-dir', dataDir]);
    expect(stdout).toContain(`sslmode=verify-full&sslrootcert=${tlsDir(dataDir)}/ca.crt`);
    expect(await sslInUse(stdout.trim())).toBe(true);
  });

  it('node-postgres with verify-full and the CA connects encrypted', async () => {
    expect(await sslInUse(config({ ca: caPem, rejectUnauthorized: true }))).toBe(true);
    expect(await sslInUse(config({ ca: caPem }, 'localhost'))).toBe(true);
  });

  it('refuses another CA', async () => {
    const other = await createCa('someone else');
    await expect(sslInUse(config({ ca: other.certPem }))).rejects.toThrow(/self-signed|verify/i);
  });

  it('refuses a host name the certificate does not name', async () => {
    // Reached at 127.0.0.1, but the client expects another name: a server that
    // answers for a name it has no certificate for is what verify-full refuses.
    const ssl = { ca: caPem, servername: 'elsewhere.example.test' };
    await expect(sslInUse(config(ssl))).rejects.toThrow(/does not match|altnames/i);
  });

  it('names the hosts it was given, and loopback and this machine', async () => {
    const { X509Certificate } = await import('node:crypto');
    const cert = new X509Certificate(await readFile(path.join(tlsDir(dataDir), 'server.crt')));
    expect(cert.subjectAltName).toContain('DNS:devdb.example.test');
    expect(cert.subjectAltName).toContain('IP Address:192.0.2.77');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.checkIssued(new X509Certificate(caPem))).toBe(true);
  });

  it('still lets loopback clients in without TLS (sslmode=disable)', async () => {
    expect(await sslInUse(config(false))).toBe(false);
  });

  it('keeps private keys 0600 and never prints them', async () => {
    for (const file of ['ca.key', 'server.key']) {
      const mode = (await stat(path.join(tlsDir(dataDir), file))).mode & 0o777;
      expect(mode, file).toBe(0o600);
    }
    expect(up.output()).not.toMatch(/PRIVATE KEY/);
    const { stdout, stderr } = await runDevdb(['admin-url', '--data-dir', dataDir]);
    expect(stdout + stderr).not.toMatch(/PRIVATE KEY/);
  });
});

describe.skipIf(!existsSync(PSQL))('psql (libpq 15) against it', () => {
  const psql = (conninfo: string) =>
    run(PSQL, [conninfo, '-Atc', 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'], {
      env: { PATH: process.env.PATH, PGPASSWORD: credentials.provisioner.password },
    });
  const conninfo = (extra: string) =>
    `host=127.0.0.1 port=${up.port} user=${credentials.provisioner.user} dbname=devdb sslmode=verify-full ${extra}`;

  it('connects with verify-full and the CA', async () => {
    const ca = path.join(tlsDir(dataDir), 'ca.crt');
    expect((await psql(conninfo(`sslrootcert=${ca}`))).stdout.trim()).toBe('t');
  });

  it('refuses another CA and a name not in the certificate', async () => {
    const otherCa = path.join(path.dirname(dataDir), 'other-ca.crt');
    await writeFile(otherCa, (await createCa('someone else')).certPem);
    await expect(psql(conninfo(`sslrootcert=${otherCa}`))).rejects.toThrow(/verify failed/);
    const ca = path.join(tlsDir(dataDir), 'ca.crt');
    const wrongName = `sslrootcert=${ca} host=elsewhere.example.test hostaddr=127.0.0.1`;
    await expect(psql(conninfo(wrongName))).rejects.toThrow(/does not match host name/);
  });
});

describe('the certificates across starts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'devdb-tls-files-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reuses them, renews the server certificate for a new host and keeps the CA', async () => {
    const hosts = ['localhost', '127.0.0.1', '::1']; // Node spells ::1 in full when reading it
    const first = await prepareTls(dir, hosts, {}, undefined);
    expect(first.note).toMatch(/made a CA.*made a server certificate/);
    const read = (file: string) => readFile(path.join(tlsDir(dir), file), 'utf8');
    const [ca, server] = [await read('ca.crt'), await read('server.crt')];
    const again = await prepareTls(dir, hosts, {}, undefined);
    expect(again.note).toBe('TLS: reusing the server certificate');
    expect(await read('server.crt')).toBe(server);
    const moved = await prepareTls(dir, ['localhost', 'db.example.test'], {}, undefined);
    expect(moved.note).toMatch(/does not name db\.example\.test/);
    expect(await read('server.crt')).not.toBe(server);
    expect(await read('ca.crt')).toBe(ca);
  });

  it('renews a certificate near expiry, or from another CA', async () => {
    const ca = await createCa('test');
    const made = new Date(Date.now() - (SERVER_DAYS - 10) * 24 * 3600_000); // 10 days left
    const old = await createServerCert(ca, ['localhost'], made);
    expect(renewalReason(old.certPem, ca.certPem, ['localhost'])).toMatch(/expires in \d+ days/);
    const fresh = await createServerCert(ca, ['localhost']);
    expect(renewalReason(fresh.certPem, ca.certPem, ['localhost'])).toBeNull();
    const other = await createCa('other');
    expect(renewalReason(fresh.certPem, other.certPem, ['localhost'])).toMatch(
      /another|not signed/,
    );
  });

  it("serves the admin's own certificate and hands out its CA", async () => {
    const ca = await createCa('corporate');
    const own = await createServerCert(ca, ['db.corp.example']);
    const files = { cert: path.join(dir, 'own.crt'), key: path.join(dir, 'own.key') };
    await writeFile(files.cert, own.certPem);
    await writeFile(files.key, own.keyPem, { mode: 0o600 });
    await writeFile(path.join(dir, 'corp-ca.crt'), ca.certPem);
    const tls = await prepareTls(
      dir,
      [],
      { certFile: files.cert, keyFile: files.key, caFile: path.join(dir, 'corp-ca.crt') },
      undefined,
    );
    expect(await readFile(tls.certFile, 'utf8')).toBe(own.certPem);
    expect((await stat(tls.keyFile)).mode & 0o777).toBe(0o600);
    expect(tls.caFile).toBe(path.join(dir, 'corp-ca.crt'));
    await expect(prepareTls(dir, [], { certFile: files.cert }, undefined)).rejects.toThrow(
      /--tls-cert and --tls-key go together/,
    );
  });
});

describe('devdb up --no-tls', () => {
  it('serves no TLS, and admin-url asks for none', async () => {
    const plain = await startUpInTempDir('devdb-no-tls-', ['--no-tls']);
    try {
      expect(plain.output()).toContain('TLS: off (--no-tls)');
      const { stdout } = await runDevdb(['admin-url', '--data-dir', plain.dataDir]);
      expect(stdout).not.toContain('sslmode');
      const client = new pg.Client({ ...config({ rejectUnauthorized: false }), port: plain.port });
      await expect(client.connect()).rejects.toThrow(/does not support SSL/);
    } finally {
      await plain.stop();
    }
  });
});
