// A workspace of a DevDB that serves TLS (docs/security.md, "TLS for database
// connections"): the provider hands it sslmode=verify-full and the CA, `start`
// writes the CA where libpq and node-postgres find it (keeping the user's own
// root.crt), and plain `psql $DEVDB_URL` then verifies the server fully.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachWorkspace, type Attachment } from '../../provisioning/index.js';
import { readCredentials, urlFor, withServerTls } from '../../provisioning/schema/index.js';
import { configure } from '../../provider/devdb/config.js';
import { createCa } from '../../server/embedded/certificates.js';
import { tlsDir } from '../../server/embedded/tls.js';
import { startUpInTempDir, type TempUp } from '../helpers/up-process.js';
import { outputs, runAgent, tempHome } from './agent.js';

const PSQL = '/usr/lib/postgresql/15/bin/psql';
const run = promisify(execFile);

let up: TempUp;
let pool: pg.Pool;
let adminUrl: string;
let caPem: string;
let creds: Attachment;
let home: string;
let removeHome: () => Promise<void>;
let userRootCert: string;

beforeAll(async () => {
  up = await startUpInTempDir('devdb-agent-tls-');
  const credentials = (await readCredentials(up.dataDir))!;
  adminUrl = withServerTls(urlFor(credentials, 'provisioner'), credentials);
  caPem = await readFile(path.join(tlsDir(up.dataDir), 'ca.crt'), 'utf8');
  pool = new pg.Pool({ connectionString: adminUrl, max: 2 });
  ({ home, cleanup: removeHome } = await tempHome());
  userRootCert = (await createCa('the user’s own CA')).certPem;
});

afterAll(async () => {
  await pool?.end();
  await removeHome?.();
  await up?.stop();
});

const providerConfig = {
  admin_url: null as string | null,
  host: null,
  port: null,
  sslmode: null,
  ca_cert: null,
  on_unavailable: null,
};

describe('what the provider hands the workspace', () => {
  it('sslmode=verify-full and the CA, read from the admin URL of devdb up', async () => {
    const client = configure({ config: { ...providerConfig, admin_url: adminUrl } });
    expect(client.endpoint).toMatchObject({ sslmode: 'verify-full', caCert: caPem });
    creds = await attachWorkspace(pool, client.endpoint, {
      type: 'individual',
      owner: 'tlsuser',
      workspaceId: 'ws-tls-1',
      workspaceName: 'tls',
    });
    expect(creds.url).toMatch(/\?sslmode=verify-full$/);
    expect(creds.caCert).toBe(caPem);
    expect(creds.env).toMatchObject({ DEVDB_URL: creds.url, DEVDB_CA_CERT: caPem });
    await client.close();
  });
});

describe('devdb-agent start', () => {
  const rootCert = () => path.join(home, '.postgresql/root.crt');
  const env = () => ({ HOME: home, ...creds.env, DEVDB_PASSWORD: creds.password });

  it("writes the CA beside the user's own root.crt, the same on every run", async () => {
    await mkdir(path.dirname(rootCert()), { recursive: true });
    await writeFile(rootCert(), userRootCert);
    const first = await runAgent(['start'], env());
    expect(first.code, first.stderr).toBe(0);
    const written = await readFile(rootCert(), 'utf8');
    expect(written.startsWith(userRootCert)).toBe(true);
    expect(written).toContain(caPem.trim());
    expect(await readFile(path.join(home, '.devdb/ca.crt'), 'utf8')).toBe(caPem);
    const second = await runAgent(['start'], env());
    expect(second.code, second.stderr).toBe(0);
    expect(await readFile(rootCert(), 'utf8')).toBe(written);
  });

  it.skipIf(!existsSync(PSQL))('lets plain psql $DEVDB_URL verify the server fully', async () => {
    const { stdout } = await run(PSQL, [creds.url, '-c', '\\conninfo'], {
      env: { PATH: process.env.PATH, HOME: home }, // password from ~/.pgpass, CA from root.crt
    });
    expect(stdout).toMatch(/SSL connection \(protocol: TLS/);
  });

  it("gives node-postgres the CA through the env file's DATABASE_URL", async () => {
    const envFile = await readFile(path.join(home, '.devdb/env'), 'utf8');
    const url = /^DATABASE_URL='(.*)'$/m.exec(envFile)![1]!;
    expect(url).toContain(`sslrootcert=${encodeURIComponent(path.join(home, '.devdb/ca.crt'))}`);
    const withPassword = new URL(url);
    withPassword.password = encodeURIComponent(creds.password);
    // sslmode=verify-full: node-postgres connects only over TLS it verified.
    const client = new pg.Client({ connectionString: withPassword.toString() });
    await client.connect();
    try {
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });

  it("uninstall takes the CA out and leaves the user's certificate", async () => {
    const removed = await runAgent(['uninstall'], { HOME: home });
    expect(removed.code, removed.stderr).toBe(0);
    expect(await readFile(rootCert(), 'utf8')).toBe(userRootCert);
    expect(existsSync(path.join(home, '.devdb/ca.crt'))).toBe(false);
  });

  it('never printed the password or a private key', () => {
    for (const output of outputs) {
      expect(output).not.toContain(creds.password);
      expect(output).not.toMatch(/PRIVATE KEY/);
    }
  });
});
