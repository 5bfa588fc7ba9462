/**
 * Backups through the API, on a server whose pg_dump is installed (Debian's
 * PostgreSQL 15, see test/helpers/backup-server.ts): run, list, verify,
 * restore into a new database and in place; each an event by api:<name>.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachWorkspace } from '../../../provisioning/index.js';
import { selectBackupTestServer } from '../../helpers/backup-server.js';
import type { ApiHarness } from './harness.js';

// Before the cluster helper loads: it reads the server binaries' location once.
await selectBackupTestServer();
const { startApiHarness } = await import('./harness.js');

describe('backups through the API', () => {
  let api: ApiHarness;
  let dir: string;
  let url: string;
  const admin = () => ({ token: api.tokens.admin });

  async function rows(): Promise<number> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return Number((await client.query('SELECT count(*) AS n FROM notes')).rows[0].n);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    api = await startApiHarness();
    dir = await mkdtemp(path.join(tmpdir(), 'devdb-api-backups-'));
    const grace = await attachWorkspace(api.devdb.pool, api.devdb.endpoint, {
      type: 'individual',
      owner: 'grace',
      workspaceId: 'ws-grace',
    });
    url = api.devdb.url(grace.user, grace.password, 'dev_grace');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE notes AS SELECT g AS id FROM generate_series(1, 500) g');
    await client.end();
  });

  afterAll(async () => {
    await api?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses to back up until a backup directory is set, then backs up, lists, verifies and restores', async () => {
    const missing = await api.call('POST', '/api/v1/databases/dev_grace/backups', admin());
    expect(missing.status).toBe(409);
    expect(missing.json.error.message).toMatch(/backup_dir/);
    await api.call('PATCH', '/api/v1/settings', { ...admin(), body: { backup_dir: dir } });

    const taken = await api.call('POST', '/api/v1/databases/dev_grace/backups', admin());
    expect(taken.status).toBe(201);
    expect(taken.json).toMatchObject({
      database: 'dev_grace',
      kind: 'manual',
      status: 'ok',
      encrypted: false,
    });
    expect(taken.json.rowCounts).toEqual({ 'public.notes': 500 });
    const id = taken.json.id as number;

    const list = await api.call('GET', '/api/v1/backups?database=dev_grace', {
      token: api.tokens.viewer,
    });
    expect(list.json).toMatchObject({ total: 1, items: [{ id }] });
    expect((await api.call('GET', `/api/v1/backups/${id}`, admin())).json.id).toBe(id);
    expect((await api.call('GET', '/api/v1/backups/9999', admin())).status).toBe(404);
    expect((await api.call('GET', '/api/v1/backups?status=failed', admin())).json.total).toBe(0);

    const verified = await api.call('POST', `/api/v1/backups/${id}/verify`, admin());
    expect(verified.json).toMatchObject({ id, ok: true, error: null, tables: 1 });
    expect(
      (await api.call('GET', `/api/v1/backups/${id}`, admin())).json.verifiedAt,
    ).not.toBeNull();

    const copy = await api.call('POST', `/api/v1/backups/${id}/restore`, {
      ...admin(),
      body: { mode: 'new', as: 'dev_grace-copy' },
    });
    expect(copy.status, copy.text).toBe(400);
    const copied = await api.call('POST', `/api/v1/backups/${id}/restore`, {
      ...admin(),
      body: { mode: 'new', as: 'team_gracecopy' },
    });
    expect(copied.json).toEqual({ id, server: 'central', database: 'team_gracecopy', tables: 1 });
    const exists = await api.call('POST', `/api/v1/backups/${id}/restore`, {
      ...admin(),
      body: { mode: 'new' },
    });
    expect(exists.status).toBe(409);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('DELETE FROM notes WHERE id > 100');
    await client.end();
    expect(await rows()).toBe(100);
    const inPlace = await api.call('POST', `/api/v1/backups/${id}/restore`, {
      ...admin(),
      body: { mode: 'in-place' },
    });
    expect(inPlace.status, inPlace.text).toBe(200);
    expect(inPlace.json).toMatchObject({ id, database: 'dev_grace', tables: 1 });
    expect(inPlace.json.preRestoreBackupId).toBeGreaterThan(id);
    expect(await rows()).toBe(500);

    const viewer = await api.call('POST', `/api/v1/backups/${id}/verify`, {
      token: api.tokens.viewer,
    });
    expect(viewer.status).toBe(403);

    const events = await api.call('GET', '/api/v1/events?limit=1000', admin());
    const mine = events.json.items
      .filter((e: { actor: string }) => e.actor === 'api:admin')
      .map((e: { action: string }) => e.action);
    for (const action of [
      'backup.run',
      'backup.run.failed',
      'backup.verify',
      'database.restore_backup',
      'settings.update',
    ]) {
      expect(mine, action).toContain(action);
    }
  });
});
