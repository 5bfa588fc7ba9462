import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectsAs,
  databaseConfig,
  providerPids,
  startHarness,
  vars,
  waitFor,
  type Harness,
} from './harness.js';

// Separate terraform processes at once on one new database (docs/security.md T10,
// #2), and a plugin killed in the middle of a create (#10).

let h: Harness;

beforeAll(async () => {
  h = await startHarness('concurrency');
});

afterAll(async () => {
  await h?.cleanup();
});

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await h.devdb.pool.query<{ n: number }>(sql, params);
  return rows[0]!.n;
}

/** Login roles without a live attachment: what a crash must never leave behind. */
const orphanRoles = () =>
  count(
    `SELECT count(*)::int AS n FROM pg_roles r
      WHERE r.rolname LIKE 'ws\\_%'
        AND NOT EXISTS (SELECT FROM provisioning.attachments a
                         WHERE a.login_role = r.rolname AND a.detached_at IS NULL)`,
  );

describe('concurrency', () => {
  it('10 terraform apply at once for one new team: all succeed, one database, 10 credentials', async () => {
    const N = 10;
    const dirs = await Promise.all(
      Array.from({ length: N }, async (_, i) => ({
        w: await h.workdir(`storm-${i}`, databaseConfig()),
        args: vars({
          type: 'team',
          team: 'storm',
          owner: `user${i}`,
          workspace_id: randomUUID(),
        }),
      })),
    );
    const started = performance.now();
    const results = await Promise.all(
      dirs.map(({ w, args }) => w.tf(['apply', '-auto-approve', ...args], { timeoutMs: 100_000 })),
    );
    const wall = Math.round(performance.now() - started);
    for (const result of results) {
      expect(result.code, result.output).toBe(0);
      expect(result.output).not.toMatch(/tuple concurrently updated|deadlock|Error:/);
    }
    console.info(`10 concurrent terraform apply: ${wall} ms wall`);
    expect(
      await count(`SELECT count(*)::int AS n FROM pg_database WHERE datname = 'team_storm'`),
    ).toBe(1);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM provisioning.databases WHERE db_name = 'team_storm'`,
      ),
    ).toBe(1);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM provisioning.attachments
          WHERE db_name = 'team_storm' AND detached_at IS NULL`,
      ),
    ).toBe(N);
    const users = new Set(dirs.map(({ w }) => w.attributes()!.user));
    expect(users.size).toBe(N);
    const sessions = await Promise.all(dirs.map(({ w }) => connectsAs(w.credentialsUrl())));
    expect(sessions).toEqual(Array(N).fill('team_storm'));
    expect(await orphanRoles()).toBe(0);
  });

  it('a plugin SIGKILLed in the middle of a create: apply again converges, nothing orphaned', async () => {
    const ws = randomUUID();
    const args = vars({ owner: 'erin', workspace_id: ws });
    const w = await h.workdir('killed', databaseConfig());
    // Advisory locks belong to a database: hold the one attach takes, in `devdb`.
    const holder: pg.Client = await h.devdb.superuser('devdb');
    await holder.query(`SELECT pg_advisory_lock(1684371044, hashtext('dev_erin'))`);
    let killed: number[] = [];
    const waiting = () =>
      count(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = 'terraform-provider-devdb'
            AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
      );
    const crashed = await w.tf(['apply', '-auto-approve', ...args], {
      onStart: (child) => {
        void waitFor(async () => (await waiting()) > 0, 'the create to wait on the lock')
          .then(() => {
            killed = providerPids(child.pid!);
            for (const pid of killed) {
              try {
                process.kill(pid, 'SIGKILL');
              } catch {
                // Exited meanwhile.
              }
            }
          })
          .catch((error: unknown) => console.error(error));
      },
    });
    // Usually one; under load an earlier instance of this apply may still be exiting.
    expect(killed.length, crashed.output).toBeGreaterThanOrEqual(1);
    expect(crashed.code, crashed.output).toBe(1);
    expect(crashed.output).toMatch(/Creating\.\.\./);
    // How terraform words the plugin's death depends on when it notices the socket close.
    expect(crashed.output).toMatch(/Error: (Plugin did not respond|Request cancelled)/);
    // The killed plugin's server session goes on once the lock is free; let it finish.
    await holder.query(`SELECT pg_advisory_unlock(1684371044, hashtext('dev_erin'))`);
    await waitFor(async () => (await waiting()) === 0, 'the orphaned attach to finish');
    await waitFor(
      async () =>
        (await count(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE application_name = 'terraform-provider-devdb' AND state = 'active'`,
        )) === 0,
      'the orphaned session to end',
    );

    // That session committed the attach its plugin never heard of: a live attachment
    // and a login role whose password nobody knows, which the next apply adopts.
    const liveBefore = await count(
      `SELECT count(*)::int AS n FROM provisioning.attachments
        WHERE workspace_id = $1 AND detached_at IS NULL`,
      [ws],
    );
    expect(liveBefore).toBe(1);
    expect(await orphanRoles()).toBe(0);
    expect(w.attributes()).toBeUndefined();

    const apply = await w.tf(['apply', '-auto-approve', ...args]);
    expect(apply.code, apply.output).toBe(0);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM provisioning.attachments
          WHERE workspace_id = $1 AND detached_at IS NULL`,
        [ws],
      ),
    ).toBe(1);
    expect(await orphanRoles()).toBe(0);
    expect(await connectsAs(w.credentialsUrl())).toBe('dev_erin');
    const plan = await w.tf(['plan', '-detailed-exitcode', ...args]);
    expect(plan.code, plan.output).toBe(0);
  });
});
