/**
 * A pool member that serves TLS with its own CA (a `devdb up` elsewhere:
 * docs/servers.md, "TLS"): the pool keeps its CA, DevDB's own connections
 * verify it, and workspaces placed there get verify-full with that CA, not the
 * central server's, and connect. A member whose CA the pool knows only as PEM
 * text is backed up and verified with it: pg_dump and pg_restore read it from a
 * file DevDB writes (docs/security.md, "TLS for database connections").
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { addServer, attachPlaced, setServerState } from '../../provisioning/index.js';
import { CA_CERT_ENV } from '../../provisioning/contract/index.js';
import { tlsDir } from '../../server/embedded/tls.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';
import { CLI, startUpInTempDir, type TempUp } from '../helpers/up-process.js';

// The member runs the server the installed pg_dump can dump (DEVDB_PG_BIN_DIR,
// which `devdb up` inherits); set before the cluster helper loads, as it reads it once.
await selectBackupTestServer();
const { centralRouter, startTestDevDb } = await import('../helpers/devdb.js');
const { runDevdb } = await import('../helpers/cli-io.js');

let central: TestDevDb;
let member: TempUp;
let memberCa: string;

beforeAll(async () => {
  [central, member] = await Promise.all([startTestDevDb(), startUpInTempDir('devdb-pool-tls-')]);
  memberCa = await readFile(path.join(tlsDir(member.dataDir), 'ca.crt'), 'utf8');
});

afterAll(async () => {
  await Promise.all([central?.stop(), member?.stop()]);
});

test("a TLS member's workspaces verify it with its own CA", async () => {
  const { stdout } = await runDevdb(['admin-url', '--data-dir', member.dataDir]);
  const memberUrl = stdout.trim();
  expect(memberUrl).toContain('sslmode=verify-full');
  const added = await addServer(central.pool, { name: 'pg-tls', adminUrl: memberUrl });
  expect(added.caCert).toBe(memberCa);
  await setServerState(central.pool, 'central', 'paused'); // everything new goes to pg-tls
  const router = centralRouter(central);
  try {
    const attachment = await attachPlaced(router, {
      type: 'individual',
      owner: 'tess',
      workspaceId: 'ws-tess',
    });
    expect(attachment.port).toBe(member.port);
    expect(attachment.url).toContain('sslmode=verify-full');
    expect(attachment.env[CA_CERT_ENV]).toBe(memberCa);
    const client = new pg.Client({
      host: '127.0.0.1',
      port: attachment.port,
      user: attachment.user,
      password: attachment.password,
      database: attachment.name,
      ssl: { ca: attachment.caCert },
    });
    // With `ssl`, pg refuses a server without TLS or a certificate its CA did not sign.
    await client.connect();
    const { rows } = await client.query<{ u: string }>('SELECT session_user AS u');
    await client.end();
    expect(rows[0]!.u).toBe(attachment.user);
  } finally {
    await router.close();
    await setServerState(central.pool, 'central', 'active');
  }
});

test('a member whose CA the pool knows only as PEM: pg_dump and pg_restore verify it with it', async () => {
  // As `devdb servers add pg-tls --server-url 'postgresql://…?sslmode=verify-full'
  // --ca-cert ca.crt` leaves the registry, or as it reads on a machine where the
  // file its URL names is not: the URL names no CA file, the registry holds the PEM.
  const url = new URL((await runDevdb(['admin-url', '--data-dir', member.dataDir])).stdout.trim());
  url.searchParams.delete('sslrootcert');
  await central.pool.query(`UPDATE provisioning.servers SET admin_url = $1 WHERE name = 'pg-tls'`, [
    url.toString(),
  ]);
  const home = await mkdtemp(path.join(tmpdir(), 'devdb-pool-tls-home-'));
  try {
    // The built devdb, HOME empty: no ~/.postgresql/root.crt, nothing cached yet.
    const devdb = (args: string[]) =>
      promisify(execFile)('node', [CLI, ...args, '--admin-url', central.provisionerUrl], {
        env: { ...process.env, HOME: home, XDG_CACHE_HOME: '' },
      });
    const dir = path.join(home, 'backups');
    const backup = await devdb(['backup', 'dev_tess', '--dir', dir, '--json']);
    const [taken] = JSON.parse(backup.stdout) as { id: number; status: string }[];
    expect(taken).toMatchObject({ status: 'ok' });
    const verify = await devdb(['backup', 'verify', '--latest', 'dev_tess', '--json']);
    expect(JSON.parse(verify.stdout)).toMatchObject([{ ok: true, error: null }]);

    // The PEM went to a content-addressed file of the admin's, private to them.
    const cache = path.join(home, '.cache', 'devdb', 'ca');
    const [file] = await readdir(cache);
    expect(file).toMatch(/^[0-9a-f]{64}\.crt$/);
    expect(await readFile(path.join(cache, file!), 'utf8')).toBe(memberCa);
    expect((await stat(path.join(cache, file!))).mode & 0o777).toBe(0o600);
    expect((await stat(cache)).mode & 0o777).toBe(0o700);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
