/**
 * Failover that converges (issue 15): the provider's client under a stream of
 * attaches and detaches while the server restarts. Each operation either
 * succeeds (riding the restart out with back-off) or fails with the
 * diagnostic that says to re-run; a re-run converges, and the server then
 * holds no orphan role, database or registry row (`devdb doctor`'s checks).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachWorkspace, detachWorkspace, diagnose } from '../../../provisioning/index.js';
import { DEFAULT_RETRY, DevDbClient } from '../../../provider/devdb/client.js';
import { DiagnosticError } from '../../../provider/plugin/index.js';
import { startTestDevDb, type TestDevDb } from '../../helpers/devdb.js';

let devdb: TestDevDb;

beforeAll(async () => {
  devdb = await startTestDevDb();
});

afterAll(async () => {
  await devdb?.stop();
});

const WORKSPACES = Array.from({ length: 12 }, (_, i) => ({
  owner: `fo${i % 4}`,
  workspaceId: `failover-${i}`,
}));

async function cycle(client: DevDbClient, ws: (typeof WORKSPACES)[number]) {
  await client.use((pool) =>
    attachWorkspace(pool, client.endpoint, {
      type: 'individual',
      owner: ws.owner,
      workspaceId: ws.workspaceId,
      actor: 'test',
    }),
  );
  await client.use((pool) => detachWorkspace(pool, { workspaceId: ws.workspaceId }));
}

describe('a server restart under attaches and detaches', () => {
  it('rides it out or says so; a re-run converges with nothing left over', async () => {
    const client = new DevDbClient(devdb.provisionerUrl, devdb.endpoint, 'fail', {
      ...DEFAULT_RETRY,
      refusedMs: 20_000, // the restart's gap: a stable endpoint moving, here
    });
    try {
      const outcomes: string[] = [];
      const stream = Promise.all(
        WORKSPACES.map(async (ws) => {
          for (let round = 0; round < 3; round++) {
            try {
              await cycle(client, ws);
              outcomes.push('ok');
            } catch (error) {
              // Only DevDB's own diagnostics: never a raw driver error.
              expect(error).toBeInstanceOf(DiagnosticError);
              expect((error as DiagnosticError).message).toMatch(
                /Cannot reach the DevDB server|DevDB refused the operation/,
              );
              outcomes.push('diagnosed');
            }
          }
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await devdb.cluster.halt(); // a fast shutdown: sessions end with 57P01
      await devdb.cluster.resume();
      await stream;
      expect(outcomes).toHaveLength(WORKSPACES.length * 3);
      expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(0);

      // The re-run: every workspace attaches and detaches cleanly.
      for (const ws of WORKSPACES) await cycle(client, ws);
      const { rows } = await devdb.pool.query(
        `SELECT count(*)::int AS n FROM provisioning.attachments WHERE detached_at IS NULL`,
      );
      expect(rows[0].n).toBe(0);
      expect(await diagnose(devdb.pool)).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('a server that stays down: a short wait, then the diagnostic that says to re-run', async () => {
    const slept: number[] = [];
    const client = new DevDbClient(devdb.provisionerUrl, devdb.endpoint, 'fail', {
      ...DEFAULT_RETRY,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    await devdb.cluster.halt();
    try {
      const error = await client.use((pool) => pool.query('SELECT 1')).catch((e: Error) => e);
      expect(error).toBeInstanceOf(DiagnosticError);
      expect((error as DiagnosticError).message).toBe('Cannot reach the DevDB server');
      expect(JSON.stringify(error)).not.toContain(devdb.provisionerPassword);
      expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(DEFAULT_RETRY.refusedMs);
      expect(slept.length).toBeGreaterThan(0);
    } finally {
      await devdb.cluster.resume();
      await client.close();
    }
  });
});
