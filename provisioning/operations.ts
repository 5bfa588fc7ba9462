/**
 * The provisioning operations the provider, agent and CLI call. Each validates
 * its input with the naming rules before any SQL runs, then calls one SQL
 * function (migrations/003_operations.sql) that is idempotent, takes advisory
 * locks in a fixed order, and appends an `events` row.
 */
import type pg from 'pg';
import { connectionInfo, type ConnectionInfo, type ServerEndpoint } from './connection-info.js';
import { ProvisioningError, translatePgError } from './errors.js';
import {
  normalizeUsername,
  validateDatabaseType,
  validateTeamName,
  validateWorkspaceId,
  type DatabaseType,
} from './naming.js';
import { generatePassword, scramVerifier } from './password.js';
import { validateOnLastDetach, validateSeedName, type OnLastDetach } from './lifecycle.js';

/** A pool, a pooled client or a client: anything that runs a query. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

async function call<R extends pg.QueryResultRow>(
  db: Queryable,
  sql: string,
  params: unknown[],
): Promise<R[]> {
  try {
    return (await db.query<R>(sql, params)).rows;
  } catch (error) {
    return translatePgError(error);
  }
}

export interface EnsureResult {
  name: string;
  created: boolean;
  /** What had to be created or repaired (empty when everything was in place). */
  repaired: string[];
}

interface EnsureRow {
  db_name: string;
  created: boolean;
  repaired: string[];
}

const toEnsureResult = (row: EnsureRow): EnsureResult => ({
  name: row.db_name,
  created: row.created,
  repaired: row.repaired,
});

/** A database to copy when (and only when) the database is created: validated, or null. */
const seedParam = (seedFrom: string | undefined): string | null =>
  seedFrom === undefined ? null : validateSeedName(seedFrom);

export async function ensureIndividualDatabase(
  db: Queryable,
  input: { owner: string; ownerId?: string; actor?: string; seedFrom?: string },
): Promise<EnsureResult> {
  const owner = normalizeUsername(input.owner);
  const [row] = await call<EnsureRow>(
    db,
    `SELECT * FROM provisioning.ensure_database('individual', $1, $2, NULL, $3, $4)`,
    [owner, input.ownerId ?? null, input.actor ?? null, seedParam(input.seedFrom)],
  );
  return toEnsureResult(row!);
}

export async function ensureTeamDatabase(
  db: Queryable,
  input: { team: string; actor?: string; seedFrom?: string },
): Promise<EnsureResult> {
  const team = validateTeamName(input.team);
  const [row] = await call<EnsureRow>(
    db,
    `SELECT * FROM provisioning.ensure_database('team', NULL, NULL, $1, $2, $3)`,
    [team, input.actor ?? null, seedParam(input.seedFrom)],
  );
  return toEnsureResult(row!);
}

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
  actor?: string;
}

export interface Attachment extends ConnectionInfo {
  createdDatabase: boolean;
  /** True when this workspace was already attached: its role got a new password. */
  reattached: boolean;
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
 * Ensures the database and gives the workspace its own login role with a fresh
 * password. The password is returned here and stored nowhere: the server only
 * ever sees its SCRAM verifier.
 */
export async function attachWorkspace(
  db: Queryable,
  endpoint: ServerEndpoint,
  input: AttachInput,
): Promise<Attachment> {
  const { owner, team } = validateAttachInput(input);
  const seedFrom = seedParam(input.seedFrom);
  const password = generatePassword();
  const [row] = await call<{
    db_name: string;
    login_role: string;
    created_database: boolean;
    reattached: boolean;
  }>(
    db,
    `SELECT * FROM provisioning.attach_workspace($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      input.type,
      owner,
      input.ownerId ?? null,
      team,
      input.workspaceId,
      input.workspaceName ?? null,
      input.template ?? null,
      scramVerifier(password),
      input.connectionLimit ?? -1,
      input.actor ?? null,
      seedFrom,
    ],
  );
  return {
    ...connectionInfo(endpoint, row!.db_name, row!.login_role, password),
    createdDatabase: row!.created_database,
    reattached: row!.reattached,
  };
}

export interface Detachment {
  name: string;
  user: string;
  sessionsTerminated: number;
  /**
   * Present when `onLastDetach` was given: what the policy did to the database,
   * or null when other workspaces remain attached to it.
   */
  databaseAction?: 'kept' | 'archived' | 'dropped' | null;
}

/**
 * Detaches a workspace (from one database, or all it uses): its login role is
 * dropped. When it was a database's last live attachment, `onLastDetach`
 * (default 'keep') decides whether the database stays, is archived or dropped.
 */
export async function detachWorkspace(
  db: Queryable,
  input: { workspaceId: string; database?: string; actor?: string; onLastDetach?: OnLastDetach },
): Promise<Detachment[]> {
  validateWorkspaceId(input.workspaceId);
  const asked = input.onLastDetach !== undefined;
  const policy = asked ? validateOnLastDetach(input.onLastDetach) : 'keep';
  const rows = await call<{
    db_name: string;
    login_role: string;
    sessions_terminated: number;
    database_action: Detachment['databaseAction'];
  }>(db, `SELECT * FROM provisioning.detach_workspace($1, $2, $3, $4)`, [
    input.workspaceId,
    input.database ?? null,
    input.actor ?? null,
    policy,
  ]);
  return rows.map((r) => ({
    name: r.db_name,
    user: r.login_role,
    sessionsTerminated: r.sessions_terminated,
    ...(asked ? { databaseAction: r.database_action } : {}),
  }));
}

/**
 * Records that a database was seen: `last_accessed` moves only when PostgreSQL's
 * own counters for it advanced since the previous report.
 */
export async function reportAccess(
  db: Queryable,
  input: { database: string; workspaceId?: string; actor?: string },
): Promise<{ accessed: boolean }> {
  const [row] = await call<{ accessed: boolean }>(
    db,
    `SELECT provisioning.record_access($1, $2, $3) AS accessed`,
    [input.database, input.workspaceId ?? null, input.actor ?? null],
  );
  return { accessed: row!.accessed };
}
