/**
 * A workspace's attachment to its database (docs/security.md; docs/resources/database.md): attaching gives
 * the workspace its own login role with a fresh password (and ensures the
 * database), detaching drops that role and applies the last-detach policy, and
 * findAttachment reads what was recorded. Input is validated before any SQL runs.
 */
import { connectionInfo, type ConnectionInfo, type ServerEndpoint } from '../contract/index.js';
import { query, queryOne, type Queryable } from '../schema/index.js';
import type {
  CredentialMode,
  DatabaseAction,
  DatabaseType,
  OnLastDetach,
  WorkspaceAccess,
} from '../contract/index.js';
import { issueEnrollmentToken } from '../enrollment/index.js';
import { AlreadyAttachedError, ProvisioningError } from '../contract/index.js';
import { generatePassword, scramVerifier } from '../contract/index.js';
import { individualDatabaseName, teamDatabaseName } from '../contract/index.js';
import {
  normalizeUsername,
  validateCredentials,
  optionalSeedName,
  validateAccess,
  validateDatabaseType,
  validateOnLastDetach,
  validateTeamName,
  validateWorkspaceId,
} from '../contract/index.js';

export interface AttachInput {
  type: DatabaseType;
  /** The workspace owner's Coder username. */
  owner: string;
  /** The owner's Coder user id: keeps an individual database across renames. */
  ownerId?: string;
  /** Required when type is 'team'. */
  team?: string;
  workspaceId: string;
  workspaceName?: string;
  template?: string;
  /** -1 (default) for no limit. */
  connectionLimit?: number;
  /** A database to copy when this call creates the database (never afterwards). */
  seedFrom?: string;
  /** 'write' (default) acts as the owner role; 'read' may only SELECT. */
  access?: WorkspaceAccess;
  actor?: string;
  /**
   * When the workspace is already attached to the database: 'rekey' (default)
   * gives its login role the new password, so the old one stops working (what
   * lets the provider converge after a crash); 'refuse' throws
   * AlreadyAttachedError and changes nothing.
   */
  ifAttached?: IfAttached;
  /**
   * What happens to the database at its last detach when the detach does not
   * come from the caller (Coder deleted the workspace without the provider's
   * destroy, and cleanup detaches it once Coder confirms): recorded with the
   * attachment; not given, keep.
   */
  onLastDetach?: OnLastDetach;
  /** With onLastDetach 'drop': a verified final backup first (default true). */
  finalBackup?: boolean;
  /**
   * 'password' (default): a fresh password, returned. 'enrollment': no password
   * (a new login role gets none; an attached workspace's role keeps its own) and
   * a single-use enrollment token instead, for the workspace's agent
   * (docs/security.md, "Enrollment: no password in Terraform state").
   */
  credentials?: CredentialMode;
}

export type IfAttached = 'rekey' | 'refuse';

export interface Attachment extends ConnectionInfo {
  access: WorkspaceAccess;
  createdDatabase: boolean;
  /** True when this workspace was already attached: its role got a new password (credentials 'password'). */
  reattached: boolean;
  credentials: CredentialMode;
  /** With credentials 'enrollment': the token (password is then ""), returned here only. */
  enrollmentToken?: string;
  enrollmentTokenExpiresAt?: Date;
}

function validateAttachInput(input: AttachInput): { owner: string; team: string | null } {
  const type = validateDatabaseType(input.type);
  const owner = normalizeUsername(input.owner);
  validateWorkspaceId(input.workspaceId);
  if (type === 'team') return { owner, team: validateTeamName(input.team) };
  if (input.team !== undefined && input.team !== '') {
    throw new ProvisioningError('team must not be set for an individual database', '22023');
  }
  return { owner, team: null };
}

/**
 * Records the attachment's last-detach policy (AttachInput.onLastDetach), when
 * one is given: what cleanup's detach of a workspace Coder deleted applies.
 */
export async function recordLastDetach(
  db: Queryable,
  input: {
    database: string;
    workspaceId: string;
    onLastDetach?: OnLastDetach;
    finalBackup?: boolean;
  },
): Promise<void> {
  if (input.onLastDetach === undefined) return;
  await query(db, `SELECT provisioning.record_last_detach($1, $2, $3, $4)`, [
    input.database,
    input.workspaceId,
    validateOnLastDetach(input.onLastDetach),
    input.finalBackup ?? true,
  ]);
}

/** The database an attach of `input` uses: dev_<owner> or team_<team>. */
export function attachedDatabaseName(input: AttachInput): string {
  const { owner, team } = validateAttachInput(input);
  return team === null ? individualDatabaseName(owner) : teamDatabaseName(team);
}

/**
 * Ensures the database and gives the workspace its own login role with a fresh
 * password, or with credentials 'enrollment' an enrollment token. The password
 * (or token) is returned here and stored nowhere: the server only ever sees the
 * password's SCRAM verifier (the token's SHA-256).
 */
export async function attachWorkspace(
  db: Queryable,
  endpoint: ServerEndpoint,
  input: AttachInput,
): Promise<Attachment> {
  const { owner, team } = validateAttachInput(input);
  const seedFrom = optionalSeedName(input.seedFrom);
  const access = validateAccess(input.access ?? 'write');
  const credentials = validateCredentials(input.credentials ?? 'password');
  const password = credentials === 'password' ? generatePassword() : '';
  const row = await queryOne<{
    db_name: string;
    login_role: string;
    created_database: boolean;
    reattached: boolean;
  }>(
    db,
    `SELECT * FROM provisioning.attach_workspace($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      input.type,
      owner,
      input.ownerId ?? null,
      team,
      input.workspaceId,
      input.workspaceName ?? null,
      input.template ?? null,
      password ? scramVerifier(password) : null,
      input.connectionLimit ?? -1,
      input.actor ?? null,
      seedFrom,
      access,
      input.ifAttached ?? 'rekey',
    ],
  ).catch((error: unknown) => rethrowAlreadyAttached(error, input.workspaceId));
  await recordLastDetach(db, { ...input, database: row.db_name });
  // Issued after the attach committed: a failure here leaves an attachment whose
  // login role has no password, and attaching again issues the token.
  const enrollment =
    credentials === 'enrollment'
      ? await issueEnrollmentToken(db, {
          database: row.db_name,
          workspaceId: input.workspaceId,
          actor: input.actor,
        })
      : undefined;
  return {
    ...connectionInfo(endpoint, row.db_name, row.login_role, password),
    access,
    createdDatabase: row.created_database,
    reattached: row.reattached,
    credentials,
    ...(enrollment
      ? { enrollmentToken: enrollment.token, enrollmentTokenExpiresAt: enrollment.expiresAt }
      : {}),
  };
}

function rethrowAlreadyAttached(error: unknown, workspaceId: string): never {
  if (error instanceof ProvisioningError && error.code === 'DV002' && error.detail) {
    const { database, user } = JSON.parse(error.detail) as { database: string; user: string };
    throw new AlreadyAttachedError(workspaceId, database, user);
  }
  throw error;
}

export interface Detachment {
  name: string;
  user: string;
  sessionsTerminated: number;
  /**
   * Present when `onLastDetach` was given: what the policy did to the database,
   * or null when other workspaces remain attached to it.
   */
  databaseAction?: DatabaseAction | null;
}

/**
 * Detaches a workspace (from one database, or all it uses): its login role is
 * dropped. When it was a database's last live attachment, `onLastDetach`
 * (default 'keep') decides whether the database stays, is archived or dropped.
 * A drop waits for a verified final backup (the database is archived now,
 * `drop_pending`, and completePendingDrops drops it) unless `finalBackup` is
 * false: then it is dropped now, recorded as a drop without backup.
 */
export async function detachWorkspace(
  db: Queryable,
  input: {
    workspaceId: string;
    database?: string;
    actor?: string;
    onLastDetach?: OnLastDetach;
    /** Default true. */
    finalBackup?: boolean;
  },
): Promise<Detachment[]> {
  validateWorkspaceId(input.workspaceId);
  const asked = input.onLastDetach !== undefined;
  const policy = asked ? validateOnLastDetach(input.onLastDetach) : 'keep';
  const rows = await query<{
    db_name: string;
    login_role: string;
    sessions_terminated: number;
    database_action: DatabaseAction | null;
  }>(db, `SELECT * FROM provisioning.detach_workspace($1, $2, $3, $4, $5)`, [
    input.workspaceId,
    input.database ?? null,
    input.actor ?? null,
    policy,
    input.finalBackup ?? true,
  ]);
  return rows.map((r) => ({
    name: r.db_name,
    user: r.login_role,
    sessionsTerminated: r.sessions_terminated,
    ...(asked ? { databaseAction: r.database_action } : {}),
  }));
}

export interface RecordedAttachment {
  type: DatabaseType;
  owner: string;
  ownerId: string | undefined;
  team: string | undefined;
  workspaceName: string | undefined;
  template: string | undefined;
  user: string;
  access: WorkspaceAccess;
}

/** A live attachment as recorded, or null: enough to attach the same workspace again. */
export async function findAttachment(
  db: Queryable,
  input: { database: string; workspaceId: string },
): Promise<RecordedAttachment | null> {
  const [row] = await query<{
    db_type: DatabaseType;
    owner_username: string;
    owner_id: string | null;
    team_name: string | null;
    workspace_name: string | null;
    template_name: string | null;
    login_role: string;
    access_level: WorkspaceAccess;
  }>(db, `SELECT * FROM provisioning.find_attachment($1, $2)`, [input.database, input.workspaceId]);
  if (!row) return null;
  return {
    type: row.db_type,
    owner: row.owner_username,
    ownerId: row.owner_id ?? undefined,
    team: row.team_name ?? undefined,
    workspaceName: row.workspace_name ?? undefined,
    template: row.template_name ?? undefined,
    user: row.login_role,
    access: row.access_level,
  };
}

/**
 * Switches a live attachment between write and read in place: the login role
 * keeps its name and password. Taking write access away ends the role's
 * sessions (they would go on acting as the owner role). `changed` is false when
 * the attachment already had that access (its grants are repaired all the same).
 */
export async function setAttachmentAccess(
  db: Queryable,
  input: { database: string; workspaceId: string; access: WorkspaceAccess; actor?: string },
): Promise<{ name: string; user: string; access: WorkspaceAccess; changed: boolean }> {
  validateWorkspaceId(input.workspaceId);
  const access = validateAccess(input.access);
  return queryOne(
    db,
    `SELECT db_name AS name, login_role AS user, access_level AS access, changed
       FROM provisioning.set_attachment_access($1, $2, $3, $4)`,
    [input.database, input.workspaceId, access, input.actor ?? null],
  );
}
