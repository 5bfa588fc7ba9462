/**
 * How `start` gets a credential that works (docs/security.md, "Enrollment: no
 * password in Terraform state"). With DEVDB_PASSWORD: that password. With
 * DEVDB_ENROLL_TOKEN: the password in ~/.pgpass while it still works (a home
 * that survived a restart; the token stays unused), else a new password made
 * here and enrolled with the token. DevDB only ever sees its SCRAM verifier.
 */
import type pg from 'pg';
import {
  ENROLL_SQL,
  ENROLLMENT_ROLE,
  ENROLLMENT_ROLE_PASSWORD,
  enrollmentRefusal,
  type EnrollmentRefusal,
} from '../../provisioning/contract/index.js';
import { generatePassword, scramVerifier } from '../../provisioning/contract/index.js';
import type { Config } from '../config.js';
import { AgentError, EXIT } from '../errors.js';
import { writePgpass } from '../files/install.js';
import { addSecret, log } from '../log.js';
import { connectCentral, CredentialsRejected } from './server.js';
import { savedPassword } from '../files/settings.js';
import { Backoff, waitForServer } from './wait.js';

export interface Connected {
  /** A connection to the central database as the workspace's login role. */
  client: pg.Client;
  password: string;
}

export async function connectWithCredentials(config: Config, timeoutS: number): Promise<Connected> {
  if (config.password) {
    const client = await waitForServer(config, config.password, timeoutS);
    return { client, password: config.password };
  }
  if (!config.enrollToken) {
    throw new AgentError(
      'neither DEVDB_ENROLL_TOKEN nor DEVDB_PASSWORD is set',
      'the template must pass devdb_database\'s env["DEVDB_ENROLL_TOKEN"] (enrollment, what the DevDB constructs do) or its password into the workspace through coder_env; restart the workspace after fixing it',
      EXIT.usage,
    );
  }
  const saved = await savedPassword(config);
  if (saved) {
    try {
      const client = await waitForServer(config, saved, timeoutS);
      log('the credential in ~/.pgpass works; the enrollment token stays unused');
      return { client, password: saved };
    } catch (error) {
      if (!(error instanceof CredentialsRejected)) throw error;
      log('the credential in ~/.pgpass no longer works: enrolling a new password');
    }
  }
  const password = await enrollNewPassword(config, config.enrollToken, timeoutS);
  return { client: await waitForServer(config, password, timeoutS), password };
}

/**
 * SQLSTATEs (and socket errors) of an enroll() call cut short rather than
 * refused: the role's statement or idle timeouts (migration 020), the server
 * restarting, a serialization failure. Retried with back-off.
 */
const CUT_SHORT = new Set([
  '57014', // query_canceled: statement_timeout
  '57P05', // idle_session_timeout
  '25P03', // idle_in_transaction_session_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  'ECONNRESET',
  'EPIPE',
]);

/**
 * How long the agent waits for enroll() to answer: longer than the role's
 * statement_timeout (10 s, migration 020), so the server decides and says so.
 */
const ENROLL_QUERY_TIMEOUT_MS = 15_000;

function cutShort(error: unknown): string | null {
  const err = error as Error & { code?: string };
  if (err.code && CUT_SHORT.has(err.code)) return err.message;
  // node-postgres reports a dropped session, and its own read timeout, without a code.
  return /Connection terminated|terminated unexpectedly|Query read timeout/i.test(err.message)
    ? err.message
    : null;
}

/** Whether DevDB takes `password` for the workspace's role now (an enrollment that committed). */
async function passwordWorks(config: Config, password: string): Promise<boolean> {
  try {
    const client = await connectCentral(config, password, 3000);
    await client.end().catch(() => undefined);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes a password and enrolls it, retrying with back-off (within `timeoutS`
 * in all) while the enrollment role's connections are all taken or a call is
 * cut short. A call cut short may have committed before its session died: the
 * password is tried first, and a later "already used" with a password that
 * works is that same enrollment.
 */
async function enrollNewPassword(config: Config, token: string, timeoutS: number): Promise<string> {
  const password = generatePassword();
  addSecret(password);
  // Saved before DevDB knows it: an agent killed right after enrolling would
  // otherwise lose the only copy, and with it the single-use token.
  await writePgpass(config, password);
  const backoff = new Backoff(timeoutS);
  for (let attempt = 1; ; attempt++) {
    const client = await connectAsEnrollmentRole(config, Math.max(backoff.leftMs() / 1000, 1));
    let reason: string | null;
    try {
      // node-postgres reads a per-query query_timeout; its types do not declare it.
      const call: pg.QueryConfig & { query_timeout: number } = {
        text: ENROLL_SQL,
        values: [token, config.user, scramVerifier(password)],
        query_timeout: ENROLL_QUERY_TIMEOUT_MS,
      };
      await client.query(call);
      break;
    } catch (error) {
      reason = cutShort(error);
      const used = enrollmentRefusal((error as { code?: string }).code) === 'used';
      if ((reason || (used && attempt > 1)) && (await passwordWorks(config, password))) break;
      if (!reason) throw refused(config, error);
    } finally {
      await client.end().catch(() => undefined);
    }
    if (!(await backoff.wait(`enrolling ${config.user} was cut short (${reason})`))) {
      throw new AgentError(
        `enrolling ${config.user} did not complete within ${timeoutS}s (${reason})`,
        'run `devdb-agent start` again (or restart the workspace); if it keeps happening, tell your DevDB admin',
        EXIT.unavailable,
      );
    }
  }
  log(`enrolled a new password for ${config.user} (DevDB keeps only its SCRAM verifier)`);
  return password;
}

async function connectAsEnrollmentRole(config: Config, timeoutS: number): Promise<pg.Client> {
  try {
    return await waitForServer(config, ENROLLMENT_ROLE_PASSWORD, timeoutS, ENROLLMENT_ROLE);
  } catch (error) {
    if (!(error instanceof CredentialsRejected)) throw error;
    throw new AgentError(
      `DevDB at ${config.host}:${config.port} has no enrollment role ${ENROLLMENT_ROLE} with its public password`,
      'the server predates enrollment or its migrations are pending: an admin runs `devdb migrate`',
      EXIT.rejected,
    );
  }
}

const FIXES: Record<EnrollmentRefusal, string> = {
  used: 'a token works once: restart the workspace for a new one. If this workspace did not use it, tell your DevDB admin (the event log of the database shows the enrollment)',
  expired:
    'restart the workspace: its start issues a new token (valid for 15 minutes unless the admin set enrollment_token_ttl)',
  replaced: 'restart the workspace so DEVDB_ENROLL_TOKEN is its current token',
  unknown:
    "restart the workspace so DEVDB_ENROLL_TOKEN is current, and check that the template passes devdb_database's token unchanged",
  'other-role':
    "DEVDB_USER and DEVDB_ENROLL_TOKEN must come from the same devdb_database: check the template's coder_env",
};

function refused(config: Config, error: unknown): AgentError {
  const err = error as Error & { code?: string };
  const reason = enrollmentRefusal(err.code);
  if (reason) {
    return new AgentError(
      `DevDB refused to enroll ${config.user}: ${err.message}`,
      FIXES[reason],
      EXIT.rejected,
    );
  }
  return new AgentError(
    `enrolling ${config.user} failed: ${err.message}`,
    'run `devdb-agent doctor`; if DevDB was upgraded recently, an admin runs `devdb migrate`',
  );
}
