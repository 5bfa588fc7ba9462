/**
 * The audit trail (provisioning.events, append-only): every operation, policy state change
 * and cleanup step appends one row. `devdb events` and the REST API page through
 * it newest first.
 */
import { query, type Queryable } from '../schema/index.js';
import { ProvisioningError } from '../contract/index.js';

export interface EventRecord {
  id: number;
  at: Date;
  /** Who did it: 'cli', 'cleanup', 'policy', a Terraform provider's actor, … */
  actor: string;
  /** e.g. 'database.archive', 'workspace.attach', 'policy.state'. */
  action: string;
  database: string | null;
  workspaceId: string | null;
  detail: Record<string, unknown>;
}

export interface EventQuery {
  /** Only events at or after this time. */
  since?: Date;
  /** Only events before this time. */
  until?: Date;
  /** Only this database's events. */
  database?: string;
  /** Only this actor's events. */
  actor?: string;
  /** Only this action's events; a family by its first part (`backup`: backup.create, backup.restore, …). */
  action?: string;
  /** At most this many (default 100, at most 10 000). */
  limit?: number;
  /** Only events older than this id: the next page after a page ending at it. */
  beforeId?: number;
}

export const EVENTS_LIMIT_MAX = 10_000;

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return 100;
  if (Number.isInteger(limit) && limit >= 1 && limit <= EVENTS_LIMIT_MAX) return limit;
  throw new ProvisioningError(
    `invalid limit ${limit}: must be a whole number from 1 to ${EVENTS_LIMIT_MAX}`,
    '22023',
  );
}

/** Events newest first, filtered; page on with `beforeId` = the last id of a page. */
export function listEvents(db: Queryable, options: EventQuery = {}): Promise<EventRecord[]> {
  const limit = checkLimit(options.limit);
  for (const key of ['since', 'until'] as const) {
    if (options[key] !== undefined && Number.isNaN(options[key].getTime())) {
      throw new ProvisioningError(`invalid ${key}: not a date`, '22023');
    }
  }
  return query<EventRecord>(
    db,
    `SELECT id::float8 AS id, at, actor, action, db_name AS database,
            workspace_id AS "workspaceId", detail
       FROM provisioning.events
      WHERE ($1::timestamptz IS NULL OR at >= $1)
        AND ($2::text IS NULL OR db_name = $2)
        AND ($3::bigint IS NULL OR id < $3)
        AND ($5::timestamptz IS NULL OR at < $5)
        AND ($6::text IS NULL OR actor = $6)
        AND ($7::text IS NULL OR action = $7 OR starts_with(action, $7 || '.'))
      ORDER BY id DESC
      LIMIT $4`,
    [
      options.since ?? null,
      options.database ?? null,
      options.beforeId ?? null,
      limit,
      options.until ?? null,
      options.actor ?? null,
      options.action ?? null,
    ],
  );
}

/** Appends one event (the same row the SQL operations write through provisioning._log). */
export async function recordEvent(
  db: Queryable,
  event: {
    actor: string;
    action: string;
    database?: string;
    workspaceId?: string;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  await query(db, `SELECT provisioning._log($1, $2, $3, $4, $5)`, [
    event.actor,
    event.action,
    event.database ?? null,
    event.workspaceId ?? null,
    JSON.stringify(event.detail ?? {}),
  ]);
}
