import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectsAs,
  databaseConfig,
  startHarness,
  tryConnect,
  vars,
  type Harness,
} from './harness.js';

// Two configurations (two working dirs = two Coder workspaces) attach to the same
// personal database; destroying one leaves the other working, destroying the last
// applies on_last_detach.

let h: Harness;

beforeAll(async () => {
  h = await startHarness('sharing');
});

afterAll(async () => {
  await h?.cleanup();
});

async function catalog(db: string) {
  const { rows: live } = await h.devdb.pool.query<{ datallowconn: boolean }>(
    'SELECT datallowconn FROM pg_database WHERE datname = $1',
    [db],
  );
  const { rows: archived } = await h.devdb.pool.query<{ datallowconn: boolean }>(
    'SELECT datallowconn FROM pg_database WHERE datname = $1',
    [`archived_${db}`],
  );
  const { rows: status } = await h.devdb.pool.query<{ status: string; pending: boolean }>(
    'SELECT status, drop_requested_at IS NOT NULL AS pending FROM provisioning.databases WHERE db_name = $1',
    [db],
  );
  return {
    live: live[0],
    archived: archived[0],
    status: status[0]?.status,
    dropPending: status[0]?.pending,
  };
}

describe.sequential('two workspaces share dev_{owner}', () => {
  const cases = [
    { policy: 'keep', owner: 'alice' },
    { policy: 'archive', owner: 'bob' },
    { policy: 'drop', owner: 'carol' },
  ] as const;

  for (const { policy, owner } of cases) {
    it(`destroying one keeps the other's credentials; the last honours on_last_detach = ${policy}`, async () => {
      const db = `dev_${owner}`;
      const workspaces = await Promise.all(
        ['a', 'b'].map(async (n) => {
          const args = vars({ owner, workspace_id: randomUUID(), on_last_detach: policy });
          return { args, w: await h.workdir(`${policy}-${n}`, databaseConfig()) };
        }),
      );
      for (const { w, args } of workspaces) {
        const apply = await w.tf(['apply', '-auto-approve', ...args]);
        expect(apply.code, apply.output).toBe(0);
        expect(w.attributes()?.name).toBe(db);
      }
      const [a, b] = workspaces as [(typeof workspaces)[0], (typeof workspaces)[0]];
      expect(a.w.attributes()!.user).not.toBe(b.w.attributes()!.user);
      const urlA = a.w.credentialsUrl();
      const urlB = b.w.credentialsUrl();
      expect(await connectsAs(urlA)).toBe(db);
      expect(await connectsAs(urlB)).toBe(db);

      const first = await a.w.tf(['destroy', '-auto-approve', ...a.args]);
      expect(first.code, first.output).toBe(0);
      expect((await tryConnect(urlA)).ok).toBe(false);
      expect(await connectsAs(urlB)).toBe(db);
      expect(await catalog(db)).toEqual({
        live: { datallowconn: true },
        archived: undefined,
        status: 'active',
        dropPending: false,
      });
      // B's next plan is still empty: the other workspace's detach is no drift.
      const plan = await b.w.tf(['plan', '-detailed-exitcode', ...b.args]);
      expect(plan.code, plan.output).toBe(0);

      const last = await b.w.tf(['destroy', '-auto-approve', ...b.args]);
      expect(last.code, last.output).toBe(0);
      expect((await tryConnect(urlB)).ok).toBe(false);
      // drop (final_backup defaults to true): archived now, dropped once DevDB's own
      // process has taken and verified a final backup (test/provisioning/final-backup.test.ts).
      const archived = { live: undefined, archived: { datallowconn: false }, status: 'archived' };
      const expected = {
        keep: {
          live: { datallowconn: true },
          archived: undefined,
          status: 'active',
          dropPending: false,
        },
        archive: { ...archived, dropPending: false },
        drop: { ...archived, dropPending: true },
      }[policy];
      expect(await catalog(db)).toEqual(expected);
      const { rows } = await h.devdb.pool.query(
        `SELECT rolname FROM pg_roles WHERE rolname LIKE $1`,
        [`ws\\_${owner}\\_%`],
      );
      expect(rows).toEqual([]);
    });
  }
});
