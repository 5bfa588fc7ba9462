/**
 * JSON schemas the routes share (docs/api.md). Each route declares its request
 * and response schemas once, from these pieces: Fastify validates requests and
 * serializes responses with them (a field not in a response schema is never
 * sent), and @fastify/swagger turns them into the OpenAPI document. They are
 * inlined, not $ref'd, so every operation in the document stands alone.
 */
import {
  ACCESS_LEVELS,
  API_ROLES,
  BACKUP_KINDS,
  BACKUP_STATUSES,
  DATABASE_SORT_KEYS,
  DATABASE_STATUSES,
  DATABASE_TYPES,
  WORKSPACE_ACCESS,
} from '../../provisioning/index.js';

export type Schema = Record<string, unknown>;

export const nullable = (type: string, extra: Schema = {}): Schema => ({
  type: [type, 'null'],
  ...extra,
});
export const dateTime: Schema = { type: 'string', format: 'date-time' };
export const nullableDateTime = nullable('string', { format: 'date-time' });
export const oneOf = (values: readonly string[]): Schema => ({
  type: 'string',
  enum: [...values],
});

/** An object whose listed properties are all present (responses) and nothing else. */
export function object(properties: Record<string, Schema>, optional: string[] = []): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties).filter((key) => !optional.includes(key)),
    properties,
  };
}

/** A request body: only these fields (400 for any other), `required` must be present. */
export function body(properties: Record<string, Schema>, required: string[] = []): Schema {
  return { type: 'object', additionalProperties: false, required, properties };
}

export const errorSchema = object({
  error: object({
    code: { type: 'string', description: 'machine-readable, e.g. not_found, conflict' },
    message: { type: 'string', description: 'what went wrong and what to do about it' },
  }),
});

export const databaseName: Schema = {
  type: 'string',
  minLength: 1,
  maxLength: 63,
  description: 'a DevDB database name, e.g. dev_alice or team_frontend',
};

export const nameParams = object({ name: databaseName });

export const databaseRow = object({
  name: { type: 'string' },
  type: oneOf(DATABASE_TYPES),
  owner: nullable('string'),
  ownerId: nullable('string'),
  team: nullable('string'),
  status: oneOf(DATABASE_STATUSES),
  createdAt: dateTime,
  lastAccessed: nullableDateTime,
  users: { type: 'integer' },
  activeAttachments: { type: 'integer' },
  sizeBytes: nullable('number'),
  idleDays: nullable('integer'),
});

export const databaseListItem = object({
  ...(databaseRow.properties as Record<string, Schema>),
  connectionsAllowed: nullable('boolean'),
});

export const attachment = object({
  workspaceId: { type: 'string' },
  workspaceName: nullable('string'),
  owner: { type: 'string' },
  user: { type: 'string', description: "the workspace's login role" },
  template: nullable('string'),
  attachedAt: dateTime,
  detachedAt: nullableDateTime,
  lastSeenAt: nullableDateTime,
});

export const detailJson: Schema = { type: 'object', additionalProperties: true };

export const databaseDetail = object({
  database: databaseRow,
  users: {
    type: 'array',
    items: object({
      username: { type: 'string' },
      accessLevel: oneOf(ACCESS_LEVELS),
      grantedAt: dateTime,
    }),
  },
  attachments: { type: 'array', items: attachment },
  recentEvents: {
    type: 'array',
    items: object({
      at: dateTime,
      actor: { type: 'string' },
      action: { type: 'string' },
      workspaceId: nullable('string'),
      detail: detailJson,
    }),
  },
});

export const databaseStats = object({
  name: { type: 'string' },
  status: oneOf(DATABASE_STATUSES),
  exists: { type: 'boolean' },
  sizeBytes: nullable('number'),
  connections: { type: 'integer' },
  sessions: nullable('number'),
  transactionsCommitted: nullable('number'),
  statsReset: nullableDateTime,
  lastAccessed: nullableDateTime,
  connectionsAllowed: nullable('boolean'),
});

export const credential = object(
  {
    workspaceId: { type: 'string' },
    user: { type: 'string' },
    password: {
      type: 'string',
      description: 'shown in this response only: DevDB keeps a verifier',
    },
    host: { type: 'string' },
    port: { type: 'integer' },
    url: { type: 'string', description: 'postgresql:// URL without the password' },
    sslmode: { type: 'string' },
    access: oneOf(WORKSPACE_ACCESS),
    env: { type: 'object', additionalProperties: { type: 'string' } },
  },
  ['sslmode'],
);

export const backupRecord = object({
  id: { type: 'integer' },
  database: { type: 'string' },
  kind: oneOf(BACKUP_KINDS),
  status: oneOf(BACKUP_STATUSES),
  file: { type: 'string' },
  encrypted: { type: 'boolean' },
  bytes: nullable('number'),
  sha256: nullable('string'),
  rowCounts: nullable('object', { additionalProperties: { type: 'number' } }),
  serverVersion: { type: 'string' },
  startedAt: dateTime,
  finishedAt: nullableDateTime,
  error: nullable('string'),
  verifiedAt: nullableDateTime,
  verifyError: nullable('string'),
});

export const auditEvent = object({
  id: { type: 'integer' },
  at: dateTime,
  actor: { type: 'string' },
  action: { type: 'string' },
  database: nullable('string'),
  workspaceId: nullable('string'),
  detail: detailJson,
});

export const settingValue = object({
  key: { type: 'string' },
  value: nullable('string'),
  set: { type: 'boolean' },
  default: nullable('string'),
  description: { type: 'string' },
});

export const principal = object({
  name: { type: 'string', description: 'the token name; the actor of its events is api:<name>' },
  role: oneOf(API_ROLES),
});

export const paging = {
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
};

export const databaseSort = oneOf(DATABASE_SORT_KEYS);

/** Every error response a route can give, each with the one error shape. */
export function withErrors(
  ok: Record<number, Schema>,
  errors: number[] = [],
): Record<number, Schema> {
  // A route with a body (413) also refuses one that is not JSON (415).
  const standard = [400, 401, 403, 429, 500, ...errors, ...(errors.includes(413) ? [415] : [])];
  const described: Record<number, string> = {
    400: 'bad request: invalid JSON, an unknown field or a value out of range',
    401: 'no valid token or session',
    403: 'the token may not do this (viewer), or the CSRF token is missing or wrong',
    404: 'no such resource',
    409: 'conflicts with the current state (in use, already exists, archived, …)',
    413: 'the request body is larger than allowed',
    415: 'the body is not JSON (Content-Type: application/json)',
    429: 'too many failed logins from this address: wait, then try again',
    500: 'DevDB could not do it; the message says why',
    503: 'not ready',
  };
  const responses: Record<number, Schema> = { ...ok };
  for (const status of [...new Set(standard)].sort()) {
    responses[status] = { ...errorSchema, description: described[status] ?? 'error' };
  }
  return responses;
}
