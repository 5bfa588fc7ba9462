/**
 * Enrollment (docs/security.md, "Enrollment: no password in Terraform state"):
 * a workspace's attachment gets a single-use token instead of a password; its
 * agent makes the password itself and enrolls it with the token, sending DevDB
 * only the SCRAM verifier. The SQL is provisioning/enrollment/enrollment.sql.
 */
import { createHash, randomBytes } from 'node:crypto';
import { queryOne, type Queryable } from '../schema/index.js';
import type { EnrollmentTokenState } from '../contract/index.js';
import { ENROLL_SQL, ENROLLMENT_TOKEN_PREFIX } from '../contract/index.js';
import { generatePassword, scramVerifier } from '../contract/index.js';
import { validateWorkspaceId } from '../contract/index.js';

export * from '../contract/index.js';

/** 32 random bytes (base64url) after ENROLLMENT_TOKEN_PREFIX. */
export function generateEnrollmentToken(): string {
  return ENROLLMENT_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** What the registry keeps of a token: its SHA-256 (the server computes the same in enroll()). */
export function enrollmentTokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export interface EnrollmentToken {
  /** The token: returned here only; the server keeps its SHA-256. */
  token: string;
  /** The login role it enrolls a password for. */
  user: string;
  expiresAt: Date;
}

/**
 * Issues a live attachment a new token (valid for the setting
 * `enrollment_token_ttl`, default 15 minutes); tokens it had and did not use
 * stop being usable. `clearPassword` also removes the login role's password
 * (switching from `password` credentials): until an agent enrolls, nobody can
 * log in as it.
 */
export async function issueEnrollmentToken(
  db: Queryable,
  input: { database: string; workspaceId: string; clearPassword?: boolean; actor?: string },
): Promise<EnrollmentToken> {
  validateWorkspaceId(input.workspaceId);
  const token = generateEnrollmentToken();
  const row = await queryOne<{ login_role: string; expires_at: Date }>(
    db,
    `SELECT * FROM provisioning.issue_enrollment_token($1, $2, $3, $4, $5)`,
    [
      input.database,
      input.workspaceId,
      enrollmentTokenHash(token),
      input.clearPassword ?? false,
      input.actor ?? null,
    ],
  );
  return { token, user: row.login_role, expiresAt: row.expires_at };
}

/** The attachment's newest token as refresh sees it; `missing` when it has none. */
export async function enrollmentTokenState(
  db: Queryable,
  input: { database: string; workspaceId: string },
): Promise<EnrollmentTokenState> {
  validateWorkspaceId(input.workspaceId);
  const row = await queryOne<{ state: EnrollmentTokenState }>(
    db,
    `SELECT provisioning.enrollment_token_state($1, $2) AS state`,
    [input.database, input.workspaceId],
  );
  return row.state;
}

/**
 * Gives a live attachment's login role a fresh password, returned here only
 * (the server gets its SCRAM verifier); tokens not used yet stop being usable.
 * Switching from enrollment to `password` credentials does this.
 */
export async function setAttachmentPassword(
  db: Queryable,
  input: { database: string; workspaceId: string; actor?: string },
): Promise<{ user: string; password: string }> {
  validateWorkspaceId(input.workspaceId);
  const password = generatePassword();
  const row = await queryOne<{ user: string }>(
    db,
    `SELECT provisioning.set_attachment_password($1, $2, $3, $4) AS user`,
    [input.database, input.workspaceId, scramVerifier(password), input.actor ?? null],
  );
  return { user: row.user, password };
}

/**
 * The agent's call (run as ENROLLMENT_ROLE; the provisioner may run it too):
 * consumes `token` and gives its login role `user` the password whose SCRAM
 * verifier is `verifier`. A refusal is a ProvisioningError whose code
 * enrollmentRefusal() names.
 */
export async function enroll(
  db: Queryable,
  input: { token: string; user: string; verifier: string },
): Promise<{ database: string; user: string }> {
  const row = await queryOne<{ db_name: string; login_role: string }>(db, ENROLL_SQL, [
    input.token,
    input.user,
    input.verifier,
  ]);
  return { database: row.db_name, user: row.login_role };
}
