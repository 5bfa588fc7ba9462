/**
 * Waiting for DevDB at workspace start: the server may still be booting, or
 * the network not yet up. Back-off 1, 2, 4, 8, 10, 10 … s, one log line per
 * attempt, until the deadline; then a failure that says what to check. A
 * server that answers but has no free connection for the role (all of
 * devdb_enroll's 20 taken, say) is waited out the same way, and said so.
 */
import type pg from 'pg';
import { ENROLLMENT_ROLE } from '../../provisioning/contract/index.js';
import type { Config } from '../config.js';
import { AgentError, EXIT } from '../errors.js';
import { log } from '../log.js';
import { connectCentral, Unavailable } from './server.js';

const MAX_DELAY_S = 10;
/** One attempt never waits longer than this for the server to answer. */
const ATTEMPT_TIMEOUT_MS = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 1s, 2s, 1.9s: tenths only when the deadline cut the wait short. */
const formatS = (s: number) => `${Math.round(s * 10) / 10}s`;

/** Waits of 1, 2, 4, 8, 10, 10 … s between attempts, never past a deadline. */
export class Backoff {
  private delayS = 1;
  private readonly deadline: number;

  constructor(timeoutS: number) {
    this.deadline = Date.now() + timeoutS * 1000;
  }

  /** Milliseconds until the deadline (negative once passed). */
  leftMs(): number {
    return this.deadline - Date.now();
  }

  /** Logs `<what> — retrying in Ns` and waits; false (at once) when the deadline has passed. */
  async wait(what: string): Promise<boolean> {
    const leftS = this.leftMs() / 1000;
    if (leftS <= 0) return false;
    const waitS = Math.min(this.delayS, leftS);
    log(`${what} — retrying in ${formatS(waitS)}`);
    await sleep(waitS * 1000);
    this.delayS = Math.min(this.delayS * 2, MAX_DELAY_S);
    return true;
  }
}

export async function waitForServer(
  config: Config,
  password: string,
  timeoutS: number,
  user = config.user,
): Promise<pg.Client> {
  const where = `${config.host}:${config.port}`;
  const backoff = new Backoff(timeoutS);
  for (;;) {
    const left = backoff.leftMs();
    try {
      return await connectCentral(
        config,
        password,
        Math.min(ATTEMPT_TIMEOUT_MS, Math.max(left, 250)),
        user,
      );
    } catch (error) {
      if (!(error instanceof Unavailable)) throw error;
      const what = error.busy
        ? `DevDB at ${where} has no free connection for ${user} (${error.reason})`
        : `DevDB not available at ${where} (${error.reason})`;
      if (!(await backoff.wait(what))) throw gaveUp(where, timeoutS, error, user);
    }
  }
}

function gaveUp(where: string, timeoutS: number, error: Unavailable, user: string): AgentError {
  if (error.busy) {
    const why =
      user === ENROLLMENT_ROLE
        ? `DevDB cuts ${user}'s sessions off after a few seconds, so this clears by itself unless something keeps taking them all`
        : `the workspace's own sessions (or the server's) use up its connection limit: close some`;
    return new AgentError(
      `DevDB at ${where} is up, but every connection ${user} may open was taken for ${timeoutS}s (${error.reason})`,
      `${why}; run \`devdb-agent start\` again (or restart the workspace); if it keeps happening, tell your DevDB admin (pg_stat_activity shows who holds the sessions)`,
      EXIT.unavailable,
    );
  }
  return new AgentError(
    `DevDB did not answer at ${where} within ${timeoutS}s (${error.reason})`,
    'check that the DevDB server is running and reachable from this workspace (`devdb-agent doctor` checks DNS, TCP and login), then run `devdb-agent start` again; for a slow server raise --timeout or DEVDB_AGENT_TIMEOUT',
    EXIT.unavailable,
  );
}
