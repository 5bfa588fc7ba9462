// Holding the enrollment role's connections blocks nobody for long
// (docs/security.md, "Enrollment: no password in Terraform state"): 50 real
// sessions as devdb_enroll are opened and held (idle, in an open transaction,
// in a long statement); the 20 the role allows are cut off by its role-level
// timeouts (migration 020) within seconds, and an agent that starts while they
// are held waits with back-off, says why, and enrolls. How long a held session
// survives is measured and printed.
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  attachWorkspace,
  ENROLLMENT_ROLE,
  ENROLLMENT_ROLE_PASSWORD,
  type Attachment,
} from '../../provisioning/index.js';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';
import { runAgent, tempHome } from './agent.js';

const HOLDERS = 50;
/** devdb_enroll's CONNECTION LIMIT (migration 015). */
const ROLE_LIMIT = 20;
/** idle_session_timeout and idle_in_transaction_session_timeout of the role (migration 020). */
const IDLE_TIMEOUT_MS = 5000;
/** statement_timeout of the role (migration 020). */
const STATEMENT_TIMEOUT_MS = 10_000;

type Hold = 'idle' | 'in transaction' | 'statement';

interface Holder {
  hold: Hold;
  client: pg.Client;
  connectedAt: number;
  /** When the server ended the session. */
  ended: Promise<number>;
  /** The SQLSTATE the server ended it (or its statement) with. */
  codes: string[];
}

let devdb: TestDevDb;
let att: Attachment;
const homes: { cleanup: () => Promise<void> }[] = [];
const holders: Holder[] = [];

beforeAll(async () => {
  devdb = await startTestDevDb();
  att = await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner: 'flo',
    workspaceId: 'ws-flo-1',
    credentials: 'enrollment',
  });
});

afterAll(async () => {
  await Promise.allSettled(holders.map((h) => h.client.end()));
  await Promise.all(homes.map((h) => h.cleanup()));
  await devdb?.stop();
});

/** `devdb-agent start` in a fresh home with the attachment's token (40 s to enroll); printed. */
async function startEnrolling(attachment: Attachment, while_: string) {
  const home = await tempHome();
  homes.push(home);
  const env = { HOME: home.home, ...attachment.env };
  const run = await runAgent(
    ['start', '--timeout', '40'],
    { ...env, DEVDB_ENROLL_TOKEN: attachment.enrollmentToken! },
    60_000,
  );
  console.log(
    `agent start with ${while_}: exit ${run.code} after ${Math.round(run.ms)} ms\n${run.stderr}`,
  );
  return run;
}

/** One session as devdb_enroll; rejects when the role has no slot left. */
async function openSession(): Promise<Omit<Holder, 'hold'>> {
  const client = new pg.Client({
    connectionString: devdb.url(ENROLLMENT_ROLE, ENROLLMENT_ROLE_PASSWORD, 'devdb'),
  });
  const codes: string[] = [];
  client.on('error', (error: Error & { code?: string }) => codes.push(error.code ?? error.message));
  const ended = new Promise<number>((resolve) => client.on('end', () => resolve(Date.now())));
  await client.connect();
  return { client, connectedAt: Date.now(), ended, codes };
}

/** Holds an open session: idle, in an open transaction, or in a long statement. */
async function hold(session: Omit<Holder, 'hold'>, how: Hold): Promise<Holder> {
  if (how === 'in transaction') await session.client.query('BEGIN');
  if (how === 'statement') {
    session.client
      .query('SELECT pg_sleep(600)')
      .catch((error: Error & { code?: string }) => session.codes.push(error.code ?? error.message));
  }
  return { ...session, hold: how };
}

test('50 held devdb_enroll sessions are cut off within seconds; an agent starting meanwhile enrolls', async () => {
  const opened = await Promise.allSettled(Array.from({ length: HOLDERS }, openSession));
  const admitted = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const how = (i: number): Hold => (i < 3 ? 'statement' : i < 6 ? 'in transaction' : 'idle');
  holders.push(...(await Promise.all(admitted.map((session, i) => hold(session, how(i))))));
  const refused = opened.filter((o) => o.status === 'rejected');
  expect(holders.length).toBe(ROLE_LIMIT);
  for (const r of refused) {
    expect((r as PromiseRejectedResult).reason.code).toBe('53300'); // too_many_connections
  }

  const run = await startEnrolling(
    att,
    `${holders.length} of ${HOLDERS} devdb_enroll sessions held`,
  );
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toMatch(/has no free connection for devdb_enroll .* — retrying in/);
  expect(run.stderr).toContain(`enrolled a new password for ${att.user}`);
  expect(run.ms).toBeLessThan(IDLE_TIMEOUT_MS + 15_000);

  // Every held session ends by itself, each about when its timeout says.
  const survived = await Promise.all(
    holders.map(async (h) => ({
      hold: h.hold,
      ms: (await h.ended) - h.connectedAt,
      codes: h.codes,
    })),
  );
  const byHold = (hold: Hold) => survived.filter((s) => s.hold === hold);
  for (const hold of ['idle', 'in transaction', 'statement'] as Hold[]) {
    const ms = byHold(hold).map((s) => s.ms);
    console.log(
      `held ${hold}: ${ms.length} sessions survived ${Math.min(...ms)}–${Math.max(...ms)} ms (${[...new Set(byHold(hold).flatMap((s) => s.codes))].join(', ')})`,
    );
  }
  for (const s of byHold('idle')) {
    expect(s.ms).toBeLessThan(IDLE_TIMEOUT_MS + 3000);
    expect(s.codes).toContain('57P05'); // idle_session_timeout
  }
  for (const s of byHold('in transaction')) {
    expect(s.ms).toBeLessThan(IDLE_TIMEOUT_MS + 3000);
    expect(s.codes).toContain('25P03'); // idle_in_transaction_session_timeout
  }
  for (const s of byHold('statement')) {
    // The statement is cancelled, then the idle session ends.
    expect(s.codes).toContain('57014'); // statement_timeout
    expect(s.ms).toBeLessThan(STATEMENT_TIMEOUT_MS + IDLE_TIMEOUT_MS + 3000);
  }
}, 90_000);

test('an enroll() cut short by the statement timeout (a lock held past it) is retried and gets through', async () => {
  const second = await attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner: 'flo2',
    workspaceId: 'ws-flo2-1',
    credentials: 'enrollment',
  });
  // What a long attach of the same member would hold: enroll() waits on it.
  const holder = await devdb.pool.connect();
  const releaseAfterMs = STATEMENT_TIMEOUT_MS + 2000;
  let released: Promise<void> = Promise.resolve();
  try {
    await holder.query('BEGIN');
    await holder.query(`SELECT provisioning._lock_member($1, $2)`, [second.name, 'flo2']);
    released = new Promise((resolve) => setTimeout(resolve, releaseAfterMs)).then(async () => {
      await holder.query('COMMIT');
    });
    const run = await startEnrolling(second, `the member lock held ${releaseAfterMs} ms`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(
        `enrolling ${second.user} was cut short \\(canceling statement due to statement timeout\\) — retrying in 1s`,
      ),
    );
    expect(run.stderr).toContain(`enrolled a new password for ${second.user}`);
    expect(run.ms).toBeGreaterThan(releaseAfterMs - 500);
  } finally {
    await released.catch(() => undefined);
    holder.release();
  }
}, 90_000);
