/**
 * DevDB's domain enumerations (docs/architecture-sql.md), each declared once `as const` with
 * its type derived from it. The SQL CHECK constraints in migrations/001_schema.sql
 * and the SQL functions accept exactly these values; the Terraform provider's
 * schema and the constructs take their one-of attributes from here.
 *
 * This module imports nothing, so every part (including the CommonJS provider
 * bundle and the constructs) can use it.
 */

/** `individual`: a user's `dev_{username}`; `team`: a shared `team_{name}`. */
export const DATABASE_TYPES = ['individual', 'team'] as const;
export type DatabaseType = (typeof DATABASE_TYPES)[number];

/** What a detach does when it removes a database's last live attachment (docs/architecture.md, "Last access and lifecycle"). */
export const ON_LAST_DETACH = ['keep', 'archive', 'drop'] as const;
export type OnLastDetach = (typeof ON_LAST_DETACH)[number];

/**
 * What a detach or retire did to the database: the past tense of an OnLastDetach,
 * or `drop_pending`: archived now, dropped once a final backup of it is taken and
 * verified (completePendingDrops; docs/backups.md, "Before anything destructive").
 */
export const DATABASE_ACTIONS = ['kept', 'archived', 'drop_pending', 'dropped'] as const;
export type DatabaseAction = (typeof DATABASE_ACTIONS)[number];

/** provisioning.databases.status. */
export const DATABASE_STATUSES = ['active', 'archived', 'dropped'] as const;
export type DatabaseStatus = (typeof DATABASE_STATUSES)[number];

/**
 * What a workspace's credential may do (provisioning/databases/access-levels.sql):
 * `write` acts as the database's owner role; `read` may only SELECT.
 */
export const WORKSPACE_ACCESS = ['write', 'read'] as const;
export type WorkspaceAccess = (typeof WORKSPACE_ACCESS)[number];

/** provisioning.db_users.access_level. */
export const ACCESS_LEVELS = ['owner', 'write', 'read'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/**
 * provisioning.servers.state (docs/servers.md): `active` takes new databases;
 * `paused` keeps its databases but takes no new one; `draining` also has its
 * databases moved away by `devdb servers drain`.
 */
export const SERVER_STATES = ['active', 'paused', 'draining'] as const;
export type ServerState = (typeof SERVER_STATES)[number];

/** provisioning.backups.kind: who took a backup and why (docs/backups.md). */
export const BACKUP_KINDS = ['scheduled', 'manual', 'final', 'pre-restore'] as const;
export type BackupKind = (typeof BACKUP_KINDS)[number];

/** provisioning.backups.status. */
export const BACKUP_STATUSES = ['running', 'ok', 'failed'] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

/**
 * What `devdb orphans` finds (docs/operations.md, "Orphans"), one kind per finding.
 * The first seven need Coder's REST API; the others come from the registry and the
 * server alone.
 */
export const ORPHAN_KINDS = [
  'workspace-deleted',
  'unknown-workspace',
  'workspace-deleting',
  'workspace-dormant',
  'workspace-stopped',
  'owner-gone',
  'owner-suspended',
  'no-attachments',
  'idle',
  'unregistered',
  'credential-without-workspace',
] as const;
export type OrphanKind = (typeof ORPHAN_KINDS)[number];

/** provisioning.job_leases.outcome: how a scheduled job's tick ended (provisioning/jobs/jobs.sql). */
export const JOB_OUTCOMES = ['ok', 'failed'] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

/** What provisioning.claim_job_tick says when a serve process asks for a tick. */
export const JOB_CLAIMS = [
  'claimed',
  'taken_over',
  'held',
  'running',
  'finished',
  'waiting',
  'stale',
  'before_start',
] as const;
export type JobClaim = (typeof JOB_CLAIMS)[number];

/**
 * A database's place in the 30/60/90 policy (provisioning/policy/policy.sql):
 * `active` → `idle` → `stale` → `eligible` (cleanup may archive it) →
 * `archived` → `dropped`; `protected` while an admin exempts it.
 */
export const POLICY_STATES = [
  'active',
  'idle',
  'stale',
  'eligible',
  'protected',
  'archived',
  'dropped',
] as const;
export type PolicyState = (typeof POLICY_STATES)[number];

/**
 * What `devdb serve`'s policy job may do on its own (setting policy_auto_action,
 * docs/operations.md, "The policy job"): `notify` only (events and the webhook),
 * `archive` too (detach workspaces Coder confirmed deleted, archive eligible
 * databases), or `archive-and-drop` (also drop archives past the retention, each
 * after a verified final backup).
 */
export const POLICY_AUTO_ACTIONS = ['notify', 'archive', 'archive-and-drop'] as const;
export type PolicyAutoAction = (typeof POLICY_AUTO_ACTIONS)[number];

/** What one step of `devdb cleanup` does (provisioning/policy/cleanup.ts). */
export const CLEANUP_ACTIONS = ['detach', 'archive', 'drop'] as const;
export type CleanupActionKind = (typeof CLEANUP_ACTIONS)[number];

/**
 * How a workspace gets its password (docs/security.md, "Enrollment: no password
 * in Terraform state"): `enrollment`, its agent makes one itself with a
 * single-use token, so none is in Terraform state; `password`, DevDB generates
 * one and returns it (the provider keeps it in state, as a sensitive attribute).
 */
export const CREDENTIAL_MODES = ['enrollment', 'password'] as const;
export type CredentialMode = (typeof CREDENTIAL_MODES)[number];

/**
 * An attachment's newest enrollment token as refresh sees it
 * (provisioning/enrollment/enrollment.sql): only `usable` needs no new one.
 * `expiring`: more than half its life is gone.
 */
export const ENROLLMENT_TOKEN_STATES = [
  'usable',
  'expiring',
  'used',
  'expired',
  'missing',
] as const;
export type EnrollmentTokenState = (typeof ENROLLMENT_TOKEN_STATES)[number];

/** provisioning.api_tokens.role: what a control-plane token may do (docs/api.md). */
export const API_ROLES = ['admin', 'viewer'] as const;
export type ApiRole = (typeof API_ROLES)[number];
