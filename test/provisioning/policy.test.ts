/**
 * The 30/60/90 policy (docs/operations.md, "The policy") on a real PostgreSQL:
 * states computed by policy_states() by the server's clock, settings,
 * protection, and evaluatePolicy recording each change as an event and
 * POSTing it to a real local webhook, retried after a failure, each change
 * once however many evaluations run at the same time. No sleeping: time moves
 * on the server (devdb.clock), never in the client.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ensureIndividualDatabase,
  ensureTeamDatabase,
  evaluatePolicy,
  listEvents,
  policyStates,
  POLICY_SETTING_KEYS,
  protectDatabase,
  readPolicySettings,
  retireDatabase,
  restoreDatabase,
  unprotectDatabase,
  writePolicySettings,
  type PolicyStateRow,
} from '../../provisioning/index.js';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';
import { startWebhookServer, type WebhookServer } from '../helpers/webhook-server.js';

let devdb: TestDevDb;
let webhook: WebhookServer;
/** Just after the databases were created: day 0 of the test's clock. */
let t0: number;
const day = (n: number) => new Date(t0 + n * 86_400_000);

beforeAll(async () => {
  devdb = await startTestDevDb();
  webhook = await startWebhookServer();
  await ensureIndividualDatabase(devdb.pool, { owner: 'alice' });
  await ensureIndividualDatabase(devdb.pool, { owner: 'bob' });
  await ensureTeamDatabase(devdb.pool, { team: 'keep' });
  t0 = (await devdb.clock.now()).getTime() + 1000;
});

afterAll(async () => {
  await webhook?.close();
  await devdb?.stop();
});

/** The state of `database` with the server's clock at `now`. */
const stateOf = async (database: string, now: Date): Promise<PolicyStateRow> => {
  await devdb.clock.set(now);
  const [row] = await policyStates(devdb.pool, { database });
  return row!;
};

describe('states', () => {
  test('follow the clock from the creation: active, idle at 30, stale at 60, eligible at 90', async () => {
    const states = [];
    for (const n of [0, 29, 30, 59, 60, 89, 90, 400])
      states.push((await stateOf('dev_alice', day(n))).state);
    expect(states).toEqual([
      'active',
      'active',
      'idle',
      'idle',
      'stale',
      'stale',
      'eligible',
      'eligible',
    ]);
    const row = await stateOf('dev_alice', day(45));
    expect(row).toMatchObject({
      status: 'active',
      idleDays: 45,
      protected: false,
      liveAttachments: 0,
    });
  });

  test('an access starts the clock again', async () => {
    await devdb.pool.query(
      `UPDATE provisioning.databases SET last_accessed = $1 WHERE db_name = 'dev_bob'`,
      [day(50)],
    );
    try {
      expect((await stateOf('dev_bob', day(60))).state).toBe('active');
      expect((await stateOf('dev_bob', day(80))).state).toBe('idle');
      expect((await stateOf('dev_bob', day(140))).state).toBe('eligible');
    } finally {
      await devdb.pool.query(
        `UPDATE provisioning.databases SET last_accessed = NULL WHERE db_name = 'dev_bob'`,
      );
    }
  });

  test('thresholds come from the settings, checked when written', async () => {
    expect(await readPolicySettings(devdb.pool)).toEqual({
      idleDays: 30,
      staleDays: 60,
      eligibleDays: 90,
      archiveRetentionDays: 30,
      webhookUrl: null,
      autoAction: 'notify',
    });
    await writePolicySettings(devdb.pool, { idleDays: 7, staleDays: 14, eligibleDays: 21 });
    try {
      expect((await stateOf('dev_alice', day(15))).state).toBe('stale');
      const keys = await devdb.pool.query<{ key: string }>(
        `SELECT key FROM provisioning.settings WHERE key LIKE 'policy%' ORDER BY key`,
      );
      expect(keys.rows.map((r) => r.key)).toEqual([
        POLICY_SETTING_KEYS.eligibleDays,
        POLICY_SETTING_KEYS.idleDays,
        POLICY_SETTING_KEYS.staleDays,
      ]);
      // Each threshold after the one before, whole days: refused, nothing written.
      await expect(writePolicySettings(devdb.pool, { staleDays: 30 })).rejects.toThrow(
        /idle 7, stale 30, eligible 21 days; each must be more days than the one before/,
      );
      await expect(writePolicySettings(devdb.pool, { idleDays: 0 })).rejects.toThrow(
        /invalid policy_idle_days 0: must be a whole number of days from 1 to 3650/,
      );
      await expect(
        writePolicySettings(devdb.pool, { webhookUrl: 'ftp://example.com/x' }),
      ).rejects.toThrow(/invalid policy_webhook_url: must be an http:\/\/ or https:\/\/ URL/);
      expect((await readPolicySettings(devdb.pool)).staleDays).toBe(14);
      // Back to a default: null, and the order is checked against the default.
      await expect(writePolicySettings(devdb.pool, { staleDays: null })).rejects.toThrow(
        /stale 60, eligible 21/,
      );
    } finally {
      await writePolicySettings(devdb.pool, {
        idleDays: null,
        staleDays: null,
        eligibleDays: null,
      });
    }
    expect((await readPolicySettings(devdb.pool)).eligibleDays).toBe(90);
  });
});

describe('protection', () => {
  test('shows as protected, with where the clock would put it; ends at its date or when removed', async () => {
    await protectDatabase(devdb.pool, {
      database: 'team_keep',
      until: day(200),
      reason: 'quarterly reports',
      actor: 'test',
    });
    expect(await stateOf('team_keep', day(100))).toMatchObject({
      state: 'protected',
      timeState: 'eligible',
      protected: true,
      protectReason: 'quarterly reports',
      protectedUntil: day(200),
    });
    expect((await stateOf('team_keep', day(200))).state).toBe('eligible');
    // For good, then removed.
    await protectDatabase(devdb.pool, { database: 'team_keep', actor: 'test' });
    expect((await stateOf('team_keep', day(5000))).state).toBe('protected');
    expect(await unprotectDatabase(devdb.pool, { database: 'team_keep', actor: 'test' })).toBe(
      true,
    );
    expect(await unprotectDatabase(devdb.pool, { database: 'team_keep', actor: 'test' })).toBe(
      false,
    );
    expect((await stateOf('team_keep', day(100))).state).toBe('eligible');
    const events = await listEvents(devdb.pool, { database: 'team_keep', limit: 3 });
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ['database.unprotect', 'test'],
      ['database.protect', 'test'],
      ['database.protect', 'test'],
    ]);
  });

  test('refuses unknown databases and dates already past', async () => {
    await expect(protectDatabase(devdb.pool, { database: 'dev_nobody' })).rejects.toThrow(
      /no DevDB database named 'dev_nobody'/,
    );
    await expect(unprotectDatabase(devdb.pool, { database: 'dev_nobody' })).rejects.toThrow(
      /no DevDB database named 'dev_nobody'/,
    );
    await expect(
      protectDatabase(devdb.pool, { database: 'dev_alice', until: new Date(Date.now() - 1000) }),
    ).rejects.toThrow(/would already be over/);
  });
});

describe('evaluation and the webhook', () => {
  test('each state change is an event and one POST, a failed POST is retried at the next evaluation', async () => {
    await writePolicySettings(devdb.pool, { webhookUrl: webhook.url });
    await protectDatabase(devdb.pool, { database: 'team_keep', actor: 'test' });
    const evaluate = async (n: number) => {
      await devdb.clock.set(day(n));
      return evaluatePolicy(devdb.pool, { log: (line) => logged.push(line) });
    };
    const logged: string[] = [];
    const posted = (database: string) =>
      webhook.received.filter((m) => m.database === database).map((m) => `${m.from}→${m.to}`);

    // Day 1: only team_keep changed (protected).
    const first = await evaluate(1);
    expect(first.changes).toEqual([{ database: 'team_keep', from: 'active', to: 'protected' }]);
    expect(await evaluate(2)).toMatchObject({ changes: [], notified: [], failed: [] });

    // Day 31: idle. The webhook fails: recorded all the same, pending.
    webhook.failNext(2);
    const idle = await evaluate(31);
    expect(idle.changes.map((c) => [c.database, c.to])).toEqual([
      ['dev_alice', 'idle'],
      ['dev_bob', 'idle'],
    ]);
    expect(idle.failed.map((f) => f.database)).toEqual(['dev_alice', 'dev_bob']);
    expect(logged.join('\n')).toMatch(
      /notifying dev_alice → idle failed: webhook at 127\.0\.0\.1:\d+ answered 500/,
    );
    expect(logged.join('\n')).not.toContain('secret-token');

    // Day 32: nothing changed, the pending ones are delivered.
    const retry = await evaluate(32);
    expect(retry.changes).toEqual([]);
    expect(retry.notified.map((n) => `${n.database}:${n.to}`)).toEqual([
      'dev_alice:idle',
      'dev_bob:idle',
    ]);

    await evaluate(61);
    await evaluate(91);
    expect(posted('dev_alice')).toEqual(['active→idle', 'idle→stale', 'stale→eligible']);
    expect(posted('team_keep')).toEqual(['active→protected']);

    // Archived, then restored: both are changes too.
    await retireDatabase(devdb.pool, { database: 'dev_alice', policy: 'archive', actor: 'test' });
    await evaluate(92);
    await restoreDatabase(devdb.pool, 'dev_alice', { actor: 'test' });
    // The restore happened on day 92 of the test's clock.
    await devdb.pool.query(
      `UPDATE provisioning.databases SET metadata = metadata || jsonb_build_object('restored_at', $1::timestamptz)
        WHERE db_name = 'dev_alice'`,
      [day(92)],
    );
    await evaluate(93);
    expect(posted('dev_alice').slice(3)).toEqual(['eligible→archived', 'archived→active']);

    const message = webhook.received.find((m) => m.database === 'dev_alice' && m.to === 'stale')!;
    expect(message).toMatchObject({
      event: 'policy.state',
      from: 'idle',
      to: 'stale',
      at: day(61).toISOString(),
      idleDays: 61,
      protected: false,
      contentType: 'application/json',
    });
    expect(message.text).toBe(
      'DevDB: dev_alice is stale (no access for 61 days): review it. Cleanup may archive it from 90 days; `devdb protect dev_alice` keeps it.',
    );

    // Every change is an event (the failed deliveries' included), with from, to and at.
    const events = await listEvents(devdb.pool, { database: 'dev_alice' });
    const changes = events.filter((e) => e.action === 'policy.state').reverse();
    expect(changes.map((e) => [e.detail.from, e.detail.to])).toEqual([
      ['active', 'idle'],
      ['idle', 'stale'],
      ['stale', 'eligible'],
      ['eligible', 'archived'],
      ['archived', 'active'],
    ]);
    expect(changes[0]!.actor).toBe('policy');
    expect(new Date(changes[0]!.detail.at as string)).toEqual(day(31));
  });

  test('evaluations running at the same time (several processes) notify each change once', async () => {
    await ensureIndividualDatabase(devdb.pool, { owner: 'carl' });
    await ensureIndividualDatabase(devdb.pool, { owner: 'dora' });
    const pools = Array.from(
      { length: 4 },
      () => new pg.Pool({ connectionString: devdb.provisionerUrl, max: 2 }),
    );
    webhook.answerAfter(300); // slow deliveries: they overlap
    try {
      const before = webhook.received.length;
      await devdb.clock.set(new Date((await devdb.clock.now()).getTime() + 400 * 86_400_000));
      const evaluations = await Promise.all(pools.map((pool) => evaluatePolicy(pool)));
      const sent = webhook.received.slice(before).map((m) => `${m.database}:${m.to}`);
      expect(
        sent.filter((m) => m.startsWith('dev_carl') || m.startsWith('dev_dora')).sort(),
      ).toEqual(['dev_carl:eligible', 'dev_dora:eligible']);
      expect(new Set(sent).size).toBe(sent.length);
      expect(evaluations.flatMap((e) => e.notified).length).toBe(sent.length);
      expect(evaluations.flatMap((e) => e.failed)).toEqual([]);
    } finally {
      webhook.answerAfter(0);
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  test('a webhook that does not answer in time is a failure, not a hang', async () => {
    const silent = await import('node:net').then(
      ({ createServer }) =>
        new Promise<{ port: number; close: () => void }>((resolve) => {
          const sockets: import('node:net').Socket[] = [];
          const server = createServer((socket) => sockets.push(socket));
          server.listen(0, '127.0.0.1', () =>
            resolve({
              port: (server.address() as import('node:net').AddressInfo).port,
              close: () => {
                sockets.forEach((s) => s.destroy());
                server.close();
              },
            }),
          );
        }),
    );
    try {
      const { postWebhook } = await import('../../provisioning/index.js');
      const change = {
        database: 'dev_alice',
        from: 'active' as const,
        to: 'idle' as const,
        at: day(31),
        detail: null,
        settings: await readPolicySettings(devdb.pool),
      };
      await expect(
        postWebhook(`http://127.0.0.1:${silent.port}/secret`, change, { timeoutMs: 200 }),
      ).rejects.toThrow(/^webhook at 127\.0\.0\.1:\d+ unreachable: no answer in time$/);
    } finally {
      silent.close();
    }
  });
});
