/**
 * DevDB's naming rules (DESIGN.md §4): the single place that decides which
 * usernames and team names are accepted and which PostgreSQL identifiers they
 * become. The SQL functions `provisioning.individual_db_name`/`team_db_name`
 * enforce the same rules inside the server (for `create_team_db()` callers);
 * test/provisioning/naming.test.ts checks that both agree on generated input.
 *
 * Every mapping is injective on its accepted input and yields an identifier of
 * at most 63 bytes made of [a-z0-9_], so it never needs quoting tricks — but it
 * is still always quoted with %I / escapeIdentifier when it reaches SQL.
 */

export const USERNAME_MAX = 32;
export const TEAM_MAX = 40;
const USERNAME_PATTERN = /^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/;
const TEAM_PATTERN = /^[a-z][a-z0-9-]*$/;
const WORKSPACE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const USERNAME_RULE = `a Coder username: 1–${USERNAME_MAX} letters or digits, in groups separated by single hyphens (e.g. "alice", "jane-doe")`;
export const TEAM_RULE = `1–${TEAM_MAX} characters of lowercase letters, digits and hyphens, starting with a letter (e.g. "frontend-project")`;
export const WORKSPACE_ID_RULE =
  '1–128 characters of letters, digits, ".", "_", ":" and "-", starting with a letter or digit (Coder workspace ids are UUIDs)';

/** Schema names a team member may not take as their personal schema. */
const RESERVED_SCHEMAS = new Set(['public', 'shared', 'information_schema']);

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

/** `dev_` + lower-case username with `-` → `_` (usernames never contain `_`). */
export function individualDatabaseName(username: unknown): string {
  return `dev_${normalizeUsername(username).replaceAll('-', '_')}`;
}

/** `team_` + team name with `-` → `_` (team names never contain `_`). */
export function teamDatabaseName(team: unknown): string {
  return `team_${validateTeamName(team).replaceAll('-', '_')}`;
}

/**
 * A team member's personal schema: their username with `-` → `_`. Names that
 * would collide with a shared schema get a trailing `_`, which no username can
 * produce (usernames never end in `-`). PostgreSQL refuses every schema name
 * starting with `pg_` (a trailing `_` does not help), so those get a leading
 * `_` instead, which no username can produce either. The three forms (plain,
 * trailing `_`, leading `_`) cannot meet, so the mapping stays injective.
 */
export function personalSchemaName(username: unknown): string {
  const base = normalizeUsername(username).replaceAll('-', '_');
  if (base.startsWith('pg_')) return `_${base}`;
  return RESERVED_SCHEMAS.has(base) ? `${base}_` : base;
}

export type DatabaseType = 'individual' | 'team';
export const DATABASE_TYPES: readonly DatabaseType[] = ['individual', 'team'];

export function validateDatabaseType(type: unknown): DatabaseType {
  if (type === 'individual' || type === 'team') return type;
  throw new InvalidNameError('database type', type, 'one of "individual", "team"');
}
