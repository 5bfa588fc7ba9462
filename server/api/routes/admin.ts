/**
 * /api/v1/summary and /api/v1/events (the audit trail, paged by id or by
 * cursor) over every server of the pool, and /api/v1/settings (known keys
 * only, validated; those every server shares written on each).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  BACKUP_SETTING_KEYS,
  EVENTS_LIMIT_MAX,
  KNOWN_SETTINGS,
  listEvents,
  readSettings,
  updateSettings,
  type PolicySettingsChange,
  type Queryable,
  type ServerRouter,
} from '../../../provisioning/index.js';
import { maskedWebhook } from '../../commands/policy/policy.js';
import { changePolicySettings } from './policy.js';
import { newestFirst, summarizeWithUsers } from '../../pool-reads.js';
import { actorOf, type ControlPlaneOptions } from '../context.js';
import { ApiError } from '../errors.js';
import { eachServer, everyServer, poolSummary } from '../pool.js';
import {
  auditEvent,
  databaseName,
  itemsOf,
  nullable,
  object,
  query,
  requestDateTime,
  serverName,
  settingValue,
  summary,
  unreachable,
  withErrors,
} from '../schemas.js';

/**
 * A PATCH of settings: any of the known keys, at least one; null restores the
 * default. Written out rather than with query()/object(): its keys come from
 * KNOWN_SETTINGS, and the document has minProperties before properties.
 */
const settingsPatch = Type.Unsafe<Record<string, string | number | null>>({
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: Object.fromEntries(
    KNOWN_SETTINGS.map((s) => [
      s.key,
      { type: ['string', 'integer', 'null'], description: s.description },
    ]),
  ),
});

/** Settings every server of the pool keeps alike (`servers add` copies them to a member). */
const SHARED_SETTINGS = new Set<string>(Object.values(BACKUP_SETTING_KEYS));

/**
 * Where each server's next page of events starts: `server:id` pairs, the id
 * the next page is older than (0: that server has no more).
 */
const CURSOR = /^[a-z][a-z0-9-]*:\d{1,16}(,[a-z][a-z0-9-]*:\d{1,16})*$/;

function parseCursor(cursor: string): Map<string, number> {
  if (!CURSOR.test(cursor)) {
    throw new ApiError(400, 'invalid_request', 'cursor is not a nextCursor of /api/v1/events');
  }
  return new Map(
    cursor.split(',').map((pair) => {
      const [server, id] = pair.split(':');
      return [server!, Number(id)];
    }),
  );
}

export function adminRoutes(
  server: FastifyInstance,
  options: ControlPlaneOptions,
  router: ServerRouter,
): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const db = options.pool;

  app.route({
    method: 'GET',
    url: '/api/v1/summary',
    config: { access: 'read' },
    schema: {
      summary:
        "Totals over every server of the pool: databases by type and status, workspaces, users, size; and each server's share",
      tags: ['databases'],
      response: withErrors({ 200: summary }),
    },
    handler: async () => poolSummary(await eachServer(router, ({ db }) => summarizeWithUsers(db))),
  });

  app.route({
    method: 'GET',
    url: '/api/v1/events',
    config: { access: 'read' },
    schema: {
      summary:
        "The audit trail of every server of the pool, newest first; the next page passes cursor = nextCursor (or, on one server's, beforeId = nextBeforeId)",
      tags: ['events'],
      querystring: query({
        since: Type.Optional(requestDateTime),
        until: Type.Optional(requestDateTime),
        database: Type.Optional(databaseName()),
        actor: Type.Optional(Type.String({ maxLength: 200, description: 'only this actor' })),
        action: Type.Optional(
          Type.String({
            maxLength: 100,
            pattern: '^[a-z_]+(\\.[a-z_]+)*$',
            description: 'only this action, or a family by its first part (`backup`)',
          }),
        ),
        server: Type.Optional(serverName("only this server's trail")),
        limit: Type.Integer({ minimum: 1, maximum: EVENTS_LIMIT_MAX, default: 100 }),
        beforeId: Type.Optional(
          Type.Integer({
            minimum: 1,
            description:
              'older than this id: ids are per server, so with `server` on a pool of several',
          }),
        ),
        cursor: Type.Optional(
          Type.String({ maxLength: 4096, description: 'the nextCursor of the previous page' }),
        ),
      }),
      response: withErrors(
        {
          200: object({
            items: Type.Array(auditEvent),
            nextBeforeId: nullable(
              Type.Integer({
                description: "null on the last page, and on a page of several servers' trails",
              }),
            ),
            nextCursor: nullable(Type.String({ description: 'null on the last page' })),
            unreachable,
          }),
        },
        [404],
      ),
    },
    async handler(request) {
      const { since, until, database, actor, action, limit, beforeId, cursor } = request.query;
      if (request.query.server !== undefined) await router.forServer(request.query.server);
      const after = cursor === undefined ? null : parseCursor(cursor);
      const wanted = (name: string) =>
        (request.query.server === undefined || name === request.query.server) &&
        (after === null || (after.get(name) ?? 0) > 0);
      let servers = 0;
      const read = await eachServer(
        router,
        ({ db, server: s }, count) => {
          servers = count;
          const before = after?.get(s.name) ?? beforeId;
          const date = (iso: string | undefined) => (iso === undefined ? undefined : new Date(iso));
          return listEvents(db, {
            since: date(since),
            until: date(until),
            database,
            actor,
            action,
            limit,
            beforeId: before,
          });
        },
        wanted,
      );
      if (servers > 1 && beforeId !== undefined) {
        throw new ApiError(
          400,
          'invalid_request',
          'event ids are per server: page with cursor = nextCursor, or add server= to page one server by beforeId',
        );
      }
      const items = newestFirst(
        read.results.map(({ server, result }) => result.map((e) => ({ ...e, server }))),
      ).slice(0, limit);
      // Each server's next page starts after what this page took of it.
      const next = read.results.map(({ server, result }) => {
        const taken = items.filter((e) => e.server === server);
        if (result.length < limit && taken.length === result.length) return `${server}:0`;
        const start = taken.at(-1)?.id ?? after?.get(server) ?? beforeId ?? result[0]!.id + 1;
        return `${server}:${start}`;
      });
      for (const { server } of read.unreachable) {
        next.push(`${server}:${after?.get(server) ?? beforeId ?? Number.MAX_SAFE_INTEGER}`);
      }
      const more = next.some((pair) => !pair.endsWith(':0'));
      return {
        items,
        nextBeforeId: servers === 1 && items.length === limit ? items.at(-1)!.id : null,
        nextCursor: more ? next.join(',') : null,
        unreachable: read.unreachable,
      };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/settings',
    config: { access: 'read' },
    schema: {
      summary: 'Every setting an admin may change, with its value and default',
      tags: ['settings'],
      response: withErrors({ 200: itemsOf(settingValue) }),
    },
    handler: async () => ({ items: await publicSettings(db) }),
  });

  app.route({
    method: 'PATCH',
    url: '/api/v1/settings',
    config: { access: 'write', action: 'settings.update' },
    schema: {
      summary: 'Change settings (null restores the default); all or nothing',
      tags: ['settings'],
      body: settingsPatch,
      response: withErrors({ 200: itemsOf(settingValue) }, [413]),
    },
    async handler(request) {
      const actor = actorOf(request.principal);
      // The policy's keys go together to the policy (checked idle < stale < eligible), the rest here.
      const policy: Record<string, unknown> = {};
      const rest: typeof request.body = {};
      for (const [key, value] of Object.entries(request.body)) {
        const field = POLICY_FIELDS.get(key);
        if (field) policy[field] = value;
        else rest[key] = value;
      }
      // All or nothing: every value of the others checked before the policy's are written.
      for (const [key, value] of Object.entries(rest)) {
        if (value !== null) KNOWN_SETTINGS.find((s) => s.key === key)?.validate(value);
      }
      if (Object.keys(policy).length) {
        await changePolicySettings(router, policy as PolicySettingsChange, actor);
      }
      await updateSettings(db, rest, { actor });
      // The backup settings on every member too: each backs up alike.
      const shared = Object.entries(rest).filter(([key]) => SHARED_SETTINGS.has(key));
      if (shared.length) {
        await everyServer(router, (routed) =>
          routed.server.central
            ? Promise.resolve()
            : updateSettings(routed.db, Object.fromEntries(shared), { actor }).then(
                () => undefined,
              ),
        );
      }
      return { items: await publicSettings(db) };
    },
  });
}

/** The policy's settings by key: their names in a change of the policy settings. */
const POLICY_FIELDS = new Map(
  KNOWN_SETTINGS.flatMap((s) => (s.policyField ? [[s.key, s.policyField] as const] : [])),
);

/** The settings as the API shows them: a secret one (the webhook) by its origin only. */
async function publicSettings(db: Queryable) {
  return (await readSettings(db)).map((s) => ({
    ...s,
    choices: s.choices && [...s.choices],
    value: s.secret ? maskedWebhook(s.value) : s.value,
  }));
}
