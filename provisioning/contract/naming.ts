/**
 * DevDB's names (docs/architecture.md, "Names"): which PostgreSQL identifiers accepted usernames
 * and team names become (validation.ts decides what is accepted). The SQL
 * functions `provisioning.individual_db_name`/`team_db_name` compute the same
 * names inside the server; test/provisioning/naming.test.ts checks that both
 * agree on generated input.
 *
 * Every mapping is injective on its accepted input and yields an identifier of
 * at most 63 bytes made of [a-z0-9_], so it never needs quoting tricks — but it
 * is still always quoted with %I / escapeIdentifier when it reaches SQL.
 */
import { normalizeUsername, validateTeamName } from './validation.js';

/** Schema names a team member may not take as their personal schema. */
const RESERVED_SCHEMAS = new Set(['public', 'shared', 'information_schema']);

/** `dev_` + lower-case username with `-` → `_` (usernames never contain `_`). */
export function individualDatabaseName(username: unknown): string {
  return `dev_${normalizeUsername(username).replaceAll('-', '_')}`;
}

/** `team_` + team name with `-` → `_` (team names never contain `_`). */
export function teamDatabaseName(team: unknown): string {
  return `team_${validateTeamName(team).replaceAll('-', '_')}`;
}

/**
 * A database's read role, whose members (read-only login roles) may SELECT
 * everything its owner role owns: `ro_` + the database name. No owner role
 * (`dev_`, `team_`) or login role (`ws_`) starts with `ro_`, database names are
 * at most 45 bytes, so the name is injective and at most 48 bytes.
 */
export function readRoleName(database: string): string {
  return `ro_${database}`;
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
