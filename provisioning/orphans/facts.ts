/**
 * What the registry and the server know about possible orphans (docs/operations.md,
 * "Orphans"): every active database with its live attachments, and what the
 * doctor's checks (provisioning/doctor/doctor.sql) find on the server that the registry
 * does not know. Only facts: whether a workspace still exists is Coder's to say
 * (coder.ts), and classify.ts combines both into findings.
 */
import { query, type Queryable } from '../schema/index.js';
import type { DatabaseType } from '../contract/index.js';

export interface OrphanCandidateAttachment {
  workspaceId: string;
  workspaceName: string | null;
  /** The workspace owner's Coder username when it attached. */
  owner: string;
  loginRole: string;
  template: string | null;
  attachedAt: Date;
  lastSeenAt: Date | null;
}

export interface OrphanCandidateDatabase {
  name: string;
  type: DatabaseType;
  owner: string | null;
  /** The owner's Coder user id (individual databases attached with one). */
  ownerId: string | null;
  team: string | null;
  createdAt: Date;
  lastAccessed: Date | null;
  /** When its last attachment was detached; null if none ever was. */
  lastDetachedAt: Date | null;
  /** Live attachments only, oldest first. */
  attachments: OrphanCandidateAttachment[];
}

/** A DevDB-named database the registry does not hold (the doctor's `unregistered database`). */
export interface UnregisteredDatabase {
  name: string;
  /** Who the name stands for, when it follows the naming rules. */
  owner: string | null;
  team: string | null;
  problem: string;
  /** Whether `devdb doctor --fix` adopts it (it is DevDB-shaped). */
  adoptable: boolean;
}

/** A workspace login role with no live attachment (the doctor's `orphan login role`). */
export interface OrphanLoginRole {
  role: string;
  /** The database it was made for, from its last attachment or its membership. */
  database: string | null;
  /** The workspace of its last (detached) attachment, if the registry has one. */
  workspaceId: string | null;
  owner: string | null;
  problem: string;
  /** Whether `devdb doctor --fix` drops it (named like DevDB's login roles). */
  removable: boolean;
}

export interface OrphanFacts {
  databases: OrphanCandidateDatabase[];
  unregisteredDatabases: UnregisteredDatabase[];
  orphanLoginRoles: OrphanLoginRole[];
}

interface DatabaseRow extends Omit<OrphanCandidateDatabase, 'attachments'> {
  attachments: (Omit<OrphanCandidateAttachment, 'attachedAt' | 'lastSeenAt'> & {
    attachedAt: string;
    lastSeenAt: string | null;
  })[];
}

/**
 * Active databases with their live attachments: one round trip, and one pass
 * over the attachments grouped by database (a subquery per database would scan
 * them once per database: attachments has no index on db_name alone).
 */
async function candidateDatabases(db: Queryable): Promise<OrphanCandidateDatabase[]> {
  const rows = await query<DatabaseRow>(
    db,
    `WITH a AS (
       SELECT a.db_name, max(a.detached_at) AS last_detached_at,
              json_agg(json_build_object(
                'workspaceId', a.workspace_id, 'workspaceName', a.workspace_name,
                'owner', a.owner_username, 'loginRole', a.login_role,
                'template', a.template_name, 'attachedAt', a.attached_at,
                'lastSeenAt', a.last_seen_at) ORDER BY a.attached_at, a.id)
                FILTER (WHERE a.detached_at IS NULL) AS live
         FROM provisioning.attachments a
        WHERE a.db_name IN (SELECT db_name FROM provisioning.databases WHERE status = 'active')
        GROUP BY a.db_name
     )
     SELECT d.db_name AS name, d.db_type AS type, d.owner_username AS owner, d.owner_id AS "ownerId",
            d.team_name AS team, d.created_at AS "createdAt", d.last_accessed AS "lastAccessed",
            a.last_detached_at AS "lastDetachedAt", coalesce(a.live, '[]') AS attachments
       FROM provisioning.databases d
       LEFT JOIN a ON a.db_name = d.db_name
      WHERE d.status = 'active'
      ORDER BY d.db_name`,
  );
  return rows.map((row) => ({
    ...row,
    attachments: row.attachments.map((a) => ({
      ...a,
      attachedAt: new Date(a.attachedAt),
      lastSeenAt: a.lastSeenAt === null ? null : new Date(a.lastSeenAt),
    })),
  }));
}

function unregisteredDatabases(db: Queryable): Promise<UnregisteredDatabase[]> {
  return query<UnregisteredDatabase>(
    db,
    `SELECT f.object AS name, p.owner_username AS owner, p.team_name AS team, f.problem,
            f.fixable AS adoptable
       FROM provisioning._doctor_unregistered_databases() f
       LEFT JOIN LATERAL provisioning._parse_database_name(f.object) p ON true
      ORDER BY f.object`,
  );
}

function orphanLoginRoles(db: Queryable): Promise<OrphanLoginRole[]> {
  return query<OrphanLoginRole>(
    db,
    `SELECT f.object AS role,
            coalesce(last.db_name, provisioning._login_role_database(f.object)) AS database,
            last.workspace_id AS "workspaceId", last.owner_username AS owner, f.problem,
            f.fixable AS removable
       FROM provisioning._doctor_orphan_login_roles() f
       LEFT JOIN LATERAL (
         SELECT a.db_name, a.workspace_id, a.owner_username FROM provisioning.attachments a
          WHERE a.login_role = f.object ORDER BY a.attached_at DESC, a.id DESC LIMIT 1) last ON true
      ORDER BY f.object`,
  );
}

/** Everything the registry and the server say about possible orphans; changes nothing. */
export async function readOrphanFacts(db: Queryable): Promise<OrphanFacts> {
  return {
    databases: await candidateDatabases(db),
    unregisteredDatabases: await unregisteredDatabases(db),
    orphanLoginRoles: await orphanLoginRoles(db),
  };
}
