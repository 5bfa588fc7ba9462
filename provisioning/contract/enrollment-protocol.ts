/**
 * What the agent and the server agree on for enrollment (docs/security.md,
 * "Enrollment: no password in Terraform state"). Import-free, so devdb-agent's
 * bundle can hold it (agent/bundle.ts, SHARED_FOLDER).
 */

/** The role the agent logs in as to enroll; it may only run provisioning.enroll(). */
export const ENROLLMENT_ROLE = 'devdb_enroll';

/**
 * devdb_enroll's password: public on purpose, and the same constant as in
 * provisioning/schema/migrations/015_enrollment.sql. It is no secret of any database,
 * only the way through SCRAM authentication to the one function the role may
 * run; the secret is the token.
 */
export const ENROLLMENT_ROLE_PASSWORD = 'devdb-enroll';

/** The variable that carries the token into the workspace (coder_env). */
export const ENROLL_TOKEN_ENV = 'DEVDB_ENROLL_TOKEN';

/** Every token starts with this, so secret scanners and people can tell what it is. */
export const ENROLLMENT_TOKEN_PREFIX = 'devdb_et_';

/** The agent's one statement: token, DEVDB_USER, the new password's SCRAM verifier. */
export const ENROLL_SQL = 'SELECT db_name, login_role FROM provisioning.enroll($1, $2, $3)';

/** Why provisioning.enroll() refused, by the SQLSTATE it raised; it consumed nothing. */
export const ENROLLMENT_REFUSALS = {
  DV010: 'unknown',
  DV011: 'used',
  DV012: 'expired',
  DV013: 'replaced',
  DV014: 'other-role',
} as const;
export type EnrollmentRefusal = (typeof ENROLLMENT_REFUSALS)[keyof typeof ENROLLMENT_REFUSALS];

/** The refusal a SQLSTATE stands for, or undefined for any other error. */
export function enrollmentRefusal(code: string | undefined): EnrollmentRefusal | undefined {
  return code !== undefined && Object.hasOwn(ENROLLMENT_REFUSALS, code)
    ? ENROLLMENT_REFUSALS[code as keyof typeof ENROLLMENT_REFUSALS]
    : undefined;
}
