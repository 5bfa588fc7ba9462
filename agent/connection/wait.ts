/**
 * Waiting for DevDB at workspace start: the server may still be booting, or
 * the network not yet up. Back-off 1, 2, 4, 8, 10, 10 … s, one log line per
 * attempt, until the deadline; then a failure that says what to check.
 */
import type pg from 'pg';
import type { Config } from '../config.js';
import { AgentError, EXIT } from '../errors.js';
import { log } from '../log.js';
import { connectCentral, Unavailable } from './server.js';

const MAX_DELAY_S = 10;
/** One attempt never waits longer than this for the server to answer. */
const ATTEMPT_TIMEOUT_MS = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitForServer(
  config: Config,
  password: string,
  timeoutS: number,
  user = config.user,
): Promise<pg.Client> {
  const where = `${config.host}:${config.port}`;
  const deadline = Date.now() + timeoutS * 1000;
  let delayS = 1;
  for (;;) {
    const left = deadline - Date.now();
    try {
      return await connectCentral(
        config,
        password,
        Math.min(ATTEMPT_TIMEOUT_MS, Math.max(left, 250)),
        user,
      );
    } catch (error) {
      if (!(error instanceof Unavailable)) throw error;
      const leftS = (deadline - Date.now()) / 1000;
      if (leftS <= 0) throw gaveUp(where, timeoutS, error.reason);
      const waitS = Math.min(delayS, leftS);
      log(`DevDB not available at ${where} (${error.reason}) — retrying in ${formatS(waitS)}`);
      await sleep(waitS * 1000);
      delayS = Math.min(delayS * 2, MAX_DELAY_S);
    }
  }
}

/** 1s, 2s, 1.9s: tenths only when the deadline cut the wait short. */
const formatS = (s: number) => `${Math.round(s * 10) / 10}s`;

function gaveUp(where: string, timeoutS: number, reason: string): AgentError {
  return new AgentError(
    `DevDB did not answer at ${where} within ${timeoutS}s (${reason})`,
    'check that the DevDB server is running and reachable from this workspace (`devdb-agent doctor` checks DNS, TCP and login), then run `devdb-agent start` again; for a slow server raise --timeout or DEVDB_AGENT_TIMEOUT',
    EXIT.unavailable,
  );
}
