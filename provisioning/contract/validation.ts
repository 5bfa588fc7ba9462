/**
 * What DevDB accepts (docs/architecture.md, "Names"): the single place that validates every name
 * and value the operations take before any SQL runs. naming.ts maps accepted
 * names to PostgreSQL identifiers; the SQL functions enforce the same rules
 * inside the server (test/provisioning/naming.test.ts checks that both agree).
 */
import {
  API_ROLES,
  CREDENTIAL_MODES,
  DATABASE_TYPES,
  ON_LAST_DETACH,
  POLICY_AUTO_ACTIONS,
  SERVER_STATES,
  WORKSPACE_ACCESS,
  type ApiRole,
  type CredentialMode,
  type DatabaseType,
  type OnLastDetach,
  type PolicyAutoAction,
  type ServerState,
  type WorkspaceAccess,
} from './domain.js';
import { ProvisioningError } from './errors.js';

export const USERNAME_MAX = 32;
export const TEAM_MAX = 40;
const USERNAME_PATTERN = /^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/;
const TEAM_PATTERN = /^[a-z][a-z0-9-]*$/;
const SERVER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
const TOKEN_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const WORKSPACE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** A PostgreSQL identifier's limit, in bytes. */
const IDENTIFIER_MAX_BYTES = 63;

export const USERNAME_RULE = `a Coder username: 1–${USERNAME_MAX} letters or digits, in groups separated by single hyphens (e.g. "alice", "jane-doe")`;
export const TEAM_RULE = `1–${TEAM_MAX} characters of lowercase letters, digits and hyphens, starting with a letter (e.g. "frontend-project")`;
export const WORKSPACE_ID_RULE =
  '1–128 characters of letters, digits, ".", "_", ":" and "-", starting with a letter or digit (Coder workspace ids are UUIDs)';

export const SERVER_NAME_RULE =
  '1–40 characters of lowercase letters, digits and hyphens, starting with a letter (e.g. "pg-2")';

export const TOKEN_NAME_RULE =
  '1–63 characters of lowercase letters, digits, ".", "_" and "-", starting with a letter or digit (e.g. "grafana", "ci-bot")';

export class InvalidNameError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly rule: string,
  ) {
    super(
      value === undefined || value === null
        ? `${field} is missing: it must be ${rule}`
        : `invalid ${field} ${describe(value)}: must be ${rule}`,
    );
    this.name = 'InvalidNameError';
  }
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return `(${typeof value})`;
  if (value === '') return '(empty)';
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(shown);
}

const oneOfRule = (values: readonly string[]) =>
  `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;

const isOneOf = <V extends string>(values: readonly V[], value: unknown): value is V =>
  (values as readonly unknown[]).includes(value);

/** Validates a Coder username and returns its canonical (lower-case) form. */
export function normalizeUsername(username: unknown): string {
  if (
    typeof username !== 'string' ||
    username.length > USERNAME_MAX ||
    !USERNAME_PATTERN.test(username)
  ) {
    throw new InvalidNameError('username', username, USERNAME_RULE);
  }
  // Coder treats usernames case-insensitively, so "Alice" and "alice" are one user.
  return username.toLowerCase();
}

export function validateTeamName(team: unknown): string {
  if (typeof team !== 'string' || team.length > TEAM_MAX || !TEAM_PATTERN.test(team)) {
    throw new InvalidNameError('team name', team, TEAM_RULE);
  }
  return team;
}

export function validateWorkspaceId(id: unknown): string {
  if (typeof id !== 'string' || !WORKSPACE_ID_PATTERN.test(id)) {
    throw new InvalidNameError('workspace id', id, WORKSPACE_ID_RULE);
  }
  return id;
}

export function validateDatabaseType(type: unknown): DatabaseType {
  if (isOneOf(DATABASE_TYPES, type)) return type;
  throw new InvalidNameError('database type', type, oneOfRule(DATABASE_TYPES));
}

export function validateOnLastDetach(value: unknown): OnLastDetach {
  if (isOneOf(ON_LAST_DETACH, value)) return value;
  throw new ProvisioningError(
    `invalid on_last_detach ${JSON.stringify(value) ?? '(undefined)'}: must be ${oneOfRule(ON_LAST_DETACH)}`,
    '22023',
  );
}

export function validateAccess(value: unknown): WorkspaceAccess {
  if (isOneOf(WORKSPACE_ACCESS, value)) return value;
  throw new ProvisioningError(
    `invalid access ${JSON.stringify(value) ?? '(undefined)'}: must be ${oneOfRule(WORKSPACE_ACCESS)}`,
    '22023',
  );
}

export function validateCredentials(value: unknown): CredentialMode {
  if (isOneOf(CREDENTIAL_MODES, value)) return value;
  throw new ProvisioningError(
    `invalid credentials ${JSON.stringify(value) ?? '(undefined)'}: must be ${oneOfRule(CREDENTIAL_MODES)}`,
    '22023',
  );
}

/**
 * A seed is named as a PostgreSQL database: 1–63 bytes, no NUL. The server
 * decides whether it may be copied; it is always quoted as an identifier there.
 */
export function validateSeedName(value: unknown): string {
  if (
    typeof value === 'string' &&
    value.length > 0 &&
    Buffer.byteLength(value) <= IDENTIFIER_MAX_BYTES &&
    !value.includes('\0')
  ) {
    return value;
  }
  throw new ProvisioningError(
    `invalid seed_from ${JSON.stringify(value) ?? '(undefined)'}: must be the name of a database on the DevDB server (1–63 bytes)`,
    '22023',
  );
}

/** An optional seed as the SQL functions take it: validated, or null when not given. */
export const optionalSeedName = (seedFrom: string | undefined): string | null =>
  seedFrom === undefined ? null : validateSeedName(seedFrom);

/** The policy's day counts: whole days from 1 to 3650 (ten years). */
export const POLICY_DAYS_RULE = 'a whole number of days from 1 to 3650';

export function validatePolicyDays(setting: string, value: unknown): number {
  const days = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof days === 'number' && Number.isInteger(days) && days >= 1 && days <= 3650) return days;
  throw new ProvisioningError(
    `invalid ${setting} ${JSON.stringify(value) ?? '(undefined)'}: must be ${POLICY_DAYS_RULE}`,
    '22023',
  );
}

/** A database goes idle, then stale, then eligible: each threshold after the one before. */
export function validatePolicyThresholds(days: {
  idleDays: number;
  staleDays: number;
  eligibleDays: number;
}): void {
  if (days.idleDays < days.staleDays && days.staleDays < days.eligibleDays) return;
  throw new ProvisioningError(
    `invalid policy thresholds: idle ${days.idleDays}, stale ${days.staleDays}, eligible ${days.eligibleDays} days; ` +
      'each must be more days than the one before (the defaults are 30, 60, 90)',
    '22023',
  );
}

/** Where policy notifications go: an http(s) URL (a Slack incoming webhook, for one). */
export function validateWebhookUrl(value: unknown): string {
  if (typeof value === 'string' && URL.canParse(value)) {
    const url = new URL(value);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.hostname) return value;
  }
  throw new ProvisioningError(
    'invalid policy_webhook_url: must be an http:// or https:// URL (e.g. a Slack incoming webhook)',
    '22023',
  );
}

/** What the policy job may do on its own (policy_auto_action). */
export function validatePolicyAutoAction(value: unknown): PolicyAutoAction {
  if (isOneOf(POLICY_AUTO_ACTIONS, value)) return value;
  throw new ProvisioningError(
    `invalid policy_auto_action ${JSON.stringify(value) ?? '(undefined)'}: must be ${oneOfRule(POLICY_AUTO_ACTIONS)}`,
    '22023',
  );
}

/** An API token's name: it is also the actor (`api:<name>`) of what the token does. */
export function validateTokenName(name: unknown): string {
  if (typeof name !== 'string' || !TOKEN_NAME_PATTERN.test(name)) {
    throw new InvalidNameError('token name', name, TOKEN_NAME_RULE);
  }
  return name;
}

export function validateApiRole(value: unknown): ApiRole {
  if (isOneOf(API_ROLES, value)) return value;
  throw new ProvisioningError(
    `invalid role ${JSON.stringify(value) ?? '(undefined)'}: must be ${oneOfRule(API_ROLES)}`,
    '22023',
  );
}

/** A setting that counts something: a whole number from `min` up (text, as settings are stored). */
export function validateWholeNumberSetting(key: string, value: unknown, min = 0): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,9}$/.test(text) || Number(text) < min) {
    throw new ProvisioningError(
      `invalid ${key} ${JSON.stringify(value) ?? '(undefined)'}: must be a whole number from ${min} to 999999999`,
      '22023',
    );
  }
  return String(Number(text));
}

/** A pool server's name (docs/servers.md); the SQL CHECK of provisioning.servers says the same. */
export function validateServerName(name: unknown): string {
  if (typeof name !== 'string' || !SERVER_NAME_PATTERN.test(name)) {
    throw new InvalidNameError('server name', name, SERVER_NAME_RULE);
  }
  return name;
}

export function validateServerState(value: unknown): ServerState {
  if (isOneOf(SERVER_STATES, value)) return value;
  throw new ProvisioningError(
    `invalid server state ${JSON.stringify(value) ?? '(undefined)'}: must be ${oneOfRule(SERVER_STATES)}`,
    '22023',
  );
}
