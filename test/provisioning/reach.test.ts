/**
 * How to reach a server (provisioning/schema/reach.ts): what one admin URL (and
 * a CA as PEM) gives node-postgres, libpq's tools, the admin and workspaces.
 * Values only: test/server/tls-paths.test.ts and servers-tls.test.ts connect
 * with them to real servers.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverAccess, workspaceEndpoint } from '../../provisioning/schema/index.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB…one\n-----END CERTIFICATE-----\n';
const OTHER_PEM = '-----BEGIN CERTIFICATE-----\nMIIB…two\n-----END CERTIFICATE-----\n';

let dir: string;
let caFile: string;
let savedCache: string | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'devdb-reach-'));
  caFile = path.join(dir, 'tls', 'ca.crt');
  await mkdir(path.dirname(caFile));
  await writeFile(caFile, PEM);
  savedCache = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = path.join(dir, 'cache');
});

afterAll(async () => {
  if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCache;
  await rm(dir, { recursive: true, force: true });
});

const tlsUrl = () =>
  `postgresql://devdb_provisioner:p%40ss%2Fword@db.example.com:6543/devdb?sslmode=verify-full&sslrootcert=${caFile}`;

describe('libpq environment (pg_dump, pg_restore, psql)', () => {
  it('carries host, port, role, password, database, sslmode and the CA file', () => {
    const env = serverAccess(tlsUrl()).libpqEnv('dev_alice', {
      base: { PATH: '/bin', PGSSLROOTCERT: '/elsewhere.crt', PGSERVICE: 'x', HOME: '/h' },
      applicationName: 'devdb-backup',
    });
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/h',
      PGHOST: 'db.example.com',
      PGPORT: '6543',
      PGUSER: 'devdb_provisioner',
      PGPASSWORD: 'p@ss/word',
      PGDATABASE: 'dev_alice',
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: caFile,
      PGAPPNAME: 'devdb-backup',
    });
  });

  it('passes the other libpq parameters of the URL, and brackets off an IPv6 host', () => {
    const env = serverAccess(
      'postgresql://u:pw@[::1]:5432/devdb?sslmode=require&connect_timeout=7&sslcert=/c.crt&sslkey=/c.key',
    ).libpqEnv('devdb', { base: {} });
    expect(env).toMatchObject({
      PGHOST: '::1',
      PGSSLMODE: 'require',
      PGCONNECT_TIMEOUT: '7',
      PGSSLCERT: '/c.crt',
      PGSSLKEY: '/c.key',
    });
    expect(env.PGSSLROOTCERT).toBeUndefined();
  });

  it('without TLS in the URL sets no ssl variable (libpq keeps its default)', () => {
    const env = serverAccess('postgresql://u:pw@127.0.0.1:5432/devdb').libpqEnv('x', { base: {} });
    expect(Object.keys(env).sort()).toEqual([
      'PGDATABASE',
      'PGHOST',
      'PGPASSWORD',
      'PGPORT',
      'PGUSER',
    ]);
  });
});

describe('node-postgres settings', () => {
  it('verify-full with the CA read from the file; no TLS parameter left in the URL', () => {
    const config = serverAccess(tlsUrl()).pgConfig('dev_bob');
    expect(config.ssl).toEqual({ ca: PEM });
    const url = new URL(config.connectionString!);
    expect(url.pathname).toBe('/dev_bob');
    expect([...url.searchParams.keys()]).toEqual([]);
  });

  it("maps libpq's sslmodes as libpq would", () => {
    const ssl = (query: string) => serverAccess(`postgresql://u@h/d${query}`).pgConfig().ssl;
    expect(ssl('')).toBe(false);
    expect(ssl('?sslmode=disable')).toBe(false);
    expect(ssl('?sslmode=require')).toEqual({ rejectUnauthorized: false });
    expect(ssl('?sslmode=verify-full')).toEqual({});
    const verifyCa = ssl(`?sslmode=verify-ca&sslrootcert=${caFile}`) as {
      ca: string;
      checkServerIdentity: () => undefined;
    };
    expect(verifyCa.ca).toBe(PEM);
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
    // A CA and no sslmode: verified fully, as workspaces are.
    expect(ssl(`?sslrootcert=${caFile}`)).toEqual({ ca: PEM });
    expect(() => ssl('?sslmode=sure')).toThrow(/sslmode=sure is not one of libpq's/);
  });

  it('names a bad URL without printing it (it holds a password)', () => {
    expect(() => serverAccess('postgresql://u:s3cret@h:notaport/d')).toThrow(
      /^the admin URL is not a valid postgresql:\/\/ URL$/,
    );
    expect(() => serverAccess(`postgresql://u:s3cret@h/d?sslrootcert=${dir}/none.crt`)).toThrow(
      /cannot read the file .*none\.crt that the admin URL's sslrootcert names \(ENOENT\)/,
    );
  });
});

describe("a CA known as PEM only (the pool's registry)", () => {
  it('is kept in a content-addressed 0600 file that the access URL names', async () => {
    const elsewhere = 'postgresql://u:pw@member:5432/devdb?sslrootcert=/not/on/this/machine.crt';
    const access = serverAccess(elsewhere, OTHER_PEM);
    expect(access.caCert).toBe(OTHER_PEM);
    expect(access.caFile).toMatch(/cache\/devdb\/ca\/[0-9a-f]{64}\.crt$/);
    expect(await readFile(access.caFile!, 'utf8')).toBe(OTHER_PEM);
    expect((await stat(access.caFile!)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(access.caFile!))).mode & 0o777).toBe(0o700);
    // Passed on as a string, the URL describes the server fully.
    const again = serverAccess(access.url);
    expect(again.caCert).toBe(OTHER_PEM);
    expect(again.libpqEnv('d', { base: {} })).toEqual(access.libpqEnv('d', { base: {} }));
    expect(again.sslmode).toBe('verify-full');
    // The same PEM, the same file.
    expect(serverAccess(elsewhere, OTHER_PEM).caFile).toBe(access.caFile);
  });

  it('goes to a private folder under the temp dir when the cache cannot be written', async () => {
    const notAFolder = path.join(dir, 'not-a-folder');
    await writeFile(notAFolder, '');
    process.env.XDG_CACHE_HOME = notAFolder;
    try {
      const file = serverAccess('postgresql://u@member/devdb', OTHER_PEM).caFile!;
      expect(file.startsWith(path.join(tmpdir(), 'devdb-ca-'))).toBe(true);
      expect(await readFile(file, 'utf8')).toBe(OTHER_PEM);
      expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
      await rm(path.dirname(file), { recursive: true, force: true });
    } finally {
      process.env.XDG_CACHE_HOME = path.join(dir, 'cache');
    }
  });

  it("keeps the URL's own file when it holds that CA", () => {
    expect(serverAccess(tlsUrl(), PEM).caFile).toBe(caFile);
  });
});

describe('URLs for the admin and endpoints for workspaces', () => {
  it("the admin's URL names a local file of the CA; the workspace's does not", () => {
    const access = serverAccess(tlsUrl());
    const workspaceUrl = 'postgresql://ws_1@db.example.com:6543/dev_a?sslmode=verify-full';
    expect(access.forAdmin(workspaceUrl, PEM)).toBe(`${workspaceUrl}&sslrootcert=${caFile}`);
    expect(access.forAdmin(workspaceUrl, OTHER_PEM)).toMatch(
      /sslrootcert=.*cache\/devdb\/ca\/[0-9a-f]{64}\.crt$/,
    );
    expect(access.forAdmin('postgresql://ws_1@h:1/dev_a', undefined)).toBe(
      'postgresql://ws_1@h:1/dev_a',
    );
  });

  it("workspaces get the admin URL's address and TLS, or the caller's", () => {
    expect(workspaceEndpoint(tlsUrl())).toEqual({
      host: 'db.example.com',
      port: 6543,
      sslmode: 'verify-full',
      caCert: PEM,
    });
    expect(workspaceEndpoint('postgresql://u:pw@h:5432/devdb', { host: 'pub', port: 1 })).toEqual({
      host: 'pub',
      port: 1,
      sslmode: undefined,
    });
    expect(workspaceEndpoint('postgresql://u:pw@h/devdb', { caCert: OTHER_PEM })).toMatchObject({
      sslmode: 'verify-full',
      caCert: OTHER_PEM,
    });
  });
});
