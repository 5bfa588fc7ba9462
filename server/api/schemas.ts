/**
 * The API's shapes (docs/api.md), each declared once, as a TypeBox type: it is
 * the JSON Schema Fastify validates requests and serializes responses with (a
 * field not in a response schema is never sent), the one @fastify/swagger turns
 * into the OpenAPI document, and the type the routes' request and reply types
 * are inferred from (the TypeBox type provider). Other code uses the exported
 * Static types instead of interfaces of its own. Schemas are inlined, not
 * $ref'd, so every operation in the document stands alone.
 *
 * Where TypeBox's own builder would write other JSON Schema than the API has
 * declared (an anyOf for nullable, an enum without "type", a record as
 * patternProperties, another key order), the builders here write the API's with
 * Type.Unsafe and give it the matching static type: docs/openapi.json stays the
 * same document, and validation (coercion, its messages) and serialization do
 * not change.
 */
import {
  Type,
  type Static,
  type TInteger,
  type TObject,
  type TProperties,
  type TSchema,
  type TSchemaOptions,
  type TUnsafe,
} from 'typebox';
import {
  ACCESS_LEVELS,
  API_ROLES,
  BACKUP_KINDS,
  BACKUP_STATUSES,
  CLEANUP_ACTIONS,
  DATABASE_STATUSES,
  DATABASE_TYPES,
  ORPHAN_KINDS,
  POLICY_AUTO_ACTIONS,
  POLICY_STATES,
  SETTING_GROUPS,
  SETTING_UNITS,
  WORKSPACE_ACCESS,
} from '../../provisioning/index.js';

/** The static type of an object of these properties (Type.Optional ones may be absent). */
type StaticObject<P extends TProperties> = Static<TObject<P>>;

/**
 * An object with these properties and no others: all present but those wrapped
 * in Type.Optional. A request with another field is refused (400); a response
 * field not listed is not sent.
 */
export function object<P extends TProperties>(
  properties: P,
  options: TSchemaOptions = {},
): TUnsafe<StaticObject<P>> {
  return Type.Unsafe<StaticObject<P>>({
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties).filter((key) => !Type.IsOptional(properties[key])),
    properties,
    ...options,
  });
}

/**
 * A query string: these parameters only (400 for any other), each either
 * Type.Optional or with a default, which validation fills in for the handler.
 */
export function query<P extends TProperties>(properties: P): TUnsafe<StaticObject<P>> {
  for (const [name, schema] of Object.entries(properties)) {
    if (!Type.IsOptional(schema) && !('default' in schema)) {
      throw new Error(`query parameter ${name}: make it Type.Optional or give it a default`);
    }
  }
  return Type.Unsafe<StaticObject<P>>({ type: 'object', additionalProperties: false, properties });
}

/** The type or null, as `"type": [type, "null"]` (not an anyOf). */
export function nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const { type } = schema as { type?: unknown };
  if (typeof type !== 'string') throw new Error('nullable() takes a schema of one type');
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] });
}

/** One of these strings (the `as const` arrays provisioning exports). */
export function stringEnum<const V extends readonly string[]>(
  values: V,
  options: TSchemaOptions = {},
): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options });
}

/** An object of any keys whose values are all of this type. */
export function record<T extends TSchema>(values: T): TUnsafe<Record<string, Static<T>>> {
  return Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: values });
}

/**
 * A time in a response: handlers give the Date provisioning returns (or its
 * string), the serializer writes it as RFC 3339; a client always gets the string.
 */
export const dateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const nullableDateTime = nullable(dateTime);
/** A time in a request: checked as RFC 3339, given to the handler as the string. */
export const requestDateTime = Type.String({ format: 'date-time' });

/** Any JSON object (an event's detail). */
export const detailJson = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  additionalProperties: true,
});

const errorFields = {
  error: object({
    code: Type.String({ description: 'machine-readable, e.g. not_found, conflict' }),
    message: Type.String({ description: 'what went wrong and what to do about it' }),
  }),
};
export const errorSchema = object(errorFields);
/** The one error shape, `{ error: { code, message } }`, of every error response. */
export type ErrorBody = Static<typeof errorSchema>;

export const databaseName = (
  description = 'a DevDB database name, e.g. dev_alice or team_frontend',
) => Type.String({ minLength: 1, maxLength: 63, description });

export const nameParams = object({ name: databaseName() });

/** The server of the pool a row is on (docs/servers.md): `central` on a one-server install. */
export const serverName = (description = 'the server of the pool it is on (docs/servers.md)') =>
  Type.String({ description });

/** Servers of the pool a list could not read (the rest answered); empty when all did. */
export const unreachable = Type.Array(
  object({
    server: Type.String(),
    reason: Type.String({ description: 'what failed, naming host:port (never a password)' }),
  }),
  { description: 'servers of the pool that could not be read: their rows are missing' },
);

const databaseRowProperties = {
  name: Type.String(),
  server: serverName(),
  type: stringEnum(DATABASE_TYPES),
  owner: nullable(Type.String()),
  ownerId: nullable(Type.String()),
  team: nullable(Type.String()),
  status: stringEnum(DATABASE_STATUSES),
  createdAt: dateTime,
  lastAccessed: nullableDateTime,
  users: Type.Integer(),
  activeAttachments: Type.Integer(),
  sizeBytes: nullable(Type.Number()),
  idleDays: nullable(Type.Integer()),
};
export const databaseRow = object(databaseRowProperties);
export type DatabaseRow = Static<typeof databaseRow>;

export const databaseListItem = object({
  ...databaseRowProperties,
  connectionsAllowed: nullable(Type.Boolean()),
});
export type DatabaseListItem = Static<typeof databaseListItem>;

export const attachment = object({
  workspaceId: Type.String(),
  workspaceName: nullable(Type.String()),
  owner: Type.String(),
  user: Type.String({ description: "the workspace's login role" }),
  template: nullable(Type.String()),
  attachedAt: dateTime,
  detachedAt: nullableDateTime,
  lastSeenAt: nullableDateTime,
});
export type Attachment = Static<typeof attachment>;

export const databaseDetail = object({
  database: databaseRow,
  users: Type.Array(
    object({
      username: Type.String(),
      accessLevel: stringEnum(ACCESS_LEVELS),
      grantedAt: dateTime,
    }),
  ),
  attachments: Type.Array(attachment),
  recentEvents: Type.Array(
    object({
      at: dateTime,
      actor: Type.String(),
      action: Type.String(),
      workspaceId: nullable(Type.String()),
      detail: detailJson,
    }),
  ),
});
export type DatabaseDetail = Static<typeof databaseDetail>;

export const databaseStats = object({
  name: Type.String(),
  status: stringEnum(DATABASE_STATUSES),
  exists: Type.Boolean(),
  sizeBytes: nullable(Type.Number()),
  connections: Type.Integer(),
  sessions: nullable(Type.Number()),
  transactionsCommitted: nullable(Type.Number()),
  statsReset: nullableDateTime,
  lastAccessed: nullableDateTime,
  connectionsAllowed: nullable(Type.Boolean()),
});
export type DatabaseStats = Static<typeof databaseStats>;

export const credential = object({
  workspaceId: Type.String(),
  user: Type.String(),
  password: Type.String({ description: 'shown in this response only: DevDB keeps a verifier' }),
  host: Type.String(),
  port: Type.Integer(),
  url: Type.String({ description: 'postgresql:// URL without the password' }),
  sslmode: Type.Optional(Type.String()),
  access: stringEnum(WORKSPACE_ACCESS),
  env: record(Type.String()),
});
export type Credential = Static<typeof credential>;

export const backupRecord = object({
  id: Type.Integer({ description: "the backup's id on its server" }),
  server: serverName('the server holding the backup (and its registry row)'),
  database: Type.String(),
  kind: stringEnum(BACKUP_KINDS),
  status: stringEnum(BACKUP_STATUSES),
  file: Type.String(),
  encrypted: Type.Boolean(),
  bytes: nullable(Type.Number()),
  sha256: nullable(Type.String()),
  rowCounts: nullable(record(Type.Number())),
  serverVersion: Type.String(),
  startedAt: dateTime,
  finishedAt: nullableDateTime,
  error: nullable(Type.String()),
  verifiedAt: nullableDateTime,
  verifyError: nullable(Type.String()),
});
export type BackupRecord = Static<typeof backupRecord>;

export const auditEvent = object({
  id: Type.Integer({ description: "the event's id on its server" }),
  server: serverName('the server whose audit trail holds it'),
  at: dateTime,
  actor: Type.String(),
  action: Type.String(),
  database: nullable(Type.String()),
  workspaceId: nullable(Type.String()),
  detail: detailJson,
});
export type AuditEvent = Static<typeof auditEvent>;

export const sample = object({
  at: dateTime,
  sizeBytes: nullable(Type.Number({ description: 'null until the sampler has measured it' })),
  sizeAt: nullableDateTime,
  connections: Type.Integer({ description: 'client sessions open at the time' }),
  sessions: Type.Number({ description: "pg_stat_database's sessions counter (cumulative)" }),
  xactCommit: Type.Number({ description: 'transactions committed (cumulative)' }),
  accessed: Type.Boolean({ description: 'used since the sample before' }),
});

export const settingValue = object({
  key: Type.String(),
  group: stringEnum(SETTING_GROUPS, { description: 'what it governs' }),
  label: Type.String({ description: 'a human name for it' }),
  unit: stringEnum(SETTING_UNITS),
  allowed: Type.String({ description: 'what a value may be' }),
  choices: Type.Optional(Type.Array(Type.String(), { description: 'the values a `choice` takes' })),
  secret: Type.Optional(
    Type.Boolean({ description: 'its value is shown masked (its origin only)' }),
  ),
  policyField: Type.Optional(
    Type.String({
      description:
        'a policy setting, checked with the others: its name in PATCH /api/v1/policy/settings (PATCH /api/v1/settings passes it on)',
    }),
  ),
  value: nullable(Type.String()),
  set: Type.Boolean(),
  default: nullable(Type.String()),
  description: Type.String(),
});
export type SettingValue = Static<typeof settingValue>;

export const principalProperties = {
  name: Type.String({ description: 'the token name; the actor of its events is api:<name>' }),
  role: stringEnum(API_ROLES),
};
export const principal = object(principalProperties);
export type Principal = Static<typeof principal>;

const counts = <const K extends readonly string[]>(keys: K) =>
  object(
    Object.fromEntries(keys.map((key) => [key, Type.Integer()])) as Record<K[number], TInteger>,
  );

export const summary = object({
  databases: Type.Integer({ description: 'over every server of the pool' }),
  byType: counts(DATABASE_TYPES),
  byStatus: counts(DATABASE_STATUSES),
  activeAttachments: Type.Integer(),
  users: Type.Integer(),
  totalSizeBytes: Type.Number(),
  snapshots: Type.Integer({ description: 'snapshots workspaces took (docs/snapshots.md)' }),
  snapshotBytes: Type.Number({ description: 'their bytes, not in totalSizeBytes' }),
  neverAccessed: Type.Integer(),
  idleOver30Days: Type.Integer(),
  servers: Type.Array(
    object({
      server: Type.String(),
      databases: Type.Integer(),
      activeAttachments: Type.Integer(),
      totalSizeBytes: Type.Number(),
    }),
    { description: "each server's share (users count once over the pool)" },
  ),
  unreachable,
});
export type Summary = Static<typeof summary>;

export const policyState = object({
  database: Type.String(),
  server: serverName(),
  status: stringEnum(DATABASE_STATUSES),
  state: stringEnum(POLICY_STATES),
  timeState: nullable(Type.String()),
  protected: Type.Boolean(),
  protectedUntil: nullableDateTime,
  protectReason: nullable(Type.String()),
  lastAccess: dateTime,
  lastAccessed: nullableDateTime,
  idleDays: Type.Integer(),
  liveAttachments: Type.Integer(),
  archivedAt: nullableDateTime,
  dropDueAt: nullableDateTime,
  dropDue: Type.Boolean(),
});
export type PolicyState = Static<typeof policyState>;

export const policySettings = object({
  idleDays: Type.Integer({ description: 'days without access before idle (30)' }),
  staleDays: Type.Integer({ description: '… before stale (60)' }),
  eligibleDays: Type.Integer({ description: '… before eligible for cleanup (90)' }),
  archiveRetentionDays: Type.Integer({
    description: 'days an archive is kept before cleanup drops it (30)',
  }),
  webhookUrl: Type.Unsafe<string | null>({
    type: ['string', 'null'],
    description: 'its origin only: the path is the secret',
  }),
  autoAction: stringEnum(POLICY_AUTO_ACTIONS, {
    description:
      "what devdb serve's policy job does on its own: notify (the default), archive, archive-and-drop",
  }),
});
export type PolicySettingsBody = Static<typeof policySettings>;

/** A change of the policy's settings: any of them (null restores the default), at least one. */
export const policySettingsChange = object(
  {
    idleDays: Type.Optional(nullable(Type.Integer())),
    staleDays: Type.Optional(nullable(Type.Integer())),
    eligibleDays: Type.Optional(nullable(Type.Integer())),
    archiveRetentionDays: Type.Optional(nullable(Type.Integer())),
    webhookUrl: Type.Optional(nullable(Type.String({ maxLength: 2048 }))),
    autoAction: Type.Optional(
      Type.Unsafe<(typeof POLICY_AUTO_ACTIONS)[number] | null>({
        type: ['string', 'null'],
        enum: [...POLICY_AUTO_ACTIONS, null],
      }),
    ),
  },
  { minProperties: 1 },
);

/** One login role's client sessions in a database. */
export const sessionGroup = object({
  database: Type.String(),
  user: Type.String(),
  sessions: Type.Integer(),
  active: Type.Integer(),
  idle: Type.Integer(),
  idleInTransaction: Type.Integer(),
  oldestSince: nullableDateTime,
});
export type SessionGroup = Static<typeof sessionGroup>;

export const orphanFinding = object({
  kind: stringEnum(ORPHAN_KINDS),
  server: serverName('the server whose registry or catalog it was found in'),
  database: nullable(Type.String()),
  owner: nullable(Type.String()),
  workspaceId: nullable(Type.String()),
  loginRole: nullable(Type.String()),
  lastAccess: nullableDateTime,
  status: Type.String(),
  detail: Type.String(),
});
export type OrphanFinding = Static<typeof orphanFinding>;

export const cleanupAction = object({
  kind: stringEnum(CLEANUP_ACTIONS),
  database: Type.String(),
  server: serverName(),
  workspaceId: Type.Optional(Type.String()),
  reason: Type.String(),
});
export type CleanupAction = Static<typeof cleanupAction>;

export const cleanupPlanProperties = {
  now: dateTime,
  coder: Type.Unsafe<string | null>({
    type: ['string', 'null'],
    description: 'what Coder confirmed deleted, or why no workspace is detached',
  }),
  actions: Type.Array(cleanupAction),
  skipped: Type.Array(
    object({
      database: Type.String(),
      server: serverName(),
      workspaceId: Type.Optional(Type.String()),
      reason: Type.String(),
    }),
  ),
  unreachable,
};
export const cleanupPlan = object(cleanupPlanProperties);
export type CleanupPlan = Static<typeof cleanupPlan>;

export const cleanupResult = object({
  action: cleanupAction,
  outcome: stringEnum(['done', 'skipped', 'failed']),
  detail: Type.Optional(Type.String()),
});
export type CleanupResult = Static<typeof cleanupResult>;

export const paging = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
};

/** `{ items }`: a list of these, all of them (not paged). */
export const itemsOf = <T extends TSchema>(items: T) => object({ items: Type.Array(items) });

/**
 * One page of a list over the pool (`paging` in the query), the total over all
 * pages and servers, and the servers that could not be read.
 */
export const page = <T extends TSchema>(items: T, total: TSchemaOptions = {}) =>
  object({
    items: Type.Array(items),
    total: Type.Integer(total),
    limit: Type.Integer(),
    offset: Type.Integer(),
    unreachable,
  });

/** Statuses every route can answer with an error. */
type StandardError = 400 | 401 | 403 | 429 | 500;
/** Statuses a route lists when it can give them; a body (413) brings 415 too. */
export type RouteError = 404 | 409 | 413 | 503;

const ERROR_DESCRIPTIONS: Record<StandardError | RouteError | 415, string> = {
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

/** The error responses of a route that lists these. */
type ErrorResponses<Errors extends RouteError> = Record<
  StandardError | Errors | (413 extends Errors ? 415 : never),
  typeof errorSchema
>;

/** Every error response a route can give, each with the one error shape. */
export function withErrors<
  const Ok extends Record<number, TSchema>,
  const Errors extends RouteError = never,
>(ok: Ok, errors: readonly Errors[] = []): Ok & ErrorResponses<Errors> {
  // A route with a body (413) also refuses one that is not JSON (415).
  const statuses: (StandardError | RouteError | 415)[] = [400, 401, 403, 429, 500, ...errors];
  if (errors.includes(413 as Errors)) statuses.push(415);
  const responses: Record<number, TSchema> = { ...ok };
  for (const status of [...new Set(statuses)].sort()) {
    responses[status] = object(errorFields, { description: ERROR_DESCRIPTIONS[status] });
  }
  return responses as Ok & ErrorResponses<Errors>;
}
