/**
 * A pool member that serves TLS with its own CA (a `devdb up` elsewhere:
 * docs/servers.md, "TLS"): the pool keeps its CA, DevDB's own connections
 * verify it, and workspaces placed there get verify-full with that CA, not the
 * central server's, and connect.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { addServer, attachPlaced, setServerState } from '../../provisioning/index.js';
import { CA_CERT_ENV } from '../../provisioning/contract/index.js';
import { tlsDir } from '../../server/embedded/tls.js';
import { runDevdb } from '../helpers/cli-io.js';
import { centralRouter, startTestDevDb, type TestDevDb } from '../helpers/devdb.js';
import { startUpInTempDir, type TempUp } from '../helpers/up-process.js';

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
