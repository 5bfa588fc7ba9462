/**
 * Ensuring a database exists (docs/architecture-sql.md; docs/architecture.md, "Names"): a user's `dev_{username}` or a
 * team's `team_{name}`, created on first use, repaired when something is
 * missing. Each call validates its input before any SQL runs, then calls one
 * idempotent SQL function that takes the database's advisory lock and appends
 * an `events` row.
 */
import { queryOne, type Queryable } from '../schema/index.js';
import { normalizeUsername, optionalSeedName, validateTeamName } from '../contract/index.js';

export interface EnsureResult {
  name: string;
  created: boolean;
  /** What had to be created or repaired (empty when everything was in place). */
  repaired: string[];
}

const ENSURE_SQL = `SELECT db_name AS name, created, repaired
  FROM provisioning.ensure_database($1, $2, $3, $4, $5, $6)`;

export async function ensureIndividualDatabase(
  db: Queryable,
  input: { owner: string; ownerId?: string; actor?: string; seedFrom?: string },
): Promise<EnsureResult> {
  const owner = normalizeUsername(input.owner);
  return queryOne<EnsureResult>(db, ENSURE_SQL, [
    'individual',
    owner,
    input.ownerId ?? null,
    null,
    input.actor ?? null,
    optionalSeedName(input.seedFrom),
  ]);
}

export async function ensureTeamDatabase(
  db: Queryable,
  input: { team: string; actor?: string; seedFrom?: string },
): Promise<EnsureResult> {
  const team = validateTeamName(input.team);
  return queryOne<EnsureResult>(db, ENSURE_SQL, [
    'team',
    null,
    null,
    team,
    input.actor ?? null,
    optionalSeedName(input.seedFrom),
  ]);
}
