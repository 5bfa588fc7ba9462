/**
 * `devdb serve` over the server pool (server/serve/jobs/pool.ts, docs/servers.md):
 * registry jobs run once per server, a failure on one server does not stop the
 * others, and the servers job measures each server and lets go of placements
 * of databases a server no longer holds; the server_health job records each
 * server's health, a member down being a warning that names it. Two real
 * servers; no clock needed.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  addServer,
  attachPlaced,
  detachWorkspace,
  writeBackupSetting,
  BACKUP_SETTING_KEYS,
} from '../../provisioning/index.js';
import { listServers } from '../../provisioning/servers/index.js';
import { onEveryServer, serverHealthJob, serversJob } from '../../server/serve/jobs/pool.js';
import { createLogger } from '../../server/serve/log.js';
import type { Job, JobContext } from '../../server/serve/index.js';
import { centralRouter, startTestDevDb, type TestDevDb } from '../helpers/devdb.js';

let central: TestDevDb;
let member: TestDevDb;
let logText = '';

beforeAll(async () => {
  [central, member] = await Promise.all([startTestDevDb(), startTestDevDb()]);
  await writeBackupSetting(central.pool, BACKUP_SETTING_KEYS.dir, '/var/backups/devdb');
  await addServer(central.pool, { name: 'pg-2', adminUrl: member.provisionerUrl });
});

afterAll(async () => {
  await Promise.all([central?.stop(), member?.stop()]);
});

function context(): JobContext {
  const log = createLogger({ format: 'text', sink: { write: (t: string) => (logText += t) } });
  return {
    db: central.pool,
    adminUrl: central.provisionerUrl,
    env: {},
    tick: new Date(),
    now: () => new Date(),
    log: log.child('probe'),
    signal: new AbortController().signal,
    settings: new Map(),
  };
}

test('an added server gets the central backup settings it lacks', async () => {
  const { rows } = await member.pool.query<{ value: string }>(
    `SELECT value FROM provisioning.settings WHERE key = 'backup_dir'`,
  );
  expect(rows[0]?.value).toBe('/var/backups/devdb');
});

test('a registry job runs on every server; one failing does not stop the others', async () => {
  const seen: string[] = [];
  const probe: Job = {
    name: 'probe',
    defaultSchedule: 'off',
    async run(ctx) {
      const port = new URL(ctx.adminUrl).port;
      const { rows } = await ctx.db.query<{ port: string }>(
        `SELECT current_setting('port') AS port`,
      );
      seen.push(`${port}=${rows[0]!.port}`);
      if (port === String(central.endpoint.port)) throw new Error('central is unhappy');
    },
  };
  await expect(onEveryServer(probe).run(context())).rejects.toThrow(
    /failed on server\(s\) central/,
  );
  const ports = [central.endpoint.port, member.endpoint.port];
  expect(seen).toEqual(ports.map((p) => `${p}=${p}`));
  expect(logText).toMatch(/failed on server central: central is unhappy/);
});

test('the servers job measures each server and lets go of databases dropped there', async () => {
  const router = centralRouter(central);
  try {
    // Both hold none: one goes to each server.
    const first = await attachPlaced(router, {
      type: 'individual',
      owner: 'erin',
      workspaceId: 'ws-e',
    });
    const second = await attachPlaced(router, {
      type: 'individual',
      owner: 'finn',
      workspaceId: 'ws-f',
    });
    expect([first.port, second.port].sort()).toEqual(
      [central.endpoint.port, member.endpoint.port].sort(),
    );
    const onMember = first.port === member.endpoint.port ? first : second;
    await detachWorkspace(member.pool, {
      workspaceId: onMember === first ? 'ws-e' : 'ws-f',
      onLastDetach: 'drop',
      finalBackup: false,
    });
  } finally {
    await router.close();
  }
  await serversJob.run(context());
  const servers = await listServers(central.pool);
  expect(servers.map((s) => [s.name, s.databases])).toEqual([
    ['central', 1],
    ['pg-2', 0],
  ]);
  for (const server of servers) {
    expect(server.usedBytes).toBeGreaterThan(1_000_000);
    expect(server.measuredAt).toBeInstanceOf(Date);
  }
});

test('the server_health job records each probe; a member down is a warning naming it', async () => {
  await serverHealthJob.run(context());
  for (const server of await listServers(central.pool)) {
    expect(server).toMatchObject({ unreachableSince: null, lastError: null });
    expect(server.lastReachedAt).toBeInstanceOf(Date);
  }
  await member.cluster.halt();
  logText = '';
  await serverHealthJob.run(context());
  const [, pg2] = await listServers(central.pool);
  expect(pg2).toMatchObject({ name: 'pg-2', lastError: 'connection refused' });
  expect(pg2!.unreachableSince).toBeInstanceOf(Date);
  expect(logText).toContain(
    `server pg-2 (127.0.0.1:${member.endpoint.port}) unreachable: connection refused`,
  );
  // The hourly servers job measures what it reaches and fails naming the others.
  await expect(serversJob.run(context())).rejects.toThrow(/failed on server\(s\) pg-2/);
});
