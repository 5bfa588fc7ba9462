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
  POLICY_SETTING_KEYS,
  readSettings,
  updateSettings,
  type ServerRouter,
} from '../../../provisioning/index.js';
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
const SHARED_SETTINGS = new Set<string>([
  ...Object.values(BACKUP_SETTING_KEYS),
  ...Object.values(POLICY_SETTING_KEYS),
]);

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
        database: Type.Optional(databaseName()),
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
      const { since, database, limit, beforeId, cursor } = request.query;
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
          const sinceAt = since === undefined ? undefined : new Date(since);
          return listEvents(db, { since: sinceAt, database, limit, beforeId: before });
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
    handler: async () => ({ items: await readSettings(db) }),
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
      const items = await updateSettings(db, request.body, { actor });
      // The backup and policy settings on every member too: each backs up and applies the policy alike.
      const shared = Object.entries(request.body).filter(([key]) => SHARED_SETTINGS.has(key));
      if (shared.length) {
        await everyServer(router, (routed) =>
          routed.server.central
            ? Promise.resolve()
            : updateSettings(routed.db, Object.fromEntries(shared), { actor }).then(
                () => undefined,
              ),
        );
      }
      return { items };
    },
  });
}
