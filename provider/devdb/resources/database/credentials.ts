/**
 * `credentials` of devdb_database (docs/security.md, "Enrollment: no password in
 * Terraform state"): what refresh reads, what a plan promises and what an
 * in-place update does. A new enrollment token is planned whenever refresh did
 * not find the current one `usable`, so a used or expired token is replaced at
 * the workspace's next start, never by replacing the attachment.
 */
import type { Queryable } from '../../../../provisioning/index.js';
import type { CredentialMode } from '../../../../provisioning/contract/index.js';
import {
  ENROLL_TOKEN_ENV,
  enrollmentTokenState,
  issueEnrollmentToken,
  setAttachmentPassword,
} from '../../../../provisioning/index.js';
import { isUnknown, UNKNOWN, type Planned, type UnknownValue } from '../../../plugin/index.js';
import type { DatabaseModel } from './schema.js';

type Env = Record<string, string>;

/** State written before `credentials` existed holds null: those attachments have passwords. */
export const credentialsOf = (model: DatabaseModel): CredentialMode =>
  model.credentials ?? 'password';

/** The workspace's env: its address, plus the token with enrollment. */
export function envWith(address: Env, mode: CredentialMode, token: string | null): Env {
  return mode === 'enrollment' ? { ...address, [ENROLL_TOKEN_ENV]: token ?? '' } : address;
}

/** Refresh: the token's state with enrollment; old states get their defaults. */
export async function readCredentials(
  db: Queryable,
  state: DatabaseModel,
  database: string,
): Promise<Partial<DatabaseModel>> {
  const mode = credentialsOf(state);
  const status =
    mode === 'enrollment'
      ? await enrollmentTokenState(db, { database, workspaceId: state.workspace_id })
      : '';
  return {
    credentials: mode,
    enrollment_status: status,
    enrollment_token: state.enrollment_token ?? '',
  };
}

/**
 * The plan of an existing attachment: with enrollment no password, and a new
 * token (unknown until apply) unless the stored one is usable; with password a
 * new one (unknown) only when switching to it.
 */
export function planCredentials(
  prior: DatabaseModel,
  mode: CredentialMode | UnknownValue,
  address: Env,
): Partial<Planned<DatabaseModel>> {
  if (isUnknown(mode)) {
    return {
      password: UNKNOWN,
      enrollment_token: UNKNOWN,
      enrollment_status: UNKNOWN,
      env: UNKNOWN,
    };
  }
  const switched = credentialsOf(prior) !== mode;
  if (mode === 'password') {
    return {
      password: switched ? UNKNOWN : prior.password,
      enrollment_token: '',
      enrollment_status: '',
      env: address,
    };
  }
  const reissue = switched || prior.enrollment_status !== 'usable';
  return {
    password: '',
    enrollment_status: 'usable',
    enrollment_token: reissue ? UNKNOWN : prior.enrollment_token,
    env: reissue ? UNKNOWN : envWith(address, mode, prior.enrollment_token),
  };
}

/**
 * Update: does what the plan left unknown. A new token from a password clears
 * the password (it is in the state); a new password revokes unused tokens.
 */
export async function applyCredentials(
  db: Queryable,
  input: {
    prior: DatabaseModel;
    plan: Planned<DatabaseModel>;
    mode: CredentialMode;
    database: string;
    address: Env;
  },
): Promise<Partial<DatabaseModel>> {
  const { prior, plan, mode, database, address } = input;
  const target = { database, workspaceId: prior.workspace_id, actor: 'terraform' };
  if (mode === 'password') {
    const password = isUnknown(plan.password)
      ? (await setAttachmentPassword(db, target)).password
      : prior.password;
    return { password, enrollment_token: '', enrollment_status: '', env: address };
  }
  const token = isUnknown(plan.enrollment_token)
    ? (
        await issueEnrollmentToken(db, {
          ...target,
          clearPassword: credentialsOf(prior) === 'password',
        })
      ).token
    : (prior.enrollment_token ?? '');
  return {
    password: '',
    enrollment_token: token,
    enrollment_status: 'usable',
    env: envWith(address, mode, token),
  };
}
